"""The age v1 file format (https://age-encryption.org/v1), streaming, over `cryptography`.

Why our own implementation of a standard rather than a binding: the vault must compute the
SHA-256 of the plaintext in the same single pass that encrypts it, in constant memory, and
fsync the result; this module hands every plaintext buffer to a callback on its way through.
The output is plain age: `age -d -i key.txt blob` decrypts it (tested against Debian's age).

Supported: X25519 recipients (the vault key pair) and scrypt passphrase stanzas (to protect the
vault's identity file, like `age -p`); files in age's ASCII armor (`age -a`) are read, never
written. No Django import.

Reading is as strict as the reference implementation: the C2SP CCTV test vectors
(tests/vault/age_vectors) pass. A malformed file is refused with the error for what is wrong in
it (`HeaderError`, `HeaderMACError`, `PayloadError`, `ArmorError`; `NoIdentityError` when no key
fits), all `AgeError`s, and never with an unrelated exception. Of a payload that fails part way,
the chunks before the failure have been yielded, authenticated, as the reference does.
"""

from __future__ import annotations

import base64
import hmac
import io
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from hashlib import sha256
from typing import IO, TYPE_CHECKING, Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

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


class HeaderError(AgeError):
    """The header is malformed: not age v1, a stanza or the MAC line out of the format."""


class HeaderMACError(AgeError):
    """A file key opened, but the header's MAC does not hold: the header was altered."""


class PayloadError(AgeError):
    """The encrypted payload is truncated, altered or has data after its last chunk."""


class ArmorError(AgeError):
    """The ASCII armor around the file is malformed."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


_B64_CHARS = re.compile(rb"[A-Za-z0-9+/]*")


def _unb64(text: bytes, what: str) -> bytes:
    """Strict unpadded base64 as age writes it: one encoding per value, so no malleability."""
    if not _B64_CHARS.fullmatch(text) or len(text) % 4 == 1:
        raise HeaderError(f"{what} is not unpadded base64")
    data = base64.b64decode(text + b"=" * (-len(text) % 4))
    if _b64(data).encode() != text:
        raise HeaderError(f"{what} is not canonical base64 (stray bits at its end)")
    return data


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


# --- Reading a header ---------------------------------------------------------------------------

MAX_LINE = 4096  # far above any line age writes; a header is read a bounded line at a time
MAX_SCRYPT_LOG_N = 22  # age's own limit: a higher work factor would take minutes and gigabytes
_ARGUMENT = re.compile(rb"[\x21-\x7e]+")  # printable ASCII, no space
_WORK_FACTOR = re.compile(r"[1-9][0-9]?")  # decimal, no sign, no leading zero


class _HeaderLines:
    """The header's lines, each ending in LF, with the bytes read kept for the MAC."""

    def __init__(self, src: IO[Any], intro: bytes) -> None:
        self._src = src
        self.consumed = bytearray(intro)

    def next(self) -> bytes:
        raw = self._src.readline(MAX_LINE)
        if not raw.endswith(b"\n"):
            raise HeaderError("the header is truncated or has an overlong line")
        self.consumed += raw
        return bytes(raw[:-1])


def _read_header(src: IO[Any], intro: bytes) -> tuple[list[Stanza], bytes, bytes]:
    """Return (stanzas, header bytes up to '---', mac); `intro` is the first line, already read."""
    if intro != INTRO:
        raise HeaderError("not an age v1 file")
    lines = _HeaderLines(src, intro)
    stanzas: list[Stanza] = []
    line = lines.next()
    while not line.startswith(b"---"):
        stanzas.append(_read_stanza(line, lines))
        line = lines.next()
    header_without_mac = bytes(lines.consumed[: len(lines.consumed) - len(line) - 1]) + b"---"
    mac = _read_mac(line)
    if len(stanzas) != 1 and any(s.type == "scrypt" for s in stanzas):
        raise HeaderError("a scrypt stanza must be alone in the header")
    return stanzas, header_without_mac, mac


def _read_stanza(line: bytes, lines: _HeaderLines) -> Stanza:
    prefix, *args = line.split(b" ")
    if prefix != b"->" or not args:
        raise HeaderError("a header line is neither a stanza ('-> type …') nor the MAC ('--- …')")
    if not all(_ARGUMENT.fullmatch(arg) for arg in args):
        raise HeaderError("a stanza argument is empty or has a character outside printable ASCII")
    words = [arg.decode("ascii") for arg in args]
    return Stanza(words[0], words[1:], _read_body(lines))


def _read_body(lines: _HeaderLines) -> bytes:
    """Full lines of 64 columns (48 bytes), then one shorter line, maybe empty, ends the body."""
    body = bytearray()
    while True:
        line = lines.next()
        if len(line) > 64:
            raise HeaderError("a stanza body line is longer than 64 columns")
        part = _unb64(line, "a stanza body line")
        body += part
        if len(part) < 48:
            return bytes(body)


