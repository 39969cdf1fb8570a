"""Level-1 base data (Art. J11–J14): the rules of changes, the trial period and its lock."""
