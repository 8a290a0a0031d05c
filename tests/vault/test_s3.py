"""The vault on S3-compatible storage, against a local S3 server (moto's server mode)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from docket.vault import custody
from docket.vault.models import Item
from docket.vault.store import read, store
from docket.vault.verify import verify


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_vault(vault: Path, settings: Any, s3_server: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    bucket = f"docket-{vault.name[-12:].lower().replace('_', '-')}"
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1")
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "vault": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "location": "vault",
                "endpoint_url": s3_server,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "file_overwrite": False,
            },
        },
    }
    return client, bucket


def test_it_stores_reads_and_verifies_on_s3(s3_vault: Any, vault: Path) -> None:
    client, bucket = s3_vault
    data = b"body-camera footage " * 100_000  # 2 MB: a multipart-sized upload
    item = store(io.BytesIO(data), actor="cli").item
    custody.seal()

    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == [f"vault/{item.blob}"]
    stored = client.get_object(Bucket=bucket, Key=keys[0])["Body"].read()
    assert stored.startswith(b"age-encryption.org/v1") and data[:1000] not in stored
    assert not list((vault / "vault").rglob("*.age"))  # nothing landed on the local disk

    assert b"".join(read(item, actor="cli")) == data
    report = verify(deep=True)
    assert report.ok, report.problems
    assert report.items == 1 and report.stray_blobs == 0


def test_verify_names_an_item_whose_object_was_replaced(s3_vault: Any) -> None:
    client, bucket = s3_vault
    item = store(io.BytesIO(b"directive no. 7"), actor="cli").item
    store(io.BytesIO(b"another"), actor="cli")
    client.put_object(
        Bucket=bucket, Key=f"vault/{item.blob}", Body=b"age-encryption.org/v1\nforged"
    )
    report = verify()
    assert [(p["kind"], p["id"]) for p in report.problems] == [("item", item.pk)]
    assert Item.objects.count() == 2
