"""Forestry credit storage and reads (issue 15): one module per use."""
