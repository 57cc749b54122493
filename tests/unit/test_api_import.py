"""Importing the API defers building FastAPI's OpenAPI document models to first use, with the same document."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_SCRIPT = """
import json, sys
if sys.argv[1] == "eager":
    import fastapi  # imported before careerready.api: nothing deferred
from careerready.api.app import create_app
import fastapi.openapi.models as M, pydantic
from careerready.schemas.api import AnalyzeRequest
from fastapi.testclient import TestClient
state = {"openapi_built_at_import": M.OpenAPI.__pydantic_complete__, "own_built": AnalyzeRequest.__pydantic_complete__,
         "base_config": dict(pydantic.BaseModel.model_config)}
doc = TestClient(create_app()).get("/v1/openapi.json")
print(json.dumps({**state, "status": doc.status_code, "doc": doc.json()}))
"""


def _run(mode: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'layers'}:{ROOT}", "CAREERREADY_LOG_LEVEL": "WARNING"}
    out = subprocess.run(  # noqa: S603 - fixed interpreter and script
        [sys.executable, "-c", _SCRIPT, mode], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_openapi_models_are_built_on_first_use_with_the_same_document() -> None:
    deferred, eager = _run("deferred"), _run("eager")
    assert deferred["openapi_built_at_import"] is False and eager["openapi_built_at_import"] is True
    assert deferred["own_built"] is True  # the API's own schemas are built at import as before
    assert deferred["base_config"] == {}  # pydantic's default config is restored
    assert deferred["status"] == eager["status"] == 200
    assert deferred["doc"] == eager["doc"]
