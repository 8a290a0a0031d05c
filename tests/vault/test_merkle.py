"""RFC 9162 trees and proofs, against the transparency-dev/merkle test vectors (rewritten here
as data: leaves, roots and proofs of the 8-leaf reference tree)."""

from __future__ import annotations

import hashlib

import pytest

from docket.vault import merkle

LEAVES = [bytes.fromhex(h) for h in [
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
]]  # fmt: skip
ROOTS = [bytes.fromhex(h) for h in [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]]  # fmt: skip

# (leaf number, counting from 1 as the vectors do; tree size; proof)
INCLUSION = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (2, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip

CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]  # fmt: skip

SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")
EMPTY = hashlib.sha256(b"").digest()
HASHES = [merkle.leaf_hash(leaf) for leaf in LEAVES]


def test_it_computes_the_reference_roots() -> None:
    for size in range(1, 9):
        assert merkle.root_hash(HASHES[:size]) == ROOTS[size - 1]
    assert merkle.root_hash([]) == EMPTY


def test_it_builds_the_same_root_incrementally() -> None:
    hashes = [merkle.leaf_hash(str(i).encode()) for i in range(70)]
    builder = merkle.TreeBuilder()
    for size, value in enumerate(hashes, start=1):
        builder.append(value)
        assert builder.root() == merkle.root_hash(hashes[:size])


@pytest.mark.parametrize(("leaf", "size", "proof"), INCLUSION)
def test_it_generates_and_verifies_the_reference_inclusion_proofs(
    leaf: int, size: int, proof: list[str]
) -> None:
    expected = [bytes.fromhex(p) for p in proof]
    assert merkle.inclusion_proof(leaf - 1, HASHES[:size]) == expected
    merkle.verify_inclusion(leaf - 1, size, HASHES[leaf - 1], expected, ROOTS[size - 1])


