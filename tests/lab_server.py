"""JupyterLab started with ``make lab`` in a copy of the course, for the browser test.

``make lab`` copies the release into ``my-work/`` and starts JupyterLab on it
(``source_helpers/workspace.py``); this module runs exactly that command, with
``LAB_FLAGS`` that keep the server headless on a free localhost port with a
token, and with the user-level Jupyter folders (configuration, data, runtime,
JupyterLab settings and workspaces, IPython profile) in a scratch folder, so
that neither the machine's own Jupyter set-up nor an earlier run changes what
the test sees. ``stop()`` ends the server as a terminal's Ctrl-C or close would
(SIGTERM: the server shuts its kernels down and exits); a server started again
in the same scratch folder is the student's next ``make lab``.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from course_copy import make_env

# JupyterLab's news feed would ask, in a toast over the notebook, whether to fetch news from the
# internet; a student answers once, the scratch settings answer "never" before the first start.
# Every cell is rendered at once (no deferred rendering of cells out of view), so that what the
# test reads off the page does not depend on how busy the machine is.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


class LabFailed(RuntimeError):
    """The server did not start or stop; the message ends with its log."""


def free_port():
    """A localhost port that nothing listens on now (the server may lose it; start() tries again)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LabServer:
    """``make lab`` in ``course`` with the environment ``venv``; user folders under ``scratch``."""

    def __init__(self, course, venv, scratch, *, start_timeout=180):
        self.course = Path(course)
        self.venv = Path(venv)
        self.scratch = Path(scratch)
        self.start_timeout = start_timeout
        self.token = secrets.token_hex(16)
        self.port = None
        self.process = None
        self.starts = 0
        self.log_path = None
        self.env = make_env()
        for variable, folder in [("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                                 ("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTERLAB_SETTINGS_DIR", "lab-settings"),
                                 ("JUPYTERLAB_WORKSPACES_DIR", "lab-workspaces"), ("IPYTHONDIR", "ipython")]:
            path = self.scratch / folder
            path.mkdir(parents=True, exist_ok=True)
            self.env[variable] = str(path)
        for name, settings in LAB_SETTINGS.items():
            path = self.scratch / "lab-settings" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(settings))

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def notebook_url(self, relative_path):
        """The address a student's browser opens for a notebook of ``my-work/``, logged in by the token."""
        return f"{self.url}/lab/tree/{relative_path}?token={self.token}"

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path and self.log_path.exists() else ""

    def _fail(self, message):
        raise LabFailed(f"{message}\n--- make lab's output ({self.log_path}) ---\n{self.log()[-6000:]}")

    def start(self, attempts=3):
        """Run ``make lab`` and wait until the server answers; returns its output up to then."""
        assert self.process is None, "the server is already running"
        for _ in range(attempts):
            self.starts += 1
            self.port = free_port()
            self.log_path = self.scratch / f"make-lab-{self.starts}.log"
            flags = [
                "--no-browser", f"--port={self.port}", "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}",
            ]
            if os.geteuid() == 0:
                flags.append("--allow-root")
            command = ["make", "--no-print-directory", "lab", f"VENV={self.venv}", "LAB_FLAGS=" + " ".join(flags)]
            with open(self.log_path, "wb") as log:
                self.process = subprocess.Popen(command, cwd=self.course, env=self.env, stdout=log,
                                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                                start_new_session=True)
            if self._wait_until_ready():
                return self.log()
            self.process.wait()
            self.process = None
            if "already in use" not in self.log():
                self._fail(f"make lab stopped before JupyterLab answered (exit code {self._last_code})")
        self._fail(f"make lab could not get a free port in {attempts} attempts")

    def _wait_until_ready(self):
        """True when the server answers, False when make ended first; fails after ``start_timeout``."""
        deadline = time.monotonic() + self.start_timeout
        request = urllib.request.Request(f"{self.url}/api/status", headers={"Authorization": f"token {self.token}"})
        while time.monotonic() < deadline:
            self._last_code = self.process.poll()
            if self._last_code is not None:
                return False
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        self.stop()
        self._fail(f"JupyterLab did not answer on {self.url} within {self.start_timeout} s")

    def server_pids(self):
        """Process ids of the running Jupyter servers, from their files in the scratch runtime folder."""
        pids = []
        for info in (self.scratch / "runtime").glob("jpserver-*.json"):
            try:
                pids.append(json.loads(info.read_text())["pid"])
            except (OSError, ValueError, KeyError):
                continue
        return pids

    def stop(self, timeout=60):
        """End ``make lab`` and the server as a closed terminal would; wait until both are gone."""
        if self.process is None:
            return
        servers = self.server_pids()
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        finally:
            self.process = None
        deadline = time.monotonic() + timeout
        while any(_alive(pid) for pid in servers):
            if time.monotonic() > deadline:
                self._fail(f"the Jupyter server ({servers}) did not stop within {timeout} s of SIGTERM")
            time.sleep(0.1)

    def kill_leftovers(self):
        """Kill what this server started and left behind (kernels), found by the scratch folder in their command."""
        self.stop()
        if not Path("/proc").is_dir():
            return
        marker = str(self.scratch).encode()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                if marker in (entry / "cmdline").read_bytes():
                    os.kill(int(entry.name), signal.SIGKILL)
            except (OSError, ValueError):
                continue


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A process that exited but was not yet reaped by its parent (make) is a zombie: gone for us.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False
