"""Vocabularies and places come from data files in the repository, are loaded by migration,
and stay in step with the files when these change."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.db import DatabaseError, transaction

from docket.register import vocabulary
from docket.register.filters import region_of
from docket.register.loading import read_places, sync_places, sync_vocabularies
from docket.register.models import Change, Place, Term
from docket.register.vocabulary import VocabularyError, load_all

REQUIRED = {
    "act_type", "method", "injury", "involvement_degree", "unit_type", "violation_status",
    "source_reliability", "information_credibility", "rome_statute", "criminal_code",
    "victim_group", "connection", "attribution", "violation_category",
    "convention_against_torture",
}  # fmt: skip


def test_it_has_every_vocabulary_the_register_needs_in_three_languages() -> None:
    loaded = load_all()
    assert REQUIRED <= set(loaded)
    for vocab in loaded.values():
        for term in vocab.terms:
            assert set(term.labels) == {"en", "be", "ru"} and all(term.labels.values())
    grading = [t.code for t in loaded["source_reliability"].terms]
    assert grading == ["A", "B", "C", "D", "E", "F"]


def test_the_migration_loaded_them_with_their_hierarchy(db: None) -> None:
    torture = Term.objects.get(vocabulary="act_type", code="20.20")
    assert torture.label_be == "Катаванне" and torture.label_ru == "Пытка"
    assert torture.parent is not None and torture.parent.code == "20"
    assert Term.objects.get(vocabulary="rome_statute", code="7.1.f").parent.code == "7.1"
    # added later (migration 0019): art. 8 under its article, the Convention, three articles
    assert Term.objects.get(vocabulary="rome_statute", code="8.2.a.vii").parent.code == "8"
    assert Term.objects.get(vocabulary="convention_against_torture", code="1").label_ru
    assert (
        Term.objects.filter(vocabulary="criminal_code", code__in=["128", "394", "426"]).count() == 3
    )
    total = sum(len(v.terms) for v in load_all().values())
    assert Term.objects.filter(builtin=True).count() == total
    assert sync_vocabularies(Term) == 0, "loading twice changes nothing"


def test_places_include_regions_cities_and_detention_facilities(db: None) -> None:
    okrestina = Place.objects.get(code="facility.okrestina")
    assert okrestina.kind == Place.Kind.FACILITY and "Акрэсціна" in okrestina.name_be
    assert region_of()[okrestina.pk].code == "BY-HM"  # facility -> Minsk -> the region
    assert Place.objects.filter(kind="region").count() == 7
    # 118 districts of the six regions, 9 of Minsk; each under its region, named in 3 languages
    districts = Place.objects.filter(kind="district")
    assert districts.count() == 118 + 9
    per_region = {"BY-BR": 16, "BY-VI": 21, "BY-HO": 21, "BY-HR": 17, "BY-MI": 22, "BY-MA": 21}
    for code, count in per_region.items():
        assert districts.filter(parent__code=code).count() == count, code
    minsk = districts.filter(parent__code="city.minsk")
    assert minsk.count() == 9 and {region_of()[d.pk].code for d in minsk} == {"BY-HM"}
    assert all(d.name_be.endswith(("раён", "раён, Мінск")) for d in districts)
    assert all("район" in d.name_ru for d in districts)
    assert Place.objects.filter(builtin=True).count() == len(read_places())
    for place in Place.objects.filter(builtin=True).exclude(kind="district"):
        assert 51.2 < place.latitude < 56.2 and 23.1 < place.longitude < 32.8, place
    assert sync_places(Place) == 0


def test_a_term_removed_from_the_files_is_retired_not_deleted(
    db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for path in vocabulary.DIRECTORY.glob("*.toml"):
        text = path.read_text()
        if path.stem == "attribution":
            text = text.replace('en = "No statement"', 'en = "Said nothing"')
            text = text.replace('{ code = "30", en = "Acknowledged"', "# gone")
            text = "\n".join(line for line in text.splitlines() if not line.startswith("# gone"))
        (tmp_path / path.name).write_text(text)
    monkeypatch.setattr(vocabulary, "DIRECTORY", tmp_path)
    monkeypatch.setattr("docket.register.loading.load_all", lambda: load_all(tmp_path))
    assert sync_vocabularies(Term) == 2
    assert Term.objects.get(vocabulary="attribution", code="30").retired
    assert Term.objects.get(vocabulary="attribution", code="40").label_en == "Said nothing"


def test_a_broken_file_is_refused_with_its_name(tmp_path: Path) -> None:
    (tmp_path / "injury.toml").write_text('vocabulary = "injury"\nen = "I"\nbe = "Т"\n')
    with pytest.raises(VocabularyError, match=r"injury\.toml"):
        load_all(tmp_path)
    (tmp_path / "injury.toml").write_text(
        'vocabulary = "injury"\nen = "I"\nbe = "Т"\nru = "Т"\n'
        'terms = [{ code = "1", en = "x", be = "y" }]\n'
    )
    with pytest.raises(VocabularyError, match=r"lacks \['ru'\]"):
        load_all(tmp_path)


def test_the_change_history_is_append_only(db: None) -> None:
    from django.utils import timezone

    change = Change.objects.create(
        at=timezone.now(), actor_name="system", action="create", model="event",
        object_id=1, object_label="x", before=None, after={"title": "x"},
    )  # fmt: skip
    with pytest.raises(DatabaseError), transaction.atomic():
        Change.objects.filter(pk=change.pk).update(object_label="y")
    with pytest.raises(DatabaseError), transaction.atomic():
        Change.objects.filter(pk=change.pk).delete()


def test_migration_0019_brings_the_qualifications_to_an_older_instance(db: None) -> None:
    from django.apps import apps
    from django.db.models import Q

    migration = importlib.import_module("docket.register.migrations.0019_qualifications")
    new = (
        Q(vocabulary="convention_against_torture")
        | Q(vocabulary="rome_statute", code__startswith="8")
        | Q(vocabulary="criminal_code", code__in=["128", "394", "426"])
    )
    # an instance migrated before the files had them
    Term.objects.filter(new, parent__isnull=False).delete()
    Term.objects.filter(new).delete()
    others = Term.objects.count()
    migration.forwards(apps, None)
    assert Term.objects.filter(new).count() == 1 + 4 + 3
    assert Term.objects.get(vocabulary="rome_statute", code="8.2.c.ii").parent.code == "8"
    migration.forwards(apps, None)  # run again: nothing added, nothing changed
    assert Term.objects.count() == others + 8 and sync_vocabularies(Term) == 0
