"""Forestry credit storage (Jiangxi's rules): one module per area of the credit data — subjects,
records, forest rights, batch imports and archives; the evaluation and repair; authorisations and
portraits; statistics; the uses (punishment list, inspections, push, open data); applications,
corrections and transfers."""
