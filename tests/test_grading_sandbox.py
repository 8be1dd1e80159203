"""The sandbox a student's code runs in while graded: what it can see, reach and use.

These tests need bubblewrap; they skip with the reason where it is missing,
and fail under CI=true, where the containment must be real.
"""

import os
import socket
import time

import numpy as np
import pytest

from source_helpers.exercises import REFERENCES
from source_helpers.grading import wire
from source_helpers.grading.sandbox import (
    Limits,
    Sandbox,
    SandboxDied,
    SandboxTimeout,
    build_student_package,
    containment,
    prepare_package_root,
)

from conftest import ROOT

CHAPTER = "04-watershed"


@pytest.fixture(scope="module")
def package_root(tmp_path_factory):
    return prepare_package_root(CHAPTER, tmp_path_factory.mktemp("package"))


@pytest.fixture
def sandbox(package_root, tmp_path):
    found = containment()
    if not found.isolated:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs the grading sandbox isolated, but {found.reason}")
        pytest.skip(f"containment measures unavailable here: {found.reason}")
    (tmp_path / "notes.txt").write_text("the student's own file")
    box = Sandbox(CHAPTER, tmp_path, package_root, data_dir=ROOT / "data", limits=Limits(memory_mb=1024))
    box.start()
    yield box
    box.close()


def run(box, source, timeout=60):
    reply, _ = box.request({"op": "run", "source": source}, timeout=timeout)
    return "".join(o.get("text", "") for o in reply["outputs"] if o["output_type"] == "stream"), reply


def call(box, name, *args, timeout=30):
    header, arrays = wire.encode(tuple(args))
    reply, reply_arrays = box.request({"op": "call", "name": name, "args": header, "kwargs": {"dict": []}},
                                      arrays, timeout=timeout)
    return reply, (wire.decode(reply["value"], reply_arrays) if reply["ok"] else None)


def test_the_chapters_references_are_removed_and_others_kept(tmp_path):
    package = build_student_package(CHAPTER, tmp_path)
    watershed = (package / "watershed.py").read_text()
    own = [name for name, chapter in REFERENCES.items() if chapter == CHAPTER]
    find_watershed_body = watershed.split("def find_watershed")[1].split("\ndef ")[0]
    assert own and "peak_local_max(distance" not in find_watershed_body
    assert "peak_local_max(distance" in watershed        # watershed_with_slip, not a reference, is still there
    assert "ReferenceBlocked" in watershed
    thresholds = (package / "thresholds.py").read_text()
    assert "ndi.binary_erosion" in thresholds.split("def remove_speckles")[1]   # chapter 05's, still there
    assert sorted(p.name for p in (package / "grading").iterdir()) == ["__init__.py", "wire.py", "worker.py"]


def test_the_student_sees_only_the_scratch_copy_and_the_system(sandbox):
    out, reply = run(sandbox, (
        "import os\n"
        "print(os.getcwd())\n"
        "print(sorted(os.listdir('.')))\n"
        f"print(os.path.exists({str(ROOT / 'solutions')!r}), os.path.exists({str(ROOT / 'nbgrader_config.py')!r}))\n"
        "print(os.getuid())\n"))
    lines = out.splitlines()
    assert lines[0] == f"/home/student/{CHAPTER}"
    assert lines[1] == "['notes.txt']"
    assert lines[2] == "False False"
    assert lines[3] == "65534"


def test_only_the_working_folder_and_tmp_are_writable_and_nothing_reaches_the_disk(sandbox, tmp_path):
    out, _ = run(sandbox, (
        "import os\n"
        "open('answer.txt', 'w').write('mine')\n"
        "open('/tmp/note.txt', 'w').write('mine too')\n"
        "print(open('answer.txt').read())\n"
        "for path in ['/course/source_helpers/checks.py', '/usr/evil', '/course/data/evil', '/evil', '/home/evil',\n"
        "             '/dev/evil', '/submission/evil', '/submission/notes.txt']:\n"
        "    try:\n"
        "        open(path, 'w').write('x')\n"
        "        print('wrote', path)\n"
        "    except OSError as error:\n"
        "        print('refused', type(error).__name__)\n"))
    assert out.startswith("mine\n") and "wrote" not in out and out.count("refused") == 8
    assert sorted(os.listdir(tmp_path)) == ["notes.txt"]
    assert (tmp_path / "notes.txt").read_text() == "the student's own file"


