"""Forestry credit storage: subjects, records, forest rights, batch imports, archives (lane C),
the evaluation (evaluate), portraits and authorisations (portrait), and the uses of the data."""
