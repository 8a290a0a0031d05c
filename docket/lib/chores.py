"""Chores a job worker runs when it has no job. Each app registers its own in its
AppConfig.ready(), whatever its place in the stack: the registry sits at the bottom so the
vault can register one as well as the intake."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Chore:
    name: str
    every_seconds: float
    task: Callable[[], object]
    #: A failure stops the worker (sealing the custody log) instead of being logged and
    #: tried again when next due.
    fatal: bool = False


#: Each chore runs at most once per `every_seconds` in a worker process (0: whenever idle).
CHORES: dict[str, Chore] = {}


def chore(
    name: str, *, every_seconds: float, fatal: bool = False
) -> Callable[[Callable[[], object]], Callable[[], object]]:
    """Register a chore; it returns something true when it did work."""

    def decorate(task: Callable[[], object]) -> Callable[[], object]:
        CHORES[name] = Chore(name, every_seconds, task, fatal)
        return task

    return decorate
