"""A contained process for a student's code: no network, no course files, limited memory and time.

The grader starts one ``Sandbox`` per submission. Inside it runs ``worker.py``
on a scratch copy of the submission, as an unprivileged user, with:

- **isolation** (bubblewrap, from Debian's ``bubblewrap`` package): new user,
  PID, network, IPC and UTS namespaces, so no network and no other process;
  a file system that shows only the system's programs and libraries, the
  Python environment, the course's data, a copy of the helper package and
  the scratch folder (read-only except the scratch folder and /tmp). The
  gradebook, ``solutions/``, other students' folders and the rest of the
  course tree are simply not there.
- **limits** (``setrlimit``): address space (a memory hog gets a
  ``MemoryError`` in its own call), CPU seconds per notebook, file size,
  processes.
- **its own helper package**: a copy of ``source_helpers`` in which the
  reference answers of the chapter being graded are replaced by a stub that
  raises ``ReferenceBlocked``; their code is not in the process at all.

Where bubblewrap is missing or cannot make namespaces, ``containment()``
says so and the sandbox falls back to limits only, running as ``nobody``
when the grader is root; the grading command prints a warning naming what
is missing. Deadlines are kept by the grader, which kills the whole sandbox
when one passes.
"""

import ast
import functools
import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import source_helpers
from source_helpers.exercises import REFERENCES

from . import wire

__all__ = ["Containment", "containment", "Limits", "Sandbox", "SandboxBroken", "SandboxDied", "SandboxTimeout",
           "build_student_package"]

SANDBOX_HOME = "/home/student"
SANDBOX_PACKAGE_ROOT = "/course"
NOBODY = 65534


class SandboxDied(Exception):
    """The student's process ended (os._exit, a crash, the kernel's OOM killer, a broken pipe).

    ``args[0]`` says how it ended; ``output``, the end of what it wrote to standard error.
    """

    def __init__(self, reason, output=""):
        super().__init__(reason)
        self.output = output


class SandboxBroken(Exception):
    """The sandbox does not start at all: a problem of the grading machine, not of the submission."""


class SandboxTimeout(Exception):
    """The student's process did not answer before the deadline; it has been killed."""


class Limits:
    """Resource limits of one sandbox.

    Parameters
    ----------
    memory_mb : int
        Address space of the student's process, in MiB.
    cpu_seconds : int
        CPU time of the student's process over the whole notebook.
    file_mb : int
        Largest file the student's code may write, and size of its /tmp, in MiB.
    processes : int
        Processes the sandbox may hold (a fork bomb stops there).
    """

    def __init__(self, *, memory_mb=4096, cpu_seconds=600, file_mb=200, processes=64):
        for name, value in [("memory_mb", memory_mb), ("cpu_seconds", cpu_seconds),
                            ("file_mb", file_mb), ("processes", processes)]:
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"`{name}` must be a positive whole number; got {value!r}.")
        self.memory_mb = memory_mb
        self.cpu_seconds = cpu_seconds
        self.file_mb = file_mb
        self.processes = processes

    def apply(self):
        """Set the limits on the calling process (run in the child before exec)."""
        mb = 2**20
        resource.setrlimit(resource.RLIMIT_AS, (self.memory_mb * mb, self.memory_mb * mb))
        resource.setrlimit(resource.RLIMIT_CPU, (self.cpu_seconds, self.cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.file_mb * mb, self.file_mb * mb))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    def describe(self):
        return (f"memory {self.memory_mb} MiB, CPU {self.cpu_seconds} s per notebook, "
                f"files {self.file_mb} MiB, {self.processes} processes")


class Containment:
    """Which containment measures this machine allows."""

    def __init__(self, bwrap, reason):
        self.bwrap = bwrap
        self.reason = reason

    @property
    def isolated(self):
        return self.bwrap is not None

    def describe(self):
        if self.isolated:
            return ("isolated (bubblewrap): no network, own user/PID/IPC namespaces, only the submission's "
                    "scratch copy writable, gradebook and solutions/ not visible; rlimits on memory, CPU, "
                    "files and processes; chapter's reference answers removed")
        return ("NOT isolated: " + self.reason + ". Student code runs with rlimits only"
                + (", as user nobody" if os.geteuid() == 0 else "")
                + "; it can see the file system and the network. Install bubblewrap (Debian: apt-get install "
                "bubblewrap) to contain it.")


