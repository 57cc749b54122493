"""Ingest worker: SQS batches of S3 notifications for ``incoming/`` -> ``results/<key>.json``.

Logic lives in :mod:`careerready.services.ingest`; this module only creates the S3 client and
loads the models once per container (at import), then hands each batch to Powertools'
``BatchProcessor`` so failed records are retried alone (``ReportBatchItemFailures``).
"""

from __future__ import annotations

from typing import Any

import boto3
from careerready.core.config import get_settings
from careerready.core.observability import logger
from careerready.services.ingest import IngestService, default_analyzer, process_sqs_event

settings = get_settings()
service = IngestService(
    boto3.client("s3", region_name=settings.aws_region, endpoint_url=settings.s3_endpoint_url),
    default_analyzer(),
)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """SQS event -> ``{"batchItemFailures": [...]}``."""
    return process_sqs_event(event, service, context)
