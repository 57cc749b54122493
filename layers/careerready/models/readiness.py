"""Readiness model wrapper: multinomial logistic regression (linear or spline features, optionally calibrated)
over READINESS_FEATURES, evaluated in numpy.

The artifact is ``params.json``: the classifier as a plain spec (scaler, spline knots, logistic weights,
calibrators; see ``careerready.models.numeric``), the label order, and the standardised linear weights
used to explain a prediction. Serving never imports scikit-learn.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from careerready.core.errors import ArtifactError, ArtifactNotFoundError
from careerready.features import READINESS_FEATURES, to_vector
from careerready.models.numeric import Classifier, classifier_from_spec

__all__ = ["MODEL_FILE", "ReadinessModel", "load", "save"]

MODEL_FILE = "params.json"
FORMAT = "careerready.readiness/1"


@dataclass(frozen=True)
class ReadinessModel:
    """Classifier + the standardised linear weights used to explain a prediction.

    Attributes:
        estimator: anything with ``predict_proba`` (at serving: a ``numeric`` Pipeline or Calibrated).
        labels: class labels in the column order of ``predict_proba``.
        mean, scale: standardisation of the features.
        coef: ``(n_labels, n_features)`` weights of a logistic regression on standardised features.
    """

    feature_names: tuple[str, ...]
    labels: tuple[str, ...]
    estimator: Classifier
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray

    def predict_proba_many(self, rows: np.ndarray) -> np.ndarray:
        """``(n, len(labels))`` probabilities for a ``(n, len(feature_names))`` matrix (rows sum to 1)."""
        p = np.clip(
            np.asarray(self.estimator.predict_proba(np.asarray(rows, dtype=np.float64)), dtype=np.float64), 0, 1
        )
        s = p.sum(axis=1, keepdims=True)
        out: np.ndarray = np.divide(p, s, out=np.full_like(p, 1.0 / p.shape[1]), where=s > 0)
        return out

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
    spec: Mapping[str, Any],
    labels: Sequence[str],
    mean: np.ndarray,
    scale: np.ndarray,
    coef: np.ndarray,
    feature_names: Sequence[str] = READINESS_FEATURES,
) -> Path:
    """Write ``params.json`` (training side).

    Args:
        spec: the classifier as a ``careerready.models.numeric`` spec (training exports a fitted
            ``Pipeline``/``CalibratedClassifierCV`` with ``training.models.export_numeric.classifier_spec``),
            whose ``predict_proba`` columns follow ``labels``.
        labels, mean, scale, coef, feature_names: as the ``ReadinessModel`` attributes.

    Raises:
        ValueError: the spec's classes do not match ``labels``.
    """
    n_classes = len(spec["classes"]) if spec["kind"] == "calibrated" else len(spec["final"]["classes"])
    if n_classes != len(labels):
        raise ValueError(f"classifier has {n_classes} classes, labels {list(labels)}")
    artifact_dir.mkdir(parents=True, exist_ok=True)
    path = artifact_dir / MODEL_FILE
    payload = {
        "format": FORMAT,
        "feature_names": list(feature_names),
        "labels": list(labels),
        "classifier": dict(spec),
        "drivers": {
            "mean": np.asarray(mean, dtype=np.float64).tolist(),
            "scale": np.asarray(scale, dtype=np.float64).tolist(),
            "coef": np.asarray(coef, dtype=np.float64).tolist(),
        },
    }
    path.write_text(json.dumps(payload) + "\n", encoding="utf-8")
    return path


def load(artifact_dir: Path | str) -> ReadinessModel:
    """Load a readiness artifact directory (``params.json``)."""
    path = Path(artifact_dir) / MODEL_FILE
    if not path.is_file():
        raise ArtifactNotFoundError("readiness model file missing", path=str(path))
    d = json.loads(path.read_text(encoding="utf-8"))
    if d.get("format") != FORMAT:
        raise ArtifactError("readiness params: unknown format", path=str(path), format=d.get("format"))
    drv = d["drivers"]
    scale = np.asarray(drv["scale"], dtype=np.float64)
    scale = np.where(scale == 0, 1.0, scale)
    return ReadinessModel(
        tuple(d["feature_names"]),
        tuple(d["labels"]),
        classifier_from_spec(d["classifier"]),
        np.asarray(drv["mean"], dtype=np.float64),
        scale,
        np.asarray(drv["coef"], dtype=np.float64),
    )
