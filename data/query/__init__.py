"""The polars query layer: the only read path for dashboards.

Design (see shared/PERFORMANCE.md):
- The ledger is append-only, so the layer keeps *movement* roll-ups per region level × month
  (22 measures as int64 fen), built once and then advanced incrementally from the lines whose id
  is above a watermark (`rollups`). Balances are cumulative sums over a region's months at query
  time (`figures`).
- Each level's frame is sorted by (code, period): a region subtree is a contiguous slice found by
  binary search, so every query touches hundreds of rows, not millions.
- Bulk reads from the database go through connectorx (Arrow-native; on SQLite in a child
  process, see `reads.Reader`). Roll-ups are snapshotted to Parquet beside the data (`snapshot`)
  so a restart with tens of millions of ledger lines takes seconds; the per-village facts of the
  business records are read per change (`facts`).
- Every public query of `QueryLayer` (`layer`) takes a `Scope` and refuses (OutOfScope) a region
  outside it; results are filtered to the scope's ranges once more before they are returned.
"""
from .layer import QueryLayer
from .reads import Reader

__all__ = ["QueryLayer", "Reader"]
