"""The enrichers, one package each: `__init__.py` holds the declaration and imports nothing
heavy, `implementation.py` holds `enrich(context)` and is imported the first time it runs
(docket/enrich/base.py). Adding one touches its package and the list in
docket/enrich/registry.py."""
