"""The age v1 file format (https://age-encryption.org/v1), streaming, over `cryptography`.

Why our own implementation of a standard rather than a binding: the vault must compute the
SHA-256 of the plaintext in the same single pass that encrypts it, in constant memory, and
fsync the result; this module hands every plaintext buffer to a callback on its way through.
The output is plain age: `age -d -i key.txt blob` decrypts it (tested against Debian's age).

Supported: X25519 recipients (the vault key pair) and scrypt passphrase stanzas (to protect the
vault's identity file, like `age -p`). No Django import.
"""

from __future__ import annotations

import base64
import hmac
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from hashlib import sha256
from typing import IO, Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

INTRO = b"age-encryption.org/v1\n"
CHUNK = 64 * 1024
TAG = 16
READ_SIZE = 16 * CHUNK  # one read feeds sixteen chunks: fewer syscalls, same memory bound
X25519_LABEL = b"age-encryption.org/v1/X25519"
SCRYPT_LABEL = b"age-encryption.org/v1/scrypt"
DEFAULT_SCRYPT_LOG_N = 18  # age's own default work factor (about 1 s, 256 MiB)


class Writer(Protocol):
    def write(self, data: bytes, /) -> int: ...


class AgeError(ValueError):
    """The input is not an age file we can open, or it was tampered with."""


