"""Which originals a staff browser may be shown inline, judged by their first bytes (never by a
name or a claimed type): common recordings, documents and pictures. Anything else is only
downloaded. The answer carries the type the browser is told, so it never guesses
(X-Content-Type-Options: nosniff)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shown:
    content_type: str
    kind: str  # "recording", "document" or "picture"
    extension: str


def sniff(head: bytes) -> Shown | None:
    """The way to show a file that starts with `head` (at least its first 16 bytes)."""
    if head[4:8] == b"ftyp":
        if head[8:12] in (b"M4A ", b"M4B "):
            return Shown("audio/mp4", "recording", "m4a")
        return Shown("video/mp4", "recording", "mp4")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return Shown("video/webm", "recording", "webm")
    if head.startswith(b"OggS"):
        return Shown("audio/ogg", "recording", "ogg")
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return Shown("audio/mpeg", "recording", "mp3")
    if head.startswith(b"fLaC"):
        return Shown("audio/flac", "recording", "flac")
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return Shown("audio/wav", "recording", "wav")
    if head.startswith(b"%PDF-"):
        return Shown("application/pdf", "document", "pdf")
    if head.startswith(b"\xff\xd8\xff"):
        return Shown("image/jpeg", "picture", "jpg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Shown("image/png", "picture", "png")
    if head.startswith((b"GIF87a", b"GIF89a")):
        return Shown("image/gif", "picture", "gif")
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return Shown("image/webp", "picture", "webp")
    return None
