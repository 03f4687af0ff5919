"""A real S3 API over HTTP for the storage tests: moto's standalone server (`moto_server`, from moto[server]),
started once per test process on a free 127.0.0.1 port. Never the real AWS.

`s3_storage` switches the studio to the S3 backend, configured by the same STORAGE_S3_* variables a deployment
sets (through settings.py's own `_default_storage`), with a fresh bucket per test. Presigned URLs are built for
`localhost` while the studio talks to `127.0.0.1`, so a URL signed for the wrong endpoint shows.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import boto3
import httpx
import pytest

BIN = Path(sys.executable).parent
CREDENTIALS = {"aws_access_key_id": "studio-test-key", "aws_secret_access_key": "studio-test-secret"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory):
    port = free_port()
    log_path = tmp_path_factory.mktemp("moto") / "moto.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT
        )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{endpoint}/moto-api/", timeout=1)
            break
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"moto_server did not start:\n{log_path.read_text()}") from None
            time.sleep(0.1)
    yield SimpleNamespace(endpoint=endpoint, public_endpoint=f"http://localhost:{port}", port=port)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Bucket:
    def __init__(self, name: str, client, prefix: str):
        self.name, self.client, self.prefix = name, client, prefix

    def object_keys(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def read(self, name: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=f"{self.prefix}/{name}")["Body"].read()


@pytest.fixture
def s3_storage(moto_server, settings, monkeypatch):
    """The studio on S3: `.env` holds the variables for a worker or web process, `.bucket` reads the bucket."""
    from seedance_studio import settings as studio_settings

    name = f"studio-{uuid.uuid4().hex[:16]}"
    client = boto3.client("s3", endpoint_url=moto_server.endpoint, region_name="us-east-1", **CREDENTIALS)
    client.create_bucket(Bucket=name)
    env = {
        "STORAGE_S3_BUCKET": name,
        "STORAGE_S3_ENDPOINT_URL": moto_server.endpoint,
        "STORAGE_S3_PUBLIC_ENDPOINT_URL": moto_server.public_endpoint,
        "STORAGE_S3_REGION": "us-east-1",
        "STORAGE_S3_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
        "STORAGE_S3_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        "STORAGE_S3_PREFIX": "studio",
    }
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)
    settings.STORAGES = {**settings.STORAGES, "default": studio_settings._default_storage()}
    return SimpleNamespace(env=env, bucket=Bucket(name, client, "studio"), endpoint=moto_server)
