"""Screening a list of names: each name's possible matches among the persons of the compartments
screened, across scripts, with score, reasons, events and evidence; for human review only;
audited with counts, the list itself kept nowhere; from the page and from the console."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.test import Client

from docket.accounts.models import AuditEvent, Role, User
from docket.register import views_screening
from docket.register.models import (
    Act,
    Event,
    EvidenceLink,
    Involvement,
    Person,
    PersonName,
    Term,
)
from docket.vault.store import store
from tests.support.instance import Instance
from tests.support.personas import Team, log_in, person

LIST = (
    "id\tname\tsource\n"
    "v-1\tIvan Tertel\tpartner\nv-2\tIgor Karpenkov\tpartner\nv-3\tZbyszek Qwertowicz\tpartner\n"
)


@dataclass
class Recorded:
    tertel: Person
    victim: Person
    elsewhere: Person


@pytest.fixture
def recorded(team: Team) -> Recorded:
    """An officer in two events of compartment A (one evidence link to him, one to an act of
    his, one to an event only), his victim, and a namesake in compartment B."""
    a = team.a
    tertel = Person.objects.create(compartment=a, display_name="Тертель Иван Станиславович")
    PersonName.objects.create(person=tertel, name="Іван Церцель", script="Cyrl", language="be")
    victim = Person.objects.create(compartment=a, display_name="Ігар Карпенка")
    kind = Term.objects.filter(vocabulary="act_type").first()
    degree = Term.objects.filter(vocabulary="involvement_degree").first()
    first, second = (Event.objects.create(compartment=a, title=t) for t in ("Yard", "Cell"))
    beaten = Act.objects.create(compartment=a, event=first, victim=victim, act_type=kind)
    held = Act.objects.create(compartment=a, event=second, act_type=kind)
    for act in (beaten, held):
        Involvement.objects.create(compartment=a, act=act, person=tertel, degree=degree)
    item = store(io.BytesIO(b"bodycam"), actor="test", compartment=a).item
    EvidenceLink.objects.create(compartment=a, act=beaten, item=item)
    EvidenceLink.objects.create(compartment=a, person=tertel, item=item)
    EvidenceLink.objects.create(compartment=a, event=second, item=item)
    elsewhere = Person.objects.create(compartment=team.b, display_name="Ivan Tertel")
    return Recorded(tertel, victim, elsewhere)


def lawyer_of(team: Team) -> User:
    return person("lawyer", team.a, Role.LEGAL)


def client_of(user: User, **options: bool) -> Client:
    client = Client(**options)
    log_in(client, user)
    return client


def screen_command(path: Path, *compartments: str) -> dict[str, list[dict[str, object]]]:
    out = io.StringIO()
    options = [x for c in compartments for x in ("--compartment", c)]
    call_command("screen", str(path), *options, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_it_prints_each_name_with_its_matches_in_the_compartments_named(
    team: Team, recorded: Recorded, tmp_path: Path
) -> None:
    listed = tmp_path / "vetting.tsv"
    listed.write_text(LIST, encoding="utf-8")
    answer = screen_command(listed, team.a.name)
    assert [(n["id"], n["name"]) for n in answer["names"]] == [
        ("v-1", "Ivan Tertel"), ("v-2", "Igor Karpenkov"), ("v-3", "Zbyszek Qwertowicz"),
    ]  # fmt: skip
    [match] = answer["names"][0]["matches"]
    assert set(match) == {"person", "compartment", "score", "why", "events", "evidence"}
    assert match["person"] == recorded.tertel.pk and match["compartment"] == team.a.name
    assert match["score"] >= 0.8 and all(isinstance(w, str) for w in match["why"])
    # two events; the links to him and to his act, not the one to an event only
    assert (match["events"], match["evidence"]) == (2, 2)
    # Karpenkov and Karpenka are two families; nobody is Qwertowicz
    assert answer["names"][1]["matches"] == [] and answer["names"][2]["matches"] == []
    # The namesake of compartment B is found only when B is screened too.
    both = screen_command(listed, team.a.name, team.b.name)["names"][0]["matches"]
    assert {(m["person"], m["compartment"]) for m in both} == {
        (recorded.tertel.pk, team.a.name), (recorded.elsewhere.pk, team.b.name),
    }  # fmt: skip
    only_b = screen_command(listed, team.b.name)["names"][0]["matches"]
    assert [m["person"] for m in only_b] == [recorded.elsewhere.pk]


def test_the_console_audits_counts_per_compartment_never_a_name(
    team: Team, recorded: Recorded, tmp_path: Path
) -> None:
    listed = tmp_path / "vetting.tsv"
    listed.write_text(LIST, encoding="utf-8")
    screen_command(listed, team.a.name, team.b.name)
    rows = AuditEvent.objects.filter(action="register.screen").order_by("compartment__name")
    assert [(r.compartment_id, r.actor_name, r.details) for r in rows] == [
        (team.b.pk, "system", {"names": 3, "matches": 1, "via": "console"}),
        (team.a.pk, "system", {"names": 3, "matches": 1, "via": "console"}),
    ]


def test_the_console_refuses_a_bad_file_an_unknown_compartment_and_a_long_list(
    team: Team, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("id\tname\n1\tIvan Tertel\n2\t \n", encoding="utf-8")
    long = tmp_path / "long.csv"
    long.write_text("id,name\n" + "".join(f"{n},Ivan Tertel\n" for n in range(10_001)))
    cases = [
        (bad, team.a.name, "line 3: the name is empty"),
        (long, team.a.name, "at most 10000"),
        (tmp_path / "missing.tsv", team.a.name, "missing.tsv"),
        (bad.with_name("fine.tsv"), "nowhere", "no compartment nowhere"),
    ]
    bad.with_name("fine.tsv").write_text("id\tname\n1\tIvan Tertel\n", encoding="utf-8")
    for path, compartment, message in cases:
        with pytest.raises(CommandError, match=message) as refused:
            screen_command(path, compartment)
        assert refused.value.returncode == 2
    assert not AuditEvent.objects.filter(action="register.screen").exists()


def test_the_docket_command_exits_2_for_a_list_it_refuses(
    instance: Instance, tmp_path: Path
) -> None:
    instance.run("compartments", "add", "vetting")
    fine = tmp_path / "fine.csv"
    fine.write_text("id,name\n17,Ivan Tertel\n", encoding="utf-8")
    answer = instance.json("screen", str(fine), "--compartment", "vetting", "--json")
    assert answer == {"names": [{"id": "17", "name": "Ivan Tertel", "matches": []}]}
    long = tmp_path / "long.tsv"
    long.write_text("id\tname\n" + "".join(f"{n}\tIvan Tertel\n" for n in range(10_001)))
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("id,name\n1,Ivan\n2,Jos\xe9 Tertel\n".encode("latin-1"))
    for path, message in ((long, b"at most 10000"), (latin1, b"line 3: not UTF-8")):
        done = instance.run("screen", str(path), "--compartment", "vetting", check=False)
        assert done.returncode == 2 and message in done.stderr, done.stderr
        assert b"Traceback" not in done.stderr


def test_a_lawyer_pastes_a_list_and_sees_possible_matches_for_review(
    team: Team, recorded: Recorded
) -> None:
    lawyer = client_of(lawyer_of(team))
    page = lawyer.get("/register/screen/")
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert 'href="/register/screen/"' in page.content.decode()  # in the menu
    answer = lawyer.post(
        "/register/screen/",
        {"compartment": [team.a.pk], "names": "Ivan Tertel\n\nIGOR KARPENKA\nNobody Atall\n"},
    )
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    body = answer.content.decode()
    assert "For human review only." in body
    assert f'href="/register/persons/{recorded.tertel.pk}/"' in body
    assert f'href="/register/persons/{recorded.victim.pk}/"' in body  # line 3, another script
    assert "No possible match." in body  # line 4
    results = answer.context["results"]
    assert [(s.entry.id, [m.person for m in s.matches]) for s in results] == [
        ("1", [recorded.tertel]), ("3", [recorded.victim]), ("4", []),
    ]  # fmt: skip
    officer = results[0].matches[0]
    assert (officer.events, officer.evidence) == (2, 2)
    assert f"/register/persons/{recorded.elsewhere.pk}/" not in body  # compartment B's


def test_a_lawyer_uploads_a_list_and_each_compartment_screened_is_audited_with_counts(
    team: Team, recorded: Recorded
) -> None:
    both = person("counsel", team.a, Role.LEGAL)
    from docket.accounts.models import Grant

    Grant.objects.create(user=both, compartment=team.b, role=Role.ADMIN)
    upload = SimpleUploadedFile("vetting.tsv", LIST.encode(), content_type="text/plain")
    answer = client_of(both).post(
        "/register/screen/", {"compartment": [team.a.pk, team.b.pk], "file": upload}
    )
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    [tertel, *_] = answer.context["results"]
    assert {m.person for m in tertel.matches} == {recorded.tertel, recorded.elsewhere}
    rows = AuditEvent.objects.filter(action="register.screen")
    assert {(r.compartment_id, r.actor_name) for r in rows} == {
        (team.a.pk, "counsel"), (team.b.pk, "counsel"),
    }  # fmt: skip
    assert all(r.details == {"names": 3, "matches": 1} for r in rows)
    kept = json.dumps([[r.details, r.object_label, r.object_id] for r in rows], ensure_ascii=False)
    assert "Tertel" not in kept and "Karpenkov" not in kept and "v-1" not in kept
    trail = client_of(both).get("/accounts/audit/", {"action": "register.screen"}).content.decode()
    assert f"{team.b.name}: names 3, matches 1" in trail  # the admin of B reads the counts


def test_it_never_shows_a_compartment_the_user_may_not_screen(
    team: Team, recorded: Recorded
) -> None:
    # A lawyer of B asks for A's compartment by its id: nothing of A is screened or shown.
    outsider = person("lawyer-b", team.b, Role.LEGAL)
    answer = client_of(outsider).post(
        "/register/screen/", {"compartment": [team.a.pk], "names": "Ivan Tertel"}
    )
    assert answer.status_code == 200 and "results" not in answer.context
    assert team.a.name not in answer.content.decode()
    assert not AuditEvent.objects.filter(action="register.screen").exists()
    mixed = client_of(outsider).post(
        "/register/screen/", {"compartment": [team.a.pk, team.b.pk], "names": "Ivan Tertel"}
    )
    [screened] = mixed.context["results"]
    assert [m.person for m in screened.matches] == [recorded.elsewhere]


def test_users_without_a_legal_or_admin_role_get_404(team: Team) -> None:
    for user in (team.owner, team.teammate, team.auditor, team.outsider):
        client = client_of(user)
        assert client.get("/register/screen/").status_code == 404
        refused = client.post("/register/screen/", {"compartment": [team.a.pk], "names": "x"})
        assert refused.status_code == 404
        assert 'href="/register/screen/"' not in client.get("/register/persons/").content.decode()
    superuser = User.objects.create_superuser("root", password="a long password 42")
    assert client_of(superuser).get("/register/screen/").status_code == 404  # no role to screen
    assert not AuditEvent.objects.filter(action="register.screen").exists()


def test_a_list_over_10000_names_is_refused_on_the_page(team: Team, recorded: Recorded) -> None:
    lawyer = client_of(lawyer_of(team))
    pasted = "Ivan Tertel\n" * 10_001
    answer = lawyer.post("/register/screen/", {"compartment": [team.a.pk], "names": pasted})
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    assert "The list has 10001 names; screening takes at most 10000" in answer.content.decode()
    assert "results" not in answer.context
    upload = SimpleUploadedFile("long.csv", b"id,name\n" + b"7,Ivan Tertel\n" * 10_001)
    answer = lawyer.post("/register/screen/", {"compartment": [team.a.pk], "file": upload})
    assert "screening takes at most 10000" in answer.content.decode()
    assert not AuditEvent.objects.filter(action="register.screen").exists()
    just = lawyer.post("/register/screen/", {"compartment": [team.a.pk], "names": pasted[12:]})
    assert len(just.context["results"]) == 10_000


def test_a_bad_or_oversized_file_is_a_form_error(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    lawyer = client_of(lawyer_of(team))
    upload = SimpleUploadedFile("list.csv", b"id,name\n1,Ivan Tertel\n2,\xe9\n")
    answer = lawyer.post("/register/screen/", {"compartment": [team.a.pk], "file": upload})
    assert "line 3: not UTF-8 text" in answer.content.decode()
    monkeypatch.setattr(views_screening, "LIST_MAX_BYTES", len(LIST) - 1)
    upload = SimpleUploadedFile("vetting.tsv", LIST.encode())
    answer = lawyer.post("/register/screen/", {"compartment": [team.a.pk], "file": upload})
    assert "The file is too large to be a list of names." in answer.content.decode()
    assert not AuditEvent.objects.filter(action="register.screen").exists()


def _row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 (names from the schema)
            counts[table] = cursor.fetchone()[0]
        return counts


def _holding(text: str) -> list[str]:
    """Every row of every model whose text holds `text`, as "model.field"; sessions decoded."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField, models.JSONField)):
                lookup = f"{field.name}__icontains"
                if model._default_manager.filter(**{lookup: text}).exists():
                    found.append(f"{model._meta.label}.{field.name}")
    found += [f"session {s.pk}" for s in Session.objects.all() if text in str(s.get_decoded())]
    return found


