"""A small bounded, thread-safe memo for fitted models (LRU, single flight).

`Memo.get(key, build)` returns the value cached under `key` or builds it once: concurrent callers
asking for the same missing key wait for the one build instead of fitting the same model twice;
callers asking for other keys are not blocked meanwhile. At most `size` values are kept (least
recently used dropped first). Keys carry the data-change token (`data.prices.frames.token`), so a
changed table simply misses; `drop(pred)` forgets entries whose key matches (stale tokens).
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import struct
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import polars as pl

log = logging.getLogger(__name__)


class Memo:
    def __init__(self, size: int):
        self.size = size
        self._values: OrderedDict[Hashable, object] = OrderedDict()
        self._building: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()
        self.builds = 0  # how many values were built (tests read it: a hit builds nothing)

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key) -> bool:
        with self._lock:
            return key in self._values

    def get(self, key: Hashable, build: Callable[[], object]):
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            gate = self._building.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                if key in self._values:  # built by the caller we waited for
                    self._values.move_to_end(key)
                    return self._values[key]
            try:
                value = build()
            except BaseException:
                with self._lock:
                    self._building.pop(key, None)
                raise
            with self._lock:
                self.builds += 1
                self._values[key] = value
                self._values.move_to_end(key)
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
                self._building.pop(key, None)
            return value

    def drop(self, pred: Callable[[Hashable], bool]) -> None:
        with self._lock:
            for k in [k for k in self._values if pred(k)]:
                del self._values[k]

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


# ---------------------------------------------------------------- answers shared across processes
#
# A computed answer (a few polars frames and a JSON-able dict) published to the shared store
# (data/runtime/shared.py: Redis or the database's shared_state table) as plain data: a JSON header
# and uncompressed Arrow IPC files, never a pickle (a row of the database must not be able to run
# code in a worker). A reader that cannot parse an entry (garbled, truncated, another format)
# ignores it and rebuilds.

MAGIC = b"SHC1"
#: how long a published answer is kept (its key carries the data token: a change simply misses)
SHARED_TTL_S = 2 * 86400.0


def shared_key(kind: str, url: str, *parts) -> str:
    """The shared store's key of an answer: kind + a digest of the database and the full key."""
    digest = hashlib.sha256(repr((url, *parts)).encode()).hexdigest()[:40]
    return f"answer:{kind}:{digest}"


def pack(meta: dict, frames: dict) -> bytes:
    """meta (JSON) + frames (name -> polars DataFrame, uncompressed Arrow IPC) as one blob."""
    blobs = []
    for name, frame in frames.items():
        buf = io.BytesIO()
        frame.write_ipc(buf, compression="uncompressed")
        blobs.append((name, buf.getvalue()))
    head = json.dumps({"meta": meta, "frames": [[n, len(b)] for n, b in blobs]}, ensure_ascii=False).encode()
    return MAGIC + struct.pack(">I", len(head)) + head + b"".join(b for _, b in blobs)


def unpack(blob: bytes | None) -> tuple[dict, dict] | None:
    """(meta, frames) of a `pack`ed blob; None when absent or not parseable (the caller rebuilds)."""
    if not blob or blob[:4] != MAGIC:
        return None
    try:
        (n,) = struct.unpack(">I", blob[4:8])
        head = json.loads(blob[8:8 + n].decode())
        pos, frames = 8 + n, {}
        for name, size in head["frames"]:
            if pos + size > len(blob):
                return None
            frames[str(name)] = pl.read_ipc(io.BytesIO(blob[pos:pos + size]))
            pos += size
        if pos != len(blob) or not isinstance(head["meta"], dict):
            return None
        return head["meta"], frames
    except Exception:  # a garbled entry is ignored, never a 500
        return None


def shared_get(url: str, key: str) -> tuple[dict, dict] | None:
    """The published answer under `key` (None: absent, unreadable, or the store is away)."""
    from data.runtime.shared import for_url

    try:
        blob = for_url(url).get(key)
    except Exception:  # the store away: compute locally
        log.warning("shared store unreadable for %s", key, exc_info=True)
        return None
    return unpack(blob)


def shared_put(url: str, key: str, meta: dict, frames: dict) -> None:
    """Publish an answer under `key` (best effort: a failure only costs other processes a rebuild)."""
    from data.runtime.shared import for_url

    try:
        for_url(url).set(key, pack(meta, frames), ttl_s=SHARED_TTL_S)
    except Exception:
        log.warning("shared store: could not publish %s", key, exc_info=True)
