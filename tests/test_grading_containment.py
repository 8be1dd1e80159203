"""Holes a hostile class found in the grading sandbox, each closed: who the student's code runs as
on the machine, how much it may write, how many processes it may start, and what a file beside
the notebook may do.

These tests need bubblewrap; they skip with the reason where it is missing, and fail under
CI=true, where the containment must be real.
"""

import os
import shutil
import time

import pytest

from source_helpers.grading.sandbox import Limits, Sandbox, SandboxDied, containment, prepare_package_root

from conftest import ROOT

CHAPTER = "04-watershed"
SECRET = "root's secret, not for students"
MARKER = "SHADOW-MARKER-7f3a"


@pytest.fixture(scope="module")
def package_root(tmp_path_factory):
    found = containment()
    if not found.isolated:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs the grading sandbox isolated, but {found.reason}")
        pytest.skip(f"containment measures unavailable here: {found.reason}")
    root = prepare_package_root(CHAPTER, tmp_path_factory.mktemp("package"))
    secret = root / "secret.txt"
    secret.write_text(SECRET)
    secret.chmod(0o600)
    return root


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    folder.chmod(0o755)     # as the course's data folder is
    shutil.copy(ROOT / "data" / "README.md", folder / "README.md")
    secret = folder / "secret.txt"
    secret.write_text(SECRET)
    secret.chmod(0o600)
    return folder


def started(package_root, scratch, data_dir=None, **limits):
    box = Sandbox(CHAPTER, scratch, package_root, data_dir=data_dir, limits=Limits(memory_mb=2048, **limits))
    return box.start()


@pytest.fixture
def sandbox(package_root, data_dir, tmp_path):
    (tmp_path / "notes.txt").write_text("the student's own file")
    box = started(package_root, tmp_path, data_dir, file_mb=8, processes=32)
    yield box
    box.close()


def run(box, source, timeout=60):
    reply, _ = box.request({"op": "run", "source": source}, timeout=timeout)
    errors = [o for o in reply["outputs"] if o["output_type"] == "error"]
    assert not errors, errors
    return "".join(o.get("text", "") for o in reply["outputs"] if o["output_type"] == "stream")


