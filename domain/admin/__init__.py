"""Rules of the platform administration area: accounts and who authorises them, passwords, data sharing,
maintenance closures, the security log's HMAC chain."""
