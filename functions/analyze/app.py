"""Lambda entry point of the /v1 API (FastAPI behind API Gateway HTTP API, through Mangum).

The app, its settings and (in-process transport) every stage's models are created at import, once
per container; ``lifespan="off"`` because Mangum would otherwise run startup on every invocation.
Like the other five functions, the entry point is ``lambda_handler`` with the Lambda context logged.
"""

from __future__ import annotations

from typing import Any

from careerready.api.app import create_app, warm_up
from careerready.core.observability import logger
from mangum import Mangum

app = create_app()
warm_up(app)
asgi_handler = Mangum(app, lifespan="off")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """API Gateway HTTP API (v2) event -> the /v1 app."""
    return asgi_handler(event, context)
