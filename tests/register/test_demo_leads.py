"""The demo's leads: anchor events at an exact time and spot (`docket register generate`), and
sample photos and videos (scripts/make_samples.py) whose EXIF and QuickTime tags say they were
taken there and then, with a re-posted video and a forwarded photo for the near-duplicates.
What a new user of `make demo` sees in the leads queue rests on these."""

from __future__ import annotations

import io
import itertools
import json
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from docket.accounts.models import Compartment
from docket.enrich import frames
from docket.enrich.enrichers.metadata.implementation import normalise
from docket.enrich.enrichers.pdq.implementation import distance, hash_pixels
from docket.ingest import telegram_export
from docket.register import chain
from docket.register.anchors import ANCHORS, BY_REF, MINSK, SITES, metres
from docket.register.generate import Generator, add_anchors
from docket.register.models import Act, Change, Event, Involvement, Person, Place
from docket.register.search import search
from tests.support import media

make_samples = media.samples()
HOURS_2 = timedelta(hours=2)


@pytest.fixture(scope="module")
def samples(tmp_path_factory: Any) -> Path:
    root: Path = tmp_path_factory.mktemp("samples")
    make_samples.lead_samples(root)
    return root


def _exif(paths: list[Path]) -> dict[str, dict[str, Any]]:
    done = subprocess.run(
        ["exiftool", "-json", "-n", "-G", *map(str, paths)],
        capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    return {Path(tags["SourceFile"]).name: tags for tags in json.loads(done.stdout)}


def _probe(path: Path) -> dict[str, Any]:
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
         str(path)],
        capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    probe: dict[str, Any] = json.loads(done.stdout)
    return probe


def _hashes(path: Path, times: list[float | None]) -> list[tuple[str, int]]:
    """PDQ as the enricher computes it (frames.rgb's ffmpeg call, outside the sandbox)."""
    out = []
    for at in times:
        seek = ["-ss", f"{at:.3f}"] if at is not None else []
        raw = subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", *seek, "-i", str(path), "-frames:v", "1",
             "-vf", f"scale={frames.PDQ_SIDE}:{frames.PDQ_SIDE}", "-f", "rawvideo",
             "-pix_fmt", "rgb24", "-"],
            capture_output=True, check=True, timeout=60,
        ).stdout  # fmt: skip
        out.append(hash_pixels(raw))
    return out


def _keyframes(path: Path) -> list[float | None]:
    return list(frames.keyframe_times(float(_probe(path)["format"]["duration"])))


def _matches(shot: Any, anchor: Any, taken: datetime) -> bool:
    """The rule the leads use: within 2 hours of the event's window and 1 km of its spot."""
    site = SITES[anchor.site]
    near = metres(shot.position, (site.lat, site.lon)) <= 1000
    return near and anchor.start_utc - HOURS_2 <= taken <= anchor.end_utc + HOURS_2


def test_the_photos_say_when_and_where_they_were_taken(samples: Path) -> None:
    photos = samples / "default" / "photos"
    found = _exif([photos / shot.name for shot in make_samples.PHOTOS])
    for shot in make_samples.PHOTOS:
        tags = found[shot.name]
        assert tags["EXIF:DateTimeOriginal"] == f"{shot.local:%Y:%m:%d %H:%M:%S}"
        assert tags.get("EXIF:OffsetTimeOriginal") == shot.offset
        lat, lon = shot.position
        assert tags["Composite:GPSLatitude"] == pytest.approx(lat, abs=1e-5)
        assert tags["Composite:GPSLongitude"] == pytest.approx(lon, abs=1e-5)
        assert "GPS:GPSDateStamp" not in tags  # a GPS clock would override a zone-less one
        # Docket's own reading of the tags: the photos with an offset give their UTC moment.
        read = normalise(tags, {}, "Europe/Minsk")
        assert (read["latitude"], read["longitude"]) == pytest.approx((lat, lon), abs=1e-5)
        # The photos with an offset give their moment; the clock alone is read in Minsk time,
        # and the capture says that zone was assumed.
        assert read["taken_at"] == shot.utc
        assert read["zone_assumed"] is (shot.offset is None)
    # Each matches its anchor when Minsk time is assumed, the last photo none at all.
    for shot in make_samples.PHOTOS + make_samples.VIDEOS:
        matched = {a.ref for a in ANCHORS if _matches(shot, a, shot.utc)}
        assert matched == ({shot.anchor} if shot.anchor else set()), shot.name
        if shot.anchor:
            anchor = BY_REF[shot.anchor]
            assert anchor.start <= shot.local.replace(tzinfo=MINSK) <= anchor.end
            site = SITES[anchor.site]
            assert 50 < metres(shot.position, (site.lat, site.lon)) < 400
    assert [s.offset for s in make_samples.PHOTOS].count(None) == 1
    assert sum(s.anchor is None for s in make_samples.PHOTOS) == 1


