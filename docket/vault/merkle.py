"""RFC 9162 (Certificate Transparency v2) Merkle trees: hashes, proofs and their verification.

No Django import: a partner who receives a court bundle checks its custody excerpt with this
module alone. Hashes are SHA-256; a leaf hash is SHA-256(0x00 || leaf) and an interior node
SHA-256(0x01 || left || right), so a leaf can never be passed off as a node.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof does not hold; the message says which check failed."""


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over already-hashed leaves."""
    n = len(leaf_hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hashes[0]
    k = _split(n)
    return node_hash(root_hash(leaf_hashes[:k]), root_hash(leaf_hashes[k:]))


class TreeBuilder:
    """Appends leaf hashes and yields the root at any size in O(log n) memory.

    Keeps the compact range: the roots of the perfect subtrees that make up the tree, largest
    first. `docket verify` streams millions of custody entries through this without holding
    them, and reads off the root at every checkpoint's size on the way.
    """

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []  # (height, hash)

    def append(self, leaf_hash_value: bytes) -> None:
        height, value = 0, leaf_hash_value
        while self._stack and self._stack[-1][0] == height:
            _, left = self._stack.pop()
            value = node_hash(left, value)
            height += 1
        self._stack.append((height, value))
        self.size += 1

    @classmethod
    def resume(cls, size: int, compact_range: list[tuple[int, bytes]]) -> TreeBuilder:
        """Continue a tree from the compact range saved with an earlier checkpoint."""
        builder = cls()
        if sum(1 << height for height, _ in compact_range) != size:
            raise ProofError(f"the compact range does not describe a tree of size {size}")
        builder.size = size
        builder._stack = list(compact_range)
        return builder

    def compact_range(self) -> list[tuple[int, bytes]]:
        return list(self._stack)

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        for value in leaf_hashes:
            self.append(value)

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        value = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            value = node_hash(left, value)
        return value


def inclusion_proof(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1."""
    n = len(leaf_hashes)
    if not 0 <= index < n:
        raise ProofError(f"leaf {index} is not in a tree of size {n}")
    if n == 1:
        return []
    k = _split(n)
    if index < k:
        return [*inclusion_proof(index, leaf_hashes[:k]), root_hash(leaf_hashes[k:])]
    return [*inclusion_proof(index - k, leaf_hashes[k:]), root_hash(leaf_hashes[:k])]


class ProofTree:
    """Many inclusion proofs over one tree (an export proves every entry of its items): each
    subtree hash is computed once, so n proofs cost O(n log n) rather than O(n²)."""

    def __init__(self, leaf_hashes: Sequence[bytes]) -> None:
        self._leaves = leaf_hashes
        self._cache: dict[tuple[int, int], bytes] = {}

    @property
    def size(self) -> int:
        return len(self._leaves)

    def root(self) -> bytes:
        return self._root(0, len(self._leaves)) if self._leaves else root_hash([])

    def _root(self, start: int, end: int) -> bytes:
        if end - start == 1:
            return self._leaves[start]
        cached = self._cache.get((start, end))
        if cached is None:
            k = _split(end - start)
            cached = node_hash(self._root(start, start + k), self._root(start + k, end))
            self._cache[(start, end)] = cached
        return cached

    def inclusion_proof(self, index: int) -> list[bytes]:
        """The same path as `inclusion_proof(index, leaf_hashes)`."""
        start, end = 0, len(self._leaves)
        if not start <= index < end:
            raise ProofError(f"leaf {index} is not in a tree of size {end}")
        path = []
        while end - start > 1:
            k = _split(end - start)
            if index < start + k:
                path.append(self._root(start + k, end))
                end = start + k
            else:
                path.append(self._root(start, start + k))
                start += k
        return path[::-1]


