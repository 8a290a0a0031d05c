"""Docket: documenting crimes by state security forces so that those responsible can be tried."""

__version__ = "0.1.0"
