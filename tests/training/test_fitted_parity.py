"""The fitted estimators published as joblib: the serving exports reproduce them, and serving never reads them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from careerready.features import GAP_FEATURES, MATCH_FEATURES, READINESS_FEATURES

from training.artifacts import write_manifest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts"
FITTED = "estimator.joblib"


def _artifact(model: str) -> Path:
    path = ARTIFACTS / model / "v1"
    if not (path / FITTED).is_file():
        pytest.skip(f"{model}/v1 has no {FITTED} (run `make train`)")
    return path


def _probe(names: tuple[str, ...], n: int = 400) -> np.ndarray:
    """Rows across and beyond the training range (years up to 15, counts up to 8): parity must hold anywhere."""
    rng = np.random.default_rng(7)
    x = rng.random((n, len(names)))
    for j, name in enumerate(names):
        if name in ("years_experience", "years_gap"):
            x[:, j] *= 15
        elif name in ("missing_critical", "prereq_missing", "dependents"):
            x[:, j] = np.floor(x[:, j] * 8)
        elif name == "learning_hours_log":
            x[:, j] *= 6
    return x


def test_readiness_joblib_matches_params_json() -> None:
    import joblib
    from careerready.models import readiness

    path = _artifact("readiness")
    est, served = joblib.load(path / FITTED), readiness.load(path)
    assert set(served.feature_names) <= set(READINESS_FEATURES)
    x = _probe(served.feature_names)  # the trainer may pick a subset (the real check chooses the feature set)
    ref = np.clip(est.predict_proba(x), 0, 1)
    ref = ref / ref.sum(axis=1, keepdims=True)
    got = served.predict_proba_many(x)
    assert np.max(np.abs(got - ref)) < 1e-6
    assert (got.argmax(axis=1) == ref.argmax(axis=1)).all()


def test_matching_joblib_matches_params_json() -> None:
    import joblib
    from careerready.models import matcher

    path = _artifact("matching")
    est, served = joblib.load(path / FITTED), matcher.load(path)
    x = _probe(MATCH_FEATURES)
    assert np.max(np.abs(served.predict_many(x) - np.clip(est.predict(x), 0, 1))) < 1e-9


def test_gap_ranker_joblib_matches_numpy_trees() -> None:
    import joblib
    import xgboost as xgb
    from careerready.models import gap_ranker

    path = _artifact("gap_ranker")
    est, served = joblib.load(path / FITTED), gap_ranker.load(path)
    x = _probe(GAP_FEATURES)
    ref = est.get_booster().predict(xgb.DMatrix(x, feature_names=list(GAP_FEATURES), nthread=1))
    assert np.max(np.abs(served.score_matrix(x) - ref)) < 1e-6


def test_serving_never_reads_the_fitted_estimator(tmp_path: Path) -> None:
    """A readiness artifact whose manifest lists a corrupt estimator.joblib still loads: the file is not read."""
    from careerready.core.config import load_settings
    from careerready.services.startup import NOT_SERVED, load_models

    src = _artifact("readiness")
    dst = tmp_path / "readiness" / "v1"
    shutil.copytree(src, dst)
    (dst / FITTED).write_bytes(b"not a pickle")
    manifest = json.loads((dst / "manifest.json").read_text())
    write_manifest(dst, "readiness", "v1", metrics=manifest.get("metrics", {}))
    (dst / FITTED).write_bytes(b"tampered after the manifest")  # sha256 no longer matches: never verified either
    assert FITTED in NOT_SERVED["readiness"]
    models = load_models("readiness", settings=load_settings(artifact_source="local", artifacts_dir=tmp_path))
    assert models.readiness is not None
    assert models.readiness.predict(dict.fromkeys(READINESS_FEATURES, 0.5))[0] in models.readiness.labels
