"""C2SP checkpoints in signed notes: format, signature, and what a verifier must refuse."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from docket.vault import notes

ORIGIN = "docket.example/log"
ROOT = hashlib.sha256(b"root").digest()


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def test_it_writes_the_tlog_checkpoint_body_and_one_signature_line(key: Ed25519PrivateKey) -> None:
    note = notes.sign_checkpoint(notes.Checkpoint(ORIGIN, 42, ROOT), key)
    body, signatures = note.split("\n\n")
    assert body == f"{ORIGIN}\n42\n{base64.b64encode(ROOT).decode()}"
    assert signatures.startswith(f"\u2014 {ORIGIN} ")
    assert note.endswith("\n")
    raw = base64.b64decode(signatures.split(" ")[2])
    public = key.public_key().public_bytes_raw()
    # Key id: SHA-256(name || 0x0A || 0x01 || key)[:4], then a 64-byte Ed25519 signature.
    assert raw[:4] == hashlib.sha256(ORIGIN.encode() + b"\n\x01" + public).digest()[:4]
    assert len(raw) == 68


def test_it_verifies_its_own_checkpoint(key: Ed25519PrivateKey) -> None:
    note = notes.sign_checkpoint(notes.Checkpoint(ORIGIN, 7, ROOT), key)
    stated = notes.verify_checkpoint(note, ORIGIN, key.public_key().public_bytes_raw())
    assert stated == notes.Checkpoint(ORIGIN, 7, ROOT)


def test_it_refuses_an_altered_size(key: Ed25519PrivateKey) -> None:
    note = notes.sign_checkpoint(notes.Checkpoint(ORIGIN, 7, ROOT), key)
    with pytest.raises(notes.NoteError, match="does not hold"):
        notes.verify_checkpoint(
            note.replace("\n7\n", "\n8\n"), ORIGIN, key.public_key().public_bytes_raw()
        )


def test_it_refuses_another_key(key: Ed25519PrivateKey) -> None:
    note = notes.sign_checkpoint(notes.Checkpoint(ORIGIN, 7, ROOT), key)
    other = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    with pytest.raises(notes.NoteError, match="no signature"):
        notes.verify_checkpoint(note, ORIGIN, other)


def test_it_ignores_a_witness_cosignature_but_needs_its_own(key: Ed25519PrivateKey) -> None:
    note = notes.sign_checkpoint(notes.Checkpoint(ORIGIN, 7, ROOT), key)
    witness = notes.sign_note(
        notes.Checkpoint(ORIGIN, 7, ROOT).body(), "witness.example", Ed25519PrivateKey.generate()
    )
    cosigned = note + witness.split("\n\n")[1]
    notes.verify_checkpoint(cosigned, ORIGIN, key.public_key().public_bytes_raw())


def test_it_refuses_a_checkpoint_of_another_log(key: Ed25519PrivateKey) -> None:
    note = notes.sign_checkpoint(notes.Checkpoint("elsewhere.example/log", 7, ROOT), key)
    with pytest.raises(notes.NoteError):
        notes.verify_checkpoint(note, ORIGIN, key.public_key().public_bytes_raw())


def test_the_verifier_key_string_names_the_key() -> None:
    public = bytes(range(32))
    vkey = notes.verifier_key(ORIGIN, public)
    name, key_hash, encoded = vkey.split("+")
    assert name == ORIGIN
    assert bytes.fromhex(key_hash) == notes.key_id(ORIGIN, public)
    assert base64.b64decode(encoded) == b"\x01" + public
