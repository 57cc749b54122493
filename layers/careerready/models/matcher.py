"""Matching model wrapper: learned linear weights over MATCH_FEATURES -> role-fit score in [0, 1].

The weights double as the explanation: each feature contributes ``weight x value``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np

from careerready.core.errors import ArtifactNotFoundError
from careerready.features import MATCH_FEATURES, to_vector

__all__ = ["MODEL_FILE", "Matcher", "load", "save"]

MODEL_FILE = "model.joblib"


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
    """Write ``model.joblib`` (plain arrays; the sklearn estimator is kept for reference if given)."""
    artifact_dir.mkdir(parents=True, exist_ok=True)
    path = artifact_dir / MODEL_FILE
    payload = {
        "kind": "linear",
        "feature_names": list(feature_names),
        "coef": np.asarray(coef, dtype=np.float64),
        "intercept": float(intercept),
        "estimator": estimator,
    }
    joblib.dump(payload, path)
    return path


def load(artifact_dir: Path | str) -> Matcher:
    """Load a matching artifact directory."""
    path = Path(artifact_dir) / MODEL_FILE
    if not path.is_file():
        raise ArtifactNotFoundError("matching model file missing", path=str(path))
    d = joblib.load(path)
    return Matcher(tuple(d["feature_names"]), np.asarray(d["coef"], dtype=np.float64), float(d["intercept"]))
