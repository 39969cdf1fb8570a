"""Imports of historical data (Art. J18): reading the file (CSV in UTF-8 or GBK, .xlsx, .xls),
checking every row against the books (`check`), the preview, and the all-or-nothing commit with
its import record (`service`)."""
