"""Event-driven scoring: ``s3://<bucket>/incoming/<key>`` -> SQS -> analysis -> ``results/<key>.json``.

Each SQS message body is an S3 event notification (one or more records). For every object created
under ``incoming/``:

1. **Idempotency** - if ``results/<key>.json`` or ``results/errors/<key>.json`` already exists for
   the same object (ETag and version id, stored as metadata on the output), nothing is done. SQS
   delivers at least once; a redelivery changes nothing.
2. The object is read (by version id when the bucket is versioned, else ``IfMatch`` its ETag, so
   an object replaced since the event is left to its own, newer event).
3. :func:`careerready.services.documents.document_to_text` turns the bytes into text; the analysis
   runs with the role(s) from the object's ``x-amz-meta-role`` (or ``x-amz-meta-roles``) metadata, several
   separated by ``;`` and analysed in that order, or over the closest roles.
4. ``results/<key>.json`` is written (the resume text only with ``x-amz-meta-include-text: true``).

Failures are split by who can fix them. A document that cannot be analysed (unreadable, corrupt,
too large, empty, unknown role: a domain error with a 4xx status) is a *handled* outcome and
becomes ``results/errors/<key>.json`` ``{key, reason, code, ...}``; retrying would not help.
Anything else (S3 unreachable, artifacts missing, a stage crash) raises, so the SQS record is
retried and, after ``maxReceiveCount``, dead-lettered. :func:`process_sqs_event` wires this into
Powertools' ``BatchProcessor`` so one bad record does not fail its batch-mates.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import PurePosixPath
from typing import Any, Literal
from urllib.parse import unquote_plus

# at module import (the ingest handler's init, while its downloads run), not in the first batch: ~40 ms
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from careerready.core.config import LIMITS
from careerready.core.errors import CareerReadyError, InvalidInputError
from careerready.core.observability import logger
from careerready.services.documents import DocumentLimits, document_to_text
from careerready.services.s3 import error_code, is_missing

__all__ = [
    "ERRORS_PREFIX",
    "INCOMING_PREFIX",
    "MAX_OBJECT_BYTES",
    "RESULTS_PREFIX",
    "AnalysisJob",
    "Analyzer",
    "IngestOutcome",
    "IngestService",
    "ResumeStorageError",
    "S3ObjectRef",
    "default_analyzer",
    "error_key",
    "parse_notification",
    "process_sqs_event",
    "result_key",
]

INCOMING_PREFIX = "incoming/"
RESULTS_PREFIX = "results/"
ERRORS_PREFIX = "results/errors/"
MAX_OBJECT_BYTES = LIMITS.max_ingest_object_bytes

META_ROLE = "role"
META_ROLES = "roles"
ROLE_SEPARATOR = ";"
META_INCLUDE_TEXT = "include-text"
META_SOURCE_ETAG = "source-etag"
META_SOURCE_VERSION = "source-version-id"
RESULT_SCHEMA_VERSION = 1

OutcomeStatus = Literal["written", "error_written", "duplicate", "superseded", "ignored"]


class ResumeStorageError(CareerReadyError):
    """S3 could not be read or written: an infrastructure failure, so the record is retried."""

    http_status = 503
    code = "storage_error"


@dataclass(frozen=True)
class S3ObjectRef:
    """One object named by an S3 event notification record (key already URL-decoded)."""

    bucket: str
    key: str
    etag: str | None = None
    version_id: str | None = None
    size: int | None = None
    event_name: str = "ObjectCreated:Put"


@dataclass(frozen=True)
class AnalysisJob:
    """What the analyzer gets for one resume."""

    text: str
    role: str | None
    key: str
    content_type: str | None
    include_text: bool
    request_id: str
    roles: tuple[str, ...] = ()
    """Every role of the metadata, in the given order (``role`` is the first)."""
    as_of: date | None = None
    """The day the object was uploaded (UTC): "present" in the resume's work dates (None: today)."""


Analyzer = Callable[[AnalysisJob], dict[str, Any]]
"""``job -> JSON-ready analysis`` (the default runs :func:`careerready.services.analysis.analyze`)."""


