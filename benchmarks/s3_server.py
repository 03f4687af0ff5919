"""A throwaway S3 server for benchmarks: moto's standalone server (moto[server]) on a free 127.0.0.1 port, with
one bucket, and the STORAGE_S3_* variables that point a studio process at it. Never the real AWS."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import boto3
import httpx

from benchmarks.studio_process import free_port

CREDENTIALS = {"aws_access_key_id": "bench-key", "aws_secret_access_key": "bench-secret"}


@contextmanager
def running_s3(bucket: str = "studio-bench") -> Iterator[SimpleNamespace]:
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                httpx.get(f"{endpoint}/moto-api/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("moto_server did not start")
        client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **CREDENTIALS)
        client.create_bucket(Bucket=bucket)
        env = {
            "STORAGE_S3_BUCKET": bucket,
            "STORAGE_S3_ENDPOINT_URL": endpoint,
            "STORAGE_S3_REGION": "us-east-1",
            "STORAGE_S3_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
            "STORAGE_S3_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        }
        yield SimpleNamespace(endpoint=endpoint, bucket=bucket, client=client, env=env, pid=process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
