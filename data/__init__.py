"""Storage: the system of record, reference data, the demo generator and the polars query layer."""
