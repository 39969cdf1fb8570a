"""Data-sharing applications and the read-only data API (Art. J16–J17, J22–J25; Art. X39–X44)."""
