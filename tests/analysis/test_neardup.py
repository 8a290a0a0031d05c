"""The near-duplicate index answers exactly as a linear scan, at every distance around PDQ's
threshold; the video rule and the groups, against brute force on random data."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from docket.analysis import neardup as nd


def flipped(hashes: nd.Hashes, row: int, bits: int, rng: np.random.Generator) -> nd.Hashes:
    """A copy of one hash with `bits` distinct bits flipped."""
    out = hashes[row].copy()
    for bit in rng.choice(256, size=bits, replace=False):
        out[bit // 64] ^= np.uint64(1) << np.uint64(bit % 64)
    return out


def as_hex(words: nd.Hashes) -> str:
    return words.astype(">u8").tobytes().hex()


def planted(n: int, pairs: int, seed: int) -> tuple[nd.Hashes, list[int]]:
    """n random hashes and, for `pairs` of them, a copy 0 to 40 bits away (also bits packed
    into one band, the hardest case for the index)."""
    rng = np.random.default_rng(seed)
    hashes = rng.integers(0, 2**64, size=(n, 4), dtype=np.uint64)
    copies, bases = [], []
    for k in range(pairs):
        base = int(rng.integers(n))
        copy = flipped(hashes, base, k % 41, rng)
        if k % 5 == 0:  # flips crowded into the first words: whole bands differ
            copy = hashes[base].copy()
            copy[0] ^= np.uint64((1 << min(k % 41, 64)) - 1)
        copies.append(copy)
        bases.append(base)
    return np.vstack([hashes, np.array(copies)]), bases


def test_pack_reads_hex_as_written_and_distances_count_bits() -> None:
    a, b = "f" * 64, "f" * 63 + "0"
    packed = nd.pack([a, b])
    assert as_hex(packed[0]) == a and as_hex(packed[1]) == b
    assert nd.distances(packed, packed[0]).tolist() == [0, 4]
    with pytest.raises(ValueError):
        nd.pack(["abc"])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_index_finds_exactly_what_the_linear_scan_finds(seed: int) -> None:
    hashes, bases = planted(20_000, 400, seed)
    index = nd.Index(hashes)
    near_any = 0
    for row in [*bases, *range(len(hashes) - 400, len(hashes)), *range(50)]:
        got_rows, got_d = index.near(hashes[row])
        want_rows, want_d = nd.linear(hashes, hashes[row])
        assert got_rows.tolist() == want_rows.tolist() and got_d.tolist() == want_d.tolist()
        near_any += len(got_rows) > 1
    assert near_any > 200  # the planted copies within 31 were there to find


def test_many_queries_at_once_find_what_each_scan_finds() -> None:
    hashes, bases = planted(20_000, 400, 4)
    asked = [*bases[:150], *range(len(hashes) - 150, len(hashes)), *range(40)]
    got = nd.Index(hashes).near_many(hashes[asked])
    want: list[tuple[int, int, int]] = []
    for number, row in enumerate(asked):
        rows, found = nd.linear(hashes, hashes[row])
        want += [(number, r, d) for r, d in zip(rows.tolist(), found.tolist(), strict=True)]
    assert list(zip(*(a.tolist() for a in got), strict=True)) == want
    assert len(want) > len(asked)  # copies were found, not only each query itself


@pytest.mark.parametrize("bits", [0, 1, 15, 16, 17, 30, 31, 32, 33, 40])
def test_every_distance_up_to_31_is_found_and_none_beyond(bits: int) -> None:
    rng = np.random.default_rng(bits)
    hashes = rng.integers(0, 2**64, size=(1000, 4), dtype=np.uint64)
    # The worst case for 16 bands: the bits dealt round the bands, so at 31 fifteen bands
    # differ in two bits and one in a single bit; and the same number of bits at random.
    spread = hashes[0].copy()
    bands = spread.view(np.uint16)
    for k in range(bits):
        bands[k % 16] ^= np.uint16(1 << (k // 16 * 5))
    copies = np.vstack([hashes, spread, flipped(hashes, 0, bits, rng)])
    assert nd.distances(copies[-2:], hashes[0]).tolist() == [bits, bits]
    rows, found = nd.Index(copies).near(copies[0])
    expected = [0, 1000, 1001] if bits <= 31 else [0]
    assert rows.tolist() == expected
    assert found.tolist() == ([0, bits, bits] if bits <= 31 else [0])


def test_the_index_refuses_a_threshold_it_could_not_answer_exactly() -> None:
    with pytest.raises(ValueError):
        nd.Index(np.zeros((3, 4), dtype=np.uint64)).near(np.zeros(4, dtype=np.uint64), 32)
    empty = nd.Index(np.zeros((0, 4), dtype=np.uint64))
    assert empty.near(np.zeros(4, dtype=np.uint64))[0].tolist() == []


def random_frames(seed: int) -> list[nd.Frame]:
    """Pictures and videos of a few scenes, with copies a few bits off, and noise."""
    rng = random.Random(seed)
    scenes = [[rng.getrandbits(256) for _ in range(6)] for _ in range(8)]

    def near(value: int, bits: int) -> str:
        for bit in rng.sample(range(256), bits):
            value ^= 1 << bit
        return f"{value:064x}"

    frames: list[nd.Frame] = []
    for item in range(1, 60):
        scene = rng.choice(scenes)
        if rng.random() < 0.4:  # a picture: one frame of a scene, or noise
            value = rng.choice(scene) if rng.random() < 0.7 else rng.getrandbits(256)
            frames.append(nd.Frame(item, near(value, rng.randrange(45))))
        else:  # a video: some keyframes of a scene, some of noise
            for at in range(rng.randrange(1, 7)):
                value = scene[at] if rng.random() < 0.75 else rng.getrandbits(256)
                frames.append(nd.Frame(item, near(value, rng.randrange(40)), float(at)))
    return frames


def brute_force(frames: list[nd.Frame]) -> list[nd.Match]:
    """The rules as the docs say them, pair by pair, frame by frame."""
    by_item: dict[int, list[nd.Frame]] = {}
    for frame in frames:
        by_item.setdefault(frame.item, []).append(frame)

    def d(x: nd.Frame, y: nd.Frame) -> int:
        return (int(x.pdq, 16) ^ int(y.pdq, 16)).bit_count()

    found = []
    for a, b in itertools.combinations(sorted(by_item), 2):
        fa, fb = by_item[a], by_item[b]
        best = min(d(x, y) for x in fa for y in fb)
        if best > nd.THRESHOLD:
            continue
        if fa[0].at is not None and fb[0].at is not None:
            share_a = sum(any(d(x, y) <= 31 for y in fb) for x in fa) / len(fa)
            share_b = sum(any(d(x, y) <= 31 for x in fa) for y in fb) / len(fb)
            share = (
                share_a
                if len(fa) < len(fb)
                else share_b
                if len(fb) < len(fa)
                else max(share_a, share_b)
            )
            if share < 0.8:
                continue
            found.append(nd.Match(a, b, best, share))
        else:
            found.append(nd.Match(a, b, best))
    return found


@pytest.mark.parametrize("seed", range(6))
def test_the_rules_for_pictures_and_videos_agree_with_brute_force(seed: int) -> None:
    frames = random_frames(seed)
    collection = nd.Collection(frames)
    want = brute_force(frames)
    assert collection.all_matches() == want
    assert collection.all_matches(scan=True) == want
    kinds = {(m.share is None) for m in want}
    assert kinds == {True, False}, "the data should hold both kinds of match"


def test_videos_need_four_in_five_of_the_shorter_ones_keyframes() -> None:
    rng = random.Random(5)
    scene = [rng.getrandbits(256) for _ in range(6)]
    other = [rng.getrandbits(256) for _ in range(6)]
    full = [nd.Frame(1, f"{v:064x}", float(n)) for n, v in enumerate(scene)]
    # 4 of 5 keyframes of a shorter cut are in the full video: 80 %, a match.
    cut = [nd.Frame(2, f"{v:064x}", float(n)) for n, v in enumerate(scene[:4] + other[:1])]
    # 3 of 5: not one.
    less = [nd.Frame(3, f"{v:064x}", float(n)) for n, v in enumerate(scene[:3] + other[:2])]
    picture = [nd.Frame(4, f"{other[1]:064x}")]
    also = [nd.Frame(5, f"{other[1] ^ 0b111:064x}", 1.0), nd.Frame(5, f"{other[5]:064x}", 2.0)]
    matches = nd.Collection(full + cut + less + picture + also).all_matches()
    assert nd.Match(1, 2, 0, 0.8) in matches
    assert not any({m.a, m.b} == {1, 3} for m in matches)
    # A picture within 31 of any one keyframe of a video is in it.
    assert nd.Match(4, 5, 3, None) in matches


def test_groups_are_the_connected_components_largest_first() -> None:
    rng = random.Random(7)
    edges = [(rng.randrange(80), rng.randrange(80)) for _ in range(60)]
    got = nd.groups(edges)
    # Brute force: grow each component by repeated passes.
    nodes = {x for e in edges for x in e}
    seen: set[int] = set()
    want = []
    for start in sorted(nodes):
        if start in seen:
            continue
        part = {start}
        changed = True
        while changed:
            changed = False
            for a, b in edges:
                if (a in part) != (b in part):
                    part |= {a, b}
                    changed = True
        seen |= part
        want.append(sorted(part))
    assert sorted(got) == sorted(want)
    assert [len(g) for g in got] == sorted((len(g) for g in got), reverse=True)
    assert nd.groups([]) == []
