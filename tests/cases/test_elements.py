"""The elements of crimes are data a lawyer reads: every qualification they name exists in the
shipped vocabularies, every element is written in the three languages, and the matrix of an
art. 7 crime starts with the attack and the perpetrator's knowledge of it."""

from __future__ import annotations

import pytest
from django.utils import translation

from docket.cases import elements
from docket.cases.models import QUALIFYING, Suspect
from docket.register.models import Term
from docket.register.vocabulary import load_all


def test_every_key_names_a_shipped_term_of_a_qualifying_vocabulary() -> None:
    vocabularies = load_all()
    for key in elements.table():
        vocabulary, code = key.split(":", 1)
        assert vocabulary in QUALIFYING, key
        assert code in {t.code for t in vocabularies[vocabulary].terms}, key


def test_every_element_is_written_in_english_belarusian_and_russian() -> None:
    for key, found in elements.table().items():
        for element in found:
            assert set(element.labels) == {"en", "be", "ru"}, (key, element.code)
            assert all(text.strip() for text in element.labels.values())
            # not a copy of the English, and each in its own script
            assert element.labels["be"] != element.labels["ru"] != element.labels["en"]
            assert any("\u0400" <= c <= "\u04ff" for c in element.labels["be"])
            # letters found only in Belarusian (і, ў) and only in Russian (и, щ, ъ)
            assert not set("ищъ") & set(element.labels["be"].lower()), (key, element.code)
            assert not set("іў") & set(element.labels["ru"].lower()), (key, element.code)


def test_art_7_crimes_open_with_the_two_contextual_elements() -> None:
    crimes = [key for key in elements.table() if key.startswith("rome_statute:7.1.")]
    assert len(crimes) >= 8
    for key in crimes:
        first, second, *own = elements.table()[key]
        assert (first.code, second.code) == ("c1", "c2") and first.contextual, key
        assert "widespread or systematic attack" in first.labels["en"]
        assert "knew" in second.labels["en"]
        assert own and not any(e.contextual for e in own), key
    for key in ("rome_statute:8.2.a.ii", "rome_statute:8.2.a.vii", "rome_statute:8.2.c.ii"):
        assert [e.code for e in elements.table()[key][:2]] == ["w1", "w2"], key
    liability = elements.table()["rome_statute:28"]
    assert liability and not any(e.contextual for e in liability)


@pytest.mark.django_db
def test_the_migrated_terms_bring_their_elements_in_the_page_language() -> None:
    torture = Term.objects.get(vocabulary="convention_against_torture", code="1")
    assert len(elements.of(torture)) == 5
    crime = Term.objects.get(vocabulary="rome_statute", code="7.1.f")
    with translation.override("ru"):
        assert elements.of(crime)[0].label.startswith("Поведение было совершено")
    with translation.override("be"):
        assert elements.find(crime, "1") is not None
        assert elements.find(crime, "1").label.startswith("Выканаўца прычыніў")  # type: ignore[union-attr]
    for key in elements.table():
        vocabulary, code = key.split(":", 1)
        assert Term.objects.filter(vocabulary=vocabulary, code=code, builtin=True).exists()


def test_modes_of_liability_name_existing_degrees_of_involvement() -> None:
    degrees = {t.code for t in load_all()["involvement_degree"].terms}
    assert set(Suspect.DEGREES) == set(Suspect.Liability)
    for liability, codes in Suspect.DEGREES.items():
        assert codes and set(codes) <= degrees, liability
