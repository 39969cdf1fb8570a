"""Forestry credit storage: subjects, records, evaluation, authorisations and portraits."""
