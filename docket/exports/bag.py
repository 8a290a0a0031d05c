"""A case's court bundle: one BagIt 1.0 bag (RFC 8493) in the encrypted zip.

The zip holds one folder, `docket-case-<case>-export-<export>/`, which any archive's tools
(the `bagit` library, `bagit.py --validate`, or `sha256sum -c manifest-sha256.txt`) check:

    bagit.txt, bag-info.txt             the bag's declaration; the organisation, the case, the date
    manifest-sha256.txt, -sha512.txt    every payload file's hashes
    tagmanifest-sha256.txt, -sha512.txt the hashes of the four files above
    data/originals/ID-….EXT             each original, byte for byte
    data/clean/ID-clean-DERIVED.EXT     its metadata-free copy, where the worker made one
    data/records/ID.json                per item: the ICC e-Court fields, hashes, capture,
                                        source grading, verification steps, derived files
    data/case.json                      the case: suspects, incidents, the elements matrix
    data/checkpoint.txt, custody.jsonl  the signed checkpoint and every custody entry of the
                                        packed files with its proof, as a compartment export's
    data/timestamp.tsr                  the RFC 3161 token of that checkpoint, when one was made
    data/manifest.json                  who asked, who approved, why; the log's public key
    data/report.pdf                     the same for a reader: summary, matrix, evidence,
                                        custody and verification of each item
    data/README.txt                     how to check all of it

Which items: those of the evidence links the case reaches (its events' and its acts' links,
its suspects' evidence, and in its matrix each cell's evidence and the links of the acts it
names), each once, and only items of the case's compartment. The acts of a case's events
that the case does not name are left out: their evidence may be about other victims.

Every file is hashed (SHA-256 and SHA-512) as it is written into the zip, which is encrypted
as it is written: no clear copy touches the disk. Sources appear by pseudonym and Admiralty
grading only; nothing of an intake submission (its sender's contact, its messages, a file's
sealed metadata) is read here at all.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from docket.cases import contents
from docket.cases.models import Case, Cell, Suspect, Verification
from docket.enrich.models import Capture, Derivative, FileType, IntakeOriginal
from docket.exports import build
from docket.exports.models import Export
from docket.ingest.models import BatchItem
from docket.lib import pdf, zones
from docket.register.models import Act, EvidenceLink, Information, ItemRecord, grading
from docket.vault.models import Checkpoint, CustodyEntry, Item, Timestamp

#: the hash algorithms of the payload and tag manifests, as RFC 8493 names them
ALGORITHMS = ("sha256", "sha512")
TABLE_ROWS = 25  # rows of a table in the PDF before the next one starts


@dataclass
class Written:
    """One file of the bag as it went into the zip."""

    path: str  # relative to the bag's folder: "data/originals/17-….jpg"
    size: int
    sha256: str
    sha512: str


@dataclass
class BagWriter:
    """Writes a bag's files into the open zip, hashing each as it streams through."""

    package: zipfile.ZipFile
    root: str
    payload: list[Written] = field(default_factory=list)
    tags: list[Written] = field(default_factory=list)

    def put(
        self, path: str, chunks: Iterable[bytes], *, when: datetime | None = None, tag: bool = False
    ) -> Written:
        stamp = (when or timezone.now()).timetuple()[:6]
        member = zipfile.ZipInfo(f"{self.root}/{path}", stamp)
        digests = {name: hashlib.new(name) for name in ALGORITHMS}
        size = 0
        with self.package.open(member, "w", force_zip64=True) as out:
            for chunk in chunks:
                out.write(chunk)
                size += len(chunk)
                for digest in digests.values():
                    digest.update(chunk)
        written = Written(path, size, digests["sha256"].hexdigest(), digests["sha512"].hexdigest())
        (self.tags if tag else self.payload).append(written)
        return written

    def text(self, path: str, text: str, *, tag: bool = False) -> Written:
        return self.put(path, [text.encode("utf-8")], tag=tag)

    def lines(self, path: str, lines: Iterable[str]) -> Written:
        """A text file written line by line (custody.jsonl can be long)."""
        return self.put(path, (line.encode("utf-8") for line in lines))

    def finish(self, info: dict[str, str]) -> None:
        """The tag files: the declaration, bag-info, payload manifests, tag manifests."""
        octets = sum(w.size for w in self.payload)
        info = {
            **info,
            "Payload-Oxum": f"{octets}.{len(self.payload)}",
            "Bag-Size": _human(octets),
            "Bag-Count": "1 of 1",
        }
        self.text("bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n", tag=True)
        self.text(
            "bag-info.txt", "".join(f"{k}: {_one_line(v)}\n" for k, v in info.items()), tag=True
        )
        for name in ALGORITHMS:
            self.text(f"manifest-{name}.txt", _manifest(self.payload, name), tag=True)
        tagged = list(self.tags)  # the tag manifests cover every tag file but themselves
        for name in ALGORITHMS:
            self.text(f"tagmanifest-{name}.txt", _manifest(tagged, name))


