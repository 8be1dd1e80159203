"""The process that runs a student's notebook code while it is graded.

It is started inside the sandbox (see ``sandbox.py``) with two pipe file
descriptors, reads requests from the grader and answers each with plain data
(``wire.py``):

- ``run``: execute one cell of the student's notebook (IPython syntax, so
  magics work) and return its outputs;
- ``describe``: for each name, whether the student's namespace holds a
  function, a value, or nothing;
- ``get``: the value of a name;
- ``call``: call the student's function with the arguments sent, and return
  its result, what it printed, the warnings it raised, and the arguments it
  changed in place.

Nothing here decides a grade: the grader compares what comes back with
expected values that this process never sees.
"""

import contextlib
import io
import os
import shutil
import sys
import traceback
import warnings

OUTPUT_LIMIT = 20_000   # characters of printed output kept per request


class _Capture(io.TextIOBase):
    """A text stream that keeps the first ``OUTPUT_LIMIT`` characters written to it."""

    def __init__(self):
        self.parts = []
        self.size = 0
        self.dropped = 0

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        room = OUTPUT_LIMIT - self.size
        if room > 0:
            self.parts.append(text[:room])
            self.size += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def text(self):
        joined = "".join(self.parts)
        if self.dropped:
            joined += f"\n[... {self.dropped} more characters of output not shown]\n"
        return joined


@contextlib.contextmanager
def _captured():
    """Route sys.stdout and sys.stderr into one capture for the duration."""
    capture = _Capture()
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = capture
    try:
        yield capture
    finally:
        sys.stdout, sys.stderr = saved


def _short_traceback(error, limit=4):
    frames = traceback.extract_tb(error.__traceback__)
    # Drop this module's own frame; keep the innermost few of the student's.
    frames = [f for f in frames if not f.filename.endswith("worker.py")][-limit:]
    lines = traceback.format_list(frames)
    lines += traceback.format_exception_only(type(error), error)
    return "".join(lines)[-4000:]


def _error_reply(error):
    name = type(error).__name__
    if name == "ReferenceBlocked":
        name = "ReferenceBlocked"
    return {
        "ok": False,
        "ename": name,
        "evalue": str(error)[:2000],
        "traceback": _short_traceback(error),
    }


