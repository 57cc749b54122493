"""Load the models a stage needs, once per process (call at module import in every handler).

``get_models("extract")`` resolves ``{model: version}`` from the registry (+ settings overrides),
fetches each artifact through :class:`ArtifactStore` (local dir, or S3 -> ``/tmp`` cache with sha256
verification) and calls the model module's ``load(dir)``. Per-model download/verify/load times are
logged and kept in ``Models.load_timings``. If anything fails, a clear error is raised and no
partially loaded ``Models`` is cached.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from careerready.core.config import Settings, get_settings
from careerready.core.errors import ArtifactError, CareerReadyError
from careerready.core.observability import logger
from careerready.services.artifacts import ArtifactStore
from careerready.services.registry import Registry, load_registry

__all__ = ["LOADERS", "Models", "get_models", "load_models", "model_field"]

# model name -> (Models field, "module:callable" of its load(dir) function)
LOADERS: dict[str, tuple[str, str]] = {
    "catalog": ("catalog", "careerready.services.catalog:Catalog.load"),
    "embeddings": ("embeddings", "careerready.models.embedder:load"),
    "extractor": ("extractor", "careerready.models.extractor:load"),
    "matching": ("matcher", "careerready.models.matcher:load"),
    "readiness": ("readiness", "careerready.models.readiness:load"),
    "gap_ranker": ("gap_ranker", "careerready.models.gap_ranker:load"),
    "recommender": ("recommender", "careerready.models.recommender:load"),
}


@dataclass(frozen=True)
class Models:
    """Everything a stage serves with; fields a stage does not need stay None."""

    catalog: Any = None
    embeddings: Any = None
    extractor: Any = None
    matcher: Any = None
    readiness: Any = None
    gap_ranker: Any = None
    recommender: Any = None
    versions: dict[str, str] = field(default_factory=dict)
    load_timings: dict[str, dict[str, float]] = field(default_factory=dict)
    stage: str | None = None


def model_field(model: str) -> str:
    """The :class:`Models` attribute that holds ``model`` (``matching`` -> ``matcher``)."""
    return LOADERS[model][0]


def _resolve_loader(model: str) -> Callable[[Path], Any]:
    if model not in LOADERS:
        raise ArtifactError(f"no loader registered for model {model!r}; known: {sorted(LOADERS)}", model=model)
    target = LOADERS[model][1]
    module_name, _, attr_path = target.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise ArtifactError(
            f"model {model!r} needs module {module_name}, which cannot be imported: {exc}", model=model
        ) from exc
    for attr in attr_path.split("."):
        if not hasattr(obj, attr):
            raise ArtifactError(f"model {model!r}: {target} does not exist", model=model)
        obj = getattr(obj, attr)
    loader: Callable[[Path], Any] = obj
    return loader


def load_models(
    stage: str | None = None,
    *,
    settings: Settings | None = None,
    store: ArtifactStore | None = None,
    registry: Registry | None = None,
) -> Models:
    """Fetch, verify and load every model ``stage`` needs (uncached; see :func:`get_models`).

    Args:
        stage: ``extract``, ``match``, ``readiness``, ``recommend``, ``analyze`` or ``ingest``
            (None = ``analyze``, i.e. everything).
        settings: Defaults to :func:`get_settings`.
        store: Defaults to ``ArtifactStore.from_settings(settings)``.
        registry: Defaults to the registry file named by the settings, with version overrides.

    Raises:
        ConfigError: unknown stage or bad registry.
        ArtifactNotFoundError / ArtifactIntegrityError / ArtifactError: a model could not be
            fetched, verified or loaded (the message names model, version and stage).
    """
    stage = stage or "analyze"
    settings = settings or get_settings()
    registry = registry or load_registry(settings.registry_path, settings.version_overrides())
    store = store or ArtifactStore.from_settings(settings)
    wanted = registry.models_for(stage)
    loaded: dict[str, Any] = {}
    timings: dict[str, dict[str, float]] = {}
    t_start = time.perf_counter()
    for model, version in wanted.items():
        try:
            loader = _resolve_loader(model)
            fetched = store.fetch_with_info(model, version, manifest_sha256=settings.pinned_manifest_sha256(model))
            t0 = time.perf_counter()
            loaded[model_field(model)] = loader(fetched.path)
            load_ms = (time.perf_counter() - t0) * 1000
        except CareerReadyError as exc:
            logger.error("model load failed", stage=stage, model=model, version=version, error=exc.code)
            raise type(exc)(
                f"cold start of stage {stage!r}: {model}/{version}: {exc.message}",
                **{**exc.details, "model": model, "version": version, "stage": stage},
            ) from exc
        except Exception as exc:
            logger.error("model load failed", stage=stage, model=model, version=version, error=type(exc).__name__)
            raise ArtifactError(
                f"cold start of stage {stage!r}: loading {model}/{version} failed: {type(exc).__name__}: {exc}",
                model=model,
                version=version,
                stage=stage,
            ) from exc
        timings[model] = {
            "download_ms": round(fetched.download_ms, 2),
            "verify_ms": round(fetched.verify_ms, 2),
            "load_ms": round(load_ms, 2),
            "cached": float(fetched.cached),
        }
        logger.info("model loaded", stage=stage, model=model, version=version, timings=timings[model])
    logger.info("models ready", stage=stage, versions=wanted, total_ms=round((time.perf_counter() - t_start) * 1000, 2))
    return Models(**loaded, versions=dict(wanted), load_timings=timings, stage=stage)


@cache
def get_models(stage: str | None = None) -> Models:
    """The models for ``stage``, loaded once per process (failures are not cached)."""
    return load_models(stage)
