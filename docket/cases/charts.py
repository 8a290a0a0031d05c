"""Bar charts as SVG, drawn by the server: no script, no outside font (the reader's own
sans-serif), a <title> and a <desc> for screen readers, and every bar labelled with its
number in text. Charts show published numbers only ("<5", "x"), wherever they are shown."""

from __future__ import annotations

from html import escape

from docket.analysis import suppression
from docket.cases.statistics import MEASURES, Table

ROW = 22  # pixels per bar
LABEL = 230  # pixels for the labels on the bars' left
WIDTH = 320  # pixels for the longest bar
#: the measure each table's chart shows by default
MEASURE_OF = {
    "act_type": "acts", "region": "events", "month": "events", "sex": "victims",
    "age": "victims", "unit_type": "acts",
}  # fmt: skip


#: letters of a label that fit in LABEL: about 7.5 pixels a letter at 12 pixels, Cyrillic's
#: wide letters included ("Жорсткае, бесчалавечнае…" was cut at the left at 34)
LABEL_LETTERS = 28


def _short(text: str, width: int = LABEL_LETTERS) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def bar_chart(table: Table, measure: str = "") -> str:
    """One measure of a table as a horizontal bar chart; withheld counts have no bar."""
    measure = measure or MEASURE_OF.get(table.key, "events")
    m = [key for key, _ in MEASURES].index(measure)
    measure_label = str(MEASURES[m][1])
    rows = [(row.label, row.counts[m], row.states[m]) for row in table.rows]
    top = max((n for _, n, state in rows if state == suppression.SHOWN), default=0) or 1
    height = ROW * len(rows) + 8
    width = LABEL + WIDTH + 60
    title = f"{table.title}: {measure_label}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bars" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="chart-{table.key}-{measure}-title" font-family="sans-serif" '
        f'font-size="12">',
        f'<title id="chart-{table.key}-{measure}-title">{escape(title)}</title>',
        f"<desc>{escape(', '.join(f'{label}: {suppression.shown(n, s)}' for label, n, s in rows))}"
        "</desc>",
    ]
    for k, (label, count, state) in enumerate(rows):
        y = ROW * k
        shown = suppression.shown(count, state)
        bar = round(WIDTH * count / top) if state == suppression.SHOWN and count else 0
        parts.append(
            f"<g><title>{escape(label)}: {escape(shown)}</title>"
            f'<text x="{LABEL - 6}" y="{y + 15}" text-anchor="end" fill="#222">'
            f"{escape(_short(label))}</text>"
            f'<rect x="{LABEL}" y="{y + 4}" height="15" width="{bar}" fill="#4a6d8c"></rect>'
            f'<text x="{LABEL + bar + 6}" y="{y + 15}" fill="#222">{escape(shown)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
