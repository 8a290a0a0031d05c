"""The public report's packer: the chosen statistics and anonymised narratives of one
compartment (docket/cases/report.py) as an HTML page and its PDF, in a zip encrypted to the
recipient's key like every export. Inside:

    report.html      the report, self-contained: inline style, inline SVG charts, no address
    report.pdf       the same, laid out by WeasyPrint (docket/lib/pdf)
    README.txt       what this is and how to check it
    SHA256SUMS       `sha256sum -c SHA256SUMS` checks both files
    checkpoint.txt   the custody log's signed checkpoint, over the export's own entry
    manifest.json    who asked, who approved, why; the log's public key; what was chosen

Counts are published ones only ("<5" for 1 to 4); narratives go through the redactor with
everything the register knows of its persons. Reading no original, it packs no item: its
custody entry (`packing.seal(0)`) records the report's hashes.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils import translation

from docket.cases import report, statistics
from docket.cases.views_statistics import events_of
from docket.exports import build
from docket.exports.models import Export
from docket.lib import pdf


@build.packer(Export.Kind.REPORT)
def pack_report(packing: build.Packing) -> int:
    export = packing.export
    parameters: dict[str, Any] = dict(export.parameters or {})
    language = parameters.get("language") or "en"
    packing.progress(0, 1)
    with translation.override(language):
        events = events_of(export.compartment, parameters.get("filters") or {}, export.requested_by)
        stats = statistics.compute(events)
        redactor = report.redactor()
        chosen = list(parameters.get("events") or [])
        stories = report.narratives(export.compartment, chosen, redactor)
        html = report.render_html(stats, parameters, stories, redactor)
    document = pdf.render(html)
    files = {"report.html": html.encode("utf-8"), "report.pdf": document}
    sums = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    checkpoint, _own = packing.seal(0, files=sums)
    for name, data in files.items():
        packing.package.writestr(name, data)
    packing.package.writestr("SHA256SUMS", "".join(f"{h}  {n}\n" for n, h in sums.items()))
    packing.package.writestr("checkpoint.txt", checkpoint.note)
    packing.package.writestr(
        "manifest.json",
        packing.manifest(
            checkpoint, 0, report={
                "title": parameters.get("title", ""), "tables": parameters.get("tables", []),
                "events": parameters.get("events", []), "filters": parameters.get("filters", {}),
                "files": sums,
            },
        ),
    )  # fmt: skip
    packing.package.writestr("README.txt", _readme(export))
    packing.progress(1, 1)
    return 0


def _readme(export: Export) -> str:
    name = export.compartment.name
    return f"""Docket export {export.pk}: a public report of the compartment "{name}".

Files
  report.html      the report: statistics and anonymised narratives, one self-contained page
  report.pdf       the same report as a PDF
  SHA256SUMS       their SHA-256 hashes; check with:  sha256sum -c SHA256SUMS
  checkpoint.txt   the custody log's size and root hash, signed (C2SP signed note, Ed25519);
                   the export's own entry in that log records the two hashes above
  manifest.json    who asked for this report, why, who approved it, what it was made of,
                   and the log's public key: for checking, not for publishing (its reason
                   and filters are the organisation's own words, not anonymised)

What it holds
  Counts from 1 to 4 are shown as "<5", and counts that would let one be worked out from
  the totals as "x". Names, badge numbers and other identifiers, exact addresses,
  coordinates and dates of birth known to the register are replaced in the narratives by a
  word in brackets ([officer], [victim], [address] ...). Read it before publishing all
  the same: nobody knows every way a person can be recognised.
"""
