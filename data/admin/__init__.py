"""Storage of the platform administration area: accounts, data sharing, the security log, platform settings."""
