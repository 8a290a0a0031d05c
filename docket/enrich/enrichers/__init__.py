"""The enrichers, one module each. Adding one touches its module and the registry line in
docket/enrich/registry.py."""
