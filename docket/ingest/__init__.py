"""Bulk import: folders now; archives, Telegram exports and CSV come with their issues."""