def test_the_videos_carry_creation_time_and_location(samples: Path) -> None:
    for shot in make_samples.VIDEOS:
        probe = _probe(samples / "default" / "videos" / shot.name)
        tags = probe["format"]["tags"]
        assert tags["creation_time"] == f"{shot.utc:%Y-%m-%dT%H:%M:%S}.000000Z"
        lat, lon = shot.position
        assert tags["location"] == f"{lat:+08.4f}{lon:+09.4f}/"
        assert float(probe["format"]["duration"]) == pytest.approx(make_samples.VIDEO_SECONDS)
        read = normalise({}, probe, "Europe/Minsk")
        assert read["taken_at"] == shot.utc
        assert (read["latitude"], read["longitude"]) == pytest.approx((lat, lon), abs=1e-4)


def test_the_copies_are_near_duplicates_and_nothing_else_is(samples: Path) -> None:
    photos, videos = samples / "default" / "photos", samples / "default" / "videos"
    hashes: dict[str, list[tuple[str, int]]] = {}
    for shot in make_samples.PHOTOS:
        hashes[shot.name] = _hashes(photos / shot.name, [None])
    forwarded = samples / "intake" / make_samples.FORWARDED_FILE
    hashes["forwarded"] = _hashes(forwarded, [None])
    for shot in make_samples.VIDEOS:
        hashes[shot.name] = _hashes(videos / shot.name, _keyframes(videos / shot.name))
    export = samples / "telegram" / make_samples.REPOST_EXPORT
    repost = export / make_samples.REPOST_FILE
    hashes["repost"] = _hashes(repost, _keyframes(repost))
    assert all(quality >= 50 for found in hashes.values() for _, quality in found)

    # The forwarded photo: trimmed, smaller, recompressed, its EXIF gone.
    assert distance(hashes["forwarded"][0][0], hashes[make_samples.FORWARDED.name][0][0]) <= 31
    assert "EXIF:DateTimeOriginal" not in _exif([forwarded])[forwarded.name]
    # The re-post: every keyframe close to the original's at the same moment.
    pairs = zip(hashes["repost"], hashes[make_samples.REPOSTED.name], strict=True)
    assert all(distance(a, b) <= 31 for (a, _), (b, _) in pairs)
    probe = _probe(repost)
    assert "creation_time" not in probe["format"].get("tags", {})
    assert "location" not in probe["format"].get("tags", {})
    assert probe["streams"][0]["width"] == 480
    # No other two pictures are near each other.
    copies = {"forwarded": make_samples.FORWARDED.name, "repost": make_samples.REPOSTED.name}
    for a, b in itertools.combinations(hashes, 2):
        if copies.get(a) == b or copies.get(b) == a:
            continue
        closest = min(distance(x, y) for (x, _), (y, _) in itertools.product(hashes[a], hashes[b]))
        assert closest > 31 + 20, (a, b, closest)

    # The second channel's export reads as one; its message points at the re-post.
    [chat] = telegram_export.load(export)
    [posted] = [m for m in chat["messages"] if m.get("file")]
    assert posted["file"] == make_samples.REPOST_FILE and posted["media_type"] == "video_file"