def descendants(pid):
    """The processes under ``pid`` (on this machine), ``pid`` included."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in os.listdir(f"/proc/{current}/task"):
            with open(f"/proc/{current}/task/{task}/children") as handle:
                todo += [int(child) for child in handle.read().split()]
    return found


def host_uids(pid):
    with open(f"/proc/{pid}/status") as handle:
        line = next(line for line in handle if line.startswith("Uid:"))
    return {int(uid) for uid in line.split()[1:]}


def worker_pid(box):
    for pid in descendants(box.process.pid):
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            arguments = handle.read().split(b"\0")
        if arguments[0] != b"bwrap" and not arguments[0].endswith(b"/bwrap") and b"-I" in arguments:
            return pid
    raise AssertionError("no worker process found")


# -- 1. the user the student's code runs as on this machine ---------------------------------

def test_the_students_code_runs_as_an_unprivileged_user_of_the_machine(sandbox):
    out = run(sandbox, (
        "import os\n"
        "print(open('/proc/self/uid_map').read().split())\n"
        "open('answer.txt', 'w').write('mine')\n"
        "print(os.stat('answer.txt').st_uid)\n"))
    inside, outside, count = eval(out.splitlines()[0])
    assert inside == "65534" and outside != "0" and count == "1"
    assert int(out.splitlines()[1]) == 65534
    pids = descendants(sandbox.process.pid)
    assert all(0 not in host_uids(pid) for pid in pids)
    # Seen from the machine, the file the student wrote belongs to the same unprivileged user.
    worker = worker_pid(sandbox)
    owner = os.stat(f"/proc/{worker}/root{sandbox.workdir}/answer.txt").st_uid
    assert owner != 0 and owner == containment().host_uid
    assert containment().describe().count(f"host uid {containment().host_uid}") == 1


def test_files_only_root_may_read_stay_unreadable_inside(sandbox, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("the grader is not root: the student's code runs as the grader's own user")
    (tmp_path / "mine.txt").write_text("my own file")
    (tmp_path / "mine.txt").chmod(0o600)      # the student's own files are theirs, whatever the umask
    sandbox.start()
    out = run(sandbox, (
        "for path in ['/course/secret.txt', '/course/data/secret.txt', 'mine.txt', '/course/data/README.md']:\n"
        "    try:\n"
        "        print(path, open(path).read()[:11])\n"
        "    except OSError as error:\n"
        "        print(path, 'refused', type(error).__name__)\n"))
    assert SECRET not in out and out.count("refused PermissionError") == 2, out
    assert "mine.txt my own file" in out and "README.md refused" not in out


# -- 2. how much the student's code may write ---------------------------------------------------

FILL = (
    "import errno, os\n"
    "def fill(folder, chunks=20):\n"
    "    written = 0\n"
    "    try:\n"
    "        for i in range(chunks):\n"
    "            with open(os.path.join(folder, f'fill{i}.bin'), 'wb') as handle:\n"
    "                handle.write(b'x' * 2**20)\n"
    "            written += 1\n"
    "        return written, 'no error'\n"
    "    except OSError as error:\n"
    "        return written, errno.errorcode[error.errno]\n"
    "    finally:\n"
    "        for i in range(chunks):\n"
    "            try:\n"
    "                os.remove(os.path.join(folder, f'fill{i}.bin'))\n"
    "            except OSError:\n"
    "                pass\n"
    "def big(folder):\n"
    "    try:\n"
    "        with open(os.path.join(folder, 'big.bin'), 'wb') as handle:\n"
    "            handle.write(b'x' * 9 * 2**20)\n"
    "        return 'no error'\n"
    "    except OSError as error:\n"
    "        return errno.errorcode[error.errno]\n"
    "    finally:\n"
    "        os.remove(os.path.join(folder, 'big.bin'))\n")


def test_every_writable_folder_is_size_limited(sandbox, tmp_path):
    run(sandbox, FILL)
    for folder in ["~", "/dev/shm", ".", "/tmp", "~/sub"]:
        out = run(sandbox, f"os.makedirs(os.path.expanduser({folder!r}), exist_ok=True)\n"
                           f"print(*fill(os.path.expanduser({folder!r})), big(os.path.expanduser({folder!r})))\n")
        written, error, big_error = out.split()
        assert int(written) <= 8 and error == "ENOSPC", (folder, out)
        assert big_error in ("EFBIG", "ENOSPC"), (folder, out)
    # Nothing of it reached the machine, and the sandbox goes on.
    assert sorted(os.listdir(tmp_path)) == ["notes.txt"]
    assert run(sandbox, "print(sorted(os.listdir('.')))") == "['notes.txt']\n"


def test_limits_refuse_nonsense_for_the_new_limits():
    with pytest.raises(ValueError, match="`processes` must be a positive whole number"):
        Limits(processes=0)
    with pytest.raises(ValueError, match="`file_mb`"):
        Limits(file_mb="big")


# -- 3. how many processes and threads it may start --------------------------------------------

FORKS = (
    "import os, time\n"
    "pids, error = [], 'no error'\n"
    "try:\n"
    "    for i in range(300):\n"
    "        pid = os.fork()\n"
    "        if pid == 0:\n"
    "            time.sleep(120)\n"
    "            os._exit(0)\n"
    "        pids.append(pid)\n"
    "except OSError as failure:\n"
    "    error = type(failure).__name__\n"
    "print(len(pids), error)\n")
KILL = "for pid in pids:\n    os.kill(pid, 9)\n    os.waitpid(pid, 0)\n"
THREADS = (
    "import threading\n"
    "stop, threads, error = threading.Event(), [], 'no error'\n"
    "try:\n"
    "    for i in range(300):\n"
    "        thread = threading.Thread(target=stop.wait)\n"
    "        thread.start()\n"
    "        threads.append(thread)\n"
    "except RuntimeError as failure:\n"
    "    error = str(failure).replace(' ', '_')\n"
    "stop.set()\n"
    "for thread in threads:\n"
    "    thread.join()\n"
    "print(len(threads), error)\n")


def test_a_fork_loop_and_a_thread_loop_stop_at_the_limit(sandbox):
    count, error = run(sandbox, FORKS).split()
    assert 20 <= int(count) < 32 and error == "BlockingIOError"
    run(sandbox, KILL)
    count, error = run(sandbox, THREADS).split()
    assert 20 <= int(count) < 32 and error == "can't_start_new_thread"
    assert run(sandbox, "print('still here')") == "still here\n"


def test_two_sandboxes_at_once_each_have_their_own_process_limit(package_root, tmp_path):
    for name in "ab":
        (tmp_path / name).mkdir()
    first = started(package_root, tmp_path / "a", processes=32)
    second = started(package_root, tmp_path / "b", processes=32)
    try:
        counts = [int(run(box, FORKS).split()[0]) for box in (first, second)]   # the first's children live on
        assert all(20 <= count < 32 for count in counts) and abs(counts[0] - counts[1]) <= 2
        for box in (first, second):
            run(box, KILL)
    finally:
        first.close()
        second.close()


def test_the_scientific_packages_work_within_the_limits(sandbox):
    out = run(sandbox, (
        "import io\n"
        "import numpy as np, scipy.ndimage as ndi, skimage.filters, matplotlib.pyplot as plt\n"
        "image = np.random.default_rng(0).random((64, 64))\n"
        "smooth = ndi.gaussian_filter(image, 2)\n"
        "threshold = skimage.filters.threshold_otsu(smooth)\n"
        "figure, axes = plt.subplots()\n"
        "axes.imshow(smooth > threshold)\n"
        "buffer = io.BytesIO(); figure.savefig(buffer, format='png')\n"
        "print(smooth.shape, 0 < threshold < 1, buffer.getvalue()[:4] == b'\\x89PNG')\n"), timeout=120)
    assert out == "(64, 64) True True\n"


# -- 4. a file beside the notebook that has a module's name --------------------------------------

SHADOWS = {name: f"import sys\nsys.stderr.write({MARKER!r} + ' {name}\\n')\nprint({MARKER!r})\n"
                 f"raise SystemExit({MARKER!r})\n"
           for name in ["json.py", "numpy.py", "io.py", "struct.py", "sitecustomize.py", "IPython.py", "source_helpers.py"]}


def test_a_file_named_like_a_module_neither_stops_the_sandbox_nor_shadows_the_module(package_root, tmp_path):
    for name, text in SHADOWS.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "mytools.py").write_text("VALUE = 41 + 1\n")
    box = started(package_root, tmp_path)
    try:
        out = run(box, "import json, numpy, io, struct\nprint(json.dumps([1]), int(numpy.arange(4).sum()))\n"
                       "import mytools\nprint(mytools.VALUE)\n")
        assert out == "[1] 6\n42\n"
    finally:
        box.close()


def test_why_a_sandbox_stopped_never_echoes_the_students_text(package_root, tmp_path):
    box = started(package_root, tmp_path)
    try:
        with pytest.raises(SandboxDied) as died:
            run(box, ("import os, sys\n"
                      f"os.write(2, b'bwrap: {MARKER}\\n'); print({MARKER!r}, file=sys.__stderr__)\n"
                      "for pid in os.listdir('/proc'):\n"
                      "    try:\n"
                      f"        fd = os.open(f'/proc/{{pid}}/fd/2', os.O_WRONLY); os.write(fd, b'bwrap: {MARKER}\\n')\n"
                      "    except (OSError, ValueError):\n"
                      "        pass\n"
                      "os._exit(3)\n"))
        assert "exited with code 3" in str(died.value)
        assert MARKER not in died.value.output and MARKER not in box.error_output()
    finally:
        box.close()


def test_a_sandbox_that_cannot_start_says_so_in_its_own_words(package_root, tmp_path):
    for name, text in SHADOWS.items():
        (tmp_path / name).write_text(text)
    box = Sandbox(CHAPTER, tmp_path, package_root, limits=Limits(memory_mb=48)).start()
    try:
        with pytest.raises(SandboxDied) as died:
            run(box, "")
        assert MARKER not in str(died.value) and MARKER not in died.value.output
    finally:
        box.close()
