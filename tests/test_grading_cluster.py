"""Grading on a Dask cluster: the same gradebook as the local process pool, and no submission lost to a dead worker.

A ``LocalCluster`` of two worker processes (one thread each) stands for a
cluster: the scheduler address is all ``grade_class`` gets, as it is with
``make autograde SCHEDULER=tcp://host:8786``.
"""

import os
import signal
import threading
import time

import dask
import distributed
from nbgrader.api import Gradebook

from source_helpers.grading.batch import grade_class
from source_helpers.grading.cluster import check_cluster
from source_helpers.grading.course import nbgrader_api
from test_grading_class import class_of, gradebook_scores, new_course, postgres, serial, submit  # noqa: F401



def local_cluster(**config):
    # One task at a time per worker (Dask's default queues a second one beside it, which a
    # dying worker would take down with it).
    settings = {"distributed.scheduler.allowed-failures": 3, "distributed.scheduler.worker-saturation": 1.0}
    with dask.config.set({**settings, **config}):
        return distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                        silence_logs=50)


def test_a_cluster_grades_into_postgresql_what_the_process_pool_grades(serial, postgres, tmp_path):
    url = postgres.create_database("cluster_gradebook")
    blank, solved = new_course(tmp_path, **{"CourseDirectory.db_url": url})
    submit(tmp_path, class_of(blank, solved))
    lines = []
    with local_cluster() as cluster:
        outcomes = grade_class(tmp_path, ["01-image-arrays"], scheduler=cluster.scheduler_address,
                               progress=lines.append)
    assert not (tmp_path / "gradebook.db").exists(), "the SQLite gradebook was used instead of PostgreSQL"
    assert gradebook_scores(tmp_path) == gradebook_scores(serial[0]), "the cluster's gradebook differs"
    local = {o.student: (o.status, o.score) for o in serial[1].values()}
    assert {o.student: (o.status, o.score) for o in outcomes} == local
    assert any(line.startswith("cluster ") and "2 worker(s)" in line for line in lines), lines
    assert any(line.startswith("[6/6]") for line in lines) and (tmp_path / "grading-status.csv").is_file()


def worker_pids(client):
    return client.run(os.getpid)


def class_of_ten(tmp_path):
    blank, solved = new_course(tmp_path)
    submissions = {f"s{number:02d}": solved if number % 2 else blank for number in range(10)}
    submit(tmp_path, submissions)
    return submissions


def submissions_in_gradebook(course):
    with Gradebook(nbgrader_api(course).coursedir.db_url) as gradebook:
        return sorted(s.student.id for s in gradebook.find_assignment("01-image-arrays").submissions)


def test_a_worker_killed_during_the_run_loses_nothing_and_counts_nothing_twice(tmp_path):
    submissions = class_of_ten(tmp_path)
    killed = []
    with local_cluster() as cluster, distributed.Client(cluster) as client:
        def progress(line):
            if line.startswith("[2/") and not killed:      # mid-run: one worker is grading right now
                pid = next(iter(worker_pids(client).values()))
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

        outcomes = grade_class(tmp_path, ["01-image-arrays"], scheduler=cluster.scheduler_address, progress=progress)
    assert killed, "no worker was killed"
    students = sorted(o.student for o in outcomes)
    assert students == sorted(submissions), "a submission was lost or counted twice"
    for outcome in outcomes:
        assert outcome.status == "graded", (outcome.student, outcome.status, outcome.error)
        assert outcome.score == (11 if int(outcome.student[1:]) % 2 else 0), outcome
    assert submissions_in_gradebook(tmp_path) == sorted(submissions)


def test_a_submission_that_kills_its_workers_is_reported_after_a_bounded_number_of_tries(tmp_path):
    class_of_ten(tmp_path)
    stop = threading.Event()
    kills = []
    with local_cluster(**{"distributed.scheduler.allowed-failures": 2}) as cluster, \
            distributed.Client(cluster) as client:
        def killer():
            # Whenever a worker is grading s03, kill it: a submission that brings its worker down each time.
            while not stop.is_set():
                for address, keys in client.processing().items():
                    if any("'s03'" in str(key) for key in keys):
                        pid = client.run(os.getpid, workers=[address]).get(address)
                        if pid:
                            os.kill(pid, signal.SIGKILL)
                            kills.append(pid)
                            time.sleep(1.0)
                time.sleep(0.05)

        watcher = threading.Thread(target=killer, daemon=True)
        watcher.start()
        try:
            outcomes = {o.student: o for o in grade_class(tmp_path, ["01-image-arrays"],
                                                          scheduler=cluster.scheduler_address, progress=None)}
        finally:
            stop.set()
            watcher.join(timeout=10)
    assert len(kills) == 3, f"three tries (allowed-failures 2), each killed: {kills}"
    assert outcomes["s03"].status == "failed" and "died each time" in outcomes["s03"].error, outcomes["s03"]
    others = [o for name, o in outcomes.items() if name != "s03"]
    assert len(others) == 9 and all(o.status == "graded" for o in others), [(o.student, o.status, o.error)
                                                                             for o in others if o.status != "graded"]


class FakeClient:
    def __init__(self, facts, threads):
        self.facts, self.threads = facts, threads

    def run(self, function, *args):
        return self.facts

    def nthreads(self):
        return self.threads


def test_the_cluster_check_names_every_missing_piece(tmp_path):
    import socket

    facts = {"tcp://a:1": {"host": socket.gethostname(), "pid": 1, "course": True, "isolated": True, "reason": ""},
             "tcp://b:1": {"host": "elsewhere", "pid": 2, "course": False, "isolated": False,
                           "reason": "bubblewrap (bwrap) is not installed"}}
    problems = check_cluster(FakeClient(facts, {"tcp://a:1": 1, "tcp://b:1": 4}), tmp_path, "sqlite:///gradebook.db")
    text = "\n".join(problems)
    assert "does not see the course" in text and "tcp://b:1" in text
    assert "install bubblewrap" in text and "--nthreads 1" in text
    assert "SQLite" in text and "elsewhere" in text and "PostgreSQL" in text
    assert check_cluster(FakeClient({"tcp://a:1": facts["tcp://a:1"]}, {"tcp://a:1": 1}), tmp_path,
                         "sqlite:///gradebook.db") == [], "one local worker may share an SQLite gradebook"
    assert "no workers" in check_cluster(FakeClient({}, {}), tmp_path, "postgresql://x")[0]