@pytest.mark.parametrize(("leaf", "size", "proof"), INCLUSION[1:])
def test_it_rejects_every_corruption_of_an_inclusion_proof(
    leaf: int, size: int, proof: list[str]
) -> None:
    path = [bytes.fromhex(p) for p in proof]
    index, root, value = leaf - 1, ROOTS[size - 1], HASHES[leaf - 1]
    probes = [
        (index - 1, size, value, path, root),
        (index + 1, size, value, path, root),
        (index ^ 2, size, value, path, root),
        (index, size * 2, value, path, root),
        (index, size // 2, value, path, root),
        (index, size, merkle.leaf_hash(b"WrongLeaf"), path, root),
        (index, size, value, path, EMPTY),
        (index, size, value, path, SOME_HASH),
        (index, size, value, [*path, b""], root),
        (index, size, value, [*path, root], root),
        (index, size, value, [b"", *path], root),
        (index, size, value, [root, *path], root),
        (index, size, value, path[:-1], root),
    ]
    for i in range(len(path)):
        flipped = list(path)
        flipped[i] = bytes([flipped[i][0] ^ 8]) + flipped[i][1:]
        probes.append((index, size, value, flipped, root))
    if len(path) > 1:
        probes.append((index, size, value, [path[0], SOME_HASH, *path[1:]], root))
    for probe in probes:
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(*probe)


@pytest.mark.parametrize(("first", "second", "proof"), CONSISTENCY)
def test_it_generates_and_verifies_the_reference_consistency_proofs(
    first: int, second: int, proof: list[str]
) -> None:
    expected = [bytes.fromhex(p) for p in proof]
    assert merkle.consistency_proof(first, HASHES[:second]) == expected
    merkle.verify_consistency(first, second, expected, ROOTS[first - 1], ROOTS[second - 1])


@pytest.mark.parametrize(("first", "second", "proof"), CONSISTENCY[1:])
def test_it_rejects_every_corruption_of_a_consistency_proof(
    first: int, second: int, proof: list[str]
) -> None:
    path = [bytes.fromhex(p) for p in proof]
    r1, r2 = ROOTS[first - 1], ROOTS[second - 1]
    probes = [
        (first - 1, second, path, r1, r2),
        (first + 1, second, path, r1, r2),
        (first ^ 2, second, path, r1, r2),
        (first, second * 2, path, r1, r2),
        (first, second // 2, path, r1, r2),
        (first, second, path, merkle.leaf_hash(b"WrongRoot"), r2),
        (first, second, path, r1, merkle.leaf_hash(b"WrongRoot")),
        (first, second, path, r2, r1),
        (first, second, [], r1, r2),
        (first, second, [*path, b""], r1, r2),
        (first, second, [*path, r1], r1, r2),
        (first, second, [*path, r2], r1, r2),
        (first, second, [b"", *path], r1, r2),
        (first, second, [r1, *path], r1, r2),
        (first, second, [r2, *path], r1, r2),
        (first, second, [path[0], *path], r1, r2),
        (first, second, path[:-1], r1, r2),
    ]
    for i in range(len(path)):
        flipped = list(path)
        flipped[i] = bytes([flipped[i][0] ^ 16]) + flipped[i][1:]
        probes.append((first, second, flipped, r1, r2))
    for probe in probes:
        if probe[0] == probe[1] == 0 or (probe[0] == 0 and not probe[2]):
            continue  # sizes that are consistent whatever the proof (as the vectors say)
        with pytest.raises((merkle.ProofError, ValueError)):
            merkle.verify_consistency(*probe)


def test_it_handles_the_trivial_consistency_cases_as_the_vectors_do() -> None:
    merkle.verify_consistency(0, 0, [], SOME_HASH, SOME_HASH)
    merkle.verify_consistency(0, 1, [], SOME_HASH, EMPTY)
    merkle.verify_consistency(1, 1, [], SOME_HASH, SOME_HASH)
    for first, second, root1, root2, proof in [
        (1, 1, SOME_HASH, EMPTY, []),
        (1, 0, SOME_HASH, EMPTY, []),
        (2, 1, SOME_HASH, EMPTY, []),
        (1, 2, SOME_HASH, EMPTY, []),
        (0, 1, EMPTY, EMPTY, [EMPTY]),
        (1, 1, EMPTY, EMPTY, [EMPTY]),
    ]:
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(first, second, proof, root1, root2)


def test_its_own_proofs_verify_for_every_pair_of_sizes() -> None:
    hashes = [merkle.leaf_hash(bytes([i])) for i in range(33)]
    for second in range(1, 34):
        root = merkle.root_hash(hashes[:second])
        for index in range(second):
            proof = merkle.inclusion_proof(index, hashes[:second])
            merkle.verify_inclusion(index, second, hashes[index], proof, root)
        for first in range(1, second + 1):
            proof = merkle.consistency_proof(first, hashes[:second])
            merkle.verify_consistency(first, second, proof, merkle.root_hash(hashes[:first]), root)


def test_a_tree_resumed_from_its_compact_range_continues_identically() -> None:
    hashes = [merkle.leaf_hash(bytes([i])) for i in range(50)]
    first = merkle.TreeBuilder()
    first.extend(hashes[:21])
    resumed = merkle.TreeBuilder.resume(21, first.compact_range())
    resumed.extend(hashes[21:])
    assert resumed.root() == merkle.root_hash(hashes)
    with pytest.raises(merkle.ProofError):
        merkle.TreeBuilder.resume(22, first.compact_range())


def test_the_offline_verifier_modules_need_no_django() -> None:
    import subprocess
    import sys

    code = (
        "import sys, docket.vault.merkle, docket.vault.notes; "
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 8, 9, 31, 100])
def test_a_proof_tree_gives_the_same_proofs_as_one_proof_at_a_time(size: int) -> None:
    hashes = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    tree = merkle.ProofTree(hashes)
    assert tree.root() == merkle.root_hash(hashes)
    for index in range(size):
        proof = tree.inclusion_proof(index)
        assert proof == merkle.inclusion_proof(index, hashes)
        merkle.verify_inclusion(index, size, hashes[index], proof, tree.root())
    with pytest.raises(merkle.ProofError):
        tree.inclusion_proof(size)


def test_a_streamed_consistency_proof_is_the_proof_of_the_whole_tree() -> None:
    hashes = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(40)]
    for second in range(41):
        for first in range(second + 1):
            prover = merkle.ConsistencyProver(first, second)
            for value in hashes:  # leaves past `second` change nothing
                prover.append(value)
            assert prover.proof() == merkle.consistency_proof(first, hashes[:second])
    short = merkle.ConsistencyProver(3, 8)
    for value in hashes[:7]:
        short.append(value)
    with pytest.raises(merkle.ProofError, match="only 7 of the tree's 8 leaves"):
        short.proof()
    with pytest.raises(merkle.ProofError):
        merkle.ConsistencyProver(9, 8)
