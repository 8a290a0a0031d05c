"""What an enricher is: a package in docket/enrich/enrichers/ whose `__init__.py` holds its
`DECLARATION` and imports nothing but this module, and whose `implementation.py` holds one verb,
`enrich(context)`, with whatever heavy libraries it needs (numpy, pdqhash, libmagic,
faster-whisper). The registry reads only the declarations; an implementation is imported the
first time its enricher runs, so a process that runs none (the web, the intake, the `docket`
commands other than the worker) never loads those libraries. This module stays light for the
same reason: the declarations import it.

An enricher reads the original from its sandbox box (already decrypted there by the
pipeline), runs its tools in that box, writes its own typed rows and returns the tool and
version it used. It raises `SandboxError` when the file defeats a tool (recorded on the item;
not retried: the same bytes fail the same way) and lets anything else propagate (the job is
retried with backoff: a database or storage hiccup is not the file's fault).
"""

from __future__ import annotations

import functools
import importlib
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docket.enrich.models import Derivative
    from docket.lib.sandbox import Box
    from docket.vault.models import Item

#: Where the enrichers' packages live.
PACKAGE = "docket.enrich.enrichers"

#: The kinds `filetype` sorts files into; a declaration names the ones it takes.
KINDS = ("picture", "video", "audio", "pdf", "archive", "other")


@dataclass(frozen=True)
class Declaration:
    name: str
    summary: str
    kinds: tuple[str, ...]  # the file kinds it applies to
    outputs: tuple[str, ...]  # the tables (or derived files) it writes
    programs: tuple[str, ...] = ()  # outside programs it needs, checked by `docket check`
    version_argv: tuple[str, ...] = ()  # how to ask the main program its version
    #: Runs while the item sits in the intake compartment: only those whose outputs are vault
    #: items (docket/enrich/sealed.py); the others wait until triage moves the item.
    before_triage: bool = False
    #: Writes words that search finds (pages, transcripts), or makes the item findable by
    #: its name (type detection): the item is indexed again after.
    searchable: bool = False
    #: The kinds of file it is quick on (a second or so: one picture, a written testimony):
    #: it then runs in the job that already holds the decrypted original, after the others
    #: there. On other kinds (a video's frames, a PDF's pages, speech) it gets a job of its
    #: own, which any worker may take, so a long recording never holds back a thumbnail.
    quick: tuple[str, ...] = ()


@dataclass
class Outcome:
    tool: str
    version: str = ""


@dataclass
class Context:
    item: Item
    box: Box
    original: Path  # the decrypted original, inside the box
    kind: str
    mime: str
    derived: list[Derivative] = field(default_factory=list)

    def derive(self, path: Path, kind: str, *, position: float = 0, tool: str) -> Derivative:
        """Store a file the enricher made as a vault item of its own, linked to the original."""
        from docket.enrich import derive

        derivative = derive.store_derivative(self.item, path, kind, position=position, tool=tool)
        self.derived.append(derivative)
        return derivative


class Enricher:
    """One enricher, by its package's name: the declaration is read now, the implementation
    is imported the first time `enrich` is called (and then kept)."""

    def __init__(self, name: str) -> None:
        self.package = f"{PACKAGE}.{name}"
        self.DECLARATION: Declaration = importlib.import_module(self.package).DECLARATION
        if self.DECLARATION.name != name:
            raise ValueError(f"{self.package} declares {self.DECLARATION.name!r}")

    def __repr__(self) -> str:
        return f"<Enricher {self.DECLARATION.name}>"

    @functools.cached_property
    def implementation(self) -> ModuleType:
        return importlib.import_module(f"{self.package}.implementation")

    def enrich(self, context: Context) -> Outcome:
        outcome: Outcome = self.implementation.enrich(context)
        return outcome


@functools.cache
def program_version(argv: tuple[str, ...]) -> str:
    """The first line a program prints of its version (read once per process, outside the
    sandbox: no untrusted input is involved)."""
    if not argv or shutil.which(argv[0]) is None:
        return ""
    try:
        done = subprocess.run(list(argv), capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    text = (done.stdout or done.stderr).decode("utf-8", "replace").strip()
    return text.splitlines()[0][:100] if text else ""


class NotApplicable(Exception):
    """The enricher has nothing to do for this file (an MP4 with no picture, for thumbnails)."""
