"""The S3 adapter: the one place that makes S3 clients and decides what "not found" means.

Model artifacts (:mod:`careerready.services.artifacts`), resume uploads read by ``s3_key``
(:mod:`careerready.api.deps`) and the ingest path (:mod:`careerready.services.ingest`) all ask
:func:`is_missing`; a missing object, version or bucket is "not found" everywhere.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from careerready.core.errors import InvalidInputError, NotFoundError, PayloadTooLargeError, StageError

__all__ = ["MISSING_CODES", "error_code", "get_bytes", "is_missing", "make_s3_client", "read_object"]

#: S3 error codes that mean "there is no such object" (HeadObject answers a bare 404)
MISSING_CODES = frozenset({"404", "NoSuchKey", "NotFound", "NoSuchVersion", "NoSuchBucket"})


def make_s3_client(endpoint_url: str | None = None, region: str | None = None, *, transfers: bool = True) -> Any:
    """Create an S3 client (path-style addressing so moto/localstack endpoints work).

    ``transfers=False`` (serving): a plain botocore client, without boto3's managed-transfer methods
    (``upload_file``, ``download_file``) that serving never calls: importing boto3 + s3transfer and building the
    client through boto3 cost ~0.05-0.08 s more CPU per cold start (docs/benchmarks.md). The clients of one process
    share one botocore session (its loaded service models), created once.
    """
    from botocore.config import Config

    kwargs: dict[str, Any] = {
        "endpoint_url": endpoint_url,
        "region_name": region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
        "config": Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3, "mode": "standard"}),
    }
    if transfers:
        import boto3

        return boto3.client("s3", **kwargs)
    with _SESSION_LOCK:
        if not _SESSION:
            import botocore.session

            _SESSION.append(botocore.session.get_session())
        return _SESSION[0].create_client("s3", **kwargs)


_SESSION: list[Any] = []
_SESSION_LOCK = threading.Lock()


def error_code(exc: BaseException) -> str:
    """The S3 error code of a botocore ``ClientError`` ("" for anything else)."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str((response.get("Error") or {}).get("Code", ""))
    return ""


def is_missing(exc: BaseException) -> bool:
    """True when ``exc`` says the object (or its version, or its bucket) does not exist."""
    return error_code(exc) in MISSING_CODES


def get_bytes(client: Any, bucket: str, key: str) -> bytes | None:
    """A small object's bytes; None when it does not exist."""
    from botocore.exceptions import ClientError

    try:
        body = client.get_object(Bucket=bucket, Key=key)["Body"]
    except ClientError as exc:
        if is_missing(exc):
            return None
        raise
    data: bytes = body.read()
    return data


def read_object(
    client: Any, bucket: str, key: str, max_bytes: int, *, field: str = "s3_key"
) -> tuple[bytes, str | None]:
    """Read one object of at most ``max_bytes``.

    Returns:
        ``(bytes, content type)``.

    Raises:
        NotFoundError: no such object (naming ``field``).
        PayloadTooLargeError: the object is larger than ``max_bytes``.
        InvalidInputError: S3 refused the read (its code named).
        StageError: S3 could not be reached.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        obj = client.get_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if is_missing(exc):
            raise NotFoundError(f"no object at {field} {key!r}", field=field) from exc
        raise InvalidInputError(f"cannot read {field} {key!r}: {error_code(exc)}", field=field) from exc
    except BotoCoreError as exc:
        raise StageError(f"cannot reach the bucket: {type(exc).__name__}", stage="s3") from exc
    size = int(obj.get("ContentLength") or 0)
    if size > max_bytes:
        obj["Body"].close()
        raise PayloadTooLargeError(f"object is {size} bytes; the limit is {max_bytes}", size=size, limit=max_bytes)
    data = obj["Body"].read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PayloadTooLargeError(f"object exceeds {max_bytes} bytes", limit=max_bytes)
    return data, obj.get("ContentType")
