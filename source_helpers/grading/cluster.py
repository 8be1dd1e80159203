"""Grading on a Dask cluster: the class grader's own tasks, sent to ``distributed``'s workers.

``make autograde SCHEDULER=tcp://host:8786`` runs the same ``grade_class``
as a local run; only the place where each submission is graded changes. Each
task is ``batch._grade_task`` for one submission: nbgrader's autograde of a
snapshot of it, the student's code in the worker's own sandbox. The results
come back as ``Outcome`` values and are recorded, printed and summed up
exactly as the local process pool's.

Before anything is graded, ``check_cluster`` asks every worker what it can
see and names what is missing: the course folder at the same path (a shared
file system), bubblewrap able to contain the students' code, one thread per
worker (nbgrader grades one submission per process), and a gradebook every
worker can write (not SQLite when a worker runs on another machine).

Faults: when a worker dies, the scheduler gives its task to another; a
submission whose grading kills workers again and again ends, after the
scheduler's ``allowed-failures`` (3 by default), as a failed outcome that
says so, and the rest of the class is graded. Each submission is recorded
once, from the one result that came back; a task that ran twice grades the
same submission again (nbgrader replaces its scores), so the gradebook never
holds it twice.

``distributed`` is an instructor's package (the ``cluster`` extra), not the
students'; it is imported only here.
"""

import os
import socket

__all__ = ["ClusterProblem", "check_cluster", "grade_on_cluster"]


class ClusterProblem(RuntimeError):
    """The cluster cannot grade this course: the message names each missing piece."""


def _client(scheduler):
    try:
        from distributed import Client
    except ImportError:
        raise ClusterProblem("grading on a cluster needs Dask's `distributed` on this machine and on every "
                             "worker: pip install -e '.[course,cluster]' (or distributed==2026.8.0)") from None
    try:
        return Client(scheduler, timeout="20s")
    except OSError as error:
        raise ClusterProblem(f"no Dask scheduler answers at {scheduler}: {error}") from None


def _worker_facts(root):
    """What one worker sees (runs on the worker)."""
    from pathlib import Path

    from .sandbox import containment

    found = containment()
    course = Path(root)
    return {"host": socket.gethostname(), "pid": os.getpid(),
            "course": (course / "nbgrader_config.py").is_file() and (course / "solutions").is_dir(),
            "isolated": found.isolated, "reason": found.reason}


def check_cluster(client, root, db_url, *, unsafe_uncontained=False):
    """Problems that stop ``client``'s workers from grading the course at ``root``; empty when none."""
    facts = client.run(_worker_facts, str(root))
    threads = client.nthreads()
    if not facts:
        return ["the cluster has no workers (start some: dask worker SCHEDULER --nthreads 1)"]
    problems = []
    here = socket.gethostname()
    for address, fact in sorted(facts.items()):
        name = f"worker {address} on {fact['host']}"
        if not fact["course"]:
            problems.append(f"{name} does not see the course at {root}: put the course folder on a file system "
                            "shared by all workers, at the same path")
        if not fact["isolated"] and not unsafe_uncontained:
            problems.append(f"{name} cannot contain the students' code ({fact['reason']}): install bubblewrap there")
        if threads.get(address, 1) != 1:
            problems.append(f"{name} runs {threads[address]} threads; nbgrader grades one submission per process: "
                            "start workers with --nthreads 1 (and --nworkers for more per machine)")
    remote = sorted({fact["host"] for fact in facts.values()} - {here})
    if db_url.startswith("sqlite") and remote:
        problems.append(f"the gradebook is SQLite ({db_url}), which workers on other machines "
                        f"({', '.join(remote)}) cannot share safely: use PostgreSQL (c.CourseDirectory.db_url)")
    return problems


def grade_on_cluster(scheduler, tasks, finished, *, root, db_url, unsafe_uncontained=False, say=print):
    """Grade ``tasks`` (``(task, fingerprint)`` pairs for ``batch._grade_task``) on the cluster at ``scheduler``.

    ``finished(outcome, fingerprint, done)`` is called once per submission as its
    result comes back. Raises ``ClusterProblem`` before grading when the cluster
    cannot grade the course.
    """
    from distributed import as_completed
    from distributed.client import FutureCancelledError

    from .batch import Outcome, _grade_task

    client = _client(scheduler)
    try:
        problems = check_cluster(client, root, db_url, unsafe_uncontained=unsafe_uncontained)
        if problems:
            raise ClusterProblem("the cluster cannot grade this course:\n  " + "\n  ".join(problems))
        workers = len(client.nthreads())
        say(f"cluster {scheduler}: {workers} worker(s)")
        futures = {}
        for task, fingerprint in tasks:
            chapter, student = task[1], task[2]
            # One key group for all ("grade", ...): the scheduler then queues the submissions and hands
            # each worker only what it can run, so a worker that dies takes no waiting task with it.
            future = client.submit(_grade_task, (*task[:3], None, unsafe_uncontained),
                                   key=("grade", chapter, student, os.urandom(4).hex()), pure=False)
            futures[future] = (task, fingerprint)
        for done, future in enumerate(as_completed(futures), start=1):
            task, fingerprint = futures[future]
            try:
                outcome = future.result()
            except (Exception, FutureCancelledError) as error:  # KilledWorker: it killed workers again and again
                name = type(error).__name__
                cause = ("the worker grading it died each time it was tried (a crash, or out of memory)"
                         if name == "KilledWorker" else f"{name}: {error}")
                outcome = Outcome(task[1], task[2], "failed", error=f"not graded on the cluster: {cause}")
            finished(outcome, fingerprint, done)
    finally:
        client.close()