def consistency_proof(first: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 9162 §2.1.4.1."""
    ranges = consistency_ranges(first, len(leaf_hashes))
    return [root_hash(leaf_hashes[start:end]) for start, end in ranges]


def consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """The leaves [start, end) of each subtree whose root is a hash of PROOF(first, D[second]),
    in the proof's order. The ranges do not overlap."""
    if not 0 <= first <= second:
        raise ProofError(f"cannot prove size {first} against a tree of size {second}")
    if first in (0, second):
        return []
    return _subproof(first, 0, second, True)


def _subproof(m: int, start: int, end: int, complete: bool) -> list[tuple[int, int]]:
    """SUBPROOF(m, D[start:end], complete) of RFC 9162, as leaf ranges."""
    if m == end - start:
        return [] if complete else [(start, end)]
    k = _split(end - start)
    if m <= k:
        return [*_subproof(m, start, start + k, complete), (start + k, end)]
    return [*_subproof(m - k, start + k, end, False), (start, start + k)]


class ConsistencyProver:
    """PROOF(first, D[second]) from leaf hashes appended in index order, in O(log n) memory:
    `docket verify --against` proves a kept checkpoint against millions of custody entries
    without holding them. Leaves past `second` are ignored."""

    def __init__(self, first: int, second: int) -> None:
        self.size = 0
        self._second = second
        ranges = consistency_ranges(first, second)
        self._builders = [TreeBuilder() for _ in ranges]
        # The ranges do not overlap: in order of their start, one is filled at a time.
        self._pending = sorted(zip(ranges, self._builders, strict=True), key=lambda r: r[0])

    def append(self, leaf_hash_value: bytes) -> None:
        while self._pending and self._pending[0][0][1] <= self.size:
            self._pending.pop(0)
        if self._pending and self._pending[0][0][0] <= self.size:
            self._pending[0][1].append(leaf_hash_value)
        self.size += 1

    def proof(self) -> list[bytes]:
        if self.size < self._second:
            raise ProofError(f"only {self.size} of the tree's {self._second} leaves were given")
        return [builder.root() for builder in self._builders]


def root_from_inclusion_proof(
    index: int, size: int, leaf_hash_value: bytes, proof: Sequence[bytes]
) -> bytes:
    """RFC 9162 §2.1.3.2: the root that the proof leads to, or ProofError."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    if len(leaf_hash_value) != 32:
        raise ProofError("a leaf hash is 32 bytes")
    fn, sn, r = index, size - 1, leaf_hash_value
    for p in proof:
        if len(p) != 32:
            raise ProofError("a proof hash is 32 bytes")
        if sn == 0:
            raise ProofError("the proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the proof is shorter than the tree is deep")
    return r


def verify_inclusion(
    index: int, size: int, leaf_hash_value: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    got = root_from_inclusion_proof(index, size, leaf_hash_value, proof)
    if got != root:
        raise ProofError(f"the proof leads to root {got.hex()}, not {root.hex()}")


def verify_consistency(
    first: int, second: int, proof: Sequence[bytes], first_root: bytes, second_root: bytes
) -> None:
    """RFC 9162 §2.1.4.2; raises ProofError unless the tree of size `second` extends `first`."""
    if first > second:
        raise ProofError(f"size {first} is larger than size {second}")
    if first == second:
        if proof:
            raise ProofError("a proof between equal sizes must be empty")
        if first_root != second_root:
            raise ProofError("equal sizes with different roots")
        return
    if first == 0:
        if proof:
            raise ProofError("a proof from the empty tree must be empty")
        return
    if not proof:
        raise ProofError("the proof is empty")
    if any(len(p) != 32 for p in proof):
        raise ProofError("a proof hash is 32 bytes")
    path = list(proof)
    if first & (first - 1) == 0:  # an exact power of two: the first root is a node of the path
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the proof is longer than needed")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the proof is shorter than needed")
    if fr != first_root:
        raise ProofError("the proof does not lead to the first root")
    if sr != second_root:
        raise ProofError("the proof does not lead to the second root")
