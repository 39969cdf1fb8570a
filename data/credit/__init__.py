"""Forestry credit storage (Jiangxi's rules): one module per area of the credit data."""