def _manifest(files: list[Written], algorithm: str) -> str:
    return "".join(f"{getattr(w, algorithm)}  {encoded(w.path)}\n" for w in files)


def encoded(path: str) -> str:
    """A path as RFC 8493 writes it in a manifest: %, CR and LF percent-encoded."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _human(octets: int) -> str:
    size = float(octets)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


def case_links(case: Case) -> QuerySet[EvidenceLink]:
    """The evidence links a case reaches (see the module's docstring), of its compartment."""
    cells = Cell.objects.filter(case=case)
    reached = (
        Q(event__in=case.events.all())
        | Q(act__in=case.acts.all())
        | Q(act__in=cells.values("acts"))
        | Q(pk__in=cells.values("evidence"))
        | Q(pk__in=Suspect.objects.filter(case=case).values("evidence"))
    )
    return EvidenceLink.objects.filter(
        reached, compartment_id=case.compartment_id, item__compartment_id=case.compartment_id
    )


def case_items(case: Case) -> QuerySet[Item]:
    return Item.objects.filter(
        pk__in=case_links(case).values("item"), compartment_id=case.compartment_id
    ).order_by("pk")


def _extension(item: Item, *, original: Item | None = None) -> str:
    """The file's extension from its type as libmagic found it. A metadata-free copy is not
    typed by the worker itself: it has its original's type (mat2 keeps the format)."""
    kinds = dict(
        FileType.objects.filter(item__in=[i for i in (item, original) if i]).values_list(
            "item_id", "mime"
        )
    )
    kind = kinds.get(item.pk) or (kinds.get(original.pk) if original else None)
    guessed = mimetypes.guess_extension(kind or "") or ".bin"
    return guessed if re.fullmatch(r"\.[a-z0-9]{1,8}", guessed) else ".bin"


def original_name(item: Item) -> str:
    """Never a sender's file name (it can name them): the id, the hash's start, the type."""
    return f"{item.pk}-{item.sha256[:16]}{_extension(item)}"


@build.packer(Export.Kind.CASE)
def pack_case(packing: build.Packing) -> int:
    export = packing.export
    case = export.case
    if case is None or case.compartment_id != export.compartment_id:
        raise build.ExportError("a court bundle needs a case of the export's compartment")
    language = str(export.parameters.get("language") or "en")
    with translation.override(language):
        return _pack(packing, case, language)


def _pack(packing: build.Packing, case: Case, language: str) -> int:
    export = packing.export
    bag = BagWriter(packing.package, f"docket-case-{case.pk}-export-{export.pk}")
    links = list(case_links(case).select_related("event", "act", "person"))
    items = list(case_items(case))
    cleans = {
        d.original_id: d
        for d in Derivative.objects.filter(
            original__in=case_items(case), kind=Derivative.Kind.CLEAN_COPY,
            derived__compartment_id=case.compartment_id,
        ).select_related("derived")
    }  # fmt: skip
    packing.progress(0, len(items))
    originals: dict[int, Written] = {}
    clean_files: dict[int, Written] = {}
    for done, (item, chunks) in enumerate(packing.originals(items), 1):
        originals[item.pk] = bag.put(
            f"data/originals/{original_name(item)}", chunks, when=item.received_at
        )
        derivative = cleans.get(item.pk)
        if derivative is not None:
            [(copy, copied)] = list(packing.originals([derivative.derived]))
            name = f"data/clean/{item.pk}-clean-{copy.pk}{_extension(copy, original=item)}"
            clean_files[item.pk] = bag.put(name, copied, when=copy.received_at)
        if done % build.PROGRESS_EVERY == 0:
            packing.progress(done)
    steps: dict[int, list[Verification]] = {}
    for step in (
        Verification.objects.filter(evidence__in=case_links(case))
        .select_related("evidence", "done_by")
        .order_by("done_at", "pk")
    ):
        steps.setdefault(step.evidence.item_id, []).append(step)
    records = {
        item.pk: _record(case, item, links, originals, clean_files, steps.get(item.pk, []))
        for item in items
    }
    for pk, record in records.items():
        bag.text(f"data/records/{pk}.json", _json(record))
    matrix = _matrix(case, links)
    bag.text("data/case.json", _json(_case(case, matrix)))

    # Subqueries, not lists of ids: a case of many thousand items stays one query each.
    packed_ids = Item.objects.filter(
        Q(pk__in=case_items(case))
        | Q(pk__in=Derivative.objects.filter(
            original__in=case_items(case), kind=Derivative.Kind.CLEAN_COPY,
            derived__compartment_id=case.compartment_id,
        ).values("derived"))
    ).values("pk")  # fmt: skip
    checkpoint, own = packing.seal(len(items), case=case.pk)
    bag.lines("data/custody.jsonl", packing.custody_lines(checkpoint, own, items=packed_ids))
    bag.text("data/checkpoint.txt", checkpoint.note)
    token = Timestamp.objects.filter(checkpoint=checkpoint).order_by("created_at").first()
    if token is not None:
        bag.put("data/timestamp.tsr", [bytes(token.token)])
    bag.text(
        "data/manifest.json",
        packing.manifest(
            checkpoint, len(items), case={"id": case.pk, "reference": case.reference,
                                           "title": case.title},
            bag=bag.root, timestamp=token.authority if token else None,
        ),
    )  # fmt: skip
    chains = _custody_chains(checkpoint, packed_ids)
    shown = [
        {"record": records[i.pk], "custody": chains.get(i.pk, []),
         "sha256": grouped(records[i.pk]["sha256"]), "sha512": grouped(records[i.pk]["sha512"]),
         "verification": steps.get(i.pk, []),
         "clean_custody": chains.get(cleans[i.pk].derived_id, []) if i.pk in cleans else []}
        for i in items
    ]  # fmt: skip
    html = render_to_string(
        "exports/bundle/report.html",
        {
            "case": case, "export": export, "matrix": matrix, "language": language,
            "organisation": settings.DOCKET_ORGANISATION, "checkpoint": checkpoint,
            "items": shown,
            # Verified is per evidence link, as on the case page: an item with steps on one
            # link may still have a link not verified.
            "unverified": [c for c in contents.checked(links) if not c.verified],
            # Long tables in slices: WeasyPrint's time grows faster than one table's rows
            # (a thousand items' report: 70 s in whole tables, 36 s in slices of 25).
            "chunks": [shown[n : n + TABLE_ROWS] for n in range(0, len(shown), TABLE_ROWS)],
            "suspects": _suspects(case), "time_zone": zones.instance_zone().key,
        },
    )  # fmt: skip
    bag.put("data/report.pdf", [pdf.render(html, title=case.title)])
    bag.text("data/README.txt", _readme(case, export, bag.root))
    bag.finish(
        {
            "Source-Organization": settings.DOCKET_ORGANISATION,
            "External-Identifier": case.reference,
            "Internal-Sender-Identifier": f"docket-export-{export.pk}",
            "Internal-Sender-Description": case.title,
            "Bagging-Date": zones.local(timezone.now()).date().isoformat(),
            "Bag-Software-Agent": "Docket",
        }
    )
    packing.progress(len(items), len(items))
    return len(items)


def grouped(digest: str) -> str:
    """A hash in groups of sixteen digits: readable, and cheap for the PDF to lay out."""
    return " ".join(digest[start : start + 16] for start in range(0, len(digest), 16))


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _record(
    case: Case,
    item: Item,
    links: list[EvidenceLink],
    originals: dict[int, Written],
    cleans: dict[int, Written],
    steps: list[Verification],
) -> dict[str, Any]:
    """An item's metadata record, after the ICC e-Court protocol's fields."""
    written = originals[item.pk]
    own_links = [link for link in links if link.item_id == item.pk]
    capture = Capture.objects.filter(item=item).first()
    kind = FileType.objects.filter(item=item).first()
    described = ItemRecord.objects.filter(item=item).first()
    taken = capture.taken_at if capture else None
    title = described.title if described and described.title else f"Item {item.pk}"
    return {
        "document_id": f"{case.reference}-ITEM-{item.pk}",
        "date": (taken or item.received_at).date().isoformat(),
        "title": title,
        "type": kind.description if kind else "",
        "source": _source(item, own_links),
        "item": item.pk,
        "file": written.path,
        "size": item.size,
        "media_type": kind.mime if kind else "application/octet-stream",
        "sha256": written.sha256,
        "sha512": written.sha512,
        "received_at": _iso(item.received_at),
        "description": described.description if described else "",
        "capture": _capture(capture),
        "evidence_links": [
            {
                "id": link.pk,
                "event": link.event_id,
                "act": link.act_id,
                "person": link.person_id,
                "membership": link.membership_id,
                "span": link.span_text,
                "annotation": link.annotation,
            }
            for link in own_links
        ],
        "verification": [
            {
                "evidence_link": step.evidence_id,
                "step": step.step,
                "method": step.method,
                "result": step.result,
                "details": step.details,
                "by": step.done_by.get_username() if step.done_by else "",
                "at": _iso(step.done_at),
            }
            for step in steps
        ],
        "derived": [
            {
                "item": d.derived_id,
                "kind": d.kind,
                "position": d.position,
                "tool": d.tool,
                "sha256": d.derived.sha256,
                **(
                    {"file": cleans[item.pk].path, "sha512": cleans[item.pk].sha512}
                    if d.kind == Derivative.Kind.CLEAN_COPY and item.pk in cleans
                    else {}
                ),
            }
            for d in Derivative.objects.filter(original=item).select_related("derived")
        ],
    }


def _capture(capture: Capture | None) -> dict[str, Any] | None:
    """When and where the file says it was made, and which tag says so; never the raw tool
    output nor the sealed fields (an intake original's position, serial number, owner)."""
    if capture is None:
        return None
    place = None
    if capture.latitude is not None and capture.longitude is not None:
        place = {
            "latitude": capture.latitude, "longitude": capture.longitude,
            "altitude": capture.altitude, "evidence": "GPS tags of the file's metadata",
        }  # fmt: skip
    return {
        "taken_at": _iso(capture.taken_at),
        "time_zone": capture.time_zone,
        "time_evidence": capture.time_evidence,
        "clock": capture.clock,
        "zone_assumed": capture.zone_assumed,
        "place": place,
        "device": capture.device,
        "width": capture.width,
        "height": capture.height,
        "duration_seconds": capture.duration_seconds,
    }


def _source(item: Item, links: list[EvidenceLink]) -> dict[str, Any]:
    """How the item came in, and the graded accounts of its events: pseudonyms and Admiralty
    grading only. A public sender is never named nor described."""
    if IntakeOriginal.objects.filter(item=item).exists():
        channel = "public intake (the sender is not named)"
    else:
        batch = BatchItem.objects.filter(item=item).select_related("batch").first()
        channel = f"import ({batch.batch.source})" if batch else "stored by staff"
    events = {link.event_id for link in links if link.event_id}
    events |= {link.act.event_id for link in links if link.act is not None}
    accounts = [
        {
            "event": account.event_id,
            "source": account.source.display_name if account.source else "",
            "grading": grading(account.reliability, account.credibility),
        }
        for account in Information.objects.filter(event__in=events, compartment=item.compartment)
        .select_related("source", "reliability", "credibility")
        .order_by("event", "pk")
    ]
    return {"channel": channel, "accounts": accounts}


@dataclass
class Row:
    """One element of one qualification in the matrix, with its cell (None: not started)."""

    code: str
    label: str
    contextual: bool
    cell: Cell | None

    @property
    def acts(self) -> list[Any]:
        return list(self.cell.acts.all()) if self.cell else []

    @property
    def accounts(self) -> list[tuple[Information, str]]:
        """The sources' accounts with their Admiralty grading ("" when not graded)."""
        if self.cell is None:
            return []
        return [
            (i, grading(i.reliability, i.credibility) or "") for i in self.cell.information.all()
        ]


def _elements(term: Any) -> list[Any]:
    try:
        from docket.cases import elements  # type: ignore[attr-defined,unused-ignore]
    except ImportError:  # the elements data is not installed: the cells' codes stand alone
        return []
    return list(elements.of(term))


def _matrix(case: Case, links: list[EvidenceLink]) -> list[dict[str, Any]]:
    mine = case.compartment_id
    cells = {
        (c.qualification_id, c.element): c
        for c in Cell.objects.filter(case=case, compartment_id=mine).prefetch_related(
            Prefetch("evidence", EvidenceLink.objects.filter(compartment_id=mine)),
            Prefetch(
                "acts",
                Act.objects.filter(compartment_id=mine).select_related(
                    "act_type", "victim", "event"
                ),
            ),
            Prefetch(
                "information",
                Information.objects.filter(compartment_id=mine).select_related(
                    "source", "reliability", "credibility"
                ),
            ),
        )
    }
    qualifications = []
    for term in case.qualifications.order_by("vocabulary", "code"):
        rows = [
            Row(e.code, e.label, e.contextual, cells.get((term.pk, e.code)))
            for e in _elements(term)
        ]
        known = {row.code for row in rows}
        for (qualification, code), cell in sorted(cells.items(), key=lambda kv: kv[0][1]):
            if qualification == term.pk and code not in known:
                rows.append(Row(code, code, False, cell))
        qualifications.append({"term": term, "rows": rows})
    return qualifications


def _case(case: Case, matrix: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "reference": case.reference,
        "title": case.title,
        "summary": case.summary,
        "compartment": case.compartment.name,
        "organisation": settings.DOCKET_ORGANISATION,
        "suspects": [
            {
                "person": s.person.display_name if s.person else None,
                "unit": s.unit.name if s.unit else None,
                "liability": s.liability,
                "evidence": [{"evidence_link": e.pk, "item": e.item_id} for e in s.evidence.all()],
                "notes": s.notes,
            }
            for s in _suspects(case)
        ],
        "incidents": {
            "events": [
                {
                    "id": e.pk,
                    "title": e.title,
                    "start": _iso(e.start),
                    "place": e.place.shown if e.place else "",
                }
                for e in case.events.filter(compartment_id=case.compartment_id)
                .select_related("place")
                .order_by("start", "pk")
            ],
            "acts": [
                {
                    "id": a.pk,
                    "event": a.event_id,
                    "type": a.act_type.code if a.act_type else None,
                    "victim": a.victim.display_name if a.victim else None,
                    "start": _iso(a.start),
                }
                for a in case.acts.filter(compartment_id=case.compartment_id)
                .select_related("act_type", "victim")
                .order_by("pk")
            ],
        },
        "qualifications": [
            {
                "vocabulary": q["term"].vocabulary,
                "code": q["term"].code,
                "label": q["term"].label_en,
                "elements": [
                    {
                        "code": row.code,
                        "label": row.label,
                        "contextual": row.contextual,
                        "status": row.cell.status if row.cell else Cell.Status.NONE,
                        "note": row.cell.note if row.cell else "",
                        "evidence": [
                            {"evidence_link": e.pk, "item": e.item_id, "span": e.span_text}
                            for e in (row.cell.evidence.all() if row.cell else [])
                        ],
                        "acts": [a.pk for a in (row.cell.acts.all() if row.cell else [])],
                        "information": [
                            i.pk for i in (row.cell.information.all() if row.cell else [])
                        ],
                    }
                    for row in q["rows"]
                ],
            }
            for q in matrix
        ],
    }


def _suspects(case: Case) -> list[Suspect]:
    """The case's suspects and their evidence, of its compartment only: the pages refuse any
    other, and a row linked some other way must not leave with the bundle either."""
    mine = case.compartment_id
    return list(
        Suspect.objects.filter(case=case, compartment_id=mine)
        .filter(Q(person__compartment_id=mine) | Q(unit__compartment_id=mine))
        .select_related("person", "unit")
        .prefetch_related(Prefetch("evidence", EvidenceLink.objects.filter(compartment_id=mine)))
        .order_by("pk")
    )


def _custody_chains(checkpoint: Checkpoint, ids: Any) -> dict[int, list[dict[str, Any]]]:
    """item -> its custody entries up to the checkpoint: index, action, actor, time."""
    chains: dict[int, list[dict[str, Any]]] = {}
    entries = CustodyEntry.objects.filter(item__in=ids, index__lt=checkpoint.size)
    for entry in entries.order_by("index").iterator():
        leaf = json.loads(entry.leaf_text())
        chains.setdefault(entry.item_id or 0, []).append(
            {"index": entry.index, "action": leaf["action"], "actor": leaf["actor"],
             "time": datetime.fromisoformat(leaf["time"])}
        )  # fmt: skip
    return chains


def _readme(case: Case, export: Export, root: str) -> str:
    return f"""Court bundle of case {case.reference}, Docket export {export.pk}.

This folder's parent, {root}/, is a BagIt 1.0 bag (RFC 8493).

Checking it with standard tools
  bagit.py --validate {root}         (pip install bagit)
  cd {root} && sha256sum -c manifest-sha256.txt && sha512sum -c manifest-sha512.txt

Checking the custody proofs too
  docket exports check {root}        (or the .zip it came in)
  It checks the bag, the signature of data/checkpoint.txt with the key in data/manifest.json,
  and every line of data/custody.jsonl against that checkpoint. Compare the verifier key it
  prints with the one the organisation publishes, or the check proves nothing about origin.

Files (under data/)
  originals/       each original, byte for byte; records/ID.json says which file is whose
  clean/           metadata-free copies of originals, where the worker made one
  records/ID.json  per item: e-Court fields (document_id, date, title, type, source), hashes,
                   capture time and place with their evidence, source grading, verification
                   steps, derived files
  case.json        the case: suspects, incidents, qualifications and their elements matrix
  report.pdf       the same for a reader
  custody.jsonl    every custody entry of the packed files, with its inclusion proof
  checkpoint.txt   the custody log's signed checkpoint (C2SP signed note, Ed25519)
  timestamp.tsr    the RFC 3161 timestamp of checkpoint.txt, when the instance asks for one
                   (openssl ts -verify -token_in -in timestamp.tsr -data checkpoint.txt
                    -CAfile the authority's CA certificate -untrusted its certificate)
  manifest.json    who asked for this export, why, who approved it; the log's public key
"""
