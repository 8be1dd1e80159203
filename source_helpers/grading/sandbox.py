"""A contained process for a student's code: no network, no course files, limited memory and time.

The grader starts one ``Sandbox`` per submission. Inside it runs ``worker.py``
on a copy of the submission's files, as an unprivileged user, with:

- **isolation** (bubblewrap, from Debian's ``bubblewrap`` package): new user,
  PID, network, IPC and UTS namespaces, so no network and no other process;
  a file system that shows only the system's programs and libraries, the
  Python environment, the course's data, a copy of the helper package and
  the submission's files, all read-only. The student's code writes only in
  its home (which holds its working folder, a copy of the submission's
  files), /tmp and /dev/shm: each a tmpfs of ``Limits.file_mb``, so nothing
  it writes reaches the disk. The gradebook, ``solutions/``, other students'
  folders and the rest of the course tree are simply not there.
- **an unprivileged user of the machine**: a root grader starts bubblewrap as
  ``nobody`` (see ``_Stage``), so the student's code is host uid 65534, not
  root: files only root may read stay unreadable, and process limits bind.
  A grader that is not root runs it as its own user.
- **limits** (``setrlimit``): address space (a memory hog gets a
  ``MemoryError`` in its own call), CPU seconds per notebook, file size,
  processes and threads (``RLIMIT_NPROC``, counted in the sandbox's own user
  namespace, so sandboxes running at once do not share it).
- **its own helper package**: a copy of ``source_helpers`` in which the
  reference answers of the chapter being graded are replaced by a stub that
  raises ``ReferenceBlocked``; their code is not in the process at all.
- **a clean start**: Python starts isolated (``-I``), so a file beside the
  notebook named like a module (``json.py``, ``sitecustomize.py``) is never
  imported in its place; the working folder comes last on ``sys.path``.

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
SANDBOX_SUBMISSION = "/submission"      # the scratch folder, read-only; the worker copies it into its cwd
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
        Largest file the student's code may write, in MiB; under bubblewrap also the size of
        each folder it may write in: its home (with the working folder and the submission's
        files), /tmp and /dev/shm.
    processes : int
        Processes and threads the student's code may hold (a fork bomb stops there): inside
        bubblewrap those of this sandbox, bwrap's own two included; without bubblewrap, as
        ``nobody``, those of that user.
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
    """Which containment measures this machine allows.

    ``bwrap`` is bubblewrap's path (None: not usable); ``host_uid``, the user
    on this machine the student's code runs as under bubblewrap; ``staged``,
    whether the grader (root) starts bubblewrap as that user after showing it
    the folders it binds in a mount namespace of its own (see ``_Stage``).
    """

    def __init__(self, bwrap, reason, *, host_uid=None, staged=False):
        self.bwrap = bwrap
        self.reason = reason
        self.host_uid = host_uid
        self.staged = staged

    @property
    def isolated(self):
        return self.bwrap is not None

    def _user(self):
        if self.host_uid == 0:
            return "host uid 0 (root: " + (self.reason or "bubblewrap cannot run as nobody here") + ")"
        name = " (nobody)" if self.host_uid == NOBODY else " (the grader's own user)"
        return f"host uid {self.host_uid}{name}"

    def describe(self):
        if self.isolated:
            return ("isolated (bubblewrap): student code runs as " + self._user() + "; no network, own "
                    "user/PID/IPC namespaces, nothing of the machine writable, its home, working folder, /tmp "
                    "and /dev/shm size-limited in memory, gradebook and solutions/ not visible; rlimits on "
                    "memory, CPU, file size and processes; deadlines per cell and notebook; chapter's "
                    "reference answers removed")
        if _can_drop_user():
            user = ", as user nobody"
        elif os.geteuid() == 0:
            user = ", as root (user nobody cannot read this Python environment)"
        else:
            user = ", as the grader's own user"
        return ("NOT isolated: " + self.reason + ". Student code runs in a separate process with rlimits only"
                + user + "; it can see the file system and the network. Install bubblewrap (Debian: apt-get "
                "install bubblewrap) to contain it.")


def _world_usable(path):
    """True when every folder on the way to ``path`` lets other users through, and ``path`` lets them read."""
    path = Path(os.path.realpath(path))
    folders = [p for p in path.parents]
    return all(p.stat().st_mode & 0o001 for p in folders) and bool(path.stat().st_mode & 0o004)


@functools.lru_cache(maxsize=1)
def _can_drop_user():
    """As root without bubblewrap: can the student's code run as ``nobody`` with this Python?"""
    if os.geteuid() != 0:
        return False
    try:
        return _world_usable(sys.executable) and _world_usable(os.path.join(sys.prefix, "pyvenv.cfg")
                                                              if os.path.exists(os.path.join(sys.prefix, "pyvenv.cfg"))
                                                              else sys.executable)
    except OSError:
        return False


