"""Forestry credit (Jiangxi's rules, Art. X3–X62): the kinds and classes of credit data as data
(codes), the credit evaluation, publicity periods, inspection sampling and the 双公示 layout. Plain
Python: no storage, no web layer."""
