"""The name matcher's reasons in the reader's language. docket/analysis speaks English and
imports no Django; its reasons have a fixed shape ("surname: same sounds (Церцель / Tertel)"),
which is read back here and put in words the page's language has."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.translation import gettext_lazy

HOW = {
    "same sounds": gettext_lazy("same sounds"),
    "same consonants": gettext_lazy("same consonants"),
    "initial fits": gettext_lazy("the initial fits"),
    "one given name (cognate or diminutive)": gettext_lazy(
        "one given name (cognate or diminutive)"
    ),
}
_HOW = "|".join(re.escape(how) for how in HOW)
_NAMES = r" \((?P<names>[^()]*)\)"
SHAPES = [
    (rf"surname: (?P<how>{_HOW}){_NAMES}", gettext_lazy("surname: %(how)s (%(names)s)")),
    (rf"given name: (?P<how>{_HOW}){_NAMES}", gettext_lazy("given name: %(how)s (%(names)s)")),
    (rf"patronymic: (?P<how>{_HOW})", gettext_lazy("patronymic: %(how)s")),
    (rf"given names differ{_NAMES}", gettext_lazy("given names differ (%(names)s)")),
    (rf"patronymics differ{_NAMES}", gettext_lazy("patronymics differ (%(names)s)")),
    (rf"surnames differ{_NAMES}", gettext_lazy("surnames differ (%(names)s)")),
    ("one has no given name", gettext_lazy("one has no given name")),
]


def shown(reason: str) -> str:
    """One reason in the active language; one of an unknown shape as it came."""
    for shape, words in SHAPES:
        found = re.fullmatch(shape, reason)
        if found is not None:
            values = found.groupdict()
            if "how" in values:
                values["how"] = str(HOW[values["how"]])
            return str(words) % values
    return reason


def all_shown(reasons: Iterable[str]) -> str:
    return "; ".join(shown(reason) for reason in reasons)
