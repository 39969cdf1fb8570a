"""National sync (Art. J26): the format and the checks."""
