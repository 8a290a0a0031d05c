"""The JSON API: token-authenticated, with the same access checks as the pages."""
