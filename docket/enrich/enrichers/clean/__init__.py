"""A metadata-free copy (mat2) of every picture, recording and PDF: the copy that is shown or
shared outside the vault, so no GPS position, device serial or author name leaves with it.
The original stays untouched in the vault."""

from __future__ import annotations

from docket.enrich.base import Declaration

DECLARATION = Declaration(
    name="clean",
    summary="metadata-free copy for sharing (mat2)",
    kinds=("picture", "video", "audio", "pdf"),
    outputs=("Derivative: clean-copy",),
    programs=("mat2", "ffmpeg"),
    version_argv=("mat2", "--version"),
    before_triage=True,
    quick=("picture",),
)
