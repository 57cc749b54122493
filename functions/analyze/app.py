"""Lambda entry point of the /v1 API (FastAPI behind API Gateway HTTP API, through Mangum).

The app, its settings and (in-process transport) every stage's models are created at import, once
per container; ``lifespan="off"`` because Mangum would otherwise run startup on every invocation.
The model downloads start first, in background threads, so they run while FastAPI and the routes
are imported (``startup.prefetch``). Like the other five functions, the entry point is
``lambda_handler`` with the Lambda context logged.
"""

from __future__ import annotations

from typing import Any

from careerready.core.initphase import init_phase

with init_phase():  # no garbage collection while the init allocates (careerready.core.initphase)
    from careerready.core.config import get_settings
    from careerready.services.startup import prefetch

    if get_settings().transport == "inprocess":
        prefetch("analyze")

    from careerready.api.app import create_app, warm_up  # after the downloads started
    from careerready.core.observability import logger
    from careerready.services import snapstart
    from careerready.services.registry import BASE_STAGES
    from mangum import Mangum

    app = create_app()
    warm_up(app)
    # SnapStart (when on): the rest of the first-request work (the deferred encoder, the text index) before the
    # snapshot
    snapstart.register(BASE_STAGES if get_settings().transport == "inprocess" else ())
    asgi_handler = Mangum(app, lifespan="off")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """API Gateway HTTP API (v2) event -> the /v1 app."""
    return asgi_handler(event, context)