def _read_mac(line: bytes) -> bytes:
    prefix, *args = line.split(b" ")
    if prefix != b"---" or len(args) != 1:
        raise HeaderError("the header's last line is not '--- ' followed by the MAC")
    mac = _unb64(args[0], "the header's MAC")
    if len(mac) != 32:
        raise HeaderError("the header's MAC is not 32 bytes")
    return mac


def _unwrap(stanzas: list[Stanza], identities: list[Identity], passphrase: bytes | None) -> bytes:
    for stanza in stanzas:
        if stanza.type == "X25519" and identities:
            file_key = _unwrap_x25519(stanza, identities)
            if file_key is not None:
                return file_key
        if stanza.type == "scrypt" and passphrase is not None:
            return _unwrap_scrypt(stanza, passphrase)
    raise NoIdentityError("no identity given can open this file")


def _check_wrapped_key_size(stanza: Stanza) -> None:
    if len(stanza.body) != 16 + TAG:
        raise HeaderError(f"the {stanza.type} stanza does not wrap a 16-byte file key")


def _unwrap_x25519(stanza: Stanza, identities: list[Identity]) -> bytes | None:
    """The file key, or None when none of `identities` is the stanza's recipient."""
    if len(stanza.args) != 1:
        raise HeaderError("an X25519 stanza has one argument, the ephemeral share")
    share = _unb64(stanza.args[0].encode(), "the X25519 share")
    if len(share) != 32:
        raise HeaderError("the X25519 share is not 32 bytes")
    _check_wrapped_key_size(stanza)
    for identity in identities:
        wrap = _x25519_wrap_key(identity, share)
        try:
            return ChaCha20Poly1305(wrap).decrypt(b"\x00" * 12, stanza.body, None)
        except InvalidTag:
            continue
    return None


def _x25519_wrap_key(identity: Identity, share: bytes) -> bytes:
    private = X25519PrivateKey.from_private_bytes(identity.secret)
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(share))
    except ValueError:  # OpenSSL refuses to return the all-zero secret
        shared = bytes(32)
    if shared == bytes(32):
        raise HeaderError("the X25519 share is a low-order point (a forged stanza)")
    return _hkdf(shared, share + identity.recipient().public_key, X25519_LABEL)


def _unwrap_scrypt(stanza: Stanza, passphrase: bytes) -> bytes:
    if len(stanza.args) != 2:
        raise HeaderError("a scrypt stanza has two arguments, the salt and the work factor")
    salt = _unb64(stanza.args[0].encode(), "the scrypt salt")
    if len(salt) != 16:
        raise HeaderError("the scrypt salt is not 16 bytes")
    log_n = stanza.args[1]
    if not _WORK_FACTOR.fullmatch(log_n) or int(log_n) > MAX_SCRYPT_LOG_N:
        raise HeaderError(f"the scrypt work factor is not a decimal from 1 to {MAX_SCRYPT_LOG_N}")
    _check_wrapped_key_size(stanza)
    wrap = _scrypt_key(passphrase, salt, int(log_n))
    try:
        return ChaCha20Poly1305(wrap).decrypt(b"\x00" * 12, stanza.body, None)
    except InvalidTag as exc:
        raise NoIdentityError("wrong passphrase") from exc


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


def _read_full(src: IO[Any], size: int) -> bytes:
    """Read `size` bytes, fewer only at the end of the stream (short reads happen on pipes)."""
    data = src.read(size)
    while len(data) < size:
        more = src.read(size - len(data))
        if not more:
            break
        data += more
    return bytes(data)


