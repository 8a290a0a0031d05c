"""How well the text comes out: speech made by espeak-ng, paragraphs rendered in Russian and
Belarusian, measured by word and character error rates (edit distance over the reference)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from docket.enrich.models import Run, Segment, TextPage, Transcript
from tests.support import media
from tests.support.enriching import Enriching

SPOKEN = (
    "On the night of the tenth of August the riot police detained forty people near the "
    "metro station and took them to the detention centre."
)
RUSSIAN = (
    "Девятого августа вечером сотрудники ОМОН задержали\n"
    "у станции метро Пушкинская более двадцати человек.\n"
    "Задержанных доставили в изолятор на улице Окрестина."
)
BELARUSIAN = (
    "Дзявятага жніўня ўвечары супрацоўнікі АМАП затрымалі\n"
    "каля станцыі метро Пушкінская больш за дваццаць чалавек.\n"
    "Затрыманых даставілі ў ізалятар на вуліцы Акрэсціна."
)


def distance(a: list[str], b: list[str]) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i]
        for j, y in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def characters(text: str) -> list[str]:
    return list(" ".join(text.split()))


@pytest.mark.slow
def test_it_transcribes_english_speech_with_timed_segments(
    enriching: Enriching, tmp_path: Path
) -> None:
    path = tmp_path / "recording.wav"
    media.speech(path, SPOKEN)
    item = enriching.put(path)
    enriching.work()
    run = Run.objects.get(item=item, enricher="speech")
    assert run.state == "done", run.error
    transcript = Transcript.objects.get(item=item)
    assert transcript.language == "en"
    assert transcript.device == "cpu"
    segments = list(Segment.objects.filter(transcript=transcript))
    text = " ".join(s.text for s in segments)
    wer = distance(words(SPOKEN), words(text)) / len(words(SPOKEN))
    assert wer <= 0.30, (wer, text)
    assert segments[0].start >= 0 and segments[-1].end <= transcript.duration_seconds + 0.5
    assert all(s.start < s.end for s in segments)


def test_it_reads_russian_and_belarusian_pages(enriching: Enriching, tmp_path: Path) -> None:
    items = {}
    for name, text in (("ru", RUSSIAN), ("be", BELARUSIAN)):
        path = tmp_path / f"{name}.png"
        media.page(path, text)
        items[name] = (enriching.put(path), text)
    enriching.work()
    for name, (item, text) in items.items():
        page = TextPage.objects.get(item=item, page=1)
        assert page.method == "ocr"
        cer = distance(characters(text), characters(page.text)) / len(characters(text))
        assert cer <= 0.10, (name, cer, page.text)