def test_nothing_of_the_list_is_kept_after_the_answer(team: Team, recorded: Recorded) -> None:
    lawyer = client_of(lawyer_of(team))
    lawyer.get("/register/screen/")
    listed = ["Iwan Tiertiel", "Zbyszek Qwertowicz", "Hanna Mirnaja-Listowa"]
    before = _row_counts()
    pasted = lawyer.post(
        "/register/screen/", {"compartment": [team.a.pk], "names": "\n".join(listed)}
    )
    upload = SimpleUploadedFile("vetting.csv", b"id,name\nq-77,Zbyszek Qwertowicz\n")
    uploaded = lawyer.post("/register/screen/", {"compartment": [team.a.pk], "file": upload})
    assert f"/register/persons/{recorded.tertel.pk}/" in pasted.content.decode()  # matched
    assert "Zbyszek Qwertowicz" in uploaded.content.decode()
    after = _row_counts()
    grown = {t: after[t] - before[t] for t in after if after[t] != before.get(t)}
    assert grown == {AuditEvent._meta.db_table: 2}  # one row per screening, counts only
    for name in (*listed, "Tiertiel", "Qwertowicz", "q-77"):
        assert _holding(name) == [], name
    assert _holding("Тертель") != []  # the check finds what is there: the person's own name


def test_an_upload_never_touches_the_disk(team: Team, settings: object, tmp_path: Path) -> None:
    # Django spools an upload over FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file; with the
    # limit at one byte and no folder to spool to, only an upload kept in memory succeeds.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1  # type: ignore[attr-defined]
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "no-such-folder")  # type: ignore[attr-defined]
    upload = SimpleUploadedFile("vetting.tsv", LIST.encode())
    answer = client_of(lawyer_of(team)).post(
        "/register/screen/", {"compartment": [team.a.pk], "file": upload}
    )
    assert answer.status_code == 200 and len(answer.context["results"]) == 3


def test_the_form_still_needs_its_csrf_token(team: Team) -> None:
    browser = client_of(lawyer_of(team), enforce_csrf_checks=True)
    token = str(browser.get("/register/screen/").context["csrf_token"])
    form = {"compartment": [team.a.pk], "names": "Ivan Tertel"}
    assert browser.post("/register/screen/", form).status_code == 403
    sent = browser.post("/register/screen/", {**form, "csrfmiddlewaretoken": token})
    assert sent.status_code == 200 and "results" in sent.context
