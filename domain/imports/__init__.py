"""Imports of historical data (Art. J18): per-kind column templates with Chinese headers, the
typed parsing of each cell (money to integer fen exactly, dates, region codes, resident IDs), the
grouping and balancing of ledger lines into vouchers, and the 2004 → 2023 chart of accounts."""
