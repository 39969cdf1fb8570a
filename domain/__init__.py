"""Domain rules in plain Python (no Dash import): permissions, accounting, workflows, warnings, credit."""
