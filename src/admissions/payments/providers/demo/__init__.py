"""The offline demonstration provider: no real money."""