# -- starting bubblewrap as nobody when the grader is root ------------------------------
#
# Run by root, bubblewrap maps the sandbox's user to root on the host: files only root may
# read in a bound folder are readable inside, and RLIMIT_NPROC does not bind. So a root
# grader starts bubblewrap as ``nobody`` instead; bubblewrap then makes an unprivileged
# user namespace mapping the sandbox's 65534 to the host's 65534. But nobody cannot reach
# this Python environment by its path (it lives under /root, mode 0700), and bubblewrap
# resolves every bind source by path as the user it runs as. Before dropping to nobody,
# the child therefore enters a mount namespace of its own, mounts a small tmpfs on an
# empty folder (``_Stage``) and binds each source folder into it, where nobody can reach
# it; bubblewrap binds them from there. Nothing changes in the host's own mounts.

CLONE_NEWNS = 0x00020000
MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 4096, 16384, 1 << 18


class _Stage:
    """An empty folder on which each staged child mounts the bind sources it shows bubblewrap."""

    def __init__(self):
        self.path = None
        self.libc = self.ctypes = None

    def folder(self):
        if self.path is None or not os.path.isdir(self.path):
            import atexit
            import ctypes

            self.ctypes = ctypes
            self.libc = ctypes.CDLL(None, use_errno=True)
            self.libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                                        ctypes.c_char_p]
            self.libc.unshare.argtypes = [ctypes.c_int]
            self.path = tempfile.mkdtemp(prefix="sandbox-stage-")
            os.chmod(self.path, 0o755)
            atexit.register(self._remove, self.path)
        return self.path

    @staticmethod
    def _remove(path):
        try:
            os.rmdir(path)
        except OSError:
            pass

    def place(self, index):
        return f"{self.folder()}/{index}"

    def enter(self, sources):
        """In the child, as root: a private mount namespace with ``sources[i]`` bound at ``place(i)``."""
        libc, stage = self.libc, self.path.encode()

        def check(result, what):
            if result != 0:
                number = self.ctypes.get_errno()
                raise OSError(number, f"{what}: {os.strerror(number)}")

        check(libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
        check(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "making / private")
        check(libc.mount(b"tmpfs", stage, b"tmpfs", MS_NOSUID | MS_NODEV, b"mode=0755,size=64k"), "stage tmpfs")
        for index, source in enumerate(sources):
            target = f"{self.path}/{index}".encode()
            if os.path.isdir(source):
                os.mkdir(target)
            else:
                os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o644))
            check(libc.mount(os.fsencode(source), target, None, MS_BIND | MS_REC, None), "binding " + source)


_STAGE = _Stage()


def _drop_to_nobody():
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


class _Binds:
    """Sources of bubblewrap's binds as bubblewrap is shown them: staged (``sources[i]`` at
    ``_STAGE.place(i)``) or, when not staged, their own paths."""

    def __init__(self, staged):
        self.staged = staged
        self.sources = []           # what a staged child binds into the stage, in order

    def _source(self, source):
        source = os.path.realpath(source)
        if not self.staged:
            return source
        for index, known in enumerate(self.sources):
            if source == known or source.startswith(known.rstrip("/") + "/"):
                return _STAGE.place(index) + source[len(known):]
        self.sources.append(source)
        return _STAGE.place(len(self.sources) - 1)

    def ro(self, source, dest):
        return ["--ro-bind", self._source(source), dest]


