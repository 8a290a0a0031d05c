"""Receipts: how a sender comes back without an account, and why a seized server gives them away
to no one.

Policy (docs/design.md §2.2):
- A receipt is eight words drawn at random from a 2,048-word list in the sender's language:
  88 bits. It is shown once and never stored, logged or sent anywhere.
- What is stored is the output of Argon2id over the receipt with a per-submission random salt.
  Its first half is the verifier compared on return; its second half is an X25519 secret key
  (age) whose public half is stored. The conversation is encrypted to that key as well as to
  the organisation's, so the sender can read it back and the intake server, which holds
  neither secret, cannot.
- To find the submission without trying every salt, a 16-bit tag of the receipt (from SHA-256)
  is stored beside it. It narrows the search to a handful of rows and gives an attacker with
  the database 16 of the 88 bits only after 2^88 hashes; the other 72 stay behind Argon2id.
- A lost receipt cannot be recovered by anyone: that is the price of the above, and the pages
  say so.
Pure Python apart from the Argon2 and hashing libraries: no Django import.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from argon2.low_level import Type, hash_secret_raw

from docket.vault import age

WORDS = 8
LIST_SIZE = 2048
LANGUAGES = ("be", "ru", "en")
SALT_BYTES = 16
_LISTS = Path(__file__).resolve().parent / "wordlists"


@dataclass(frozen=True)
class Cost:
    """Argon2id parameters. The default is RFC 9106's second recommendation (64 MiB, t=3);
    DOCKET_RECEIPT_ARGON2_MEMORY_KIB and DOCKET_RECEIPT_ARGON2_TIME change it."""

    memory_kib: int = 65536
    time: int = 3


@dataclass(frozen=True)
class Derived:
    verifier: bytes
    identity: age.Identity

    @property
    def recipient(self) -> age.Recipient:
        return self.identity.recipient()


def normalise(text: str) -> str:
    """The receipt as compared: lower case, NFC, Cyrillic yo as ye, words separated by one
    space (people type hyphens, commas and line breaks between them)."""
    text = unicodedata.normalize("NFC", text).lower().replace("\u0451", "\u0435")
    for mark in "-\u2013\u2014,.;:\u00b7\u2022\u00a0":
        text = text.replace(mark, " ")
    return " ".join(text.split())


@cache
def wordlist(language: str) -> tuple[str, ...]:
    if language not in LANGUAGES:
        raise ValueError(f"no receipt word list for language {language!r}")
    words = tuple((_LISTS / f"{language}.txt").read_text(encoding="utf-8").split())
    if len(words) != LIST_SIZE:
        raise ValueError(f"the {language} receipt word list has {len(words)} words, not 2048")
    return words


def bits() -> int:
    return WORDS * (LIST_SIZE.bit_length() - 1)


def new_receipt(language: str) -> str:
    words = wordlist(language if language in LANGUAGES else "en")
    return " ".join(secrets.choice(words) for _ in range(WORDS))


def unknown_words(text: str) -> list[str]:
    """Words of a typed receipt found in no list: shown so a typo can be seen and mended."""
    known = {normalise(w) for language in LANGUAGES for w in wordlist(language)}
    return [w for w in normalise(text).split() if w not in known]


def looks_like_receipt(text: str) -> bool:
    return len(normalise(text).split()) == WORDS


def tag(receipt: str) -> int:
    """The 16-bit lookup tag (see the policy above)."""
    return int.from_bytes(hashlib.sha256(normalise(receipt).encode()).digest()[:2], "big")


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


def derive(receipt: str, salt: bytes, cost: Cost) -> Derived:
    out = hash_secret_raw(
        normalise(receipt).encode(),
        salt,
        time_cost=cost.time,
        memory_cost=cost.memory_kib,
        parallelism=1,
        hash_len=64,
        type=Type.ID,
    )
    return Derived(verifier=out[:32], identity=age.Identity(out[32:]))


def matches(derived: Derived, verifier: bytes) -> bool:
    return hmac.compare_digest(derived.verifier, verifier)
