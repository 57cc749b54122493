"""Lambda entry points of the stage functions, built once per container.

Each ``functions/<stage>/app.py`` is one line, ``lambda_handler = stage_lambda_handler("<stage>")``:
the models are loaded when that line runs (at import, during the Lambda init phase), and every
invocation goes through :func:`careerready.services.stages.handle_event` (direct invoke or an
API Gateway HTTP API v2 event; see docs/api.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from careerready.core.observability import logger
from careerready.services import snapstart, startup

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


def stage_lambda_handler(stage: str) -> LambdaHandler:
    """Load ``stage``'s models now and return its Lambda handler."""
    # the downloads start before the stage code (pipelines, schemas) is imported, and run while it is
    startup.prefetch(stage)
    from careerready.services.stages import handle_event

    models = startup.get_models(stage)
    snapstart.register([stage])

    @logger.inject_lambda_context(clear_state=True)
    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return handle_event(stage, event, models, context)

    lambda_handler.__doc__ = f"Run the {stage} stage on one event."
    lambda_handler.stage = stage  # type: ignore[attr-defined]
    lambda_handler.models = models  # type: ignore[attr-defined]
    return lambda_handler
