"""Thin wrappers of the outside world: the environment, storage, subprocesses, HTTP."""
