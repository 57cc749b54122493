"""Readiness model wrapper: calibrated multinomial logistic regression over READINESS_FEATURES."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np

from careerready.core.errors import ArtifactNotFoundError
from careerready.features import READINESS_FEATURES, to_vector

__all__ = ["MODEL_FILE", "ReadinessModel", "load", "save"]

MODEL_FILE = "model.joblib"


@dataclass(frozen=True)
class ReadinessModel:
    """Calibrated classifier + the standardised linear weights used to explain a prediction.

    Attributes:
        estimator: fitted sklearn classifier with ``predict_proba`` (CalibratedClassifierCV).
        labels: class labels in the column order of ``predict_proba``.
        mean, scale: standardisation of the features.
        coef: ``(n_labels, n_features)`` weights of a logistic regression on standardised features.
    """

    feature_names: tuple[str, ...]
    labels: tuple[str, ...]
    estimator: Any
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray

    def predict_proba(self, features: Mapping[str, float]) -> dict[str, float]:
        """Calibrated probability per label (sums to 1)."""
        x = to_vector(features, self.feature_names).reshape(1, -1)
        p = np.asarray(self.estimator.predict_proba(x), dtype=np.float64)[0]
        p = np.clip(p, 0.0, 1.0)
        p = p / p.sum() if p.sum() > 0 else np.full(len(p), 1.0 / len(p))
        return {lab: float(v) for lab, v in zip(self.labels, p, strict=True)}

    def predict(self, features: Mapping[str, float]) -> tuple[str, dict[str, float]]:
        """``(label, probabilities)``; ties go to the earlier label."""
        probs = self.predict_proba(features)
        label = max(self.labels, key=lambda lab: (probs[lab], -self.labels.index(lab)))
        return label, probs

    def drivers(self, features: Mapping[str, float], label: str) -> list[tuple[str, float, float]]:
        """``(feature, value, contribution)`` for ``label``: coef x standardised value, by |contribution| desc."""
        x = to_vector(features, self.feature_names)
        z = (x - self.mean) / self.scale
        row = self.coef[self.labels.index(label)]
        out = [(n, float(v), float(c)) for n, v, c in zip(self.feature_names, x, row * z, strict=True)]
        return sorted(out, key=lambda t: (-abs(t[2]), t[0]))


def save(
    artifact_dir: Path,
    estimator: Any,
    labels: Sequence[str],
    mean: np.ndarray,
    scale: np.ndarray,
    coef: np.ndarray,
    feature_names: Sequence[str] = READINESS_FEATURES,
) -> Path:
    """Write ``model.joblib``."""
    artifact_dir.mkdir(parents=True, exist_ok=True)
    path = artifact_dir / MODEL_FILE
    joblib.dump(
        {
            "feature_names": list(feature_names),
            "labels": list(labels),
            "estimator": estimator,
            "mean": np.asarray(mean, dtype=np.float64),
            "scale": np.asarray(scale, dtype=np.float64),
            "coef": np.asarray(coef, dtype=np.float64),
        },
        path,
    )
    return path


def load(artifact_dir: Path | str) -> ReadinessModel:
    """Load a readiness artifact directory."""
    path = Path(artifact_dir) / MODEL_FILE
    if not path.is_file():
        raise ArtifactNotFoundError("readiness model file missing", path=str(path))
    d = joblib.load(path)
    scale = np.asarray(d["scale"], dtype=np.float64)
    scale = np.where(scale == 0, 1.0, scale)
    return ReadinessModel(
        tuple(d["feature_names"]),
        tuple(d["labels"]),
        d["estimator"],
        np.asarray(d["mean"], dtype=np.float64),
        scale,
        np.asarray(d["coef"], dtype=np.float64),
    )
