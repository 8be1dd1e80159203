"""A throwaway PostgreSQL server for tests: Debian's binaries, a temporary data folder, a free port.

``PostgresServer.start()`` returns None with the reason in ``.problem`` when
the binaries are missing (Debian package ``postgresql``) or the server does
not come up; tests skip on that, or fail under CI=true.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    def __init__(self):
        self.problem = None
        self.folder = None
        self.port = None
        self.bin = None
        self.user = None

    def _run(self, *command, check=True):
        prefix = ["runuser", "-u", self.user, "--"] if os.geteuid() == 0 else []
        return subprocess.run(prefix + list(command), capture_output=True, text=True, check=check, timeout=120)

    def start(self):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not found:
            self.problem = "PostgreSQL is not installed (Debian: apt-get install postgresql)"
            return None
        self.bin = os.path.dirname(found[-1])
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
                self.user = "postgres"
            except KeyError:
                self.problem = "running as root, and there is no `postgres` user to run the server as"
                return None
        self.folder = tempfile.mkdtemp(prefix="gradebook-pg-")
        os.chmod(self.folder, 0o777)
        data, sockets = os.path.join(self.folder, "data"), os.path.join(self.folder, "sockets")
        os.mkdir(sockets)
        os.chmod(sockets, 0o777)
        self.port = _free_port()
        try:
            self._run(os.path.join(self.bin, "initdb"), "-D", data, "-U", "grader", "--auth=trust", "-E", "UTF8")
            self._run(os.path.join(self.bin, "pg_ctl"), "-D", data, "-l", os.path.join(self.folder, "log"), "-w",
                      "-o", f"-p {self.port} -k {sockets} -h 127.0.0.1", "start")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            output = getattr(error, "stderr", "") or getattr(error, "stdout", "") or str(error)
            self.problem = f"the PostgreSQL server did not start: {output.strip()[-300:]}"
            self.stop()
            return None
        return self

    def create_database(self, name):
        deadline = time.monotonic() + 30
        while True:
            result = self._run(os.path.join(self.bin, "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                               "-U", "grader", name, check=False)
            if result.returncode == 0:
                return f"postgresql://grader@127.0.0.1:{self.port}/{name}"
            if time.monotonic() > deadline:
                raise RuntimeError(f"createdb {name} failed: {result.stderr}")
            time.sleep(0.5)

    def stop(self):
        if self.folder and self.bin and os.path.isdir(os.path.join(self.folder, "data")):
            self._run(os.path.join(self.bin, "pg_ctl"), "-D", os.path.join(self.folder, "data"), "-m", "immediate",
                      "stop", check=False)
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)
