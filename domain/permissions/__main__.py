"""python -m domain.permissions: print the role × action matrix for the README."""
from domain.permissions import matrix_markdown

print(matrix_markdown())
