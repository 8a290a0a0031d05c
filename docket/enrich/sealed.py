"""What a file says of who made it and where, for files sent by members of the public.

Policy: nothing that identifies a public sender is readable without the vault key.
- An original stored in the intake compartment is an intake original (`IntakeOriginal`, marked
  when it is stored; it stays marked after triage moves it).
- While it sits in the intake compartment only type detection, thumbnails or keyframes and the
  metadata-free copy run (their files are vault items); its type's description (libmagic quotes
  comments and EXIF text there) is not kept. Metadata, OCR, speech and PDQ wait for triage.
- After triage its tools' raw output is not kept, and its serial numbers, owner, artist or
  author, copyright and GPS position are kept only in `Capture.sealed`, an age file to the
  vault's public key. The worker and the staff web process hold the identity and open it: for
  matching, and on the item's page for those who may view the item. Capture time, device make
  and model, picture size, OCR text and transcripts stay in clear columns and in the search.
- Files imported by staff keep the raw output and the position in clear columns.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings

from docket.vault import age, keys
from docket.vault.models import Item

#: What is sealed, and the tags (exiftool's names, any group) or container tags it comes from.
EXIF_TAGS = {
    "serial": ("SerialNumber", "BodySerialNumber", "InternalSerialNumber", "CameraSerialNumber",
               "LensSerialNumber"),
    "owner": ("OwnerName", "CameraOwnerName"),
    "artist": ("Artist", "Author", "Creator", "By-line", "XPAuthor"),
    "copyright": ("Copyright", "Rights", "CopyrightNotice"),
}  # fmt: skip
CONTAINER_TAGS = {
    "artist": ("artist", "author", "album_artist", "composer", "com.apple.quicktime.author",
               "com.apple.quicktime.artist"),
    "copyright": ("copyright", "com.apple.quicktime.copyright"),
}  # fmt: skip
PLACE = ("latitude", "longitude", "altitude")


def in_intake(item: Item) -> bool:
    """Whether the item sits in the intake compartment (DOCKET_INTAKE_COMPARTMENT)."""
    return item.compartment.name == settings.INTAKE_COMPARTMENT


def from_intake(item: Item) -> bool:
    from docket.enrich.models import IntakeOriginal

    return IntakeOriginal.objects.filter(item=item).exists()


def identifying(exif: dict[str, Any], probe: dict[str, Any]) -> dict[str, str]:
    """Who the file says made or owns it (pure: tested with tables of tags)."""
    found: dict[str, list[str]] = {}

    def add(field: str, value: Any) -> None:
        values = value if isinstance(value, list) else [value]
        for one in values:
            text = " ".join(str(one if one is not None else "").split())
            if text and text not in found.setdefault(field, []):
                found[field].append(text)

    for tag, value in exif.items():
        name = tag.rsplit(":", 1)[-1]
        for field, names in EXIF_TAGS.items():
            if name in names:
                add(field, value)
    containers = [probe.get("format", {}), *probe.get("streams", [])]
    for container in containers:
        for tag, value in (container.get("tags") or {}).items():
            for field, names in CONTAINER_TAGS.items():
                if tag.lower() in names:
                    add(field, value)
    return {field: "; ".join(values)[:1000] for field, values in found.items() if values}


def seal(values: dict[str, Any]) -> bytes | None:
    """The values as an age file to the vault's public key (None when there is nothing)."""
    kept = {k: v for k, v in values.items() if v not in (None, "")}
    if not kept:
        return None
    return age.encrypt_bytes(json.dumps(kept, sort_keys=True).encode(), [keys.recipient()])


def opened(sealed: bytes | memoryview) -> dict[str, Any]:
    """The sealed values; raises KeyUnavailable in a process without the vault identity."""
    plain = age.decrypt_bytes(bytes(sealed), [keys.identity()])
    found: dict[str, Any] = json.loads(plain)
    return found


def details(capture: Any) -> dict[str, Any]:
    """Serial number, owner, artist, copyright and position of a capture, sealed or not
    (for matching and for pages; raises KeyUnavailable where a sealed one cannot be opened)."""
    if capture.sealed is not None:
        return opened(capture.sealed)
    raw = capture.raw or {}
    found: dict[str, Any] = identifying(raw.get("exiftool") or {}, raw.get("ffprobe") or {})
    for name in PLACE:
        if getattr(capture, name) is not None:
            found[name] = getattr(capture, name)
    return found
