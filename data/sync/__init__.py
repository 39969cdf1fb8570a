"""National sync (Art. J26): the report figures, validation, the package and the sync records."""
