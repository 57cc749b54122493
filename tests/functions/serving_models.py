"""Models for serving tests: the real artifacts when trained, else a small fixture set.

* :func:`real_models` loads every model from ``artifacts/`` through the normal loader (``None`` when
  an artifact is missing, so tests can skip with the reason).
* :func:`fixture_models` builds stage models from ``tests/fixtures/catalog_small`` in memory: the
  catalog, a gazetteer compiled from it, and the trained readiness model (``artifacts/readiness/v1``;
  its features do not depend on the catalog). Only on a clone without trained artifacts does a
  fixed-weight stand-in (softmax over coverage, version ``"fixture"``) take its place; ``make test``
  always trains first. Matching, gap ranking and recommendation use their documented model-free
  fallbacks (coverage score, importance order, content-only resources).
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from careerready.features import READINESS_FEATURES, READINESS_LABELS
from careerready.models.extractor import GazetteerExtractor
from careerready.models.readiness import ReadinessModel
from careerready.services.catalog import Catalog
from careerready.services.startup import Models

from training.models.gazetteer import compile_gazetteer

REPO = Path(__file__).resolve().parents[2]
FIXTURE_CATALOG = REPO / "tests" / "fixtures" / "catalog_small"
ARTIFACTS = REPO / "artifacts"
# the learned tagger (ner) is optional: without the dotin dataset it is not trained and the extract stage serves the
# gazetteer alone (careerready.services.startup.OPTIONAL), so the real-artifact tests run what that checkout serves
REAL_MODELS = ("catalog", "embeddings", "extractor", "matching", "readiness", "gap_ranker", "recommender")
FIXTURE_VERSIONS = {"catalog": "fixture", "extractor": "fixture", "readiness": "fixture"}

RESUME = """Jane Doe
Backend developer

Summary
Backend engineer with 6 years of experience building Python services.

Skills
Python, Django, Flask, PostgreSQL, SQL, Docker, Git, REST APIs, Redis, AWS, Linux

Experience
Senior Backend Engineer, Acme (2019-2025)
- Built REST APIs in Python and Django on PostgreSQL; 6 years of Python.
- Containerised services with Docker and deployed them on AWS.
"""


class _SoftmaxEstimator:
    """predict_proba = softmax(coef @ standardised x): deterministic, no training."""

    def __init__(self, coef: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> None:
        self.coef, self.mean, self.scale = coef, mean, scale

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        z = (np.asarray(x, dtype=np.float64) - self.mean) / self.scale
        logits = z @ self.coef.T
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)


def _readiness_model() -> ReadinessModel:
    n = len(READINESS_FEATURES)
    mean = np.full(n, 0.5)
    scale = np.ones(n)
    coef = np.zeros((len(READINESS_LABELS), n))
    cov = READINESS_FEATURES.index("coverage_partial")
    crit = READINESS_FEATURES.index("critical_coverage")
    # needs_upskilling falls with coverage, industry_ready rises with it
    coef[0, cov], coef[2, cov] = -6.0, 6.0
    coef[0, crit], coef[2, crit] = -2.0, 2.0
    mean[READINESS_FEATURES.index("missing_critical")] = 0.0
    return ReadinessModel(READINESS_FEATURES, READINESS_LABELS, _SoftmaxEstimator(coef, mean, scale), mean, scale, coef)


def _trained_readiness() -> tuple[ReadinessModel, str] | None:
    from careerready.models.readiness import load

    path = ARTIFACTS / "readiness" / "v1"
    return (load(path), "v1") if (path / "manifest.json").is_file() else None


@cache
def fixture_models() -> Models:
    """Stage models over the small fixture catalog (the trained readiness model when it exists)."""
    catalog = Catalog.load(FIXTURE_CATALOG)
    extractor = GazetteerExtractor.from_gazetteer(compile_gazetteer(catalog.skills.values()))
    readiness, version = _trained_readiness() or (_readiness_model(), "fixture")
    return Models(
        catalog=catalog,
        extractor=extractor,
        readiness=readiness,
        versions={**FIXTURE_VERSIONS, "readiness": version},
        stage="fixture",
    )


def fixture_models_for(stage: str) -> Models:
    """Per-stage view (versions limited to what the stage uses), like ``get_models(stage)``."""
    used = {
        "extract": ("catalog", "extractor"),
        "match": ("catalog",),
        "readiness": ("readiness",),
        "recommend": ("catalog", "readiness"),
    }.get(stage, tuple(FIXTURE_VERSIONS))
    base = fixture_models()
    return replace(base, versions={k: v for k, v in base.versions.items() if k in used}, stage=stage)


def missing_real_artifacts() -> list[str]:
    """Required models with no ``artifacts/<model>/v1/manifest.json`` (empty when everything is trained)."""
    return [m for m in REAL_MODELS if not (ARTIFACTS / m / "v1" / "manifest.json").is_file()]


@cache
def real_models_for(stage: str) -> Any:
    """``load_models(stage)`` over the local ``artifacts/`` tree."""
    from careerready.core.config import load_settings
    from careerready.services.startup import load_models

    settings = load_settings(artifact_source="local", artifacts_dir=ARTIFACTS)
    return load_models(stage, settings=settings)


def real_api_client() -> Any:
    """A TestClient of the API over the real artifacts, in process (skip first with :data:`needs_real_artifacts`)."""
    from careerready.api.app import create_app
    from careerready.core.config import load_settings
    from careerready.services.transport import InProcessTransport
    from fastapi.testclient import TestClient

    app = create_app(InProcessTransport(real_models_for), settings=load_settings(artifact_source="local"))
    return TestClient(app, raise_server_exceptions=False)


def needs_real_artifacts() -> Any:
    """A module's ``pytestmark``: skip (naming what is missing) when the trained artifacts are absent."""
    import pytest

    missing = missing_real_artifacts()
    return pytest.mark.skipif(bool(missing), reason=f"trained artifacts missing under artifacts/: {missing}")
