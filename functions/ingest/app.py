"""Ingest worker: SQS batches of S3 notifications for ``incoming/`` -> ``results/<key>.json``.

Logic lives in :mod:`careerready.services.ingest`; this module only creates the S3 client and
loads the models once per container (at import; their downloads start first and run while the rest
is imported), then hands each batch to Powertools' ``BatchProcessor`` so failed records are retried
alone (``ReportBatchItemFailures``).
"""

from __future__ import annotations

from typing import Any

from careerready.core.initphase import init_phase

with init_phase():  # no garbage collection while the init allocates (careerready.core.initphase)
    from careerready.core.config import get_settings
    from careerready.services.startup import prefetch, s3_client

    settings = get_settings()
    if settings.transport == "inprocess":
        prefetch("analyze")

    from careerready.core.observability import logger  # after the downloads started
    from careerready.services import snapstart
    from careerready.services.documents import DocumentLimits
    from careerready.services.ingest import IngestService, default_analyzer, process_sqs_event
    from careerready.services.registry import BASE_STAGES

    service = IngestService(
        s3_client(settings),  # the artifact store's client when models come from S3 (one client creation, not two)
        default_analyzer(),
        max_object_bytes=settings.max_ingest_object_bytes,
        limits=DocumentLimits(max_bytes=settings.max_ingest_object_bytes, max_chars=settings.max_text_chars),
    )

    if settings.transport == "inprocess":
        snapstart.register(BASE_STAGES)  # SnapStart (when on): every model verified and loaded before the snapshot


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """SQS event -> ``{"batchItemFailures": [...]}``."""
    return process_sqs_event(event, service, context)
