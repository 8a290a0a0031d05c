"""Receipts: eight words, 88 bits, stored only as Argon2id output (docket/intake/receipts.py)."""

from __future__ import annotations

import pytest

from docket.intake import receipts

CHEAP = receipts.Cost(memory_kib=1024, time=1)


@pytest.mark.parametrize("language", receipts.LANGUAGES)
def test_it_has_2048_distinct_words_per_language(language: str) -> None:
    words = receipts.wordlist(language)
    assert len({receipts.normalise(w) for w in words}) == 2048
    assert all(w == receipts.normalise(w) or "ё" in w for w in words)
    # Every word is letters a sender can read and type back (one list once held a word whose
    # letter had been mangled into replacement characters).
    assert [w for w in words if not (w.isalpha() and "\ufffd" not in w)] == []


def test_it_gives_at_least_80_bits() -> None:
    assert receipts.bits() >= 80
    receipt = receipts.new_receipt("be")
    assert len(receipt.split()) == receipts.WORDS
    assert set(receipt.split()) <= set(receipts.wordlist("be"))


def test_it_draws_receipts_at_random() -> None:
    assert len({receipts.new_receipt("en") for _ in range(200)}) == 200


def test_it_forgives_case_hyphens_and_yo() -> None:
    typed = "Амёба-БРАКЁР, вавёрка  абзац\nабзац абзац абзац абзац"
    assert receipts.normalise(typed) == "амеба бракер ваверка абзац абзац абзац абзац абзац"
    salt = receipts.new_salt()
    assert receipts.derive(typed, salt, CHEAP) == receipts.derive(
        receipts.normalise(typed), salt, CHEAP
    )


def test_it_derives_a_verifier_and_a_key_that_depend_on_the_salt() -> None:
    receipt = receipts.new_receipt("ru")
    one = receipts.derive(receipt, receipts.new_salt(), CHEAP)
    two = receipts.derive(receipt, receipts.new_salt(), CHEAP)
    assert one.verifier != two.verifier
    assert one.recipient != two.recipient
    wrong = receipts.derive(receipts.new_receipt("ru"), b"\0" * 16, CHEAP)
    assert not receipts.matches(wrong, one.verifier)


def test_it_names_the_words_it_does_not_know() -> None:
    receipt = receipts.new_receipt("en").split()
    receipt[2] = "zzyzx"
    assert receipts.unknown_words(" ".join(receipt)) == ["zzyzx"]