def decrypt_chunks(
    src: IO[Any], identities: list[Identity] | None = None, *, passphrase: bytes | None = None
) -> Iterator[bytes]:
    """Yield the plaintext of an age stream chunk by chunk, authenticating each chunk.

    A stream that starts with blank space or a dash instead of age's first line is read as
    ASCII armor (what `age -a` writes), once: armor inside armor is not age.
    """
    src, intro = _binary(src)
    stanzas, header, mac = _read_header(src, intro)
    file_key = _unwrap(stanzas, identities or [], passphrase)
    expected = hmac.new(_hkdf(file_key, b"", b"header"), header, sha256).digest()
    if not hmac.compare_digest(expected, mac):
        raise HeaderMACError("the header's MAC does not hold (tampered header?)")
    nonce = _read_full(src, 16)
    if len(nonce) != 16:
        raise HeaderError("the file ends before the payload's nonce")
    yield from _decrypt_payload(src, ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload")))


def _binary(src: IO[Any]) -> tuple[IO[Any], bytes]:
    """`src` as binary age, armor decoded on the way, and its first len(INTRO) bytes."""
    intro = _read_full(src, len(INTRO))
    armored = intro[:1] != b"" and intro[0] in _BLANK + b"-"
    if not armored or isinstance(getattr(src, "raw", None), _Dearmored):
        return src, intro
    binary = io.BufferedReader(_Dearmored(src, already_read=intro))
    return binary, _read_full(binary, len(INTRO))


def _decrypt_payload(src: IO[Any], aead: ChaCha20Poly1305) -> Iterator[bytes]:
    """STREAM as age reads it: a chunk shorter than full is the last; a full one is the last
    when it opens only with the last-chunk flag, and then nothing may follow it."""
    counter = 0
    while True:
        plain, last = _open_chunk(aead, counter, _read_full(src, CHUNK + TAG))
        yield plain
        if last:
            if src.read(1):
                raise PayloadError(f"data after the last chunk (chunk {counter})")
            return
        counter += 1


def _open_chunk(aead: ChaCha20Poly1305, counter: int, sealed: bytes) -> tuple[bytes, bool]:
    """The plaintext of chunk `counter` and whether it is the last."""
    if not sealed:
        raise PayloadError(f"the payload ends before chunk {counter}, with no last chunk")
    if counter > 0 and len(sealed) == TAG:
        raise PayloadError("an empty last chunk after data")
    if len(sealed) == CHUNK + TAG:
        try:
            return aead.decrypt(_nonce(counter, False), sealed, None), False
        except InvalidTag:
            pass  # maybe a full last chunk
    try:
        return aead.decrypt(_nonce(counter, True), sealed, None), True
    except InvalidTag as exc:
        raise PayloadError(f"chunk {counter} fails authentication (tampered or truncated)") from exc


# --- ASCII armor (read only) --------------------------------------------------------------------

ARMOR_BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----"
ARMOR_END = b"-----END AGE ENCRYPTED FILE-----"
_BLANK = b" \t\r\n\v\f"
_PADDED_B64 = re.compile(rb"[A-Za-z0-9+/]+={0,2}")


def dearmor(src: IO[Any]) -> IO[bytes]:
    """The binary age file inside age's ASCII armor, decoded as it is read (constant memory).

    The armor is strict PEM as age defines it: blank space may surround it and lines may end
    in CRLF, but the type, the 64-column lines of canonical padded base64, a shorter (or full)
    last line and the closing line allow no variation; anything else is an `ArmorError`.
    """
    return io.BufferedReader(_Dearmored(src))


class _Dearmored(io.RawIOBase):
    """The decoding under `dearmor`: one armor line (48 bytes) at a time, checked as it comes."""

    def __init__(self, src: IO[Any], *, already_read: bytes = b"") -> None:
        self._src = src
        self._unread = already_read  # bytes of `src` a caller read before handing it over
        self._pending = b""
        self._state = "begin"  # then "lines", "end" (after a short line), "done"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        while not self._pending and self._state != "done":
            self._pending = self._step()
        with memoryview(buffer) as view:
            size = min(len(view), len(self._pending))
            view[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def _step(self) -> bytes:
        """Read one line of the armor; return the bytes it decodes to."""
        if self._state == "begin":
            self._begin()
            return b""
        line, eol = self._line()
        if line == ARMOR_END:
            self._close()
            return b""
        if self._state == "end":
            raise ArmorError("the armor's last base64 line is not followed by its closing line")
        if not eol:
            raise ArmorError("the armor ends without its closing line")
        data = _armor_line(line)
        if len(data) < 48:
            self._state = "end"
        return data

    def _begin(self) -> None:
        line, eol = self._line()
        while eol and not line.strip(_BLANK):  # blank lines before the armor
            line, eol = self._line()
        if line.lstrip(_BLANK) != ARMOR_BEGIN or not eol:
            raise ArmorError("the armor does not begin with -----BEGIN AGE ENCRYPTED FILE-----")
        self._state = "lines"

    def _close(self) -> None:
        while rest := self._read(4096):
            if rest.strip(_BLANK):
                raise ArmorError("data after the armor's closing line")
        self._state = "done"

    def _line(self) -> tuple[bytes, bool]:
        """The next line without its LF or CRLF, and whether it had one."""
        raw = self._readline(MAX_LINE)
        if raw.endswith(b"\n"):
            raw = raw[:-1]
            return (raw[:-1] if raw.endswith(b"\r") else raw), True
        if len(raw) == MAX_LINE:
            raise ArmorError("an armor line is far too long")
        return raw, False

    def _readline(self, limit: int) -> bytes:
        if not self._unread:
            return bytes(self._src.readline(limit))
        line, eol, self._unread = self._unread.partition(b"\n")
        return line + eol if eol else line + self._readline(limit - len(line))

    def _read(self, size: int) -> bytes:
        if not self._unread:
            return bytes(self._src.read(size))
        data, self._unread = self._unread[:size], self._unread[size:]
        return data


def _armor_line(line: bytes) -> bytes:
    if not line:
        raise ArmorError("an empty line inside the armor")
    if len(line) > 64:
        raise ArmorError("an armor line is longer than 64 columns")
    if not _PADDED_B64.fullmatch(line) or len(line) % 4:
        raise ArmorError("an armor line is not padded base64 (a stray character or space?)")
    data = base64.b64decode(line)
    if base64.b64encode(data) != line:
        raise ArmorError("an armor line is not canonical base64 (stray bits at its end)")
    return data


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