class NoIdentityError(AgeError):
    """None of the identities given can open this file."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    if "=" in text or "\n" in text or "\r" in text:
        raise AgeError("age uses unpadded base64")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except ValueError as exc:
        raise AgeError("bad base64 in the header") from exc


def _hkdf(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


# --- Bech32 (BIP 173), for age1… recipients and AGE-SECRET-KEY-1… identities -----------------

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _polymod(values: list[int]) -> int:
    generator = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= generator[i] if (top >> i) & 1 else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convert_bits(data: bytes | list[int], frombits: int, tobits: int, pad: bool) -> list[int]:
    acc = bits = 0
    out: list[int] = []
    maxv = (1 << tobits) - 1
    for value in data:
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if pad and bits:
        out.append((acc << (tobits - bits)) & maxv)
    elif not pad and (bits >= frombits or (acc << (tobits - bits)) & maxv):
        raise AgeError("bad bech32 padding")
    return out


def bech32_encode(hrp: str, data: bytes) -> str:
    values = _convert_bits(data, 8, 5, True)
    polymod = _polymod([*_hrp_expand(hrp), *values, 0, 0, 0, 0, 0, 0]) ^ 1
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_CHARSET[v] for v in values + checksum)


def bech32_decode(text: str) -> tuple[str, bytes]:
    if text.lower() != text and text.upper() != text:
        raise AgeError("mixed-case bech32")
    text = text.lower()
    hrp, sep, rest = text.rpartition("1")
    if not sep or len(rest) < 6 or any(c not in _CHARSET for c in rest):
        raise AgeError("not a bech32 string")
    values = [_CHARSET.index(c) for c in rest]
    if _polymod([*_hrp_expand(hrp), *values]) != 1:
        raise AgeError("bad bech32 checksum (a typo in the key?)")
    return hrp, bytes(_convert_bits(values[:-6], 5, 8, False))


# --- Keys ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    public_key: bytes

    @classmethod
    def parse(cls, text: str) -> Recipient:
        hrp, data = bech32_decode(text.strip())
        if hrp != "age" or len(data) != 32:
            raise AgeError("an X25519 recipient looks like age1…")
        return cls(data)

    def __str__(self) -> str:
        return bech32_encode("age", self.public_key)


@dataclass(frozen=True)
class Identity:
    secret: bytes

    @classmethod
    def generate(cls) -> Identity:
        return cls(X25519PrivateKey.generate().private_bytes_raw())

    @classmethod
    def parse(cls, text: str) -> Identity:
        for line in text.splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                hrp, data = bech32_decode(line)
                if hrp != "age-secret-key-" or len(data) != 32:
                    raise AgeError("an X25519 identity looks like AGE-SECRET-KEY-1…")
                return cls(data)
        raise AgeError("no identity in the text")

    def __str__(self) -> str:
        return bech32_encode("age-secret-key-", self.secret).upper()

    def recipient(self) -> Recipient:
        key = X25519PrivateKey.from_private_bytes(self.secret)
        return Recipient(key.public_key().public_bytes_raw())


# --- Header -------------------------------------------------------------------------------------


@dataclass
class Stanza:
    type: str
    args: list[str]
    body: bytes

    def encode(self) -> bytes:
        lines = "-> " + " ".join([self.type, *self.args]) + "\n"
        encoded = _b64(self.body)
        # Wrapped at 64 columns; the last line is always shorter than 64 (maybe empty).
        for i in range(0, len(encoded) + 1, 64):
            lines += encoded[i : i + 64] + "\n"
        return lines.encode()


def _x25519_stanza(file_key: bytes, recipient: Recipient) -> Stanza:
    ephemeral = X25519PrivateKey.generate()
    share = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient.public_key))
    wrap = _hkdf(shared, share + recipient.public_key, X25519_LABEL)
    body = ChaCha20Poly1305(wrap).encrypt(b"\x00" * 12, file_key, None)
    return Stanza("X25519", [_b64(share)], body)


def _scrypt_key(passphrase: bytes, salt: bytes, log_n: int) -> bytes:
    kdf = Scrypt(salt=SCRYPT_LABEL + salt, length=32, n=1 << log_n, r=8, p=1)
    return kdf.derive(passphrase)


def _scrypt_stanza(file_key: bytes, passphrase: bytes, log_n: int) -> Stanza:
    salt = os.urandom(16)
    wrap = _scrypt_key(passphrase, salt, log_n)
    body = ChaCha20Poly1305(wrap).encrypt(b"\x00" * 12, file_key, None)
    return Stanza("scrypt", [_b64(salt), str(log_n)], body)


def _header(file_key: bytes, stanzas: list[Stanza]) -> bytes:
    without_mac = INTRO + b"".join(s.encode() for s in stanzas) + b"---"
    mac = hmac.new(_hkdf(file_key, b"", b"header"), without_mac, sha256).digest()
    return without_mac + b" " + _b64(mac).encode() + b"\n"


def _read_header(src: IO[Any]) -> tuple[list[Stanza], bytes, bytes]:
    """Return (stanzas, header bytes up to '---', mac)."""
    consumed = bytearray()

    def line() -> bytes:
        raw = src.readline(4096)
        if not raw.endswith(b"\n"):
            raise AgeError("truncated or malformed age header")
        consumed.extend(raw)
        return raw[:-1]

    if line() + b"\n" != INTRO:
        raise AgeError("not an age v1 file")
    stanzas: list[Stanza] = []
    current = line()
    while current.startswith(b"-> "):
        words = current[3:].decode("ascii", "strict").split(" ")
        body_parts: list[bytes] = []
        while True:
            part = line()
            body_parts.append(part)
            if len(part) < 64:
                break
        stanzas.append(Stanza(words[0], words[1:], _unb64(b"".join(body_parts).decode())))
        current = line()
    if not current.startswith(b"--- "):
        raise AgeError("malformed age header")
    header_without_mac = bytes(consumed[: len(consumed) - len(current) - 1]) + b"---"
    return stanzas, header_without_mac, _unb64(current[4:].decode("ascii"))


def _unwrap(stanzas: list[Stanza], identities: list[Identity], passphrase: bytes | None) -> bytes:
    for stanza in stanzas:
        if stanza.type == "X25519" and identities:
            share = _unb64(stanza.args[0]) if len(stanza.args) == 1 else b""
            if len(share) != 32 or len(stanza.body) != 32:
                raise AgeError("malformed X25519 stanza")
            for identity in identities:
                private = X25519PrivateKey.from_private_bytes(identity.secret)
                shared = private.exchange(X25519PublicKey.from_public_bytes(share))
                wrap = _hkdf(shared, share + identity.recipient().public_key, X25519_LABEL)
                try:
                    return ChaCha20Poly1305(wrap).decrypt(b"\x00" * 12, stanza.body, None)
                except InvalidTag:
                    continue
        if stanza.type == "scrypt" and passphrase is not None:
            if len(stanzas) != 1:
                raise AgeError("a scrypt stanza must be alone")
            salt, log_n = _unb64(stanza.args[0]), int(stanza.args[1])
            if len(salt) != 16 or not 1 <= log_n <= 22:
                raise AgeError("scrypt work factor out of range")
            wrap = _scrypt_key(passphrase, salt, log_n)
            try:
                return ChaCha20Poly1305(wrap).decrypt(b"\x00" * 12, stanza.body, None)
            except InvalidTag as exc:
                raise NoIdentityError("wrong passphrase") from exc
    raise NoIdentityError("no identity given can open this file")


# --- Payload (STREAM, 64 KiB chunks) -----------------------------------------------------------


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def encrypt(
    src: IO[Any],
    dst: Writer,
    recipients: list[Recipient] | None = None,
    *,
    passphrase: bytes | None = None,
    scrypt_log_n: int = DEFAULT_SCRYPT_LOG_N,
    on_plaintext: Callable[[memoryview], None] | None = None,
) -> int:
    """Encrypt `src` into `dst`, calling `on_plaintext` with each buffer read; returns the size.

    Memory stays at about one read buffer whatever the size of `src`.
    """
    file_key = os.urandom(16)
    if passphrase is not None:
        stanzas = [_scrypt_stanza(file_key, passphrase, scrypt_log_n)]
    elif recipients:
        stanzas = [_x25519_stanza(file_key, r) for r in recipients]
    else:
        raise AgeError("encrypt to at least one recipient or a passphrase")
    dst.write(_header(file_key, stanzas))
    nonce = os.urandom(16)
    dst.write(nonce)
    aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
    total = counter = 0
    buffer = bytearray(READ_SIZE)
    view = memoryview(buffer)
    filled = _fill(src, view)
    while True:
        data = view[:filled]
        if on_plaintext is not None and filled:
            on_plaintext(data)
        total += filled
        nxt = bytearray(READ_SIZE) if filled == READ_SIZE else None
        nxt_filled = _fill(src, memoryview(nxt)) if nxt is not None else 0
        at_end = nxt_filled == 0
        # Chunks of this buffer; only the very last chunk of the stream gets the last flag, and
        # it is empty only when the whole plaintext is empty.
        offsets = list(range(0, filled, CHUNK)) or [0]
        for i, start in enumerate(offsets):
            last = at_end and i == len(offsets) - 1
            dst.write(aead.encrypt(_nonce(counter, last), data[start : start + CHUNK], None))
            counter += 1
        if at_end:
            return total
        assert nxt is not None
        buffer, filled = nxt, nxt_filled
        view = memoryview(buffer)


class EncryptingWriter:
    """The push side of `encrypt`: write plaintext in pieces of any size, then `close()`.

    For producers that write rather than get read from (zipfile building an export). One chunk
    is held back until more data or `close()` says whether it is the last.
    """

    def __init__(self, dst: Writer, recipients: list[Recipient]) -> None:
        if not recipients:
            raise AgeError("encrypt to at least one recipient")
        file_key = os.urandom(16)
        dst.write(_header(file_key, [_x25519_stanza(file_key, r) for r in recipients]))
        nonce = os.urandom(16)
        dst.write(nonce)
        self._dst = dst
        self._aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
        self._pending = bytearray()
        self._counter = 0
        self.size = 0
        self.closed = False

    def write(self, data: bytes | memoryview, /) -> int:
        if self.closed:
            raise ValueError("write to a closed age stream")
        self._pending += data
        self.size += len(data)
        # Keep at least one byte back: the last chunk is only known at close. The sealed chunks
        # leave the buffer in one move, not one per chunk (a large write would be quadratic).
        if len(self._pending) > CHUNK:
            start = 0
            with memoryview(self._pending) as view:
                while len(self._pending) - start > CHUNK:
                    self._seal(view[start : start + CHUNK], last=False)
                    start += CHUNK
            del self._pending[:start]
        return len(data)

    def flush(self) -> None:
        """Nothing to do: chunks go out as soon as they are known not to be the last."""

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self._pending), last=True)
            self._pending.clear()
            self.closed = True

    def _seal(self, chunk: bytes | memoryview, *, last: bool) -> None:
        self._dst.write(self._aead.encrypt(_nonce(self._counter, last), chunk, None))
        self._counter += 1


def _fill(src: IO[Any], view: memoryview) -> int:
    """Read until `view` is full or the stream ends (short reads happen on pipes)."""
    filled = 0
    while filled < len(view):
        n = src.readinto(view[filled:])  # type: ignore[attr-defined]
        if not n:
            break
        filled += n
    return filled


def decrypt_chunks(
    src: IO[Any], identities: list[Identity] | None = None, *, passphrase: bytes | None = None
) -> Iterator[bytes]:
    """Yield the plaintext of an age stream chunk by chunk, authenticating each chunk."""
    stanzas, header, mac = _read_header(src)
    file_key = _unwrap(stanzas, identities or [], passphrase)
    expected = hmac.new(_hkdf(file_key, b"", b"header"), header, sha256).digest()
    if not hmac.compare_digest(expected, mac):
        raise AgeError("the header's MAC does not hold (tampered header?)")
    nonce = src.read(16)
    if len(nonce) != 16:
        raise AgeError("truncated age payload")
    aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
    counter = 0
    current = src.read(CHUNK + TAG)
    while True:
        following = src.read(CHUNK + TAG)
        last = not following
        try:
            plain = aead.decrypt(_nonce(counter, last), current, None)
        except InvalidTag as exc:
            raise AgeError(f"chunk {counter} fails authentication (tampered or truncated)") from exc
        if last and not plain and counter > 0:
            raise AgeError("an empty last chunk after data")
        yield plain
        if last:
            return
        counter += 1
        current = following


def encrypt_bytes(
    data: bytes, recipients: list[Recipient] | None = None, **kwargs: object
) -> bytes:
    out = io.BytesIO()
    encrypt(io.BytesIO(data), out, recipients, **kwargs)  # type: ignore[arg-type]
    return out.getvalue()


def decrypt_bytes(
    data: bytes, identities: list[Identity] | None = None, *, passphrase: bytes | None = None
) -> bytes:
    return b"".join(decrypt_chunks(io.BytesIO(data), identities, passphrase=passphrase))
