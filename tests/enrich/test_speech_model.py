"""The speech model's process: loaded once per worker and reused, confined to a box of its
own, replaced when it dies; long recordings go through it piece by piece, with progress on the
item's page."""

from __future__ import annotations

import functools
import io
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.test import Client

from docket.analysis import silences
from docket.enrich import whisper
from docket.enrich.enrichers.speech import implementation as speech
from docket.enrich.models import Run, Segment, Transcript
from docket.lib import sandbox
from tests.support import media
from tests.support.enriching import Enriching
from tests.support.personas import Team, log_in

FIRST = "The riot police detained forty people near the metro station."
SECOND = "Witnesses said the officers wore no badges and refused to give their names."


@pytest.fixture(autouse=True)
def fresh_model_process() -> Iterator[None]:
    whisper.stop_model_process()
    yield
    whisper.stop_model_process()


def pcm(path: Path, words: str, voice_name: str = "en") -> np.ndarray:
    media.speech(path, words, voice_name=voice_name)
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-ac", "1", "-ar", "16000", "-f", "f32le", "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, dtype="<f4")


@pytest.mark.slow
def test_one_model_process_serves_two_files_in_pieces_with_progress(
    enriching: Enriching, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.WHISPER_BEAM_SIZE = 2  # DOCKET_WHISPER_BEAM_SIZE reaches the model
    settings.WHISPER_BEST_OF = 3  # and DOCKET_WHISPER_BEST_OF
    # Pieces of 4-6 s, so that a short recording is cut as an hour-long one would be.
    monkeypatch.setattr(
        speech.silences, "pieces", functools.partial(silences.pieces, longest=6, shortest=4)
    )
    seen: list[tuple[int, float | None, float | None]] = []
    transcribe = whisper.ModelProcess.transcribe

    def watched(self: whisper.ModelProcess, samples: Any, **kwargs: Any) -> Any:
        run = Run.objects.get(enricher="speech", total_seconds__isnull=False)
        seen.append((self.pid, run.heard_seconds, run.total_seconds))
        assert (kwargs["beam_size"], kwargs["best_of"]) == (2, 3)
        return transcribe(self, samples, **kwargs)

    monkeypatch.setattr(whisper.ModelProcess, "transcribe", watched)
    started = whisper.ModelProcess.started
    items = []
    spoken = (f"{FIRST} {SECOND}", SECOND)
    for n, words in enumerate(spoken):
        path = tmp_path / f"r{n}.wav"
        media.speech(path, words)
        items.append(enriching.put(path))
    enriching.work()

    assert whisper.ModelProcess.started == started + 1, "one model process for both files"
    assert len({pid for pid, _, _ in seen}) == 1
    for item, words in zip(items, spoken, strict=True):
        run = Run.objects.get(item=item, enricher="speech")
        assert run.state == "done", run.error
        assert run.heard_seconds is None and run.total_seconds is None
        transcript = Transcript.objects.get(item=item)
        assert transcript.language == "en"
        assert (transcript.beam_size, transcript.best_of) == (2, 3)  # how it was decoded
        segments = list(Segment.objects.filter(transcript=transcript))
        assert {s.language for s in segments} == {"en"}
        text = " ".join(s.text for s in segments).lower()
        said = set(re.findall(r"\w+", words.lower()))
        heard = set(re.findall(r"\w+", text))
        assert len(said & heard) >= 0.5 * len(said), text
        starts = [s.start for s in segments]
        assert starts == sorted(starts), "times offset by each piece's start"
        assert segments[-1].end <= transcript.duration_seconds + 0.5
        assert segments[-1].end > transcript.duration_seconds - 3.5
    # Progress was recorded before each piece: 0 of the whole, then growing.
    progress = [h for _, h, _ in seen]
    assert progress[0] == 0.0 and len(seen) >= 3
    assert any(h and h > 0 for h in progress)


@pytest.mark.slow
def test_a_dead_model_process_fails_its_file_and_is_replaced(
    settings: Any, models_dir: Path, sandbox_dir: Path, tmp_path: Path
) -> None:
    settings.MODELS_DIR, settings.SANDBOX_DIR = models_dir, sandbox_dir
    samples = pcm(tmp_path / "a.wav", FIRST)
    path = whisper.model_dir()
    first = whisper.model_process(path, "cpu", "int8")
    assert whisper.model_process(path, "cpu", "int8") is first
    answers = first.transcribe(samples, language=None)
    assert next(answers)["language"] == "en"
    os.killpg(first.pid, signal.SIGKILL)  # dies in the middle of a file
    with pytest.raises(sandbox.SandboxError, match="speech model"):
        list(answers)
    second = whisper.model_process(path, "cpu", "int8")
    assert second is not first and second.pid != first.pid
    text = " ".join(a["text"] for a in second.transcribe(samples, language="en") if "text" in a)
    assert "police" in text.lower()
    # A request it cannot serve fails that request only.
    with pytest.raises(sandbox.SandboxError, match="not one of"):
        list(second.transcribe(samples, language="de"))
    assert whisper.model_process(path, "cpu", "int8") is second


def test_a_long_lived_parser_is_confined_to_its_own_box(
    settings: Any, sandbox_dir: Path, tmp_path: Path
) -> None:
    """What the model process runs under (Box.start): from inside it, another box, the data
    directory and the keys cannot be read, and it runs as nobody with no network."""
    settings.SANDBOX_DIR = sandbox_dir
    settings.DATA_DIR = tmp_path / "data"
    settings.KEYS_DIR = settings.DATA_DIR / "keys"
    settings.KEYS_DIR.mkdir(parents=True)
    (settings.KEYS_DIR / "vault.age").write_text("AGE-SECRET-KEY-CANARY")
    code = (
        "import json, os, socket, sys\n"
        "for line in sys.stdin:\n"
        "    path = line.strip()\n"
        "    try:\n"
        "        seen = open(path).read()\n"
        "    except OSError as exc:\n"
        "        seen = type(exc).__name__\n"
        "    try:\n"
        "        socket.socket(socket.AF_INET).close(); net = 'open'\n"
        "    except OSError:\n"
        "        net = 'refused'\n"
        "    print(json.dumps({'seen': seen, 'uid': os.getuid(), 'net': net}), flush=True)\n"
    )
    with sandbox.box() as other, sandbox.box() as own:
        (other.path / "secret").write_text("CANARY")
        resident = own.start([sys.executable, "-I", "-c", code])
        try:
            assert resident.process.stdin and resident.process.stdout
            answers = []
            for path in (other.path / "secret", settings.KEYS_DIR / "vault.age",
                         settings.DATA_DIR / "db.sqlite3"):  # fmt: skip
                resident.process.stdin.write(f"{path}\n".encode())
                resident.process.stdin.flush()
                answers.append(json.loads(resident.process.stdout.readline()))
        finally:
            resident.close()
    assert [a["seen"] for a in answers] == ["FileNotFoundError"] * 3
    assert all(a["uid"] == sandbox.NOBODY and a["net"] == "refused" for a in answers)
    assert not resident.alive()


@pytest.mark.slow
def test_the_model_process_runs_in_a_box_of_its_own(
    settings: Any, models_dir: Path, sandbox_dir: Path
) -> None:
    settings.MODELS_DIR, settings.SANDBOX_DIR = models_dir, sandbox_dir
    with sandbox.box() as file_box:
        process = whisper.model_process(whisper.model_dir(), "cpu", "int8")
        argv = Path(f"/proc/{process.pid}/cmdline").read_bytes().split(b"\0")
        bound = [argv[n + 2].decode() for n, a in enumerate(argv) if a in (b"--bind", b"--ro-bind")]
    assert b"bwrap" in argv and b"--unshare-all" in argv and b"--seccomp" in argv
    boxes = [p for p in bound if p.startswith(str(sandbox_dir))]
    assert len(boxes) == 1 and boxes[0] != str(file_box.path), "its own box, and no other"
    assert str(settings.DATA_DIR) not in bound


def test_the_item_page_shows_how_far_speech_has_got(team: Team, vault: Path) -> None:
    from docket.vault.models import Item

    item = Item.objects.filter(compartment=team.a).first() or _item(team)
    Run.objects.create(item=item, enricher="speech", heard_seconds=200.4, total_seconds=2830.0)
    client = Client()
    log_in(client, team.owner)
    page = client.get(f"/vault/items/{item.pk}/").content.decode()
    assert "speech: 3:20 of 47:10" in page
    Run.objects.filter(item=item).update(state="done", heard_seconds=None, total_seconds=None)
    assert " of 47:10" not in client.get(f"/vault/items/{item.pk}/").content.decode()


def _item(team: Team) -> Any:
    from docket.vault.store import store

    return store(io.BytesIO(b"a recording"), actor="test", compartment=team.a).item


def test_a_long_lived_parser_runs_unconfined_only_when_the_operator_says_so(
    settings: Any, sandbox_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.SANDBOX_DIR = sandbox_dir
    monkeypatch.setattr(sandbox, "bubblewrap", lambda: False)
    echo = [sys.executable, "-I", "-c", "import sys; print(sys.stdin.readline().upper(), end='')"]
    with sandbox.box() as box:
        settings.SANDBOX_UNSAFE = False
        with pytest.raises(sandbox.SandboxError, match="cannot be isolated"):
            box.start(echo)
        box.unsafe = True
        resident = box.start(echo)
        try:
            assert resident.process.stdin and resident.process.stdout
            resident.process.stdin.write(b"samples\n")
            resident.process.stdin.flush()
            assert resident.process.stdout.readline() == b"SAMPLES\n"
        finally:
            resident.close()


class Features:
    """A model's feature extractor: 80 mel bands, a frame each 10 ms and one more."""

    nb_max_frames = 3000

    def __call__(self, samples: Any) -> Any:
        return np.zeros((80, len(samples) // 160 + 1), dtype="<f4")


class Heard:
    """What the model says of each piece (its detection's scores), and what it was asked."""

    def __init__(self, scores: list[dict[str, float]]) -> None:
        self.scores = scores
        self.asked: list[str] = []
        self.decoding: list[tuple[int, int]] = []
        self.feature_extractor = Features()

    def detect_language(self, *, features: Any) -> tuple[str, float, list[tuple[str, float]]]:
        assert features.shape == (80, 10)  # what transcribing will encode: one frame less
        ranked = sorted(self.scores[len(self.asked)].items(), key=lambda kv: -kv[1])
        return ranked[0][0], ranked[0][1], ranked

    def transcribe(
        self, samples: Any, *, language: str, beam_size: int, best_of: int
    ) -> tuple[Any, None]:
        self.asked.append(language)
        self.decoding.append((beam_size, best_of))
        return iter([]), None


def test_each_piece_is_heard_in_the_language_detected_for_it_unless_unsure() -> None:
    """A call that goes from Belarusian to Russian: each piece's language is its own; a piece
    too unsure among be/ru/en (few words, noise) keeps the last piece's."""
    from docket.enrich import whisper_box

    model = Heard([
        {"be": 0.7, "ru": 0.2, "uk": 0.1},
        {"ru": 0.8, "be": 0.1, "en": 0.05},
        {"en": 0.30, "ru": 0.25, "pl": 0.4},  # en is 55 % of the three: unsure
        {"en": 0.9, "ru": 0.05},
    ])  # fmt: skip
    samples = np.zeros(1600, dtype="<f4").tobytes()
    requests = b"".join(
        json.dumps({"samples": 1600, "language": None, "fallback": fallback}).encode() + b"\n"
        + samples
        for fallback in (None, "be", "ru", "ru")
    )  # fmt: skip
    out = io.BytesIO()
    whisper_box.serve(model, io.BytesIO(requests), out)
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert model.asked == ["be", "ru", "ru", "en"]
    said = [a for a in answers if "language" in a]
    assert [a["language"] for a in said] == ["be", "ru", "ru", "en"]
    assert said[1]["probability"] == pytest.approx(0.8 / 0.95)


def test_a_mixed_transcript_says_each_line_s_language(team: Team, vault: Path) -> None:
    item = _item(team)
    transcript = Transcript.objects.create(
        item=item, language="ru", language_probability=0.9, model="base", device="cpu",
        duration_seconds=60.0, beam_size=5, best_of=1,
    )  # fmt: skip
    for n, (language, text) in enumerate([("be", "Затрымалі сорак чалавек."),
                                          ("ru", "Задержали сорок человек.")]):  # fmt: skip
        Segment.objects.create(
            transcript=transcript, index=n, start=n * 30.0, end=n * 30.0 + 5, text=text,
            language=language,
        )  # fmt: skip
    client = Client()
    log_in(client, team.owner)
    page = client.get(f"/vault/items/{item.pk}/").content.decode()
    assert "<th>Language</th>" in page
    assert '<td>Belarusian</td><td lang="be">Затрымалі сорак чалавек.</td>' in page
    # The language and the device named, not their codes; how it was decoded.
    assert "Language: Russian. Transcribed by base on the processor (CPU)." in page
    assert "Decoding: beam size 5, candidates per retry 1." in page
    client.cookies["django_language"] = "be"
    page = client.get(f"/vault/items/{item.pk}/").content.decode()
    assert "Мова: Руская. Расшыфравала мадэль base на працэсары (CPU)." in page
    assert "Дэкадаванне: шырыня пошуку 5, кандыдатаў на паўтор 1." in page
    client.cookies["django_language"] = "en"
    Segment.objects.filter(language="be").update(language="ru")
    Transcript.objects.filter(pk=transcript.pk).update(beam_size=None, best_of=None)
    page = client.get(f"/vault/items/{item.pk}/").content.decode()
    assert "<th>Language</th>" not in page
    assert "Decoding:" not in page  # a transcript made before Docket recorded it says nothing


@pytest.mark.slow
def test_a_piece_is_encoded_once_for_its_language_and_its_words(
    tmp_path: Path, settings: Any
) -> None:
    """Detecting a piece's language and transcribing it share one encoding of its first 30 s:
    for pieces one after another (English, Russian, one of more than 30 s) the encoder runs
    once fewer than it is asked, and every answer is its own input's encoding (a later window
    of a long piece is encoded afresh). The words are compared with what the model hears, not
    with a second model's: the same model's words for a piece can vary between calls, while
    its encodings do not."""
    from faster_whisper import WhisperModel

    from docket.enrich import whisper_box

    settings.MODELS_DIR = tmp_path / "models"
    path = str(whisper.bundled_model())
    pieces = [
        pcm(tmp_path / "first.wav", FIRST),
        pcm(tmp_path / "second.wav", SECOND),
        pcm(tmp_path / "ru.wav", "Задержали сорок человек у метро.", voice_name="ru"),
        pcm(tmp_path / "long.wav", " ".join([FIRST, SECOND] * 4)),
    ]
    assert len(pieces[3]) > 31 * 16000

    model = WhisperModel(path, device="cpu", compute_type="int8", local_files_only=True)
    calls: list[int] = []
    encode = model.model.encode
    model.model = Counted(model.model, lambda *a, **k: (calls.append(1), encode(*a, **k))[1])
    forget = whisper_box.remember_encoding(model)
    remembering = model.encode
    asked: list[tuple[Any, Any]] = []

    def watched(features: Any) -> Any:
        answer = remembering(features)
        asked.append((np.array(features, copy=True), answer))
        return answer

    model.encode = watched
    heard = []
    for samples in pieces:
        asked.clear()
        before = len(calls)
        language, _ = whisper_box.choose(model, samples, None)
        segments, _ = model.transcribe(samples, language=language, beam_size=5, best_of=1)
        heard.append((language, " ".join(segment.text.strip() for segment in segments)))
        forget()
        encoded = len(calls) - before
        assert len(asked) >= 2 and encoded == len(asked) - 1, (len(asked), encoded)
        for features, answer in asked:  # each answer is its own input's encoding
            assert np.array_equal(np.array(answer), np.array(WhisperModel.encode(model, features)))
    assert len(asked) == 3  # the long piece: its language, its first window, its second
    assert heard[0][0] == "en" and "metro station" in heard[0][1]
    # A recording of a few samples (less than a frame) still has a language and no words.
    tiny = np.zeros(10, dtype="<f4")
    assert whisper_box.choose(model, tiny, None)[0] in whisper_box.LANGUAGES
    assert list(model.transcribe(tiny, language="en")[0]) == []


def test_the_model_process_forgets_each_request_s_encoding() -> None:
    """What the encoder remembers serves one request only: the next request, even with the same
    samples, is encoded again (nothing of one recording stays past its request)."""
    from docket.enrich import whisper_box

    model = Heard([{"en": 0.9}, {"en": 0.9}])
    encoded: list[bytes] = []
    model.encode = lambda features: encoded.append(features.tobytes()) or "encoding"
    forget = whisper_box.remember_encoding(model)
    features = np.ones((80, 3000), dtype="<f4")
    assert model.encode(features) == model.encode(features) == "encoding"
    assert len(encoded) == 1  # the same input: remembered
    model.encode(features * 2)
    assert len(encoded) == 2  # another input: encoded
    forget()
    model.encode(features * 2)
    assert len(encoded) == 3  # forgotten: encoded again
    forgotten: list[int] = []
    samples = np.zeros(1600, dtype="<f4").tobytes()
    requests = b"".join(
        json.dumps({"samples": 1600, "language": None, "best_of": 3}).encode() + b"\n" + samples
        for _ in range(2)
    )
    whisper_box.serve(model, io.BytesIO(requests), io.BytesIO(), lambda: forgotten.append(1))
    assert forgotten == [1, 1]
    assert model.decoding == [(5, 3), (5, 3)]  # the request's candidates reach the model


class Counted:
    """A CTranslate2 model whose encode is watched; everything else is the model's."""

    def __init__(self, model: Any, encode: Any) -> None:
        self._model, self.encode = model, encode

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)
