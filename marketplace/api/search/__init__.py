"""GET /api/v1/search and /search/suggest, the backends chosen by config, and `flask search`."""
