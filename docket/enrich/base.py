"""What an enricher is: a module with a `DECLARATION` and one verb, `enrich(context)`.

An enricher reads the original from its sandbox box (already decrypted there by the
pipeline), runs its tools in that box, writes its own typed rows and returns the tool and
version it used. It raises `SandboxError` when the file defeats a tool (recorded on the item;
not retried: the same bytes fail the same way) and lets anything else propagate (the job is
retried with backoff: a database or storage hiccup is not the file's fault).
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from docket.enrich.models import Derivative
from docket.lib.sandbox import Box
from docket.vault.models import Item

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
    #: Writes words that search finds (pages, transcripts): the item is indexed again after.
    searchable: bool = False


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


class Enricher(Protocol):
    DECLARATION: Declaration

    def enrich(self, context: Context) -> Outcome: ...


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
