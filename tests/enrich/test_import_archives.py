"""`docket import files` with archives: members become items; bombs, `..` paths and links end
in recorded errors and write nothing outside the sandbox's box."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from pathlib import Path

from tests.support.instance import Instance


def outside(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def test_it_imports_the_members_of_a_zip(instance: Instance, tmp_path: Path) -> None:
    archive = tmp_path / "leak.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("orders/17.txt", "Order 17")
        zipped.writestr("orders/18.txt", "Order 18")
    report = instance.json("import", "files", str(archive), "--json")
    assert report["stored"] == 3  # the archive itself and its two members
    assert report["failed"] == [] and report["skipped"] == []
    again = instance.json("import", "files", str(archive), "--json")
    assert (again["stored"], again["received_again"]) == (0, 3)
    status = instance.json("import", "status", str(report["batch"]), "--json")
    assert status["imports"][0]["items"] == 3


def test_a_zip_bomb_stops_at_the_size_limit(
    instance: Instance, tmp_path: Path, sandbox_dir: Path
) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        with zipped.open("zeros.bin", "w") as member:
            for _ in range(200):
                member.write(b"\0" * 1024 * 1024)  # 200 MB that compress to about 200 KB
    assert archive.stat().st_size < 1024 * 1024
    env = {**instance.env, "DOCKET_IMPORT_ARCHIVE_MAX_MB": "20",
           "DOCKET_SANDBOX_DIR": str(sandbox_dir)}  # fmt: skip
    before = outside(tmp_path)
    result = instance.run("import", "files", str(archive), "--json", check=False, env=env)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["stored"] == 1, "the archive itself is kept"
    assert report["failed"] == [
        {"path": str(archive), "error": "archive unpacks to more than 20971520 bytes (limit)"}
    ]
    assert {p for p in outside(tmp_path) if not p.startswith("instance")} == {
        p for p in before if not p.startswith("instance")
    }, "nothing unpacked beside the archive"
    assert not any(Path(env["DOCKET_SANDBOX_DIR"]).iterdir())


def test_paths_that_climb_out_and_links_are_refused(instance: Instance, tmp_path: Path) -> None:
    archive = tmp_path / "hostile.tar"
    with tarfile.open(archive, "w") as tarred:
        for name, data in (("../../escaped.txt", b"up"), ("/tmp/absolute.txt", b"abs"),
                           ("fine.txt", b"a real member")):  # fmt: skip
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tarred.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("passwd")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        tarred.addfile(link)
    report = instance.json("import", "files", str(archive), "--json")
    assert report["stored"] == 2  # the archive and fine.txt
    reasons = {s["path"]: s["reason"] for s in report["skipped"]}
    assert reasons == {
        "hostile.tar!../../escaped.txt": "path leaves the archive (..)",
        "hostile.tar!/tmp/absolute.txt": "absolute path",
        "hostile.tar!passwd": "link (not followed)",
    }
    assert not (tmp_path.parent / "escaped.txt").exists()
    assert not Path("/tmp/absolute.txt").exists()
    assert instance.run("cat", "2").stdout == b"a real member"