@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one object."""

    key: str
    status: OutcomeStatus
    output_key: str | None = None
    code: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def _utc_day(moment: Any) -> date | None:
    """The UTC day of an S3 ``LastModified`` (a datetime); None when S3 gave none."""
    if not isinstance(moment, datetime):
        return None
    return (moment.astimezone(UTC) if moment.tzinfo else moment).date()


def result_key(incoming_key: str) -> str:
    """``incoming/a/b.pdf`` -> ``results/a/b.pdf.json``."""
    return f"{RESULTS_PREFIX}{incoming_key.removeprefix(INCOMING_PREFIX)}.json"


def error_key(incoming_key: str) -> str:
    """``incoming/a/b.pdf`` -> ``results/errors/a/b.pdf.json``."""
    return f"{ERRORS_PREFIX}{incoming_key.removeprefix(INCOMING_PREFIX)}.json"


def _clean_etag(etag: str | None) -> str | None:
    return etag.strip('"') if etag else None


def parse_notification(body: str | dict[str, Any]) -> list[S3ObjectRef]:
    """Decode an S3 event notification (an SQS message body) into object references.

    ``s3:TestEvent`` messages (sent when a notification is configured) give an empty list; keys
    are URL-decoded (``incoming%2Fbob+smith.pdf`` -> ``incoming/bob smith.pdf``).

    Raises:
        InvalidInputError: the body is not JSON or not an S3 notification.
    """
    try:
        data = json.loads(body) if isinstance(body, str) else body
    except ValueError as exc:
        raise InvalidInputError("message body is not JSON", field="body") from exc
    if not isinstance(data, dict):
        raise InvalidInputError("message body is not a JSON object", field="body")
    if data.get("Event") == "s3:TestEvent":
        return []
    records = data.get("Records")
    if not isinstance(records, list):
        raise InvalidInputError("message body has no S3 'Records'", field="body")
    refs: list[S3ObjectRef] = []
    for record in records:
        s3 = record.get("s3") if isinstance(record, dict) else None
        if not isinstance(s3, dict) or "bucket" not in s3 or "object" not in s3:
            raise InvalidInputError("S3 record without bucket/object", field="Records")
        obj = s3["object"]
        refs.append(
            S3ObjectRef(
                bucket=str(s3["bucket"]["name"]),
                key=unquote_plus(str(obj["key"])),
                etag=_clean_etag(obj.get("eTag") or obj.get("etag")),
                version_id=obj.get("versionId") or None,
                size=int(obj["size"]) if obj.get("size") is not None else None,
                event_name=str(record.get("eventName", "")),
            )
        )
    return refs


# the object changed since its event (IfMatch failed): its own, newer event will process it
_SUPERSEDED_CODES = {"412", "PreconditionFailed", "InvalidArgument"}


class IngestService:
    """Processes S3 notifications for resumes. All S3 access goes through ``s3_client`` (injectable)."""

    def __init__(
        self,
        s3_client: Any,
        analyzer: Analyzer,
        *,
        max_object_bytes: int = MAX_OBJECT_BYTES,
        limits: DocumentLimits | None = None,
    ) -> None:
        """Args:
        s3_client: a boto3 S3 client (moto in tests).
        analyzer: runs the analysis of one resume (see :func:`default_analyzer`).
        max_object_bytes: larger objects become an error record without being downloaded.
        limits: document parsing limits (default: ``max_bytes=max_object_bytes``).
        """
        self.s3 = s3_client
        self.analyzer = analyzer
        self.max_object_bytes = max_object_bytes
        self.limits = limits or DocumentLimits(max_bytes=max_object_bytes)

    # ---- S3 adapter ------------------------------------------------------------------------
    def _head(self, bucket: str, key: str) -> dict[str, Any] | None:
        try:
            return dict(self.s3.head_object(Bucket=bucket, Key=key))
        except Exception as exc:
            if is_missing(exc):
                return None
            raise ResumeStorageError(f"cannot read s3://{bucket}/{key}: {type(exc).__name__}", key=key) from exc

    def _already_done(self, ref: S3ObjectRef) -> str | None:
        for out_key in (result_key(ref.key), error_key(ref.key)):
            head = self._head(ref.bucket, out_key)
            if head is None:
                continue
            meta = head.get("Metadata") or {}
            if meta.get(META_SOURCE_ETAG) == ref.etag and meta.get(META_SOURCE_VERSION, "") == (ref.version_id or ""):
                return out_key
        return None

    def _get(self, ref: S3ObjectRef) -> dict[str, Any] | None:
        kwargs: dict[str, Any] = {"Bucket": ref.bucket, "Key": ref.key}
        if ref.version_id:
            kwargs["VersionId"] = ref.version_id
        elif ref.etag:
            kwargs["IfMatch"] = f'"{ref.etag}"'
        try:
            response = self.s3.get_object(**kwargs)
            body = response["Body"].read()
        except Exception as exc:
            if is_missing(exc) or error_code(exc) in _SUPERSEDED_CODES:
                return None
            raise ResumeStorageError(
                f"cannot read s3://{ref.bucket}/{ref.key}: {type(exc).__name__}", key=ref.key
            ) from exc
        return {
            "body": body,
            "content_type": response.get("ContentType"),
            "metadata": {k.lower(): v for k, v in (response.get("Metadata") or {}).items()},
            "etag": _clean_etag(response.get("ETag")),
            "last_modified": response.get("LastModified"),
        }

    def _put_json(self, ref: S3ObjectRef, key: str, document: dict[str, Any]) -> None:
        data = (json.dumps(document, sort_keys=True, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
        metadata = {META_SOURCE_ETAG: ref.etag or "", META_SOURCE_VERSION: ref.version_id or ""}
        try:
            self.s3.put_object(Bucket=ref.bucket, Key=key, Body=data, ContentType="application/json", Metadata=metadata)
        except Exception as exc:
            raise ResumeStorageError(f"cannot write s3://{ref.bucket}/{key}: {type(exc).__name__}", key=key) from exc

    # ---- logic -----------------------------------------------------------------------------
    def _resolve_etag(self, ref: S3ObjectRef) -> S3ObjectRef | None:
        if ref.etag:
            return ref
        head = self._head(ref.bucket, ref.key)
        if head is None:
            return None
        return S3ObjectRef(
            ref.bucket, ref.key, _clean_etag(head.get("ETag")), ref.version_id or head.get("VersionId"), ref.size
        )

    def process_object(self, ref: S3ObjectRef) -> IngestOutcome:
        """Analyse one object (idempotently) and write its result or error record.

        Raises:
            ResumeStorageError: S3 failed (retry).
            CareerReadyError: a 5xx domain error from the analysis (retry).
        """
        if (
            not ref.key.startswith(INCOMING_PREFIX)
            or ref.key.endswith("/")
            or not ref.event_name.startswith(("ObjectCreated", "s3:ObjectCreated"))
        ):
            logger.info("ingest ignored", key=ref.key, event_name=ref.event_name)
            return IngestOutcome(ref.key, "ignored")
        resolved = self._resolve_etag(ref)
        if resolved is None:
            logger.warning("ingest object gone before processing", key=ref.key)
            return IngestOutcome(ref.key, "superseded")
        ref = resolved
        done = self._already_done(ref)
        if done is not None:
            logger.info("ingest duplicate", key=ref.key, output_key=done)
            return IngestOutcome(ref.key, "duplicate", output_key=done)

        if ref.size is not None and ref.size > self.max_object_bytes:
            return self._write_error(
                ref, "payload_too_large", f"object is {ref.size} bytes; the limit is {self.max_object_bytes}"
            )
        obj = self._get(ref)
        if obj is None:
            logger.warning("ingest object replaced or deleted since the event", key=ref.key)
            return IngestOutcome(ref.key, "superseded")
        meta = obj["metadata"]
        filename = PurePosixPath(ref.key).name
        raw_roles = ROLE_SEPARATOR.join(str(meta.get(k) or "") for k in (META_ROLE, META_ROLES))
        roles = tuple(r.strip() for r in raw_roles.split(ROLE_SEPARATOR) if r.strip())
        role = roles[0] if roles else None
        include_text = str(meta.get(META_INCLUDE_TEXT, "")).strip().lower() in ("true", "1", "yes")
        try:
            text = document_to_text(obj["body"], obj["content_type"], filename, self.limits)
            job = AnalysisJob(
                text=text,
                role=role,
                key=ref.key,
                content_type=obj["content_type"],
                include_text=include_text,
                request_id=self._request_id(ref),
                roles=roles,
                as_of=_utc_day(obj["last_modified"]),
            )
            analysis = self.analyzer(job)
        except CareerReadyError as exc:
            if exc.http_status >= 500:
                raise
            return self._write_error(ref, exc.code, exc.message, exc.details)
        document = {
            "schema_version": RESULT_SCHEMA_VERSION,
            "source": self._source(ref),
            "role": role,
            "roles": list(roles),
            "analysis": analysis,
        }
        if not include_text and isinstance(analysis, dict):
            analysis.pop("text", None)
            for skill in analysis.get("skills") or []:
                if isinstance(skill, dict) and skill.get("sentence"):
                    skill["sentence"] = ""  # evidence quotes resume lines: stored only with include-text
        self._put_json(ref, result_key(ref.key), document)
        logger.info("ingest result written", key=ref.key, output_key=result_key(ref.key))
        return IngestOutcome(ref.key, "written", output_key=result_key(ref.key))

    @staticmethod
    def _request_id(ref: S3ObjectRef) -> str:
        # deterministic: the same object version always gets the same id
        seed = f"{ref.bucket}/{ref.key}#{ref.version_id or ''}#{ref.etag or ''}"
        return hashlib.sha256(seed.encode("utf-8")).hexdigest()[:32]

    @staticmethod
    def _source(ref: S3ObjectRef) -> dict[str, Any]:
        return {"bucket": ref.bucket, "key": ref.key, "etag": ref.etag, "version_id": ref.version_id, "size": ref.size}

    def _write_error(
        self, ref: S3ObjectRef, code: str, reason: str, details: dict[str, Any] | None = None
    ) -> IngestOutcome:
        safe_details = {k: v for k, v in (details or {}).items() if isinstance(v, str | int | float | bool | list)}
        record = {
            "schema_version": RESULT_SCHEMA_VERSION,
            "key": ref.key,
            "reason": reason,
            "code": code,
            "details": safe_details,
            "source": self._source(ref),
        }
        self._put_json(ref, error_key(ref.key), record)
        logger.info("ingest error record written", key=ref.key, code=code)
        return IngestOutcome(ref.key, "error_written", output_key=error_key(ref.key), code=code)

    def handle_message(self, body: str | dict[str, Any]) -> list[IngestOutcome]:
        """Process every object of one SQS message (an S3 notification).

        A body that is not an S3 notification is logged and dropped (retrying cannot fix it).
        """
        try:
            refs = parse_notification(body)
        except InvalidInputError as exc:
            logger.error("ingest message is not an S3 notification", error=exc.message)
            return []
        return [self.process_object(ref) for ref in refs]


def default_analyzer() -> Analyzer:
    """The production analyzer: the stages through the configured transport, roles from the catalog.

    Loads the models at call time: call once at module import of the handler.
    """
    from careerready.core.config import get_settings
    from careerready.features.text_index import role_text_index
    from careerready.pipelines.matching import prepare_text_ranking
    from careerready.schemas.api import SourceInfo
    from careerready.services.analysis import analyze
    from careerready.services.roles import resolver_for
    from careerready.services.startup import get_models
    from careerready.services.transport import make_client

    settings = get_settings()
    client = make_client(settings)
    if settings.transport == "inprocess":
        # load everything during init, not on the first record; the extract stage's artifacts first, so the
        # catalog's text index is built while the 90 MB encoder (match stage) is still downloading
        catalog = get_models("extract").catalog
        if catalog is not None:
            role_text_index(catalog)
    match_models = get_models("match")
    catalog = match_models.catalog
    # the same resolver (and embedding fallback) as the API and the CLI, built once here, not per resume
    resolver = resolver_for(catalog, match_models.embeddings) if catalog is not None else None
    if settings.transport == "inprocess":
        for stage in ("readiness", "recommend"):
            get_models(stage)
        if catalog is not None:
            # an S3-dropped resume rarely names a role: it is ranked against every role by its text
            prepare_text_ranking(catalog, match_models.embeddings)

    def run(job: AnalysisJob) -> dict[str, Any]:
        response = analyze(
            job.text,
            list(job.roles) or ([job.role] if job.role else None),
            client,
            catalog=catalog,
            resolver=resolver,
            request_id=job.request_id,
            include_text=job.include_text,
            source=SourceInfo(kind="s3", s3_key=job.key, content_type=job.content_type, chars=len(job.text)),
            keep_role_order=True,
            as_of=job.as_of,
        )
        return response.model_dump(mode="json")

    return run


def _iter_outcomes(outcomes: list[IngestOutcome]) -> Iterator[dict[str, Any]]:
    for o in outcomes:
        yield {"key": o.key, "status": o.status, "output_key": o.output_key, "code": o.code}


def process_sqs_event(event: dict[str, Any], service: IngestService, context: Any = None) -> dict[str, Any]:
    """Run an SQS batch through ``service`` with partial batch failures (``batchItemFailures``).

    Records whose processing raised are reported as failures (SQS retries them, then the DLQ);
    the rest are deleted. If every record fails, Powertools raises so the whole batch is retried.
    """
    processor = BatchProcessor(event_type=EventType.SQS)

    def record_handler(record: SQSRecord) -> list[dict[str, Any]]:
        return list(_iter_outcomes(service.handle_message(record.body)))

    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    return dict(response)
