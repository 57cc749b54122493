"""Shared helpers of the hardening suite: apps over fixture or real models, hostile-file builders."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
_FUNCTIONS_TESTS = REPO / "tests" / "functions"
if str(_FUNCTIONS_TESTS) not in sys.path:  # serving_models lives there (no package __init__)
    sys.path.insert(0, str(_FUNCTIONS_TESTS))

import serving_models  # noqa: E402

RESUME = serving_models.RESUME
ARTIFACTS = serving_models.ARTIFACTS


def real_artifacts_ready() -> bool:
    """True when ``artifacts/.complete`` exists and every model has a v1 manifest."""
    return (ARTIFACTS / ".complete").is_file() and not serving_models.missing_real_artifacts()


def fixture_app(**settings_overrides: Any) -> Any:
    """The /v1 app with in-process fixture models (no artifacts needed)."""
    from careerready.api.app import create_app
    from careerready.core.config import load_settings
    from careerready.services.transport import InProcessTransport

    settings = load_settings(artifact_source="local", **settings_overrides)
    return create_app(InProcessTransport(serving_models.fixture_models_for), settings=settings)


def real_app(**settings_overrides: Any) -> Any:
    """The /v1 app with the trained artifacts (call only when :func:`real_artifacts_ready`)."""
    from careerready.api.app import create_app, warm_up
    from careerready.core.config import load_settings
    from careerready.services.transport import InProcessTransport

    settings = load_settings(artifact_source="local", artifacts_dir=ARTIFACTS, **settings_overrides)
    app = create_app(InProcessTransport(serving_models.real_models_for), settings=settings)
    warm_up(app)
    return app
