"""Matching model wrapper: learned linear weights over MATCH_FEATURES -> role-fit score in [0, 1].

The weights double as the explanation: each feature contributes ``weight x value``. The artifact is
``params.json`` (feature order, coefficients, intercept; floats round-trip exactly through JSON), so
serving needs numpy only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from careerready.core.errors import ArtifactError, ArtifactNotFoundError
from careerready.features import MATCH_FEATURES, to_vector

__all__ = ["MODEL_FILE", "Matcher", "load", "save"]

MODEL_FILE = "params.json"
FORMAT = "careerready.matching.linear/1"


@dataclass(frozen=True)
class Matcher:
    """Linear role-fit scorer."""

    feature_names: tuple[str, ...]
    coef: np.ndarray
    intercept: float

    def predict(self, features: Mapping[str, float]) -> float:
        """Role-fit score clipped to [0, 1]."""
        x = to_vector(features, self.feature_names)
        return float(np.clip(self.intercept + float(x @ self.coef), 0.0, 1.0))

    def predict_many(self, rows: np.ndarray) -> np.ndarray:
        """Scores for a ``(n, len(feature_names))`` matrix, clipped to [0, 1]."""
        out: np.ndarray = np.clip(self.intercept + np.asarray(rows, dtype=np.float64) @ self.coef, 0.0, 1.0)
        return out

    def contributions(self, features: Mapping[str, float]) -> list[tuple[str, float, float, float]]:
        """``(feature, value, weight, weight x value)`` sorted by absolute contribution (desc), then name."""
        x = to_vector(features, self.feature_names)
        out = [(n, float(v), float(w), float(v * w)) for n, v, w in zip(self.feature_names, x, self.coef, strict=True)]
        return sorted(out, key=lambda t: (-abs(t[3]), t[0]))

    @property
    def weights(self) -> dict[str, float]:
        """Feature -> learned weight."""
        return {n: float(w) for n, w in zip(self.feature_names, self.coef, strict=True)}


def save(
    artifact_dir: Path,
    coef: Sequence[float],
    intercept: float,
    feature_names: Sequence[str] = MATCH_FEATURES,
    estimator: Any = None,
) -> Path:
    """Write ``params.json``: ``{format, kind, feature_names, coef, intercept}``.

    ``estimator`` (the fitted sklearn model) is accepted for call compatibility and not stored:
    serving needs only the arrays.
    """
    del estimator
    w = np.asarray(coef, dtype=np.float64).reshape(-1)
    if w.size != len(feature_names):
        raise ValueError(f"{w.size} coefficients for {len(feature_names)} features")
    artifact_dir.mkdir(parents=True, exist_ok=True)
    path = artifact_dir / MODEL_FILE
    payload = {
        "format": FORMAT,
        "kind": "linear",
        "feature_names": list(feature_names),
        "coef": w.tolist(),
        "intercept": float(intercept),
    }
    path.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    return path


def load(artifact_dir: Path | str) -> Matcher:
    """Load a matching artifact directory (``params.json``)."""
    path = Path(artifact_dir) / MODEL_FILE
    if not path.is_file():
        raise ArtifactNotFoundError("matching model file missing", path=str(path))
    d = json.loads(path.read_text(encoding="utf-8"))
    coef = np.asarray(d["coef"], dtype=np.float64)
    if coef.shape != (len(d["feature_names"]),):
        raise ArtifactError("matching params: coefficients do not match the feature names", path=str(path))
    return Matcher(tuple(d["feature_names"]), coef, float(d["intercept"]))
