"""Which model versions each stage serves (``registry.json``), with per-model settings overrides.

``registry.json`` lists the four base stages. Composite stages are derived, never duplicated:
``analyze`` = union of extract, match, readiness and recommend; ``ingest`` = ``analyze``.
A ``CAREERREADY_MODEL_VERSION_<MODEL>`` setting wins over the file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from careerready.core import paths
from careerready.core.errors import ConfigError

__all__ = ["BASE_STAGES", "DERIVED_STAGES", "STAGES", "Registry", "load_registry"]

BASE_STAGES: tuple[str, ...] = ("extract", "match", "readiness", "recommend")
DERIVED_STAGES: dict[str, tuple[str, ...]] = {
    "analyze": BASE_STAGES,
    "ingest": ("analyze",),
}
STAGES: tuple[str, ...] = (*BASE_STAGES, *DERIVED_STAGES)


@dataclass(frozen=True)
class Registry:
    """stage -> {model: version}, overrides already applied."""

    stages: Mapping[str, Mapping[str, str]]

    def models_for(self, stage: str) -> dict[str, str]:
        """The ``{model: version}`` a stage needs (sorted by model).

        Raises:
            ConfigError: unknown stage.
        """
        if stage not in self.stages:
            raise ConfigError(f"unknown stage {stage!r}; known: {sorted(self.stages)}", stage=stage)
        return dict(sorted(self.stages[stage].items()))

    def all_models(self) -> dict[str, str]:
        """Every model any stage uses (the ``analyze`` union)."""
        return self.models_for("analyze")


def _resolve(base: Mapping[str, Mapping[str, str]], stage: str, seen: tuple[str, ...] = ()) -> dict[str, str]:
    if stage in seen:
        raise ConfigError(f"registry stage cycle: {' -> '.join((*seen, stage))}")
    if stage in base:
        return dict(base[stage])
    out: dict[str, str] = {}
    for part in DERIVED_STAGES[stage]:
        for model, version in _resolve(base, part, (*seen, stage)).items():
            if out.setdefault(model, version) != version:
                raise ConfigError(
                    f"registry: stage {stage!r} needs {model} in two versions ({out[model]} and {version})",
                    stage=stage,
                    model=model,
                )
    return out


def load_registry(path: Path | str | None = None, overrides: Mapping[str, str] | None = None) -> Registry:
    """Read ``registry.json`` and apply per-model version overrides.

    Args:
        path: Registry file (default: the packaged ``careerready/registry.json``).
        overrides: ``{model: version}`` that replace the file's version wherever the model is used.

    Raises:
        ConfigError: the file is missing/invalid or a base stage is absent.
    """
    file = Path(path) if path is not None else paths.REGISTRY_PATH
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read model registry {file}: {exc}", path=str(file)) from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"model registry {file} must be a JSON object", path=str(file))
    base: dict[str, dict[str, str]] = {}
    for stage in BASE_STAGES:
        models = raw.get(stage)
        if not isinstance(models, dict) or not all(isinstance(v, str) for v in models.values()):
            raise ConfigError(f"model registry {file}: stage {stage!r} must map model -> version", stage=stage)
        base[stage] = {m: (overrides or {}).get(m, v) for m, v in models.items()}
    unknown = sorted(set(raw) - set(BASE_STAGES))
    if unknown:
        raise ConfigError(f"model registry {file}: unknown stages {unknown} (derived stages are computed)")
    stages = {stage: _resolve(base, stage) for stage in STAGES}
    return Registry(stages=stages)
