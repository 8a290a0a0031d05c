"""`docket serve` answers on loopback and never writes a client's address anywhere."""

from __future__ import annotations

import socket

import pytest

from docket.lib.loopback import free_port, wait_until_served
from tests.support.instance import Instance

pytestmark = pytest.mark.served

CLIENT = "127.0.0.2"  # any loopback address works as a source; this one is recognisable


def request_from(client: str, port: int, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), source_address=(client, 0)) as conn:
        conn.sendall(raw)
        conn.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_the_server_keeps_no_client_address(instance: Instance) -> None:
    port = free_port()
    server = instance.popen("serve", "--port", str(port), "--workers", "1")
    try:
        wait_until_served(f"http://127.0.0.1:{port}/accounts/login/")
        ok = request_from(CLIENT, port, b"GET /accounts/login/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        assert ok.startswith(b"HTTP/1.0 200") or ok.startswith(b"HTTP/1.1 200")
        missing = request_from(CLIENT, port, b"GET /nothing HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        assert b" 404 " in missing.split(b"\r\n")[0]
        request_from(CLIENT, port, b"NONSENSE\r\n\r\n")  # a malformed request
        request_from(CLIENT, port, b"GET / HTTP/1.0\r\nHost: evil.example\r\n\r\n")
    finally:
        server.terminate()
        out, err = server.communicate(timeout=30)
    printed = out + err
    assert f"Docket on http://127.0.0.1:{port}/".encode() in out
    assert CLIENT.encode() not in printed
    data = b"".join(p.read_bytes() for p in instance.root.rglob("*") if p.is_file())
    assert CLIENT.encode() not in data
