"""An S3-compatible endpoint (moto's server) on a free loopback port, with one bucket."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.services.base import LOOPBACK

BUCKET = "admissions-test"
REGION = "eu-west-3"


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    bucket: str
    region: str
    access_key: str = "test-access-key"
    secret_key: str = "test-secret-key"

    def storage_options(self) -> dict[str, object]:
        """OPTIONS for django-storages' S3Storage, as settings.py builds them."""
        return {
            "bucket_name": self.bucket,
            "endpoint_url": self.endpoint_url,
            "access_key": self.access_key,
            "secret_key": self.secret_key,
            "region_name": self.region,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        }

    def client(self):  # type: ignore[no-untyped-def]
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=self.region,
        )


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    # Port 0: the system picks a free port as the server binds it, so no other process
    # can take it in between.
    server = ThreadedMotoServer(ip_address=LOOPBACK, port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        s3 = S3Server(endpoint_url=f"http://{host}:{port}", bucket=BUCKET, region=REGION)
        s3.client().create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        yield s3
    finally:
        server.stop()
