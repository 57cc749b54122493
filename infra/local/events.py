"""The S3 -> SQS -> Lambda wiring of the event path, for local runs (demo, tests, benchmarks, drills).

On AWS, the bucket notification and the SQS event source mapping do this; locally (moto on
127.0.0.1) the caller receives the messages and hands them to the ingest handler as the same
Lambda SQS event.
"""

from __future__ import annotations

from typing import Any


def notify_queue(s3: Any, bucket: str, queue_arn: str, prefix: str = "incoming/") -> None:
    """Send ``s3:ObjectCreated:*`` notifications for keys under ``prefix`` to the queue."""
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "QueueArn": queue_arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": prefix}]}},
                }
            ]
        },
    )


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str = "us-east-1") -> dict[str, Any]:
    """The Lambda SQS event for messages from ``receive_message`` (the shape the event source mapping sends)."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "0"},
                "messageAttributes": {},
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for m in messages
        ]
    }
