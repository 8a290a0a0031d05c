"""The PDF engine: Belarusian and Russian text comes back out, and no address is fetched."""

from __future__ import annotations

import http.server
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from docket.lib import pdf


@pytest.fixture
def listener() -> Iterator[tuple[int, list[str]]]:
    """A local HTTP server that counts what it is asked for."""
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], asked
    server.shutdown()


def test_the_text_comes_back_in_every_script(tmp_path: Path) -> None:
    html = "<h1>Справа 7</h1><p>Затрыманне каля метро; задержание у метро; detention.</p>"
    document = tmp_path / "r.pdf"
    document.write_bytes(pdf.render(html))
    text = subprocess.run(
        ["pdftotext", str(document), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Справа 7" in text
    assert "Затрыманне каля метро; задержание у метро; detention." in text
    fonts = subprocess.run(["pdffonts", str(document)], capture_output=True, text=True).stdout
    assert "DejaVu" in fonts  # the shipped fonts, embedded


def test_a_report_reads_no_address_but_its_stylesheet_and_fonts(
    listener: tuple[int, list[str]], tmp_path: Path
) -> None:
    port, asked = listener
    secret = tmp_path / "secret.txt"
    secret.write_text("vault key")
    html = (
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">'
        f'<img src="http://127.0.0.1:{port}/photo.png"><img src="{secret.as_uri()}">'
        f'<p style="background: url(http://127.0.0.1:{port}/b)">Назва</p>'
        f'<iframe src="http://127.0.0.1:{port}/frame"></iframe>'
    )
    document = pdf.render(html)
    assert document.startswith(b"%PDF")
    assert asked == []
    assert b"vault key" not in document
    assert pdf._allowed(secret.as_uri()) is None
    assert pdf._allowed(pdf.STYLESHEET.as_uri()) == pdf.STYLESHEET
