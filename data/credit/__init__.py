"""Forestry credit storage: the evaluation (evaluate, vectorised) and credit repair (repair)."""