def test_no_network_reaches_the_machine(sandbox):
    server = socket.create_server(("0.0.0.0", 0))
    server.settimeout(0.5)
    port = server.getsockname()[1]
    try:
        out, _ = run(sandbox, (
            "import socket\n"
            f"for host in ['127.0.0.1', {socket.gethostbyname(socket.gethostname())!r}, '8.8.8.8']:\n"
            "    try:\n"
            f"        socket.create_connection((host, {port}), timeout=1); print('connected', host)\n"
            "    except OSError as error:\n"
            "        print('blocked', host)\n"))
        with pytest.raises(OSError):
            server.accept()
    finally:
        server.close()
    assert "connected" not in out and out.count("blocked") == 3


def test_a_function_call_returns_plain_data_and_reports_what_it_did(sandbox):
    run(sandbox, (
        "import sys, warnings\nimport numpy as np\n"
        "def double(a):\n"
        "    print('working', file=sys.stderr)\n"
        "    warnings.warn('careful')\n"
        "    a[0] = 99\n"
        "    return a * 2, np.int64(len(a))\n"))
    reply, value = call(sandbox, "double", np.arange(3))
    assert reply["ok"] and reply["stdout"] == "working\n" and reply["warnings"] == ["UserWarning: careful"]
    doubled, count = value
    assert np.array_equal(doubled, [198, 2, 4]) and type(count) is np.int64
    assert reply["changed"] == [[0, 1]]


def test_the_chapters_reference_answers_refuse_to_run(sandbox):
    run(sandbox, "import source_helpers as sh\ndef mine(b):\n    return sh.find_watershed(b)\n"
                 "def earlier(b):\n    return sh.count_components(b)\n")
    reply, _ = call(sandbox, "mine", np.ones((4, 4), dtype=bool))
    assert not reply["ok"] and reply["ename"] == "ReferenceBlocked" and "sh.find_watershed" in reply["evalue"]
    reply, value = call(sandbox, "earlier", np.ones((4, 4), dtype=bool))
    assert reply["ok"] and value == 1


def test_a_memory_hog_fails_in_its_own_call(sandbox):
    run(sandbox, "import numpy as np\ndef hog():\n    return np.ones(10**10).sum()\n")
    reply, _ = call(sandbox, "hog")
    assert not reply["ok"] and reply["ename"] == "MemoryError"
    out, _ = run(sandbox, "print('still here')")
    assert out == "still here\n"


def test_a_loop_is_stopped_at_the_deadline_and_the_process_killed(sandbox):
    run(sandbox, "def spin():\n    while True:\n        pass\n")
    start = time.monotonic()
    with pytest.raises(SandboxTimeout):
        call(sandbox, "spin", timeout=1.5)
    assert time.monotonic() - start < 10 and not sandbox.alive


def test_an_exiting_process_is_reported_dead(sandbox):
    with pytest.raises(SandboxDied, match="exited with code 3"):
        run(sandbox, "import os\nos._exit(3)\n")


def test_limits_refuse_nonsense():
    with pytest.raises(ValueError, match="`memory_mb` must be a positive whole number"):
        Limits(memory_mb=0)
    with pytest.raises(ValueError, match="`cpu_seconds`"):
        Limits(cpu_seconds=1.5)


def test_without_bubblewrap_grading_asked_to_go_on_says_what_is_missing(tmp_path, monkeypatch):
    from source_helpers.grading import preprocessors, sandbox as sandbox_module
    from source_helpers.grading.batch import grade_class
    from source_helpers.grading.sandbox import Containment
    from source_helpers.grading.trial import answer_with_solution, release_notebook, scratch_course, source_notebook
    import nbformat

    missing = Containment(None, "bubblewrap (bwrap) is not installed")
    monkeypatch.setattr(sandbox_module, "containment", lambda: missing)
    monkeypatch.setattr(preprocessors, "containment", lambda: missing)
    chapter = "00-setup"
    api = scratch_course(ROOT, chapter, tmp_path)
    blank = release_notebook(api, chapter)
    for student, notebook in {"solved": answer_with_solution(blank, source_notebook(api, chapter)), "blank": blank}.items():
        target = tmp_path / "submitted" / student / chapter / f"{chapter}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(notebook, target)
    lines = []
    outcomes = {o.student: o.score for o in grade_class(tmp_path, [chapter], workers=1, progress=lines.append,
                                                        unsafe_uncontained=True)}
    assert outcomes == {"solved": 1, "blank": 0}
    warnings = [line for line in lines if line.startswith("WARNING: ")]
    assert len(warnings) == 2 and all("NOT isolated: bubblewrap (bwrap) is not installed" in w for w in warnings)
