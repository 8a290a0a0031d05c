"""The age format: our blobs open with Debian's `age`, and `age`'s files open with our code."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
from pathlib import Path

import pytest

from docket.vault import age

SIZES = [0, 1, age.CHUNK - 1, age.CHUNK, age.CHUNK + 1, age.READ_SIZE, age.READ_SIZE + 7,
         3 * age.READ_SIZE + 12345]  # fmt: skip


@pytest.fixture(scope="module")
def identity() -> age.Identity:
    return age.Identity.generate()


@pytest.mark.parametrize("size", SIZES)
def test_it_round_trips_and_hashes_in_the_same_pass(identity: age.Identity, size: int) -> None:
    data = os.urandom(size)
    digest = hashlib.sha256()
    out = io.BytesIO()
    assert (
        age.encrypt(io.BytesIO(data), out, [identity.recipient()], on_plaintext=digest.update)
        == size
    )
    assert digest.digest() == hashlib.sha256(data).digest()
    if size >= 32:  # a few random bytes can occur in any ciphertext by chance
        assert data not in out.getvalue()
    assert age.decrypt_bytes(out.getvalue(), [identity]) == data


@pytest.mark.parametrize("size", [0, age.CHUNK, 3 * age.READ_SIZE + 12345])
def test_debians_age_decrypts_our_files(identity: age.Identity, size: int, tmp_path: Path) -> None:
    data = os.urandom(size)
    (tmp_path / "key.txt").write_text(f"{identity}\n")
    (tmp_path / "blob.age").write_bytes(age.encrypt_bytes(data, [identity.recipient()]))
    result = subprocess.run(
        ["age", "--decrypt", "-i", str(tmp_path / "key.txt"), str(tmp_path / "blob.age")],
        capture_output=True,
        check=True,
    )
    assert result.stdout == data


def test_we_decrypt_files_made_by_debians_age(identity: age.Identity, tmp_path: Path) -> None:
    data = os.urandom(200_000)
    (tmp_path / "plain").write_bytes(data)
    subprocess.run(
        [
            "age",
            "-r",
            str(identity.recipient()),
            "-o",
            str(tmp_path / "c.age"),
            str(tmp_path / "plain"),
        ],
        check=True,
    )
    assert age.decrypt_bytes((tmp_path / "c.age").read_bytes(), [identity]) == data


def test_we_decrypt_armored_files_made_by_debians_age(
    identity: age.Identity, tmp_path: Path
) -> None:
    data = os.urandom(200_000)
    (tmp_path / "plain").write_bytes(data)
    subprocess.run(
        ["age", "-a", "-r", str(identity.recipient()), "-o", str(tmp_path / "c.age"),
         str(tmp_path / "plain")],
        check=True,
    )  # fmt: skip
    armored = (tmp_path / "c.age").read_bytes()
    assert armored.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----\n")
    assert age.decrypt_bytes(armored, [identity]) == data
    assert b"".join(age.decrypt_chunks(age.dearmor(io.BytesIO(armored)), [identity])) == data


class TrickleReader(io.BytesIO):
    """A pipe's reads: fewer bytes than asked for."""

    def read(self, size: int | None = -1, /) -> bytes:
        return super().read(min(size, 1000) if size is not None and size >= 0 else size)


def test_short_reads_do_not_split_chunks(identity: age.Identity) -> None:
    data = os.urandom(3 * age.CHUNK + 5)
    blob = age.encrypt_bytes(data, [identity.recipient()])
    assert b"".join(age.decrypt_chunks(TrickleReader(blob), [identity])) == data


def test_keys_use_ages_text_forms(identity: age.Identity) -> None:
    assert str(identity).startswith("AGE-SECRET-KEY-1")
    assert str(identity.recipient()).startswith("age1")
    assert age.Identity.parse(f"# comment\n{identity}\n") == identity
    assert age.Recipient.parse(str(identity.recipient())) == identity.recipient()


def test_a_typo_in_a_public_key_is_caught_by_its_checksum(identity: age.Identity) -> None:
    text = str(identity.recipient())
    typo = text[:-3] + ("q" if text[-3] != "q" else "p") + text[-2:]
    with pytest.raises(age.AgeError, match="checksum"):
        age.Recipient.parse(typo)


def test_a_flipped_bit_anywhere_in_the_payload_is_detected(identity: age.Identity) -> None:
    blob = bytearray(age.encrypt_bytes(os.urandom(100_000), [identity.recipient()]))
    for position in (len(blob) // 2, len(blob) - 1):
        damaged = bytearray(blob)
        damaged[position] ^= 1
        with pytest.raises(age.AgeError):
            age.decrypt_bytes(bytes(damaged), [identity])


def test_a_truncated_file_is_detected(identity: age.Identity) -> None:
    blob = age.encrypt_bytes(os.urandom(3 * age.CHUNK), [identity.recipient()])
    with pytest.raises(age.AgeError):
        age.decrypt_bytes(blob[: -(age.CHUNK + age.TAG)], [identity])


def test_another_identity_cannot_open_it(identity: age.Identity) -> None:
    blob = age.encrypt_bytes(b"testimony", [identity.recipient()])
    with pytest.raises(age.NoIdentityError):
        age.decrypt_bytes(blob, [age.Identity.generate()])


def test_a_passphrase_file_opens_only_with_the_passphrase() -> None:
    blob = age.encrypt_bytes(b"the vault identity", passphrase=b"right", scrypt_log_n=10)
    assert age.decrypt_bytes(blob, passphrase=b"right") == b"the vault identity"
    with pytest.raises(age.NoIdentityError, match="wrong passphrase"):
        age.decrypt_bytes(blob, passphrase=b"wrong")


@pytest.mark.parametrize("size", [0, 1, age.CHUNK, age.CHUNK + 1, 5 * age.CHUNK + 3])
def test_the_push_writer_makes_files_debians_age_opens(
    identity: age.Identity, size: int, tmp_path: Path
) -> None:
    # Written in uneven pieces, as zipfile writes: the chunking must not depend on them.
    data = os.urandom(size)
    out = io.BytesIO()
    writer = age.EncryptingWriter(out, [identity.recipient()])
    position, piece = 0, 1
    while position < size:
        writer.write(data[position : position + piece])
        position += piece
        piece = piece * 7 % 90001 + 1
    writer.close()
    assert writer.size == size
    assert age.decrypt_bytes(out.getvalue(), [identity]) == data
    (tmp_path / "key.txt").write_text(f"{identity}\n")
    (tmp_path / "blob.age").write_bytes(out.getvalue())
    result = subprocess.run(
        ["age", "--decrypt", "-i", str(tmp_path / "key.txt"), str(tmp_path / "blob.age")],
        capture_output=True,
        check=True,
    )
    assert result.stdout == data
