"""S3 adapter: streaming reads, server-side copies and small writes.

boto3 is imported lazily so the domain library imports without it, and the
client honours ``AWS_ENDPOINT_URL`` so moto or the local emulator can stand
in for S3.
"""

from __future__ import annotations

import io
import json
import urllib.parse
from typing import Any

from taxlake.adapters import LazyClient, aws_client
from taxlake.adapters.errors import is_access_denied, is_missing_object

# a single CopyObject handles up to 5 GiB; larger objects need multipart copy
SINGLE_COPY_LIMIT = 5 * 1024**3
MULTIPART_COPY_CHUNK = 512 * 1024**2


def s3_client() -> Any:
    return aws_client("s3")


def _version(response: dict[str, Any]) -> str | None:
    version = response.get("VersionId")
    return str(version) if version else None


class S3ObjectReader(io.RawIOBase):
    """A read-only, seekable file over one S3 object version.

    Sequential reads share one streaming GET; a seek reopens the stream at
    the new offset with a ranged GET, so parquet footers can be read
    without downloading the object.
    """

    def __init__(self, client: Any, bucket: str, key: str, version_id: str | None, size: int) -> None:
        self._client = client
        self._args: dict[str, str] = {"Bucket": bucket, "Key": key}
        if version_id and version_id != "null":
            self._args["VersionId"] = version_id
        self._size = size
        self._pos = 0
        self._body: Any = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        new = max(0, base + offset)
        if new != self._pos:
            self._close_body()
            self._pos = new
        return self._pos

    def _close_body(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None

    def readinto(self, buffer: Any) -> int:
        if self._pos >= self._size or len(buffer) == 0:
            return 0
        if self._body is None:
            self._body = self._client.get_object(**self._args, Range=f"bytes={self._pos}-")["Body"]
        data = self._body.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self._pos += n
        return n

    def close(self) -> None:
        self._close_body()
        super().close()


class S3Store(LazyClient):
    """The object store the ingest service talks to."""

    service = "s3"

    def resolve_key(self, bucket: str, key: str, version_id: str | None) -> tuple[str, int, str | None]:
        """HEAD the object; fall back to the URL-decoded key if S3 says no such key.

        S3 URL-encodes keys in classic notifications ("a b.csv" -> "a+b.csv");
        accepting both forms keeps the handler right whichever route delivered it.
        """
        from botocore.exceptions import ClientError

        candidates = [key]
        decoded = urllib.parse.unquote_plus(key)
        if decoded != key:
            candidates.append(decoded)
        for i, candidate in enumerate(candidates):
            args: dict[str, str] = {"Bucket": bucket, "Key": candidate}
            if version_id and version_id != "null":
                args["VersionId"] = version_id
            try:
                head = self.client.head_object(**args)
            except ClientError as exc:
                # without s3:ListBucket a missing key answers 403, not 404
                if (is_missing_object(exc) or is_access_denied(exc)) and i + 1 < len(candidates):
                    continue
                raise
            return candidate, int(head["ContentLength"]), head.get("ETag", "").strip('"') or None
        raise AssertionError("unreachable")  # pragma: no cover

    def open(self, bucket: str, key: str, version_id: str | None, size: int) -> io.BufferedReader:
        raw = S3ObjectReader(self.client, bucket, key, version_id, size)
        return io.BufferedReader(raw, buffer_size=8 * 1024**2)

    def copy(
        self, bucket: str, key: str, version_id: str | None, size: int, dest_bucket: str, dest_key: str
    ) -> str | None:
        """Copy one object version server-side (never through this process)."""
        source: dict[str, str] = {"Bucket": bucket, "Key": key}
        if version_id and version_id != "null":
            source["VersionId"] = version_id
        if size <= SINGLE_COPY_LIMIT:
            out = self.client.copy_object(CopySource=source, Bucket=dest_bucket, Key=dest_key)
            return _version(out)
        from boto3.s3.transfer import TransferConfig

        self.client.copy(
            source,
            dest_bucket,
            dest_key,
            Config=TransferConfig(multipart_threshold=SINGLE_COPY_LIMIT, multipart_chunksize=MULTIPART_COPY_CHUNK),
        )
        return _version(self.client.head_object(Bucket=dest_bucket, Key=dest_key))

    def head_version(self, bucket: str, key: str) -> str | None:
        """The current version id of ``key`` ("null" if unversioned), or None if it does not exist.

        A missing key answers 404 only to a caller allowed s3:ListBucket; 403 is raised.
        """
        from botocore.exceptions import ClientError

        try:
            head = self.client.head_object(Bucket=bucket, Key=key)
        except ClientError as exc:
            if is_missing_object(exc):
                return None
            raise
        return str(head.get("VersionId") or "null")

    def put_json(self, bucket: str, key: str, doc: Any) -> str | None:
        body = json.dumps(doc, indent=2, sort_keys=True, default=str).encode()
        out = self.client.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json")
        return _version(out)

    def put_bytes(self, bucket: str, key: str, body: bytes, content_type: str) -> str | None:
        return _version(self.client.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type))

    def list_keys(self, bucket: str, prefix: str, max_keys: int, start_after: str = "") -> list[str]:
        """Up to ``max_keys`` (<= 1000) keys under ``prefix`` after ``start_after``, in key order."""
        args: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix, "MaxKeys": max_keys}
        if start_after:
            args["StartAfter"] = start_after
        out = self.client.list_objects_v2(**args)
        return [str(o["Key"]) for o in out.get("Contents", [])]

    def list_objects(self, bucket: str, prefix: str) -> list[dict[str, Any]]:
        """Every object under ``prefix`` (ListObjectsV2 ``Contents`` entries: Key, LastModified, ...)."""
        found: list[dict[str, Any]] = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            found.extend(page.get("Contents", []))
        return found

    def get_bytes(self, bucket: str, key: str) -> bytes:
        """The whole (latest) object, for small documents such as manifests."""
        body: bytes = self.client.get_object(Bucket=bucket, Key=key)["Body"].read()
        return body

    def upload_file(self, bucket: str, key: str, path: str, content_type: str) -> None:
        self.client.upload_file(path, bucket, key, ExtraArgs={"ContentType": content_type})
