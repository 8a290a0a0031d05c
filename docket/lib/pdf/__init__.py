"""PDF documents laid out by a real engine: WeasyPrint, with Debian's pango.

What goes into a PDF is the register's and the vault's data, and an HTML page can ask for
any address (an image, a font, a stylesheet): a report that fetched a URL would tell an
outside server which case is being exported. So the fetcher here refuses every address but
the shipped stylesheet and the installed fonts it names; the data's own text cannot reach
anything. Fonts are DejaVu (Latin and Cyrillic), installed by the set-up
(scripts/debian-packages.sh), so `pdftotext` gives the Belarusian and Russian text back.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

STYLESHEET = Path(__file__).with_name("report.css")
FONTS = Path("/usr/share/fonts/truetype/dejavu")
#: the only files a PDF may read: the stylesheet and the fonts it names
ALLOWED = frozenset(
    {STYLESHEET}
    | {FONTS / name for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf")}
)

log = logging.getLogger(__name__)


class PdfError(RuntimeError):
    pass


def _allowed(url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(unquote(parts.path))
    return path if path in ALLOWED else None


def render(html: str, *, title: str = "") -> bytes:
    """The PDF of `html` (a whole document), styled by the shipped stylesheet."""
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # no steps on stderr
    import weasyprint
    from weasyprint.urls import URLFetcher

    class Fetcher(URLFetcher):
        def fetch(self, url: str, headers: object = None) -> object:
            if _allowed(url) is None:
                log.warning("a PDF asked for an address it may not read; refused")
                raise ValueError("refused: a PDF may read only the shipped stylesheet and fonts")
            return super().fetch(url, headers)

    fetcher = Fetcher(allowed_protocols=("file",), allow_redirects=False)
    if not all(path.exists() for path in ALLOWED):
        raise PdfError(f"the fonts are missing in {FONTS}: run `make setup` (fonts-dejavu-core)")
    stylesheet = weasyprint.CSS(filename=str(STYLESHEET), url_fetcher=fetcher)
    document = weasyprint.HTML(string=html, base_url=STYLESHEET.as_uri(), url_fetcher=fetcher)
    pdf = document.write_pdf(stylesheets=[stylesheet])
    if not isinstance(pdf, bytes):
        raise PdfError("WeasyPrint gave no PDF")
    return pdf