@functools.lru_cache(maxsize=1)
def containment():
    """The ``Containment`` of this machine (bubblewrap found and able to make namespaces?)."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return Containment(None, "bubblewrap (bwrap) is not installed")
    probe = subprocess.run(
        [bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "--uid", str(NOBODY),
         "--gid", str(NOBODY), "--", "/bin/sh", "-c", "exit 0"],
        capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        message = (probe.stderr or probe.stdout).strip().splitlines()
        return Containment(None, "bubblewrap cannot create namespaces here"
                           + (f" ({message[-1]})" if message else ""))
    return Containment(bwrap, "")


# -- the helper package as the student's process sees it ------------------------------

_WORKER_FILES = ("__init__.py", "wire.py", "worker.py")


def _without_references(source, chapter, filename):
    """``source`` with the body of every ``@reference(chapter)`` function replaced by a stub."""
    tree = ast.parse(source, filename)
    changed = False
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            if (isinstance(decorator, ast.Call) and getattr(decorator.func, "id", None) == "reference"
                    and decorator.args and isinstance(decorator.args[0], ast.Constant)
                    and decorator.args[0].value == chapter):
                stub = ast.parse(
                    "from source_helpers.exercises import ReferenceBlocked, blocked_message\n"
                    f"raise ReferenceBlocked(blocked_message({node.name!r}))").body
                node.body = stub
                changed = True
    return ast.unparse(tree) if changed else source


def build_student_package(chapter, target):
    """Write the helper package as a graded student's process gets it into ``target/source_helpers``.

    The grading tools are left out, except the worker and its wire format;
    the reference answers of ``chapter`` are replaced by stubs that raise
    ``ReferenceBlocked``. Returns the package folder.
    """
    source = Path(source_helpers.__file__).resolve().parent
    package = Path(target) / "source_helpers"
    (package / "grading").mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.py")):
        text = path.read_text()
        if chapter in REFERENCES.values():
            text = _without_references(text, chapter, str(path))
        (package / path.name).write_text(text)
    for name in _WORKER_FILES:
        text = (source / "grading" / name).read_text() if name != "__init__.py" else ""
        (package / "grading" / name).write_text(text)
    return package


# -- the sandbox -------------------------------------------------------------------------

class _DeadlineReader:
    """A binary file over a pipe whose reads fail with SandboxTimeout after ``deadline``."""

    def __init__(self, fd, deadline):
        self.fd = fd
        self.deadline = deadline

    def read(self, n):
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise SandboxTimeout()
        ready, _, _ = select.select([self.fd], [], [], remaining)
        if not ready:
            raise SandboxTimeout()
        return os.read(self.fd, min(n, 1 << 20))


class _PipeWriter:
    def __init__(self, fd):
        self.fd = fd

    def write(self, data):
        view = memoryview(data)
        while view:
            written = os.write(self.fd, view)
            view = view[written:]

    def flush(self):
        pass


def _readable_roots():
    """Folders of the system and the Python environment the student's process must read."""
    roots = {"/usr", "/etc/alternatives", "/etc/ssl", "/etc/fonts"}
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}:
        roots.add(os.path.realpath(prefix))
        roots.add(os.path.abspath(prefix))      # a linked environment is run through its link
    executable = os.path.realpath(sys.executable)
    roots.add(os.path.dirname(os.path.dirname(executable)))
    return sorted(r for r in roots if os.path.exists(r))


