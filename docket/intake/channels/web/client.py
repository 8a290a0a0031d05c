"""A sender's report over HTTP through the plain public form, as a browser without JavaScript
posts it: what `docket bench intake` sends by the thousand, and what the tests send to a
served intake."""

from __future__ import annotations

import http.client
import re
import time
import uuid

RECEIPT = re.compile(rb'<p class="receipt-words" lang="\w+">([^<]+)</p>')


def multipart(fields: dict[str, str], payload: bytes) -> tuple[bytes, str]:
    """A form body with `fields` and one file, and its Content-Type."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="evidence.bin"'
        "\r\nContent-Type: application/octet-stream\r\n\r\n".encode()
        + payload
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def submit(port: int, text: str, payload: bytes) -> tuple[float, str | None]:
    """One report with one file to the intake on 127.0.0.1:`port`; (seconds, its receipt, or
    None when the answer held none)."""
    body, content_type = multipart({"what": text, "where": "Minsk"}, payload)
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(
            "POST", "/intake/en/", body,
            {"Content-Type": content_type, "Content-Length": str(len(body))},
        )  # fmt: skip
        response = connection.getresponse()
        page = response.read()
    except (OSError, http.client.HTTPException):  # a page cut short holds no receipt
        return time.perf_counter() - started, None
    finally:
        connection.close()
    match = RECEIPT.search(page) if response.status == 200 else None
    return time.perf_counter() - started, match.group(1).decode() if match else None
