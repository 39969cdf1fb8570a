"""Level-1 base data in the system of record (Art. J11–J14)."""
