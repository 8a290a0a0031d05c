"""The vault: originals kept for ever, encrypted, with a tamper-evident custody log."""
