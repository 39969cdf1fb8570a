"""Forestry credit pages of lane C: subjects, a subject's page, the batch import, the archive."""
from . import archive, imports, subject, subjects  # noqa: F401
