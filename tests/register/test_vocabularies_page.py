"""Administrators extend a vocabulary in the interface; local terms never collide with the
shipped codes, are used by the forms at once, and are retired, never deleted."""

from __future__ import annotations

from django.test import Client

from docket.accounts.models import User
from docket.register.forms import ActForm
from docket.register.loading import sync_vocabularies
from docket.register.models import Change, Term
from tests.support.personas import Team, log_in


def test_an_administrator_adds_and_retires_a_local_term(team: Team) -> None:
    chief = User.objects.create_superuser("chief", password="a long chief password")
    client = Client()
    log_in(client, chief)
    beating = Term.objects.get(vocabulary="act_type", code="20.10")
    client.post(
        "/register/vocabularies/",
        {"v": "act_type", "parent": beating.pk, "label_en": "Beating with a plastic pipe",
         "label_be": "Збіццё пластыкавай трубой", "label_ru": "Избиение пластиковой трубой"},
    )  # fmt: skip
    local = Term.objects.get(label_en="Beating with a plastic pipe")
    assert local.code == "20.10.L1" and local.parent == beating and not local.builtin
    assert local in ActForm().fields["act_type"].queryset  # type: ignore[attr-defined]
    assert Change.objects.filter(model="term", object_id=local.pk, action="create").exists()
    again = client.post(
        "/register/vocabularies/",
        {"v": "act_type", "label_en": "beating with a plastic pipe", "label_be": "x",
         "label_ru": "y"},
    )  # fmt: skip
    assert "has a term with that name already" in again.content.decode()

    client.post("/register/vocabularies/", {"v": "act_type", "retire": local.pk})
    client.post("/register/vocabularies/", {"v": "act_type", "retire": beating.pk})
    local.refresh_from_db()
    beating.refresh_from_db()
    assert local.retired and not beating.retired, "built-in terms change only in the files"
    assert local not in ActForm().fields["act_type"].queryset  # type: ignore[attr-defined]
    sync_vocabularies(Term)
    assert Term.objects.filter(pk=local.pk).exists(), "loading the files keeps local terms"


def test_others_may_read_the_vocabularies_but_not_change_them(team: Team) -> None:
    client = Client()
    log_in(client, team.owner)
    page = client.get("/register/vocabularies/", {"v": "injury"}).content.decode()
    assert "Баратраўма" in page  # labels in all three languages
    assert "Add a local term" not in page
    refused = client.post(
        "/register/vocabularies/", {"v": "injury", "label_en": "x", "label_be": "y",
                                    "label_ru": "z"},
    )  # fmt: skip
    assert refused.status_code == 404 and not Term.objects.filter(label_en="x").exists()
    assert client.get("/register/vocabularies/", {"v": "nonsense"}).status_code == 404
