"""Lambda entry point of the match stage.

Direct invoke: ``{"stage": "match", "payload": {...}}`` (what the analyze function's Lambda transport
sends) or the bare request; an API Gateway HTTP API v2 event with the request as JSON body also works
(see docs/api.md). Models are loaded once per container, at import.
"""

from __future__ import annotations

from typing import Any

from careerready.core.observability import logger
from careerready.core.startup import get_models
from careerready.services.stages import handle_event

STAGE = "match"
MODELS = get_models(STAGE)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Run the match stage on one event."""
    return handle_event(STAGE, event, MODELS, context)
