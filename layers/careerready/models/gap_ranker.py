"""Gap ranker wrapper: an XGBoost ``rank:ndcg`` booster over GAP_FEATURES (``model.json``)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from careerready.core.errors import ArtifactNotFoundError
from careerready.features import GAP_FEATURES, to_vector

__all__ = ["META_FILE", "MODEL_FILE", "GapRanker", "load"]

MODEL_FILE = "model.json"
META_FILE = "features.json"


@dataclass(frozen=True)
class GapRanker:
    """Scores missing skills; higher = learn first."""

    feature_names: tuple[str, ...]
    booster: Any

    def score(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        """One score per feature dict (empty input -> empty array)."""
        if not rows:
            return np.zeros(0, dtype=np.float64)
        import xgboost as xgb

        x = np.stack([to_vector(r, self.feature_names) for r in rows]).astype(np.float32)
        dm = xgb.DMatrix(x, feature_names=list(self.feature_names), nthread=1)
        return np.asarray(self.booster.predict(dm), dtype=np.float64)


def load(artifact_dir: Path | str) -> GapRanker:
    """Load ``model.json`` (+ ``features.json`` with the feature order) with xgboost."""
    root = Path(artifact_dir)
    if not (root / MODEL_FILE).is_file():
        raise ArtifactNotFoundError("gap ranker model file missing", path=str(root / MODEL_FILE))
    import xgboost as xgb

    booster = xgb.Booster(params={"nthread": 1})
    booster.load_model(str(root / MODEL_FILE))
    names = GAP_FEATURES
    if (root / META_FILE).is_file():
        names = tuple(json.loads((root / META_FILE).read_text(encoding="utf-8"))["feature_names"])
    return GapRanker(tuple(names), booster)
