"""The same picture across sources: near-duplicate pictures and videos by their PDQ hashes
(docs/analysis.md, "The same picture across sources"). Pure numpy: no Django, no database.

Rules, PDQ's own:
- a hash counts when its quality is at least 50 (a flat or black frame hashes to noise);
- two pictures are the same at a Hamming distance of 31 or less (PDQ's confident match);
- a picture and a video when the picture is within 31 of any of the video's keyframes;
- two videos when at least 80 % of the keyframes of the one with fewer are within 31 of some
  keyframe of the other (with as many on both sides, either way round).

Search is multi-index hashing (Norouzi et al.): the 256 bits are cut into 16 bands of 16 bits,
and each band is filed in a table of its 65,536 values. Two hashes within 31 bits differ in at
most 31 bits over 16 bands, so some band differs in at most one bit (16 bands of two or more
would be 32): probing each band's own value and its 16 one-bit neighbours finds every hash
within 31, none missed, and the distances of those candidates are then counted exactly. The
answer is the linear scan's (tests compare the two on random and planted hashes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: PDQ's confident-match distance, in bits of 256.
THRESHOLD = 31
#: Hashes below this quality are not indexed.
MIN_QUALITY = 50
#: Of the shorter video's keyframes, the share that must match some keyframe of the other.
VIDEO_SHARE = 0.8

BANDS = 16
#: Queries searched together when a whole compartment is compared.
BATCH = 256
BAND_BITS = 16
#: Exact for any threshold below BANDS * (RADIUS + 1) = 32.
RADIUS = 1
_VALUES = 1 << BAND_BITS
#: XOR masks of a band's probes: itself and its 16 one-bit neighbours.
_PROBES = np.array([0] + [1 << bit for bit in range(BAND_BITS)], dtype=np.uint16)

Hashes = npt.NDArray[np.uint64]  # (n, 4): a hash per row, 4 words of 64 bits


def pack(hexes: Sequence[str]) -> Hashes:
    """PDQ hashes written as 64 hex digits, as rows of four 64-bit words."""
    if not hexes:
        return np.zeros((0, 4), dtype=np.uint64)
    raw = bytes.fromhex("".join(hexes))
    if len(raw) != 32 * len(hexes):
        raise ValueError("a PDQ hash is 64 hex digits")
    return np.frombuffer(raw, dtype=">u8").astype(np.uint64).reshape(len(hexes), 4)


def distances(hashes: Hashes, query: Hashes) -> npt.NDArray[np.int64]:
    """Hamming distance of one hash (a row of 4 words) to every row: the linear scan."""
    return np.bitwise_count(hashes ^ query.reshape(1, 4)).sum(axis=1, dtype=np.int64)


def linear(
    hashes: Hashes, query: Hashes, threshold: int = THRESHOLD
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(rows, distances) of every hash within `threshold`, rows ascending."""
    found = distances(hashes, query)
    rows = np.flatnonzero(found <= threshold).astype(np.int64)
    return rows, found[rows]


