"""Data-sharing applications, API keys and the API's scoped reads (see domain.sharing)."""
