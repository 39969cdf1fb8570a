"""A small bounded, thread-safe memo for fitted models (LRU, single flight).

`Memo.get(key, build)` returns the value cached under `key` or builds it once: concurrent callers
asking for the same missing key wait for the one build instead of fitting the same model twice;
callers asking for other keys are not blocked meanwhile. At most `size` values are kept (least
recently used dropped first). Keys carry the data-change token (`data.prices.frames.token`), so a
changed table simply misses; `drop(pred)` forgets entries whose key matches (stale tokens).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable


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
