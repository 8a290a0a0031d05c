"""Analysis: pure Python, no Django (a test checks), importing nothing of Docket but `lib`.
Cross-script spelling (spelling.py) and personal names (names.py)."""
