"""RFC 3161 trusted timestamps: ask an authority (DOCKET_TSA_URL) to sign the hash of a blob.

Only a SHA-256 digest leaves the machine, never the data. The token is kept as DER; anyone can
check it later with `openssl ts -verify`.
"""

from __future__ import annotations

import hashlib
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import cms, tsp


class TimestampError(RuntimeError):
    pass


@dataclass(frozen=True)
class TokenInfo:
    digest: bytes
    gen_time: datetime
    serial: int


def request_timestamp(url: str, data: bytes, *, timeout: float = 20) -> bytes:
    digest = hashlib.sha256(data).digest()
    nonce = secrets.randbits(63)
    request = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": digest,
            },
            "nonce": nonce,
            "cert_req": True,
        }
    )
    http = urllib.request.Request(  # noqa: S310 (the URL is the operator's configuration)
        url,
        data=request.dump(),
        headers={"Content-Type": "application/timestamp-query"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(http, timeout=timeout) as response:  # noqa: S310
            body = response.read(1 << 20)
    except (urllib.error.URLError, OSError) as exc:
        raise TimestampError(f"cannot reach the timestamp authority: {exc}") from exc
    try:
        reply = tsp.TimeStampResp.load(body)
        status = reply["status"]["status"].native
    except ValueError as exc:
        raise TimestampError("the authority's answer is not an RFC 3161 response") from exc
    if status not in ("granted", "granted_with_mods"):
        raise TimestampError(f"the authority refused: {status}")
    token = reply["time_stamp_token"]
    info = token_info(token.dump())
    if info.digest != digest:
        raise TimestampError("the token covers another hash than the one asked for")
    tst = token["content"]["encap_content_info"]["content"].parsed
    if tst["nonce"].native != nonce:
        raise TimestampError("the token's nonce differs from the request's (replayed answer?)")
    return bytes(token.dump())


def token_info(token: bytes) -> TokenInfo:
    try:
        content = cms.ContentInfo.load(token)
        tst = content["content"]["encap_content_info"]["content"].parsed
        return TokenInfo(
            digest=tst["message_imprint"]["hashed_message"].native,
            gen_time=tst["gen_time"].native,
            serial=tst["serial_number"].native,
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise TimestampError("not an RFC 3161 timestamp token") from exc