def test_generate_adds_the_anchor_events_at_their_utc_times(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = Compartment.objects.create(name="demo")
    call_command("register", "generate", "--compartment", "demo", "--events", "10",
                 "--persons", "20", "--json")  # fmt: skip
    assert json.loads(capsys.readouterr().out)["anchors"] == len(ANCHORS) == 5
    anchors = {e.import_ref: e for e in Event.objects.filter(import_ref__startswith="demo-anchor")}
    assert set(anchors) == {f"demo-anchor-{n}" for n in range(1, 6)}
    stela = anchors["demo-anchor-1"]
    # 22:00-23:45 in Minsk (UTC+3) on 9 August 2020
    assert (stela.start, stela.end) == (
        datetime(2020, 8, 9, 19, 0, tzinfo=UTC),
        datetime(2020, 8, 9, 20, 45, tzinfo=UTC),
    )
    assert anchors["demo-anchor-3"].end == datetime(2020, 8, 10, 22, 0, tzinfo=UTC)
    for ref, event in anchors.items():
        anchor = BY_REF[ref]
        assert (event.start, event.end) == (anchor.start_utc, anchor.end_utc)
        assert event.start_precision == event.end_precision == "exact"
        place = event.place
        assert place is not None and place.precision == Place.CoordinatePrecision.POINT
        site = SITES[anchor.site]
        assert (place.kind, place.latitude, place.longitude) == ("site", site.lat, site.lon)
        assert place.parent is not None and place.parent.code == site.parent
        assert Act.objects.get(event=event).act_type.code == anchor.act
        assert Change.objects.filter(model="event", object_id=event.pk).exists()
    assert stela.pk in {h.id for h in search("Stela", compartments={demo.pk}) if h.type == "event"}
    # Again: nothing more, not even a second spot.
    assert add_anchors(demo) == 0
    assert Place.objects.filter(kind="site", name_en=SITES["stela"].en).count() == 1
    other = Compartment.objects.create(name="other")
    call_command("register", "generate", "--compartment", "other", "--events", "5",
                 "--persons", "10", "--no-anchors", stdout=io.StringIO())  # fmt: skip
    assert not Event.objects.filter(compartment=other, import_ref__startswith="demo").exists()


def test_the_demo_register_has_no_other_event_where_the_samples_were_taken(db: None) -> None:
    """With the demo's own arguments: a generated event that happened to be there then would
    add leads the demo does not explain."""
    demo = Compartment.objects.create(name="default")
    Generator(demo).run(events=300, persons=1000)
    add_anchors(demo)
    # Over the generated register, each anchor's act is the OMON of Minsk's, so its page shows
    # the chain of command that night, and its description names a commander above it (a
    # mention to find).
    stela = Event.objects.get(compartment=demo, import_ref="demo-anchor-1")
    (omon,) = {i.unit for i in Involvement.objects.filter(act__event=stela)}
    assert omon is not None and omon.name == "OMON, Minsk"
    levels = chain.chain_at(omon, date(2020, 8, 9))
    assert len(levels) >= 2 and any(level.commanders for level in levels[1:])
    named = stela.description.split("Witnesses name ", 1)[1].split(" as the officer", 1)[0]
    assert Person.objects.filter(compartment=demo, display_name=named).exists()
    for shot in make_samples.PHOTOS + make_samples.VIDEOS:
        # a clock without a zone is read in Minsk time, as the instance's zone is by default
        for taken in {shot.utc}:
            near = []
            for event in Event.objects.filter(
                start__lte=taken + HOURS_2, place__latitude__isnull=False
            ).select_related("place"):
                if (event.end or event.start) < taken - HOURS_2:
                    continue
                assert event.place is not None
                position = (event.place.latitude, event.place.longitude)
                if metres(shot.position, position) <= 1500:  # type: ignore[arg-type]
                    near.append(event.import_ref)
            assert set(near) <= {shot.anchor}, shot.name
