"""Start a throw-away PostgreSQL server for the integration tests.

Uses Debian's `postgresql` binaries (installed by `make test`): initdb into a temporary
directory, listen only on a Unix socket and 127.0.0.1 at a free port, stop on exit. As root
the server runs as the `postgres` system user, because PostgreSQL refuses to run as root.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if not path:
        raise RuntimeError(f"PostgreSQL binary {name!r} not found: run `make system-deps`")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="pgtest-"))
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        self.proc: subprocess.Popen | None = None

    def _run(self, *cmd: str, **kw):
        if self.as_root:
            pw = pwd.getpwnam("postgres")

            def demote():
                os.setgid(pw.pw_gid)
                os.setuid(pw.pw_uid)

            kw["preexec_fn"] = demote
        return subprocess.run(cmd, check=True, capture_output=True, **kw)

    def start(self) -> str:
        data = self.dir / "data"
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(_bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8")
        self._run(_bin("pg_ctl"), "-D", str(data), "-l", str(self.dir / "log"), "-w", "-t", "60", "start",
                  "-o", f"-p {self.port} -k {self.dir} -h 127.0.0.1 -c fsync=off -c synchronous_commit=off "
                        f"-c full_page_writes=off -c max_connections=60")
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        self._run(_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "platform")
        return self.url("platform")

    def url(self, db: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{db}"

    def create_database(self, name: str) -> str:
        self._run(_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run(_bin("pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)
