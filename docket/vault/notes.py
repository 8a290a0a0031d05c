"""C2SP signed notes and tlog checkpoints: the signed statement of a custody log's size and root.

No Django import, so a partner can verify a checkpoint offline. Formats:
- https://c2sp.org/tlog-checkpoint — origin line, tree size, base64 root hash, each ending "\\n";
- https://c2sp.org/signed-note — the text, a blank line, then one line per signature:
  "— <key name> <base64(4-byte key id || Ed25519 signature)>".
The key id of an Ed25519 key is the first four bytes of SHA-256(name || 0x0A || 0x01 || key).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SIGNATURE_PREFIX = "\u2014 "  # em dash and a space
ED25519_TYPE = b"\x01"


class NoteError(ValueError):
    """A note or checkpoint is malformed or its signature does not hold."""


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root_hash: bytes

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root_hash).decode()}\n"


def key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519_TYPE + public_key).digest()[:4]


def verifier_key(name: str, public_key: bytes) -> str:
    """The vkey string (name+hex id+base64 key) that Go's sumdb/note and other tools accept."""
    encoded = base64.b64encode(ED25519_TYPE + public_key).decode()
    return f"{name}+{key_id(name, public_key).hex()}+{encoded}"


def _check_name(name: str) -> None:
    if not name or any(c.isspace() or c == "+" for c in name):
        raise NoteError("a key name has no spaces and no '+'")


def sign_note(text: str, name: str, private_key: Ed25519PrivateKey) -> str:
    _check_name(name)
    if not text.endswith("\n"):
        raise NoteError("a note's text ends with a newline")
    public = private_key.public_key().public_bytes_raw()
    signature = private_key.sign(text.encode())
    encoded = base64.b64encode(key_id(name, public) + signature).decode()
    return f"{text}\n{SIGNATURE_PREFIX}{name} {encoded}\n"


def open_note(note: str, name: str, public_key: bytes) -> str:
    """Return the text of a signed note once a signature by (name, key) holds on it."""
    text, sep, signatures = note.rpartition("\n\n")
    if not sep:
        raise NoteError("no blank line separates the text from its signatures")
    text += "\n"
    wanted = key_id(name, public_key)
    verifier = Ed25519PublicKey.from_public_bytes(public_key)
    found = False
    for line in signatures.splitlines():
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError(f"malformed signature line: {line!r}")
        signer, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise NoteError("a signature is not base64") from exc
        if signer != name or raw[:4] != wanted:
            continue  # another witness's signature; not ours to check
        try:
            verifier.verify(raw[4:], text.encode())
        except InvalidSignature as exc:
            raise NoteError(f"the signature by {name} does not hold") from exc
        found = True
    if not found:
        raise NoteError(f"the note carries no signature by {name}")
    return text


def sign_checkpoint(checkpoint: Checkpoint, private_key: Ed25519PrivateKey) -> str:
    return sign_note(checkpoint.body(), checkpoint.origin, private_key)


def parse_checkpoint(text: str) -> Checkpoint:
    lines = text.split("\n")
    if len(lines) < 4:
        raise NoteError("a checkpoint has an origin, a size and a root hash")
    origin, size_line, root_line = lines[:3]
    if not size_line.isdigit() or (size_line != "0" and size_line.startswith("0")):
        raise NoteError(f"bad tree size {size_line!r}")
    try:
        root = base64.b64decode(root_line, validate=True)
    except binascii.Error as exc:
        raise NoteError("the root hash is not base64") from exc
    if len(root) != 32:
        raise NoteError("the root hash is not 32 bytes")
    return Checkpoint(origin=origin, size=int(size_line), root_hash=root)


def verify_checkpoint(note: str, origin: str, public_key: bytes) -> Checkpoint:
    """Open a signed checkpoint from the log `origin` and return what it states."""
    checkpoint = parse_checkpoint(open_note(note, origin, public_key))
    if checkpoint.origin != origin:
        raise NoteError(f"the checkpoint is for {checkpoint.origin!r}, not {origin!r}")
    return checkpoint
