"""What `ocr` runs (its declaration is in __init__.py): loaded the first time it runs, so
only a worker that runs it pays for its imports."""

from __future__ import annotations

import re

from django.conf import settings

from docket.enrich.base import Context, Outcome, program_version
from docket.enrich.enrichers.ocr import DECLARATION
from docket.enrich.models import TextPage
from docket.lib.sandbox import SandboxError

#: A page with fewer letters than this in its text layer is treated as a scan.
TEXT_LAYER_MIN_LETTERS = 20
RENDER_DPI = 300
LETTER = re.compile(r"\w", re.UNICODE)
#: The time limits of the box's one OCR run grow by this much per scanned page (OCR_MAX_PAGES
#: bounds the whole).
SECONDS_PER_PAGE = 60
#: Renders each scanned page ($1 the PDF, then the page numbers) and lists the pictures for
#: tesseract, which then reads them all in one process: its language models load once per
#: document, not once per page.
RENDER = (
    'pdf=$1; shift; for n in "$@"; do '
    'pdftoppm -r "$DPI" -gray -png -singlefile -f "$n" -l "$n" "$pdf" "page-$n" || exit; '
    'echo "page-$n.png"; done > pages.txt && exec tesseract pages.txt scanned -l "$LANGS"'
)


def enrich(context: Context) -> Outcome:
    if context.kind == "picture":
        pages: dict[int, tuple[str, str]] = {
            1: (TextPage.Method.OCR, _ocr(context, context.original.name))
        }
        tool = "tesseract"
    else:
        pages = _pdf(context)
        methods = {method for method, _ in pages.values()}
        tool = (
            "+".join(
                sorted(
                    {
                        "pdftotext" if m == TextPage.Method.TEXT_LAYER else "tesseract"
                        for m in methods
                    }
                )
            )
            or "pdftotext"
        )
    TextPage.objects.filter(item=context.item).delete()
    TextPage.objects.bulk_create(
        TextPage(item=context.item, page=page, method=method, text=text)
        for page, (method, text) in sorted(pages.items())
        if text.strip()
    )
    version = program_version(DECLARATION.version_argv) if "tesseract" in tool else ""
    return Outcome(tool, version or program_version(("pdftotext", "-v")))


def _ocr(context: Context, name: str) -> str:
    done = context.box.run(["tesseract", name, "stdout", "-l", settings.OCR_LANGUAGES])
    return done.stdout.decode("utf-8", "replace").strip()


def _pdf(context: Context) -> dict[int, tuple[str, str]]:
    box, name = context.box, context.original.name
    info = box.run(["pdfinfo", name]).stdout.decode("utf-8", "replace")
    match = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    if not match:
        raise SandboxError("pdfinfo found no page count")
    count = int(match.group(1))
    if count > settings.OCR_MAX_PAGES:
        raise SandboxError(f"{count} pages; OCR stops at {settings.OCR_MAX_PAGES} (limit)")
    box.run(["pdftotext", "-layout", "-enc", "UTF-8", name, "layer.txt"])
    layer = box.output("layer.txt").read_text("utf-8", "replace").split("\f")
    pages: dict[int, tuple[str, str]] = {}
    scanned: list[int] = []
    for number in range(1, count + 1):
        text = layer[number - 1].strip() if number <= len(layer) else ""
        if len(LETTER.findall(text)) >= TEXT_LAYER_MIN_LETTERS:
            pages[number] = (TextPage.Method.TEXT_LAYER, text)
        else:
            scanned.append(number)
    for number, text in zip(scanned, _scanned(context, name, scanned), strict=True):
        pages[number] = (TextPage.Method.OCR, text)
    return pages


def _scanned(context: Context, name: str, numbers: list[int]) -> list[str]:
    """The text of each scanned page, in order, from one run in the box: pdftoppm renders
    them, one tesseract reads them all."""
    if not numbers:
        return []
    box = context.box
    limits = box.limits.but(
        wall_seconds=box.limits.wall_seconds + SECONDS_PER_PAGE * len(numbers),
        cpu_seconds=box.limits.cpu_seconds + SECONDS_PER_PAGE * len(numbers),
    )
    box.run(
        ["sh", "-c", f"DPI={RENDER_DPI} LANGS=\"$0\" && {RENDER}", settings.OCR_LANGUAGES,
         name, *map(str, numbers)],
        limits=limits,
    )  # fmt: skip
    # tesseract puts a form feed between two pages' texts (never inside one): one part a page.
    text = box.output("scanned.txt").read_text("utf-8", "replace").split("\f")
    if len(text) != len(numbers):
        raise SandboxError(f"tesseract read {len(text)} of {len(numbers)} scanned pages")
    return [part.strip() for part in text]
