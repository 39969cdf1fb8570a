"""A small bounded, thread-safe memo for fitted models (LRU, single flight).

`Memo.get(key, build)` returns the value cached under `key` or builds it once: concurrent callers
asking for the same missing key wait for the one build instead of fitting the same model twice;
callers asking for other keys are not blocked meanwhile. At most `size` values are kept (least
recently used dropped first). Keys carry the data-change token (`data.prices.frames.token`), so a
changed table simply misses; `drop(pred)` forgets entries whose key matches (stale tokens).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import struct
from collections import OrderedDict
from collections.abc import Callable, Hashable

import polars as pl
from data import forksafe

log = logging.getLogger(__name__)


class Memo:
    def __init__(self, size: int):
        self.size = size
        self._values: OrderedDict[Hashable, object] = OrderedDict()
        self._building: dict[Hashable, object] = {}  # key -> its forksafe.Lock
        self._lock = forksafe.Lock()
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
            gate = self._building.setdefault(key, forksafe.Lock())
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


def shared_or(url: str, key: str, unpack, pack, build, misses: dict | None = None, kind: str = ""):
    """The answer published under `key` (`unpack`ed), else `build()` published (`pack`) and returned
    (counted in `misses[kind]`)."""
    got = unpack(shared_get(url, key))
    if got is not None:
        return got
    if misses is not None:
        misses[kind] += 1
    value = build()
    shared_put(url, key, *pack(value))
    return value


def shared_token(tok: tuple) -> tuple:
    """A price data token (data.prices.frames.current) without this process's own generation (its
    last element is (generation, shared version): the shared version stays in the key)."""
    last = tok[-1]
    return (*tok[:-1], last[1]) if isinstance(last, tuple) and len(last) == 2 else tok


def index_pack(f) -> tuple[dict, dict]:
    """A price index fit (data.prices.index.Fitted) as (meta, frames) for `shared_put`."""
    as_of = None if f.as_of is None else f.as_of.isoformat()
    return ({"fit": f.fit, "as_of": as_of, "note": f.note, "methods": list(f.tables)},
            {**{"t_" + m: t for m, t in f.tables.items()}, "coefficients": f.coefficients})


def index_unpack(got, methods, schema) -> dict | None:
    """The fields of a Fitted from a published entry (None: absent, or not a fit of every method
    with the index columns `schema`)."""
    if got is None:
        return None
    meta, frames = got
    try:
        tables = {m: frames["t_" + m] for m in meta["methods"]}
        if set(tables) != set(methods) or any(set(schema) - set(t.columns) for t in tables.values()):
            return None
        as_of = None if meta["as_of"] is None else dt.date.fromisoformat(meta["as_of"])
        fit, note = dict(meta["fit"]), meta["note"]
        if not isinstance(note, str | None) or "sales" not in fit:
            return None
        return dict(tables=tables, coefficients=frames["coefficients"], fit=fit, as_of=as_of, note=note)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def cost_pack(out: dict) -> tuple[dict, dict]:
    """A cost index answer (data.prices.index._cost_all) as (meta, frames) for `shared_put`."""
    meta = {k: v for k, v in out.items() if k not in ("table", "items", "weights")}
    meta["weights"] = [[b, w] for b, w in out["weights"].items()]
    return meta, {"table": out["table"], "items": out["items"]}


def cost_unpack(got, schema) -> dict | None:
    if got is None:
        return None
    meta, frames = got
    try:
        out = {k: meta[k] for k in ("base_year", "note", "weight_base", "labels")}
        out["weights"] = {int(b): dict(w) for b, w in meta["weights"]}
        out["base_years"] = [int(y) for y in meta["base_years"]]
        if set(schema) - set(frames["table"].columns):
            return None
        return {"table": frames["table"], "items": frames["items"], **out}
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