def _bwrap_command(found, binds, *, tmp_bytes, home=None, more=()):
    """bubblewrap's arguments up to ``--``: namespaces, the system, the environment, /dev, the sizes."""
    command = [found.bwrap, "--unshare-all", "--die-with-parent", "--new-session",
               "--uid", str(NOBODY), "--gid", str(NOBODY), "--hostname", "sandbox",
               "--cap-drop", "ALL", "--clearenv"]
    size = str(tmp_bytes)
    # /tmp first: a later mount over it would hide an environment that lives under /tmp.
    command += ["--size", size, "--tmpfs", "/tmp"]
    for root in _readable_roots():
        command += binds.ro(root, root)
    # /dev by hand rather than --dev: --dev mounts a devpts, for which bubblewrap nests a second
    # user namespace whose map shows the student the middle level instead of the host's user.
    command += ["--size", str(2**20), "--tmpfs", "/dev"]
    for device in ("null", "zero", "full", "random", "urandom"):
        command += ["--dev-bind", f"/dev/{device}", f"/dev/{device}"]
    command += ["--symlink", "/proc/self/fd", "/dev/fd", "--symlink", "/proc/self/fd/0", "/dev/stdin",
                "--symlink", "/proc/self/fd/1", "/dev/stdout", "--symlink", "/proc/self/fd/2", "/dev/stderr",
                "--dir", "/dev/shm", "--size", size, "--tmpfs", "/dev/shm", "--remount-ro", "/dev"]
    command += ["--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
                "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/sbin", "/sbin", "--proc", "/proc"]
    if home is not None:
        command += ["--size", size, "--tmpfs", home]
    command += list(more)
    command += ["--remount-ro", "/"]      # bwrap's own root (/, /home, ...) is memory too: not writable
    return command


def _launch(command, *, staged_sources, drop, preexec=None, **popen):
    """Popen ``command`` in a child that stages ``staged_sources`` and drops to nobody when asked."""
    if staged_sources is not None:
        _STAGE.folder()

    def prepare_child():
        if preexec is not None:
            preexec()
        if staged_sources is not None:
            _STAGE.enter(staged_sources)
        if drop:
            _drop_to_nobody()

    return subprocess.Popen(command, preexec_fn=prepare_child, **popen)


