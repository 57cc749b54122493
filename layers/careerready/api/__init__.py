"""The /v1 HTTP API (FastAPI behind Mangum): ``careerready.api.app.create_app``.

Importing this package imports FastAPI with the pydantic models of its OpenAPI document (``fastapi.openapi.models``,
~50 classes) built on first use instead of at import: pydantic's ``defer_build`` is on for the classes that import
creates, then off again. Only ``/v1/openapi.json`` and the docs pages use those models; building them at import was
~0.05-0.1 s of every cold start of the analyze function (docs/benchmarks.md, "Issue 15, third pass").
"""

from __future__ import annotations

import sys


def _import_fastapi() -> None:
    if "fastapi" in sys.modules:
        return
    from pydantic import BaseModel

    saved = BaseModel.model_config
    deferred = saved.copy()
    deferred["defer_build"] = True
    BaseModel.model_config = deferred  # subclasses created meanwhile inherit it (pydantic merges parents' configs)
    try:
        import fastapi.openapi.models  # noqa: F401 - imports fastapi
    finally:
        BaseModel.model_config = saved


_import_fastapi()