class Index:
    """Multi-index hashing over a fixed set of hashes; `near()` answers as `linear()` does."""

    def __init__(self, hashes: Hashes) -> None:
        self.hashes = np.ascontiguousarray(hashes, dtype=np.uint64).reshape(-1, 4)
        n = len(self.hashes)
        bands = self.hashes.view(np.uint16)  # (n, 16): the order of bands does not matter
        #: Rows of band b with value v: rows[starts[b*65536+v]:ends[b*65536+v]].
        self.rows = np.empty(BANDS * n, dtype=np.int32)
        self.starts = np.empty(BANDS * _VALUES, dtype=np.int64)
        self.ends = np.empty(BANDS * _VALUES, dtype=np.int64)
        for band in range(BANDS):
            values = bands[:, band]
            self.rows[band * n : (band + 1) * n] = np.argsort(values, kind="stable")
            ends = band * n + np.cumsum(np.bincount(values, minlength=_VALUES))
            self.ends[band * _VALUES : (band + 1) * _VALUES] = ends
            self.starts[band * _VALUES : (band + 1) * _VALUES] = np.concatenate(
                ([band * n], ends[:-1])
            )
        self._offsets = (np.arange(BANDS, dtype=np.int64) * _VALUES).reshape(BANDS, 1)

    def __len__(self) -> int:
        return len(self.hashes)

    def candidates(self, query: Hashes) -> npt.NDArray[np.int32]:
        """Rows sharing a band with the query, or one bit away in one: a superset of those
        within 31."""
        bands = np.ascontiguousarray(query, dtype=np.uint64).reshape(1, 4).view(np.uint16)[0]
        buckets = (self._offsets + (bands.reshape(BANDS, 1) ^ _PROBES)).ravel()
        starts, ends = self.starts[buckets], self.ends[buckets]
        lengths = ends - starts
        total = int(lengths.sum())
        if not total:
            return np.zeros(0, dtype=np.int32)
        # The rows of every probed bucket, in one gather: position k of bucket i is
        # starts[i] + k, written as one running count shifted per bucket.
        shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        return np.unique(self.rows[shift + np.arange(total)])

    def near_many(
        self, queries: Hashes, threshold: int = THRESHOLD
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """`near()` for many queries at once: (query, row, distance) of every hash within
        `threshold` of each, by query then row."""
        if threshold >= BANDS * (RADIUS + 1):
            raise ValueError(f"the index is exact up to {BANDS * (RADIUS + 1) - 1} bits")
        asked = np.ascontiguousarray(queries, dtype=np.uint64).reshape(-1, 4)
        n, m = len(self), len(asked)
        bands = asked.view(np.uint16).reshape(m, BANDS, 1)
        buckets = (self._offsets.reshape(1, BANDS, 1) + (bands ^ _PROBES)).reshape(m, -1)
        starts = self.starts[buckets].ravel()
        lengths = self.ends[buckets].ravel() - starts
        total = int(lengths.sum())
        owner = np.repeat(np.repeat(np.arange(m, dtype=np.int64), buckets.shape[1]), lengths)
        shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        rows = self.rows[shift + np.arange(total)].astype(np.int64)
        found = np.bitwise_count(self.hashes[rows] ^ asked[owner]).sum(axis=1, dtype=np.int64)
        keep = found <= threshold
        # A hash near in several bands was found once per band: once each, by query then row.
        pairs, first = np.unique(owner[keep] * max(n, 1) + rows[keep], return_index=True)
        return pairs // max(n, 1), pairs % max(n, 1), found[keep][first]

    def near(
        self, query: Hashes, threshold: int = THRESHOLD
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(rows, distances) of every hash within `threshold` (31 at most), rows ascending."""
        if threshold >= BANDS * (RADIUS + 1):
            raise ValueError(f"the index is exact up to {BANDS * (RADIUS + 1) - 1} bits")
        rows = self.candidates(query).astype(np.int64)
        found = distances(self.hashes[rows], query)
        keep = found <= threshold
        return rows[keep], found[keep]


@dataclass(frozen=True)
class Frame:
    """One indexed hash: of a picture (`at` None) or of a video keyframe at `at` seconds."""

    item: int
    pdq: str
    at: float | None = None


@dataclass(frozen=True)
class Match:
    """Two items that show the same picture or footage; a < b."""

    a: int
    b: int
    #: The least distance over the frames compared.
    distance: int
    #: Two videos: the share of the shorter one's keyframes that matched; otherwise None.
    share: float | None = None


class Collection:
    """The indexed frames of one compartment, searchable item by item."""

    def __init__(self, frames: Iterable[Frame]) -> None:
        listed = list(frames)
        self.items = np.array([f.item for f in listed], dtype=np.int64)
        self.video = np.array([f.at is not None for f in listed], dtype=bool)
        self.hashes = pack([f.pdq for f in listed])
        self._index: Index | None = None
        self.rows_of: dict[int, list[int]] = defaultdict(list)
        for row, frame in enumerate(listed):
            self.rows_of[frame.item].append(row)

    @property
    def index(self) -> Index:
        """Built on first use: for one item's few frames a linear scan costs less."""
        if self._index is None:
            self._index = Index(self.hashes)
        return self._index

    def _is_video(self, item: int) -> bool:
        return bool(self.video[self.rows_of[item][0]])

    def _close(self, rows: Sequence[int], scan: bool) -> Iterator[tuple[int, int, int]]:
        """(row, other row, distance) of every other hash within 31 of these rows' hashes."""
        if scan:
            for row in rows:
                found, far = linear(self.hashes, self.hashes[row])
                for other, distance in zip(found.tolist(), far.tolist(), strict=True):
                    yield row, other, distance
            return
        for start in range(0, len(rows), BATCH):
            chunk = np.array(rows[start : start + BATCH], dtype=np.int64)
            asked, found, far = self.index.near_many(self.hashes[chunk])
            yield from zip(chunk[asked].tolist(), found.tolist(), far.tolist(), strict=True)

    def _matches(self, close: Iterable[tuple[int, int, int]]) -> list[Match]:
        """The rules applied to the close frames of pairs of items."""
        #: (a, b) -> {(a's row, b's row): distance}
        pairs: dict[tuple[int, int], dict[tuple[int, int], int]] = defaultdict(dict)
        for row, other_row, distance in close:
            x, y = int(self.items[row]), int(self.items[other_row])
            if x < y:
                pairs[(x, y)][(row, other_row)] = distance
            elif y < x:
                pairs[(y, x)][(other_row, row)] = distance
        matches = []
        for (a, b), frames in pairs.items():
            share = None
            if self._is_video(a) and self._is_video(b):
                share = video_share(
                    len(self.rows_of[a]), len({r for r, _ in frames}),
                    len(self.rows_of[b]), len({r for _, r in frames}),
                )  # fmt: skip
                if share < VIDEO_SHARE:
                    continue
            matches.append(Match(a, b, min(frames.values()), share))
        return sorted(matches, key=lambda m: (m.distance, m.a, m.b))

    def matches_of(self, item: int, *, scan: bool = False) -> list[Match]:
        """The items that are near-duplicates of `item`, closest first; `scan` searches by the
        linear scan instead of the index (the two agree)."""
        return self._matches(self._close(self.rows_of.get(item, []), scan))

    def all_matches(self, *, scan: bool = False) -> list[Match]:
        """Every pair of near-duplicate items, once each, by item."""
        found = self._matches(self._close(range(len(self.hashes)), scan))
        return sorted(found, key=lambda m: (m.a, m.b))


def video_share(frames_a: int, matched_a: int, frames_b: int, matched_b: int) -> float:
    """The share of the shorter video's keyframes within 31 of some keyframe of the other;
    with as many keyframes on both sides, the better of the two."""
    if frames_a < frames_b:
        return matched_a / frames_a
    if frames_b < frames_a:
        return matched_b / frames_b
    return max(matched_a, matched_b) / frames_a


def groups(pairs: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Connected components of the graph these pairs draw (union-find), each sorted, the
    largest first, then by their least item."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    members: dict[int, list[int]] = defaultdict(list)
    for x in parent:
        members[root(x)].append(x)
    return sorted((sorted(m) for m in members.values()), key=lambda g: (-len(g), g[0]))
