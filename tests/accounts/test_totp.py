"""TOTP against RFC 6238 appendix B (SHA-1 rows) and the replay rule."""

from __future__ import annotations

import base64

import pytest

from docket.accounts import totp

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    ("when", "eight_digits"),
    [(59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
     (1234567890, "89005924"), (2000000000, "69279037"), (20000000000, "65353130")],
)  # fmt: skip
def test_it_matches_the_rfc_vectors(when: int, eight_digits: str) -> None:
    key = base64.b32decode(RFC_SECRET)
    assert totp.hotp(key, when // 30, digits=8) == eight_digits
    assert totp.code_at(RFC_SECRET, when) == eight_digits[-6:]


def test_it_accepts_one_step_of_drift_and_refuses_replays() -> None:
    secret = totp.new_secret()
    now = 1_700_000_000.0
    step = totp.verify(secret, totp.code_at(secret, now - 30), now=now)
    assert step == int(now // 30) - 1
    assert totp.verify(secret, totp.code_at(secret, now - 30), after_step=step, now=now) is None
    assert totp.verify(secret, totp.code_at(secret, now - 90), now=now) is None
    assert totp.verify(secret, "12345", now=now) is None


def test_the_uri_is_what_authenticator_apps_read() -> None:
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXP", "olga")
    assert uri.startswith("otpauth://totp/Docket%3Aolga?secret=JBSWY3DPEHPK3PXP&issuer=Docket")
