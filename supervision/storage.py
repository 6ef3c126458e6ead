"""Where file bytes live: a local folder (the default) or an S3-compatible object store.

Attachments are content-addressed (`ab/abcdef…`, the SHA-256), exports live under `exports/`.
Every server of one deployment must see the same files, so with several servers the store is a
bucket (MinIO, Alibaba OSS, Ceph RGW …) set by S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY and
S3_SECRET_KEY. Downloads still go through the app's permission-checked routes, which stream.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import Flask, current_app

CHUNK = 1024 * 1024
EXPORTS_PREFIX = "exports/"  # generated files (jobs.py); everything else is an attachment


class Storage(Protocol):
    def put(self, key: str, data: bytes | BinaryIO) -> None: ...
    def open(self, key: str) -> BinaryIO: ...
    def exists(self, key: str) -> bool: ...
    def size(self, key: str) -> int: ...
    def delete(self, key: str) -> None: ...
    def iter_keys(self, prefix: str = "") -> Iterator[str]: ...
    def url_for_download(self, key: str, filename: str, mime: str) -> str | None: ...


def _check_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"bad storage key {key!r}")
    return key


class LocalStorage:
    """Files under one folder; a key is a relative path. Writes are atomic (temp file, rename)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / _check_key(key)

    def put(self, key: str, data: bytes | BinaryIO) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        with open(tmp, "wb") as out:
            if isinstance(data, bytes | bytearray):
                out.write(data)
            else:
                shutil.copyfileobj(data, out, CHUNK)
        os.replace(tmp, path)

    def open(self, key: str) -> BinaryIO:
        return open(self.path(key), "rb")

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def size(self, key: str) -> int:
        return self.path(key).stat().st_size

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        if not self.root.exists():
            return
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.endswith(".tmp"):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    yield key

    def url_for_download(self, key: str, filename: str, mime: str) -> str | None:
        return None  # served by the app itself


class S3Storage:
    """An S3-compatible bucket through boto3 (path-style addressing, which MinIO and RGW expect)."""

    def __init__(self, *, endpoint: str, bucket: str, access_key: str, secret_key: str, region: str):
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            region_name=region,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3}),
        )

    def put(self, key: str, data: bytes | BinaryIO) -> None:
        if isinstance(data, bytes | bytearray):
            self.client.put_object(Bucket=self.bucket, Key=_check_key(key), Body=bytes(data))
        else:
            self.client.upload_fileobj(data, self.bucket, _check_key(key))  # multipart for big files

    def open(self, key: str) -> BinaryIO:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=_check_key(key))["Body"]
        except self.client.exceptions.NoSuchKey as error:
            raise FileNotFoundError(key) from error

    def _head(self, key: str) -> dict | None:
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=_check_key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def exists(self, key: str) -> bool:
        return self._head(key) is not None

    def size(self, key: str) -> int:
        head = self._head(key)
        if head is None:
            raise FileNotFoundError(key)
        return int(head["ContentLength"])

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=_check_key(key))

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                yield item["Key"]

    def url_for_download(self, key: str, filename: str, mime: str) -> str | None:
        """A presigned URL valid for a minute, for a caller that has already checked permission."""
        from urllib.parse import quote

        return self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": _check_key(key),
                "ResponseContentType": mime,
                "ResponseContentDisposition": f"attachment; filename*=UTF-8''{quote(filename, safe='')}",
            },
            ExpiresIn=60,
        )


def uses_s3(config) -> bool:
    return bool(config.get("S3_ENDPOINT") and config.get("S3_BUCKET"))


def make_storage(config) -> Storage:
    if uses_s3(config):
        return S3Storage(
            endpoint=config["S3_ENDPOINT"],
            bucket=config["S3_BUCKET"],
            access_key=config.get("S3_ACCESS_KEY", ""),
            secret_key=config.get("S3_SECRET_KEY", ""),
            region=config.get("S3_REGION") or "us-east-1",
        )
    return LocalStorage(config["UPLOAD_DIR"])


def storage(app: Flask | None = None) -> Storage:
    """This application's store, made once per application (boto3 clients are thread-safe)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    if "storage" not in app.extensions:
        app.extensions["storage"] = make_storage(app.config)
    return app.extensions["storage"]


def migrate_local_to(target: Storage, root: str | Path) -> tuple[int, int]:
    """Copy every file of the local folder into `target`; those already there are skipped.
    Returns (copied, skipped). Safe to run again after an interruption."""
    source = LocalStorage(root)
    copied = skipped = 0
    for key in source.iter_keys():
        if target.exists(key) and target.size(key) == source.size(key):
            skipped += 1
            continue
        with source.open(key) as stream:
            target.put(key, stream)
        copied += 1
    return copied, skipped
