"""The same picture across sources, on real re-encodings made here with ffmpeg: a photo resized
and recompressed, cropped a little, captioned; a video re-encoded at another size and bitrate;
and real different pictures, which must not match. Through the real enricher pipeline, and on
hashes made as the PDQ enricher makes them for the pages, the queue and the command."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from docket.accounts.models import Compartment
from docket.enrich import frames, neardup
from docket.enrich.enrichers.pdq import implementation as pdq
from docket.enrich.models import NearDuplicate, PerceptualHash
from docket.lib import zones
from docket.register.leads import KINDS
from docket.register.models import Change
from docket.vault.models import Item
from docket.vault.store import store
from tests.support.enriching import Enriching
from tests.support.personas import Team, log_in

SCENE = "mandelbrot=size=800x600"
OTHERS = ("testsrc2=size=800x600", "life=size=800x600:mold=10:ratio=0.3:seed=3")


def ffmpeg(*args: str) -> None:
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True, timeout=120
    )


def picture(path: Path, source: str = SCENE) -> Path:
    ffmpeg("-f", "lavfi", "-i", source, "-frames:v", "1", str(path))
    return path


def variants(original: Path, folder: Path) -> dict[str, Path]:
    """What a picture becomes on its way: re-posted smaller and recompressed, cropped by 1 %
    on each side, a caption band laid over its foot."""
    made = {
        "smaller.jpg": ["-vf", "scale=iw/2:ih/2", "-q:v", "20"],
        "cropped.png": ["-vf", "crop=iw*0.98:ih*0.98"],
        "captioned.jpg": [
            "-vf", "drawbox=x=0:y=ih*0.94:w=iw:h=ih*0.06:color=black@0.8:t=fill,"
            "drawtext=text='Minsk 10.08.2020':x=10:y=h*0.94+4:fontsize=h*0.035:fontcolor=white",
        ],
    }  # fmt: skip
    for name, args in made.items():
        ffmpeg("-i", str(original), *args, str(folder / name))
    return {name.split(".")[0]: folder / name for name in made}


def video(path: Path, source: str = SCENE, *, size: str = "640x480", rate: str = "800k") -> Path:
    ffmpeg(
        "-f", "lavfi", "-i", f"{source.split('=')[0]}=size={size}:rate=25", "-t", "6",
        "-c:v", "libx264", "-b:v", rate, "-pix_fmt", "yuv420p", str(path),
    )  # fmt: skip
    return path


def hashes_of(path: Path, *, moving: bool = False) -> list[tuple[float | None, str, int]]:
    """(at, hash, quality) of a picture or of a video's keyframes, read as the enricher reads
    them (ffmpeg scaled to 512 x 512, then PDQ) but outside the sandbox."""
    times: list[float | None] = [None]
    if moving:
        probe = subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
             str(path)], capture_output=True, text=True, check=True,
        )  # fmt: skip
        times = list(frames.keyframe_times(float(probe.stdout)))
    found = []
    for at in times:
        seek = ["-ss", f"{at:.3f}"] if at is not None else []
        raw = subprocess.run(
            ["ffmpeg", "-v", "error", *seek, "-i", str(path), "-frames:v", "1", "-vf",
             "scale=512:512", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
            capture_output=True, check=True,
        ).stdout  # fmt: skip
        digest, quality = pdq.hash_pixels(raw)
        found.append((at, digest, quality))
    return found


def hashed(path: Path, compartment: Compartment, *, moving: bool = False) -> Item:
    """Store a file and give it the PDQ hashes the enricher would."""
    with path.open("rb") as handle:
        item = store(handle, actor="test", compartment=compartment).item
    PerceptualHash.objects.bulk_create(
        PerceptualHash(item=item, at_seconds=at, pdq=digest, quality=quality)
        for at, digest, quality in hashes_of(path, moving=moving)
    )
    return item


def pairs(compartment: Compartment) -> dict[frozenset[int], NearDuplicate]:
    return {
        frozenset((r.a_id, r.b_id)): r
        for r in NearDuplicate.objects.filter(compartment=compartment)
    }


@pytest.fixture
def scene(tmp_path: Path) -> dict[str, Path]:
    original = picture(tmp_path / "original.png")
    return {
        "original": original,
        **variants(original, tmp_path),
        "other": picture(tmp_path / "other.png", OTHERS[0]),
        "another": picture(tmp_path / "another.png", OTHERS[1]),
    }


def test_re_encodings_match_and_different_pictures_do_not(
    vault: Path, team: Team, scene: dict[str, Path]
) -> None:
    items = {name: hashed(path, team.a) for name, path in scene.items()}
    for item in items.values():
        neardup.scan(item)
    found = pairs(team.a)
    copies = ("original", "smaller", "cropped", "captioned")
    for name in copies[1:]:
        pair = found.get(frozenset((items["original"].pk, items[name].pk)))
        assert pair is not None, f"the {name} copy was not found"
        assert pair.distance <= 31 and pair.share is None
    others = {items["other"].pk, items["another"].pk}
    assert not any(key & others for key in found), "different pictures must not match"
    # What the linear scan of all the rows finds, the worker found: nothing more, nothing less.
    everything = neardup.collection(team.a.pk).all_matches(scan=True)
    assert {frozenset((m.a, m.b)) for m in everything} == set(found)


def test_never_across_compartments_and_the_command_prints_the_groups(
    vault: Path, team: Team, scene: dict[str, Path]
) -> None:
    here = [hashed(scene[name], team.a) for name in ("original", "smaller", "cropped")]
    there = [hashed(scene[name], team.b) for name in ("captioned", "original")]
    alone = hashed(scene["other"], team.a)
    out = io.StringIO()
    call_command("match", "duplicates", "--json", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed == {
        "groups": [
            {"compartment": team.a.name,
             "items": [{"item": i.pk, "sha256": i.sha256} for i in here]},
            {"compartment": team.b.name,
             "items": [{"item": i.pk, "sha256": i.sha256} for i in there]},
        ]
    }  # fmt: skip
    assert not NearDuplicate.objects.filter(a__compartment=team.a, b__compartment=team.b).exists()
    assert alone.pk not in {i["item"] for g in printed["groups"] for i in g["items"]}
    one = io.StringIO()
    call_command("match", "duplicates", "--compartment", team.b.name, "--json", stdout=one)
    assert [g["compartment"] for g in json.loads(one.getvalue())["groups"]] == [team.b.name]
    readable = io.StringIO()
    call_command("match", "duplicates", stdout=readable)
    assert "group 1: 3 items in okr-casefiles" in readable.getvalue()


def test_a_re_encoded_video_matches_and_its_still_too(
    vault: Path, team: Team, tmp_path: Path
) -> None:
    first = video(tmp_path / "channel-a.mp4")
    again = video(tmp_path / "channel-b.mp4", size="320x240", rate="150k")
    other = video(tmp_path / "other.mp4", OTHERS[0])
    still = tmp_path / "still.jpg"
    ffmpeg("-ss", "3.5", "-i", str(first), "-frames:v", "1", str(still))
    items = [hashed(p, team.a, moving=True) for p in (first, again, other)]
    items.append(hashed(still, team.a))
    for item in items:
        neardup.scan(item)
    found = pairs(team.a)
    videos = found[frozenset((items[0].pk, items[1].pk))]
    assert videos.share is not None and videos.share >= 0.8
    assert frozenset((items[0].pk, items[3].pk)) in found  # the still is one of its frames
    assert not any(items[2].pk in key for key in found)


def test_the_pages_the_decision_and_the_queue(
    vault: Path, team: Team, scene: dict[str, Path], client: Client
) -> None:
    original, copy, third = (hashed(scene[n], team.a) for n in ("original", "smaller", "captioned"))
    for item in (original, copy, third):
        neardup.scan(item)
    log_in(client, team.owner)
    page = client.get(f"/vault/items/{original.pk}/").content.decode()
    assert "The same picture elsewhere" in page
    assert f"/vault/items/{copy.pk}/" in page and f"/vault/items/{third.pk}/" in page
    groups = client.get("/vault/near-duplicates/").content.decode()
    assert "3 items in okr-casefiles" in groups

    kind = KINDS["near-duplicates"]
    assert kind.permission == "register.edit" and kind.count(team.a.pk) == 3
    lead = kind.pending(team.a.pk, 10)[0]
    from django.template.loader import render_to_string

    row = render_to_string(kind.template, {"lead": lead, "kind": kind, "may_decide": True})
    assert f"/vault/items/{lead.a_id}/" in row and f"/vault/items/{lead.b_id}/" in row
    assert 'action="/leads/decide"' in row and f'name="lead" value="{lead.pk}"' in row
    # The intake clerk sees the pair on the item's page but may not decide it.
    clerk = Client()
    log_in(clerk, team.teammate)
    seen = clerk.get(f"/vault/items/{original.pk}/").content.decode()
    assert f"/vault/items/{copy.pk}/" in seen and "near-duplicates/decide" not in seen
    assert clerk.post("/vault/near-duplicates/decide", {"pair": lead.pk}).status_code == 404

    pair = NearDuplicate.objects.get(a=min(original.pk, third.pk), b=max(original.pk, third.pk))
    back = f"/vault/items/{original.pk}/"
    answer = client.post(
        "/vault/near-duplicates/decide", {"pair": pair.pk, "decision": "reject", "next": back}
    )
    assert answer.status_code == 302 and answer["Location"] == back
    pair.refresh_from_db()
    assert pair.status == "rejected" and pair.decided_by == team.owner
    change = Change.objects.get(model="nearduplicate", object_id=pair.pk)
    assert change.actor == team.owner and change.after["status"] == "rejected"
    # Rejected: never suggested again, out of the groups.
    neardup.scan(third)
    pair.refresh_from_db()
    assert pair.status == "rejected"
    assert [g.items for g in neardup.groups([team.a])] == [sorted((original.pk, copy.pk, third.pk))]
    via = NearDuplicate.objects.get(a=min(copy.pk, third.pk), b=max(copy.pk, third.pk))
    assert kind.decide(via, False, team.owner) is True
    assert [g.items for g in neardup.groups([team.a])] == [sorted((original.pk, copy.pk))]
    confirmed = NearDuplicate.objects.get(a=min(original.pk, copy.pk), b=max(original.pk, copy.pk))
    assert kind.decide(confirmed, True, team.owner) is True
    assert kind.decide(confirmed, False, team.owner) is False  # decided already
    assert kind.count(team.a.pk) == 0
    confirmed.refresh_from_db()
    decided = client.get(back).content.decode()
    # When, in the instance's zone with its offset, as every other time on the page.
    assert f"confirmed {zones.show(confirmed.decided_at)}" in decided
    assert "+03:00" in zones.show(confirmed.decided_at)

    # Outside the compartment: no such pair.
    outsider = Client()
    log_in(outsider, team.outsider)
    refused = outsider.post(
        "/vault/near-duplicates/decide", {"pair": pair.pk, "decision": "accept"}
    )
    assert refused.status_code == 404
    assert "okr-casefiles" not in outsider.get("/vault/near-duplicates/").content.decode()


@pytest.mark.slow
def test_the_pipeline_finds_the_same_picture_after_hashing(
    enriching: Enriching, team: Team, scene: dict[str, Path]
) -> None:
    names = ("original", "smaller", "cropped", "captioned", "other")
    items = {name: enriching.put(scene[name], team.a) for name in names}
    elsewhere = enriching.put(scene["original"], team.b)
    enriching.work()
    found = pairs(team.a)
    for name in ("smaller", "cropped", "captioned"):
        assert frozenset((items["original"].pk, items[name].pk)) in found, name
    assert not any(items["other"].pk in key for key in found)
    assert not NearDuplicate.objects.filter(compartment=team.b).exists()
    assert PerceptualHash.objects.filter(item=elsewhere).exists()


def test_the_enrich_side_uses_pdqs_quality_floor() -> None:
    from docket.analysis import neardup as rules

    assert neardup.MIN_QUALITY == rules.MIN_QUALITY == 50


def test_a_moved_item_leaves_its_suggestions_and_meets_its_new_compartment(
    vault: Path, team: Team, scene: dict[str, Path]
) -> None:
    from docket.vault.store import move

    original, copy, cropped = (hashed(scene[n], team.a) for n in ("original", "smaller", "cropped"))
    there = hashed(scene["captioned"], team.b)
    for item in (original, copy, cropped, there):
        neardup.scan(item)
    kept = NearDuplicate.objects.get(a=min(original.pk, cropped.pk), b=max(original.pk, cropped.pk))
    assert neardup.decide(kept, accept=True, user=team.owner).status == "accepted"
    move(cropped, team.b, actor="test")
    cropped.refresh_from_db()
    neardup.scan(cropped)
    assert set(pairs(team.a)) == {
        frozenset((original.pk, copy.pk)),
        frozenset((original.pk, cropped.pk)),
    }  # the confirmed pair stays where it was decided, off the pages
    assert pairs(team.b) and set(pairs(team.b)) == {frozenset((cropped.pk, there.pk))}
    assert [g.items for g in neardup.groups([team.a])] == [sorted((original.pk, copy.pk))]
    assert neardup.of_item(original)[0].other(original.pk) == copy.pk
