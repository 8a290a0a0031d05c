"""The staff interface in English, Belarusian and Russian: switchable in the page header, the
register's vocabularies and places shown in the chosen language, and catalogues that are
complete for every string the code marks (checked with gettext's own tools)."""

from __future__ import annotations

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from docket.register.models import Act, Event, Place, Term
from tests.support.personas import Team, log_in

DOCKET = Path(__file__).resolve().parents[2] / "docket"
LANGUAGES = ("be", "ru")


def test_the_header_switches_the_language_and_the_register_follows(
    team: Team, client: Client
) -> None:
    okrestina = Place.objects.get(code="facility.okrestina")
    event = Event.objects.create(compartment=team.a, title="Yard", place=okrestina)
    beating = Term.objects.filter(vocabulary="act_type").exclude(parent=None).first()
    assert beating is not None
    Act.objects.create(compartment=team.a, event=event, act_type=beating)
    log_in(client, team.owner)
    english = client.get(f"/register/events/{event.pk}/").content.decode()
    assert '<html lang="en">' in english and "Who did what to whom" in english
    assert beating.label_en in english

    switched = client.post(
        "/language/", {"language": "be", "next": f"/register/events/{event.pk}/"}
    )
    assert switched.status_code == 302
    page = client.get(f"/register/events/{event.pk}/").content.decode()
    assert '<html lang="be">' in page
    assert "Хто што зрабіў і з кім" in page and "Падзеі" in page  # the page and the menu
    assert beating.label_be in page and okrestina.name_be in page  # the data's own labels
    assert "Who did what to whom" not in page

    client.post("/language/", {"language": "ru", "next": "/register/events/"})
    listing = client.get("/register/events/").content.decode()
    assert '<html lang="ru">' in listing and "События" in listing and "Отобрать" in listing


def test_a_browser_asking_for_russian_gets_russian_before_any_choice(team: Team) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9,en;q=0.5")
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="ru">' in page and "Войти" in page
    form_errors = Client(HTTP_ACCEPT_LANGUAGE="be").post(
        "/accounts/login/", {"username": "nobody", "password": "x"}
    )
    assert "Імя карыстальніка і пароль не супалі" in form_errors.content.decode()


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is a Debian package")
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_translates_every_marked_string(tmp_path: Path, language: str) -> None:
    # Re-extract from the source into a copy, as a translator would, and count what is left.
    copy = tmp_path / "docket"
    shutil.copytree(DOCKET, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    subprocess.run(
        ["django-admin", "makemessages", "-l", language, "--no-location", "--no-obsolete"],
        cwd=copy, check=True, capture_output=True,
        env={"DJANGO_SETTINGS_MODULE": "docket.settings", "PATH": _path()},
    )  # fmt: skip
    po = copy / "locale" / language / "LC_MESSAGES" / "django.po"
    stats = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "fresh.mo"), str(po)],
        check=True, capture_output=True, text=True,
    ).stderr  # fmt: skip
    assert "untranslated" not in stats and "fuzzy" not in stats, (
        f"docket/locale/{language}: {stats.strip()} — run makemessages and translate"
    )
    # The shipped .mo is the compiled .po: the same messages, the same translations.
    shipped = DOCKET / "locale" / language / "LC_MESSAGES" / "django.mo"
    with shipped.open("rb") as a, (tmp_path / "fresh.mo").open("rb") as b:
        assert gettext.GNUTranslations(a)._catalog == gettext.GNUTranslations(b)._catalog  # type: ignore[attr-defined]


def _path() -> str:
    import os
    import sys

    return f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"


def test_no_template_tag_spans_lines() -> None:
    """Django reads a tag only on one line: one split over two is shown to the user as raw
    text (the custody log page did so)."""
    import re

    templates = Path(__file__).resolve().parents[2] / "docket" / "templates"
    split = re.compile(r"\{%(?:(?!%\}).)*\n", re.S)
    found = [
        f"{path.relative_to(templates)}:{page[: hit.start()].count(chr(10)) + 1}"
        for path in sorted(templates.rglob("*.html"))
        for page in [path.read_text()]
        for hit in split.finditer(page)
    ]
    assert found == []
