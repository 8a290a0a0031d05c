"""The C2SP CCTV age test vectors (npm `cctv-age` 0.2.0, in age_vectors/, 0BSD): our age code
opens every valid file to the right payload and refuses every malformed one with the error for
what is wrong in it, having released exactly the plaintext the vector allows and no other.

Each vector is a text header (`expect`, `payload`, `identity`, `passphrase`, `armored`,
`compressed`, …), a blank line, then the age file, zlib-compressed when it says so. An armored
vector goes through `age.dearmor`, the armor decoder on its own, so that text which is not armor
at all (armor_garbage_leading) is an armor failure; `decrypt_chunks` also recognises armor by
itself (the last test).
"""

from __future__ import annotations

import hashlib
import io
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from docket.vault import age

VECTORS = Path(__file__).parent / "age_vectors"
NOT_VECTORS = {"README.md", "LICENSE", ".gitattributes"}
KNOWN_KEYS = {"expect", "payload", "file key", "identity", "passphrase", "armored", "compressed",
              "comment"}  # fmt: skip
# What each expected failure maps to in our API.
ERRORS: dict[str, type[age.AgeError]] = {
    "no match": age.NoIdentityError,
    "HMAC failure": age.HeaderMACError,
    "header failure": age.HeaderError,
    "payload failure": age.PayloadError,
    "armor failure": age.ArmorError,
}


@dataclass
class Vector:
    fields: dict[str, list[str]]
    file: bytes

    @classmethod
    def load(cls, path: Path) -> Vector:
        header, _, file = path.read_bytes().partition(b"\n\n")
        fields: dict[str, list[str]] = {}
        for line in header.decode().split("\n"):
            key, _, value = line.partition(": ")
            fields.setdefault(key, []).append(value)
        if fields.get("compressed") == ["zlib"]:
            file = zlib.decompress(file)
        return cls(fields, file)

    def one(self, key: str) -> str | None:
        values = self.fields.get(key)
        return values[0] if values else None

    @property
    def expect(self) -> str:
        return self.fields["expect"][0]

    @property
    def armored(self) -> bool:
        return self.one("armored") == "yes"


def vector_paths() -> list[Path]:
    return sorted(p for p in VECTORS.iterdir() if p.name not in NOT_VECTORS)


def open_vector(
    vector: Vector, passphrase: str | None, *, dearmor: bool = True
) -> tuple[bytes, age.AgeError | None]:
    """What our code releases from the vector's file, and the error that stopped it if any.
    Any exception other than an AgeError escapes and fails the test."""
    identities = [age.Identity.parse(text) for text in vector.fields.get("identity", [])]
    src = io.BytesIO(vector.file)
    stream = age.dearmor(src) if vector.armored and dearmor else src
    released = bytearray()
    try:
        for chunk in age.decrypt_chunks(
            stream, identities, passphrase=None if passphrase is None else passphrase.encode()
        ):
            released += chunk
    except age.AgeError as exc:
        return bytes(released), exc
    return bytes(released), None


def test_the_vectors_are_all_there() -> None:
    # 143 in the package; the 19 for ML-KEM hybrid keys do not apply (see age_vectors/README.md).
    assert len(vector_paths()) == 124
    assert (VECTORS / "LICENSE").read_text().startswith("Zero-Clause BSD")


@pytest.mark.parametrize("path", vector_paths(), ids=lambda path: path.name)
def test_vector(path: Path) -> None:
    vector = Vector.load(path)
    unknown = set(vector.fields) - KNOWN_KEYS
    if unknown:
        pytest.skip(f"the format says to ignore a vector with unknown keys: {sorted(unknown)}")
    # Our API takes one passphrase: each one the vector lists must give its result on its own
    # (the only vector with two, scrypt_double, expects a header failure).
    passphrases: list[str | None] = [*vector.fields.get("passphrase", [])] or [None]
    for passphrase in passphrases:
        released, error = open_vector(vector, passphrase)
        check(vector, released, error)


def check(vector: Vector, released: bytes, error: age.AgeError | None) -> None:
    comment = vector.one("comment") or ""
    digest = hashlib.sha256(released).hexdigest()
    if vector.expect == "success":
        assert error is None, f"refused a valid file ({comment}): {error}"
        assert digest == vector.one("payload")
        return
    assert error is not None, f"opened a file the vector says to refuse ({comment})"
    assert type(error) is ERRORS[vector.expect], f"{vector.expect} expected, got {error!r}"
    assert str(error), "an error without a message"
    if vector.expect == "payload failure":
        # Exactly the chunks before the failure, authenticated; never anything more.
        assert digest == vector.one("payload")
    else:
        assert released == b"", "plaintext released from a file refused before its payload"


ARMORED_SUCCESSES = [p for p in vector_paths() if b"armored: yes\n" in p.read_bytes()
                     and b"expect: success\n" in p.read_bytes()]  # fmt: skip


@pytest.mark.parametrize("path", ARMORED_SUCCESSES, ids=lambda path: path.name)
def test_armor_is_recognised_without_being_told(path: Path) -> None:
    # Like `age -d`: decrypt_chunks reads an armored file given as it is.
    vector = Vector.load(path)
    released, error = open_vector(vector, vector.one("passphrase"), dearmor=False)
    assert error is None
    assert hashlib.sha256(released).hexdigest() == vector.one("payload")
