"""Gap ranker wrapper: an XGBoost ``rank:ndcg`` model over GAP_FEATURES, evaluated in numpy.

The artifact keeps XGBoost's own JSON (``Booster.save_model("model.json")``); serving parses its trees
into ``careerready.models.numeric.TreeEnsemble`` and never imports xgboost.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from careerready.core.errors import ArtifactError, ArtifactNotFoundError
from careerready.features import GAP_FEATURES, to_vector
from careerready.models.numeric import TreeEnsemble

__all__ = ["META_FILE", "MODEL_FILE", "GapRanker", "load", "save"]

MODEL_FILE = "model.json"
META_FILE = "features.json"


@dataclass(frozen=True)
class GapRanker:
    """Scores missing skills; higher = learn first."""

    feature_names: tuple[str, ...]
    trees: TreeEnsemble

    def score(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        """One score per feature dict (empty input -> empty array)."""
        if not rows:
            return np.zeros(0, dtype=np.float64)
        x = np.stack([to_vector(r, self.feature_names) for r in rows]).astype(np.float32)
        return self.score_matrix(x)

    def score_matrix(self, x: np.ndarray) -> np.ndarray:
        """Scores for a ``(n, len(feature_names))`` matrix (float32 like XGBoost), as float64."""
        return np.asarray(self.trees.predict(np.asarray(x, dtype=np.float32)), dtype=np.float64)


def save(artifact_dir: Path, booster: Any, feature_names: Sequence[str] = GAP_FEATURES) -> Path:
    """Write ``model.json`` (XGBoost JSON via ``booster.save_model``) and ``features.json`` (training side)."""
    artifact_dir.mkdir(parents=True, exist_ok=True)
    path = artifact_dir / MODEL_FILE
    booster.save_model(str(path))
    (artifact_dir / META_FILE).write_text(
        json.dumps({"feature_names": list(feature_names)}, indent=2) + "\n", encoding="utf-8"
    )
    return path


def load(artifact_dir: Path | str) -> GapRanker:
    """Load ``model.json`` (+ ``features.json`` with the feature order) into a numpy tree ensemble."""
    root = Path(artifact_dir)
    if not (root / MODEL_FILE).is_file():
        raise ArtifactNotFoundError("gap ranker model file missing", path=str(root / MODEL_FILE))
    try:
        trees = TreeEnsemble.from_xgboost_json(json.loads((root / MODEL_FILE).read_text(encoding="utf-8")))
    except (KeyError, ValueError) as exc:
        raise ArtifactError(f"gap ranker model not usable: {exc}", path=str(root / MODEL_FILE)) from exc
    names: tuple[str, ...] = GAP_FEATURES
    if (root / META_FILE).is_file():
        names = tuple(json.loads((root / META_FILE).read_text(encoding="utf-8"))["feature_names"])
    elif trees.feature_names:
        names = trees.feature_names
    if trees.feature_names and trees.feature_names != names:
        raise ArtifactError("gap ranker feature order differs from features.json", path=str(root))
    if trees.n_features and trees.n_features != len(names):
        raise ArtifactError("gap ranker feature count differs from its feature names", path=str(root))
    return GapRanker(names, trees)
