"""Start a throw-away PostgreSQL server for the integration tests.

Uses Debian's `postgresql` binaries (installed by `make test`): initdb into a temporary
directory, listen only on a Unix socket and 127.0.0.1 at a free port, stop on exit. As root
the server runs as the `postgres` system user, because PostgreSQL refuses to run as root.

`start_replica()` makes a streaming replica of a running server: `pg_basebackup -R -X stream`
(the primary runs with wal_level=replica, PostgreSQL's default, and initdb's `trust` for
replication connections from 127.0.0.1) into another temporary directory, started as a hot
standby on another free port.
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
        self._serve("-c wal_level=replica -c max_wal_senders=4")
        self._run(_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "platform")
        return self.url("platform")

    def _serve(self, options: str = "") -> None:
        self.options = options
        self._run(_bin("pg_ctl"), "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-w", "-t", "60", "start",
                  "-o", f"-p {self.port} -k {self.dir} -h 127.0.0.1 -c fsync=off -c synchronous_commit=off "
                        f"-c full_page_writes=off -c max_connections=60 {options}")
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)

    def start_replica(self) -> PostgresServer:
        """A hot-standby streaming replica of this (running) server, on its own port; `stop()` it."""
        replica = PostgresServer()
        if replica.as_root:
            shutil.chown(replica.dir, "postgres", "postgres")
        self._run(_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                  "-D", str(replica.dir / "data"), "-R", "-X", "stream", "-c", "fast")
        # feedback: the primary keeps the rows a long replica read still needs (no cancelled reads);
        # status every second: pg_stat_replication's replay position follows closely
        # a restarted replica (or primary) is streaming again within a fraction of a second
        replica._serve("-c hot_standby=on -c hot_standby_feedback=on -c wal_receiver_status_interval=1 "
                       "-c wal_retrieve_retry_interval=200ms")
        return replica

    def pg_ctl(self, *args: str) -> None:
        """Run `pg_ctl -D <data> <args>` (e.g. "stop", "-m", "fast"; "start" goes through `resume()`)."""
        self._run(_bin("pg_ctl"), "-D", str(self.dir / "data"), *args)

    def halt(self) -> None:
        """Stop the server, keeping its data directory (`resume()` starts it again on the same port)."""
        self.pg_ctl("-m", "fast", "-w", "stop")

    def resume(self) -> None:
        self._serve(self.options)

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
