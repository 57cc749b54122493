"""Lambda entry point of the /v1 API (FastAPI behind API Gateway HTTP API, through Mangum).

The app, its settings and (in-process transport) every stage's models are created at import, once
per container; ``lifespan="off"`` because Mangum would otherwise run startup on every invocation.
"""

from __future__ import annotations

from careerready.api.app import create_app, warm_up
from mangum import Mangum

app = create_app()
warm_up(app)
handler = Mangum(app, lifespan="off")
lambda_handler = handler