class Worker:
    def __init__(self, requests, replies, wire):
        self.requests = requests
        self.replies = replies
        self.wire = wire
        from IPython.core.interactiveshell import InteractiveShell

        self.shell = InteractiveShell.instance(colors="NoColor", history_length=0)
        self.shell.history_manager.enabled = False
        self._last_error = None
        self.shell._showtraceback = self._record_traceback
        # Figures are neither shown nor rendered while grading.
        self.shell.register_magic_function(lambda line: None, "line", "matplotlib")
        warnings.filterwarnings("ignore", message=".*non-interactive.*")

    def _record_traceback(self, etype, evalue, stb):
        self._last_error = {"ename": etype.__name__, "evalue": str(evalue)[:2000],
                            "traceback": [str(line) for line in stb][-12:]}

    # -- requests -----------------------------------------------------------

    def run(self, message, arrays):
        source = message.get("source", "")
        self._last_error = None
        with _captured() as capture:
            self.shell.run_cell(source, store_history=False, silent=False)
            self._close_figures()
        outputs = []
        text = capture.text()
        if text:
            outputs.append({"output_type": "stream", "name": "stdout", "text": text})
        if self._last_error:
            outputs.append({"output_type": "error", **self._last_error})
        return {"ok": True, "outputs": outputs, "error": self._last_error is not None}, []

    def _close_figures(self):
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None:
            with contextlib.suppress(Exception):
                pyplot.close("all")

    def describe(self, message, arrays):
        kinds = {}
        namespace = self.shell.user_ns
        for name in message.get("names", []):
            if name not in namespace:
                kinds[name] = "missing"
            elif callable(namespace[name]) and not isinstance(namespace[name], type):
                kinds[name] = "function"
            else:
                kinds[name] = "value"
        return {"ok": True, "kinds": kinds}, []

    def get(self, message, arrays):
        name = message.get("name")
        value = self.shell.user_ns.get(name)
        header, out_arrays = self.wire.encode(value)
        return {"ok": True, "value": header}, out_arrays

    def call(self, message, arrays):
        name = message.get("name")
        function = self.shell.user_ns.get(name)
        if function is None or not callable(function):
            return {"ok": False, "ename": "NameError", "evalue": f"`{name}` is not defined as a function",
                    "traceback": ""}, []
        args = self.wire.decode(message["args"], arrays)
        kwargs = self.wire.decode(message["kwargs"], arrays)
        import numpy as np

        before = {}
        for key, value in list(enumerate(args)) + list(kwargs.items()):
            if isinstance(value, np.ndarray):
                before[key] = value.copy()
        notes = []
        with _captured() as capture, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = function(*args, **kwargs)
                reply = {"ok": True}
            except BaseException as error:  # the student's code may raise anything, SystemExit too
                reply = _error_reply(error)
                result = None
            self._close_figures()
        for warning in caught[:10]:
            notes.append(f"{warning.category.__name__}: {warning.message}")
        reply["stdout"] = capture.text()
        reply["warnings"] = notes
        out_arrays = []
        if reply["ok"]:
            header, out_arrays = self.wire.encode(result)
            reply["value"] = header
        changed = []
        for key, original in before.items():
            current = args[key] if isinstance(key, int) else kwargs[key]
            if current.shape != original.shape or not np.array_equal(current, original, equal_nan=True):
                out_arrays.append(np.array(current))
                changed.append([key, len(out_arrays) - 1])
        reply["changed"] = changed
        generators = []
        for key, value in list(enumerate(args)) + list(kwargs.items()):
            if isinstance(value, np.random.Generator):
                header, extra = self.wire.encode(value)
                if extra:
                    continue
                generators.append([key, header])
        reply["generators"] = generators
        return reply, out_arrays

    def serve(self):
        handlers = {"run": self.run, "describe": self.describe, "get": self.get, "call": self.call}
        while True:
            try:
                message, arrays = self.wire.receive(self.requests)
            except self.wire.ProtocolError:
                return
            op = message.get("op") if isinstance(message, dict) else None
            if op == "exit":
                return
            handler = handlers.get(op)
            try:
                if handler is None:
                    reply, out = {"ok": False, "ename": "ProtocolError", "evalue": f"unknown op {op!r}", "traceback": ""}, []
                else:
                    reply, out = handler(message, arrays)
            except Exception as error:  # a value that cannot be encoded, a broken request...
                reply, out = _error_reply(error), []
            try:
                self.wire.send(self.replies, reply, out)
            except self.wire.ProtocolError as error:
                self.wire.send(self.replies, {"ok": False, "ename": "ProtocolError", "evalue": str(error),
                                              "traceback": ""}, [])


def _copy_submission(source, target):
    """Copy the submission's files (shown read-only at ``source``) into the working folder.

    Silent: a file that cannot be copied (too large, unreadable) is left out, and nothing of
    the files' names or contents is ever written where the grader would show it.
    """
    for folder, subfolders, files in os.walk(source):
        relative = os.path.relpath(folder, source)
        destination = os.path.normpath(os.path.join(target, relative))
        try:
            os.makedirs(destination, exist_ok=True)
        except OSError:
            subfolders[:] = []
            continue
        for name in files:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                continue
            try:
                shutil.copyfile(path, os.path.join(destination, name))
            except OSError:
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(destination, name))


def _start(argv):
    """Set the process up before it answers: limits, files, the shell, sys.path, silenced output."""
    requests_fd, replies_fd = int(argv[0]), int(argv[1])
    options = dict(arg.split("=", 1) for arg in argv[2:] if "=" in arg)
    if "processes" in options:
        # Inside the sandbox's own user namespace: counts this sandbox's processes and threads only.
        import resource

        limit = int(options["processes"])
        resource.setrlimit(resource.RLIMIT_NPROC, (limit, limit))
    if "files" in options:
        _copy_submission(options["files"], os.getcwd())
    os.set_inheritable(requests_fd, False)
    os.set_inheritable(replies_fd, False)
    requests = os.fdopen(requests_fd, "rb", buffering=0)
    replies = os.fdopen(replies_fd, "wb", buffering=0)
    from source_helpers.grading import wire

    worker = Worker(requests, replies, wire)
    # The student's own modules beside the notebook (mytools.py) can be imported, after the
    # standard library and the installed packages: a json.py there never stands in for json.
    sys.path.append(os.getcwd())
    # From here on, what reaches file descriptors 1 and 2 is the student's: never the grader's.
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.close(null)
    return worker


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    try:
        worker = _start(argv)
    except BaseException as error:      # a problem of the grading machine: say what, in one line
        message = " ".join(str(error).split())[:300]
        os.write(2, f"sandbox worker: cannot start: {type(error).__name__}: {message}\n".encode(errors="replace"))
        raise SystemExit(1)
    worker.serve()


if __name__ == "__main__":
    main()