class Sandbox:
    """One student's contained process.

    Parameters
    ----------
    chapter : str
        Chapter being graded: its reference answers are removed.
    scratch : path
        Folder holding the copy of the submission's files; the student's
        code may write only here (and in its own /tmp).
    package_root : path
        Folder holding the student's ``source_helpers`` (``build_student_package``).
    data_dir : path or None
        The course's data folder, shown read-only where the package expects it.
    limits : Limits
    """

    def __init__(self, chapter, scratch, package_root, *, data_dir=None, limits=None):
        self.chapter = chapter
        self.scratch = Path(scratch)
        self.package_root = Path(package_root)
        self.data_dir = Path(data_dir) if data_dir else None
        self.limits = limits or Limits()
        self.process = None
        self.requests = self.replies = None
        self.workdir = f"{SANDBOX_HOME}/{chapter}"
        self.stderr = None

    # -- life cycle -------------------------------------------------------------

    def _command(self, requests_fd, replies_fd):
        bootstrap = (
            f"import sys; sys.path.insert(0, {SANDBOX_PACKAGE_ROOT!r}); "
            "from source_helpers.grading.worker import main; main()"
        )
        python = [sys.executable, "-E", "-s", "-c", bootstrap, str(requests_fd), str(replies_fd)]
        found = containment()
        env = {
            "PATH": "/usr/bin:/bin", "HOME": SANDBOX_HOME, "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg", "MPLCONFIGDIR": f"{SANDBOX_HOME}/.matplotlib",
            "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "NUMBA_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
            "NBGRADER_EXECUTION": "autograde",
        }
        if not found.isolated:
            env.update({"HOME": str(self.scratch), "MPLCONFIGDIR": str(self.scratch / ".matplotlib")})
            bootstrap = bootstrap.replace(repr(SANDBOX_PACKAGE_ROOT), repr(str(self.package_root)))
            python[4] = bootstrap
            return python, env, str(self.scratch)
        command = [found.bwrap, "--unshare-all", "--die-with-parent", "--new-session",
                   "--uid", str(NOBODY), "--gid", str(NOBODY), "--hostname", "sandbox",
                   "--cap-drop", "ALL", "--clearenv"]
        # /tmp first: a later mount over it would hide an environment that lives under /tmp.
        command += ["--size", str(self.limits.file_mb * 2**20), "--tmpfs", "/tmp"]
        for root in _readable_roots():
            command += ["--ro-bind", root, root]
        command += ["--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
                    "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/sbin", "/sbin",
                    "--proc", "/proc", "--dev", "/dev",
                    "--dir", SANDBOX_HOME,
                    "--ro-bind", str(self.package_root), SANDBOX_PACKAGE_ROOT,
                    "--bind", str(self.scratch), self.workdir]
        if self.data_dir and self.data_dir.is_dir():
            command += ["--ro-bind", str(self.data_dir), f"{SANDBOX_PACKAGE_ROOT}/data"]
        matplotlib_cache = self.package_root / ".matplotlib"
        if matplotlib_cache.is_dir():
            command += ["--dir", f"{SANDBOX_HOME}/.matplotlib"]
            for entry in matplotlib_cache.iterdir():
                command += ["--ro-bind", str(entry), f"{SANDBOX_HOME}/.matplotlib/{entry.name}"]
        for key, value in env.items():
            command += ["--setenv", key, value]
        command += ["--chdir", self.workdir, "--"] + python
        return command, None, None

    def start(self):
        """Start the student's process (no cell has run yet)."""
        self.close()
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        command, env, cwd = self._command(to_worker_r, from_worker_w)
        drop_user = env is not None and os.geteuid() == 0
        limits = self.limits

        def prepare_child():
            os.setsid()
            limits.apply()
            if env is not None:
                resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
            if drop_user:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)

        if drop_user:
            os.chmod(self.scratch, 0o777)
        self.stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            command, env=env if env is not None else {}, cwd=cwd, pass_fds=(to_worker_r, from_worker_w),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.stderr,
            preexec_fn=prepare_child)
        os.close(to_worker_r)
        os.close(from_worker_w)
        self.requests = to_worker_w
        self.replies = from_worker_r
        return self

    @property
    def alive(self):
        return self.process is not None and self.process.poll() is None

    def close(self):
        """Kill the student's process and everything it started."""
        if self.process is not None:
            if self.process.poll() is None:
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    self.process.kill()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        for fd in (self.requests, self.replies):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        if self.stderr is not None:
            self.stderr.close()
        self.process = self.requests = self.replies = self.stderr = None

    def error_output(self, limit=400):
        """The last ``limit`` characters the process wrote to standard error (its own or Python's)."""
        if self.stderr is None:
            return ""
        self.stderr.seek(0, os.SEEK_END)
        size = self.stderr.tell()
        self.stderr.seek(max(0, size - limit))
        return self.stderr.read().decode(errors="replace").strip()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    # -- requests ----------------------------------------------------------------

    def request(self, message, arrays=(), *, timeout):
        """Send one request and wait at most ``timeout`` seconds for its reply: ``(reply, arrays)``.

        Raises SandboxTimeout (after killing the process) or SandboxDied.
        """
        if not self.alive:
            raise SandboxDied("the student's process is not running")
        deadline = time.monotonic() + max(0.0, timeout)
        try:
            wire.send(_PipeWriter(self.requests), message, arrays)
            reply, reply_arrays = wire.receive(_DeadlineReader(self.replies, deadline))
        except SandboxTimeout:
            self.close()
            raise
        except (wire.ProtocolError, OSError) as error:
            code = self.process.poll() if self.process else None
            if code is None:
                try:
                    code = self.process.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    code = None
            output = self.error_output()
            self.close()
            raise SandboxDied(_death_reason(code, error), output) from None
        if not isinstance(reply, dict) or not isinstance(reply.get("ok"), bool):
            self.close()
            raise SandboxDied("the student's process sent a malformed reply")
        return reply, reply_arrays


def _death_reason(code, error):
    if code is None:
        return f"the student's process broke the connection ({error})"
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        if -code == signal.SIGXCPU:
            return "the student's process used up its CPU time for the notebook (SIGXCPU)"
        if -code == signal.SIGKILL:
            return "the student's process was killed (SIGKILL; out of memory?)"
        return f"the student's process was killed by signal {name}"
    return f"the student's process exited with code {code}"


def prepare_package_root(chapter, folder=None):
    """A folder holding the student's helper package for ``chapter`` and a warm matplotlib cache."""
    folder = Path(folder or tempfile.mkdtemp(prefix=f"sandbox-{chapter}-"))
    build_student_package(chapter, folder)
    (folder / "data").mkdir(exist_ok=True)    # where the course's data folder is mounted
    cache = folder / ".matplotlib"
    cache.mkdir(exist_ok=True)
    try:
        import matplotlib

        own_cache = Path(matplotlib.get_cachedir())
        for entry in own_cache.glob("fontlist-*.json"):
            shutil.copy(entry, cache / entry.name)
    except Exception:  # no cache yet: the sandbox builds its own, a little slower
        pass
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return folder