def _probe(found):
    """Run this Python in bubblewrap the way a sandbox will; '' when it works, else why not."""
    binds = _Binds(found.staged)
    command = _bwrap_command(found, binds, tmp_bytes=2**20, home=SANDBOX_HOME)
    command += ["--", sys.executable, "-I", "-c", "import os; os.listdir('.')"]
    staged = binds.sources if found.staged else None
    try:
        process = _launch(command, staged_sources=staged, drop=found.staged, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = process.communicate(timeout=30)
    except (OSError, subprocess.SubprocessError) as error:
        return str(error) or type(error).__name__
    if process.returncode != 0:
        lines = [line for line in (err or out).strip().splitlines() if line.startswith("bwrap: ")]
        return lines[-1] if lines else f"exit code {process.returncode}"
    return ""


@functools.lru_cache(maxsize=1)
def containment():
    """The ``Containment`` of this machine: bubblewrap found, able to make namespaces, and as which user."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return Containment(None, "bubblewrap (bwrap) is not installed")
    if os.geteuid() != 0:
        found = Containment(bwrap, "", host_uid=os.getuid())
        problem = _probe(found)
    else:
        found = Containment(bwrap, "", host_uid=NOBODY, staged=True)
        problem = _probe(found)
        if problem:
            # The old way: bubblewrap run by root maps the student to root. Said so in describe().
            fallback = Containment(bwrap, f"bubblewrap cannot run as nobody here ({problem})", host_uid=0)
            if not _probe(fallback):
                return fallback
    if problem:
        return Containment(None, f"bubblewrap cannot create namespaces here ({problem})")
    return found


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
                same_as = next((k.value.value for k in decorator.keywords
                                if k.arg == "same_as" and isinstance(k.value, ast.Constant)), None)
                stub = ast.parse(
                    "from source_helpers.exercises import ReferenceBlocked, blocked_message\n"
                    f"raise ReferenceBlocked(blocked_message({node.name!r}, {same_as!r}))").body
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
        if "@reference(" in text:
            text = _without_references(text, chapter, str(path))
        (package / path.name).write_text(text)
    for name in _WORKER_FILES:
        text = (source / "grading" / name).read_text() if name != "__init__.py" else ""
        (package / "grading" / name).write_text(text)
    return package


# -- the sandbox -------------------------------------------------------------------------

class _DeadlineReader:
    """A binary file over a pipe whose reads fail with SandboxTimeout after ``deadline``.

    While it waits it also drains the sandbox's standard error into ``sandbox`` (if given),
    so that a process writing much there never blocks.
    """

    def __init__(self, fd, deadline, sandbox=None):
        self.fd = fd
        self.deadline = deadline
        self.sandbox = sandbox

    def read(self, n):
        while True:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise SandboxTimeout()
            watched = [self.fd]
            if self.sandbox is not None and self.sandbox._stderr_fd is not None:
                watched.append(self.sandbox._stderr_fd)
            ready, _, _ = select.select(watched, [], [], remaining)
            if not ready:
                raise SandboxTimeout()
            if self.fd in ready:
                return os.read(self.fd, min(n, 1 << 20))
            self.sandbox._drain_stderr()


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
        Folder holding the copy of the submission's files. Under bubblewrap it is shown
        read-only and its files are copied into the student's working folder, a size-limited
        folder in memory: what the student's code writes never reaches the disk. Without
        bubblewrap the student's code works in ``scratch`` itself.
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
        self._stderr_fd = None
        self._stderr = bytearray()      # what the process wrote to stderr before its first reply
        self._staged = None

    # -- life cycle -------------------------------------------------------------

    def _command(self, requests_fd, replies_fd):
        """``(command, env, cwd)`` of the student's process; env and cwd are None under bubblewrap."""
        bootstrap = (
            f"import sys; sys.path.insert(0, {SANDBOX_PACKAGE_ROOT!r}); "
            "from source_helpers.grading.worker import main; main()"
        )
        # -I: neither the working folder nor any PYTHON* variable is looked at when Python starts,
        # so a student's json.py or sitecustomize.py beside the notebook cannot stand in for the
        # real one; the worker puts the working folder at the end of sys.path once it has started.
        python = [sys.executable, "-I", "-B", "-c", bootstrap, str(requests_fd), str(replies_fd)]
        found = containment()
        env = {
            "PATH": "/usr/bin:/bin", "HOME": SANDBOX_HOME, "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg", "MPLCONFIGDIR": f"{SANDBOX_HOME}/.matplotlib",
            "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "NUMBA_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
            "NBGRADER_EXECUTION": "autograde",
        }
        self._staged = None
        if not found.isolated:
            env.update({"HOME": str(self.scratch), "MPLCONFIGDIR": str(self.scratch / ".matplotlib")})
            python[4] = bootstrap.replace(repr(SANDBOX_PACKAGE_ROOT), repr(str(self.package_root)))
            return python, env, str(self.scratch)
        binds = _Binds(found.staged)
        more = binds.ro(self.package_root, SANDBOX_PACKAGE_ROOT)
        if self.data_dir and self.data_dir.is_dir():
            more += binds.ro(self.data_dir, f"{SANDBOX_PACKAGE_ROOT}/data")
        more += binds.ro(self.scratch, SANDBOX_SUBMISSION)
        more += ["--dir", self.workdir]
        matplotlib_cache = self.package_root / ".matplotlib"
        if matplotlib_cache.is_dir():
            more += ["--dir", f"{SANDBOX_HOME}/.matplotlib"]
            for entry in sorted(matplotlib_cache.iterdir()):
                more += binds.ro(entry, f"{SANDBOX_HOME}/.matplotlib/{entry.name}")
        for key, value in env.items():
            more += ["--setenv", key, value]
        more += ["--chdir", self.workdir]
        command = _bwrap_command(found, binds, tmp_bytes=self.limits.file_mb * 2**20, home=SANDBOX_HOME,
                                 more=more)
        command += ["--"] + python + [f"files={SANDBOX_SUBMISSION}", f"processes={self.limits.processes}"]
        self._staged = binds.sources if found.staged else None
        return command, None, None

    def start(self):
        """Start the student's process (no cell has run yet)."""
        self.close()
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        stderr_r, stderr_w = os.pipe()
        command, env, cwd = self._command(to_worker_r, from_worker_w)
        found = containment()
        drop_user = env is not None and _can_drop_user()
        staged = env is None and found.staged
        limits = self.limits

        def prepare_child():
            os.setsid()
            limits.apply()
            if env is not None:
                resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
            if drop_user:
                _drop_to_nobody()

        if drop_user:
            os.chmod(self.scratch, 0o777)
        elif staged:
            _readable_by_all(self.scratch)       # nobody copies the submission's files from it
        try:
            self.process = _launch(
                command, staged_sources=self._staged if staged else None, drop=staged, preexec=prepare_child,
                env=env if env is not None else {}, cwd=cwd, pass_fds=(to_worker_r, from_worker_w),
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr_w)
        except (OSError, subprocess.SubprocessError) as error:
            for fd in (to_worker_r, to_worker_w, from_worker_r, from_worker_w, stderr_r, stderr_w):
                os.close(fd)
            self.close()
            raise SandboxBroken(f"the student's process could not be started: {error}") from None
        for fd in (to_worker_r, from_worker_w, stderr_w):
            os.close(fd)
        os.set_blocking(stderr_r, False)
        self.requests = to_worker_w
        self.replies = from_worker_r
        self._stderr_fd = stderr_r
        self._stderr = bytearray()
        return self

    def _drain_stderr(self, *, close=False):
        """Keep what the process wrote to stderr so far (at most 64 KiB); ``close``: stop listening."""
        fd = self._stderr_fd
        if fd is None:
            return
        try:
            while True:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    close = True
                    break
                self._stderr += chunk[:max(0, (1 << 16) - len(self._stderr))]
        except BlockingIOError:
            pass
        except OSError:
            close = True
        if close:
            os.close(fd)
            self._stderr_fd = None

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
        for fd in (self.requests, self.replies, self._stderr_fd):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.process = self.requests = self.replies = self._stderr_fd = None

    def error_output(self, limit=400):
        """bubblewrap's (and the worker's own) error lines from before the process first answered.

        Nothing the student's code or files could have written: the worker sends its own
        output to /dev/null before it answers, the grader stops listening once it has, and
        only lines starting with ``bwrap: `` or ``sandbox worker: `` are kept.
        """
        lines = bytes(self._stderr).decode(errors="replace").splitlines()
        kept = [line for line in lines if line.startswith(("bwrap: ", "sandbox worker: "))]
        return "\n".join(kept)[-limit:].strip()

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
            reply, reply_arrays = wire.receive(_DeadlineReader(self.replies, deadline, self))
            if self._stderr_fd is not None:
                self._drain_stderr(close=True)      # it has started: what comes later is not kept
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
            self._drain_stderr(close=True)
            output = self.error_output()
            self.close()
            raise SandboxDied(_death_reason(code, error), output) from None
        if not isinstance(reply, dict) or not isinstance(reply.get("ok"), bool):
            self.close()
            raise SandboxDied("the student's process sent a malformed reply")
        return reply, reply_arrays


def _readable_by_all(folder):
    """Let every user read the files of ``folder`` (the grader's copy of a submission's files)."""
    for path in [Path(folder), *Path(folder).rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode
        path.chmod(mode | (0o555 if path.is_dir() else 0o444))


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
