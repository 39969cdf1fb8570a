"""Background callbacks (imports, the credit re-evaluation) across workers and machines.

Dash's `DiskcacheManager` keeps a job's result, progress and side updates in a diskcache on the
local disk and knows the job by the pid of a child process of the worker that started it: a
poll answered by another worker on the same machine works, one answered by another machine
neither finds the result nor can tell whether the job runs (it would kill an unrelated process
of the same pid). Here the same things live in the shared store (data/runtime/shared.py: Redis
or the database), so any worker on any machine answers the poll:

- `SharedHandle`: the handle the manager and Dash's job function call (diskcache's `get`, `set`,
  `add`, `delete`, `touch`, `transact`), over the store. Values are pickled and signed with
  HMAC-SHA256 under the app's SECRET_KEY: a value that does not carry a valid signature (written
  by anything else than the app, e.g. someone with access to Redis) is never unpickled. Every
  value expires after RESULT_TTL_S (a result nobody collected does not stay forever).
- `Jobs`: starting, watching and stopping the job processes. The job itself still runs in a
  child process of the worker that received the request (forked, as with diskcache); its handle
  is `<pid>.<host>.<nonce>`. The child keeps a marker `bgjob:<handle>` alive in the store (every
  HEARTBEAT_S, expiring after ALIVE_TTL_S) and writes `done` into it when it ends, so any worker
  tells a running job from a finished, cancelled or dead one (a child killed outright is seen at
  once on its own machine, elsewhere within ALIVE_TTL_S). Stopping it (Dash's cancel, a newer
  run of the same callback, a collected result) sets `bgjob:<handle>:cancel`, which the child
  checks every HEARTBEAT_S and obeys by ending itself and its own children (its transaction is
  never committed); on the child's own machine it is killed at once as well.

The Dash side (a `DiskcacheManager` subclass delegating to these) is in app.py
`background_manager()`: `data/` never imports Dash.
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import pickle
import secrets
import socket
import threading

from data.runtime import shared
from data import forksafe

log = logging.getLogger(__name__)

#: how long a value (result, progress, side update) waits to be collected
RESULT_TTL_S = 3600.0
#: how often a job refreshes its marker and looks for a cancel request
HEARTBEAT_S = 1.0
#: a job whose marker was not refreshed for this long is over (killed without a word)
ALIVE_TTL_S = 10.0
_MAC = 32
_MISSING = object()


def host_id() -> str:
    """This machine, as it appears in a job handle (a digest: no dots, no tildes)."""
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:10]


class SharedHandle:
    """diskcache's interface, as much of it as Dash 4's DiskcacheManager and its job function
    use, over the shared store (see the module docstring)."""

    def __init__(self, store: shared.SharedStore, secret: str | bytes, prefix: str = "bg:",
                 ttl_s: float = RESULT_TTL_S):
        self.store = store
        self._key = hashlib.sha256(b"background-callbacks\0" + (secret.encode() if isinstance(secret, str) else secret)).digest()
        self.prefix = prefix
        self.ttl_s = ttl_s

    def _k(self, key: str) -> str:
        return self.prefix + str(key)

    def _dump(self, value) -> bytes:
        body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        return hmac.new(self._key, body, "sha256").digest() + body

    def _load(self, raw: bytes | None):
        if raw is None:
            return _MISSING
        mac, body = raw[:_MAC], raw[_MAC:]
        if not hmac.compare_digest(mac, hmac.new(self._key, body, "sha256").digest()):
            log.warning("background callback value with a bad signature ignored")
            return _MISSING
        return pickle.loads(body)  # signed by this app (checked above)

    def get(self, key, default=None, **_kw):
        value = self._load(self.store.get(self._k(key)))
        return default if value is _MISSING else value

    def set(self, key, value, expire=None, **_kw) -> bool:
        self.store.set(self._k(key), self._dump(value), ttl_s=expire or self.ttl_s)
        return True

    def add(self, key, value, expire=None, **_kw) -> bool:
        return self.store.add(self._k(key), self._dump(value), ttl_s=expire or self.ttl_s)

    def delete(self, key, **_kw) -> bool:
        self.store.delete(self._k(key))
        return True

    def touch(self, key, expire=None, **_kw) -> bool:
        raw = self.store.get(self._k(key))
        if raw is None:
            return False
        self.store.set(self._k(key), raw, ttl_s=expire or self.ttl_s)
        return True

    def transact(self, **_kw):
        return contextlib.nullcontext()  # every operation of the store is atomic by itself


def parse(handle) -> tuple[int, str, str] | None:
    """(pid, host, nonce) of a job handle, or None when it is not one."""
    parts = str(handle or "").split(".")
    if len(parts) != 3 or not parts[0].isdigit():
        return None
    return int(parts[0]), parts[1], parts[2]


class Jobs:
    """The job processes of background callbacks (see the module docstring)."""

    def __init__(self, store: shared.SharedStore):
        self.store = store
        self.host = host_id()
        self._local: dict[str, object] = {}  # handle -> the multiprocess.Process this worker started
        self._lock = forksafe.Lock()

    @staticmethod
    def _marker(handle: str) -> str:
        return f"bgjob:{handle}"

    def start(self, target, args: tuple) -> str:
        """Run `target(*args)` in a child process; its handle."""
        from multiprocess import Process  # what DiskcacheManager uses (dill: callbacks' closures)

        nonce = secrets.token_hex(6)
        proc = Process(target=_child, args=(self.store, self.host, nonce, target, args), daemon=False)
        proc.start()
        handle = f"{proc.pid}.{self.host}.{nonce}"
        # "alive" unless the child already wrote its own marker (or finished: "done")
        self.store.add(self._marker(handle), b"alive", ttl_s=ALIVE_TTL_S)
        with self._lock:
            self._reap()
            self._local[handle] = proc
        return handle

    def _reap(self) -> None:
        for h, p in list(self._local.items()):
            if not p.is_alive():
                p.join(0)
                del self._local[h]

    def _process(self, handle: str):
        """The psutil process of a job on this machine, if it still runs (not a zombie, not a
        newer process that got the same pid)."""
        import psutil

        got = parse(handle)
        if got is None or got[1] != self.host:
            return None
        pid = got[0]
        with self._lock:
            proc = self._local.get(handle)
        if proc is not None and not proc.is_alive():
            return None
        try:
            p = psutil.Process(pid)
            if p.status() == psutil.STATUS_ZOMBIE:
                return None
        except psutil.NoSuchProcess:
            return None
        if proc is None:  # started by another worker here: the child's marker names its start time
            raw = self.store.get(self._marker(handle)) or b""
            if raw.startswith(b"alive ") and abs(float(raw[6:]) - p.create_time()) > 0.01:
                return None
        return p

    def running(self, handle) -> bool:
        got = parse(handle)
        if got is None:
            return False
        state = self.store.get(self._marker(str(handle)))
        if state is None or state == b"done":
            return False
        if got[1] == self.host:
            return self._process(str(handle)) is not None
        return True

    def terminate(self, handle) -> None:
        got = parse(handle)
        if got is None:
            return
        handle = str(handle)
        self.store.set(self._marker(handle) + ":cancel", b"1", ttl_s=ALIVE_TTL_S * 6)
        p = self._process(handle) if got[1] == self.host else None
        if p is not None:
            _kill_tree(p)
        with self._lock:
            proc = self._local.pop(handle, None)
        if proc is not None:
            proc.join(1)
        if got[1] == self.host or p is not None:
            self.store.set(self._marker(handle), b"done", ttl_s=ALIVE_TTL_S * 6)


def _kill_tree(p) -> None:
    import psutil

    for child in p.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    with contextlib.suppress(psutil.NoSuchProcess):
        p.kill()
    with contextlib.suppress(psutil.TimeoutExpired, psutil.NoSuchProcess):
        p.wait(1)


def _child(store: shared.SharedStore, host: str, nonce: str, target, args: tuple) -> None:
    """The job process: its marker, its heartbeat and cancel watch, then the job."""
    import psutil

    shared.after_fork()
    me = psutil.Process()
    handle = f"{os.getpid()}.{host}.{nonce}"
    marker = Jobs._marker(handle)
    alive = f"alive {me.create_time()}".encode()
    store.set(marker, alive, ttl_s=ALIVE_TTL_S)
    stop = threading.Event()

    def beat():
        while not stop.wait(HEARTBEAT_S):
            try:
                if store.get(marker + ":cancel") is not None:
                    for child in me.children(recursive=True):
                        with contextlib.suppress(psutil.NoSuchProcess):
                            child.kill()
                    store.set(marker, b"done", ttl_s=ALIVE_TTL_S * 6)
                    os._exit(1)  # nothing of the job's open transaction is committed
                store.set(marker, alive, ttl_s=ALIVE_TTL_S)
            except Exception:  # the store unreachable for a moment: try again at the next beat
                log.exception("background job heartbeat failed")

    watcher = threading.Thread(target=beat, name="bg-job-heartbeat", daemon=True)
    watcher.start()
    try:
        target(*args)
    finally:
        stop.set()
        watcher.join(HEARTBEAT_S * 5)
        store.set(marker, b"done", ttl_s=ALIVE_TTL_S * 6)
