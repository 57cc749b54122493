"""numpy-only serving: tiny sklearn / xgboost models trained here must give the same predictions after export.

Each test trains with the library, exports with the wrapper's ``save`` (the trainers' path), loads
with the numpy wrapper and compares predictions (max abs diff <= 1e-6, identical argmax / ranking).
A subprocess test checks that importing and loading the wrappers keeps sklearn, scipy, xgboost and
joblib out of ``sys.modules``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xgboost as xgb
from careerready.core.errors import ArtifactError
from careerready.features import GAP_FEATURES, MATCH_FEATURES, READINESS_FEATURES, READINESS_LABELS
from careerready.models import gap_ranker, matcher, numeric, readiness, recommender
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import SplineTransformer, StandardScaler

from training.models.export_numeric import classifier_spec
from training.models.train_readiness import CALIBRATIONS, FEATURE_MAPS, make_classifier

REPO = Path(__file__).resolve().parents[2]
TOL = 1e-6
HEAVY = ("sklearn", "scipy", "xgboost", "joblib")


def _readiness_data(seed: int = 3, n: int = 240) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Three ordered classes with a non-linear boundary; test rows reach outside the training range."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, len(READINESS_FEATURES)))
    score = x[:, 0] + 0.6 * np.sin(3 * x[:, 1]) + 0.2 * rng.normal(size=n)
    y = np.digitize(score, np.quantile(score, [0.35, 0.7]))
    x_test = rng.uniform(-0.5, 1.5, (300, len(READINESS_FEATURES)))
    return x, y, x_test


def _ranker_data(seed: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.random((300, len(GAP_FEATURES))).astype(np.float32)
    y = np.digitize(x[:, 0] + 0.3 * x[:, 2] * x[:, 3], [0.4, 0.8, 1.1])
    x[rng.random(x.shape) < 0.08] = np.nan  # exercises the default (missing-value) direction
    return x, y, np.repeat(np.arange(30), 10)


def test_matcher_export_is_bit_exact(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    x = rng.random((120, len(MATCH_FEATURES)))
    y = np.clip(0.5 * x[:, 0] + 0.3 * x[:, 3] - 0.2 * x[:, 5] + 0.05 * rng.normal(size=120), 0, 1)
    est = Ridge(alpha=0.1).fit(x, y)
    matcher.save(tmp_path, est.coef_, float(est.intercept_), MATCH_FEATURES, estimator=est)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["params.json"]
    m = matcher.load(tmp_path)
    x_test = rng.uniform(-0.5, 1.5, (500, len(MATCH_FEATURES)))
    np.testing.assert_array_equal(m.predict_many(x_test), np.clip(est.predict(x_test), 0, 1))
    assert m.predict(dict(zip(MATCH_FEATURES, x_test[7], strict=True))) == float(
        np.clip(est.predict(x_test[7:8])[0], 0, 1)
    )


@pytest.mark.parametrize("feature_map", FEATURE_MAPS)
@pytest.mark.parametrize("calibration", CALIBRATIONS)
def test_readiness_export_matches_sklearn(tmp_path: Path, feature_map: str, calibration: str) -> None:
    x, y, x_test = _readiness_data()
    est = make_classifier(feature_map, 1.0, calibration, seed=11).fit(x, y)  # the trainer's own candidates
    plain = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(x, y)
    sc, lr = plain.named_steps["standardscaler"], plain.named_steps["logisticregression"]
    readiness.save(tmp_path, classifier_spec(est), READINESS_LABELS, sc.mean_, sc.scale_, lr.coef_)
    model = readiness.load(tmp_path)
    assert "sklearn" not in type(model.estimator).__module__
    want = est.predict_proba(x_test)
    got = model.predict_proba_many(x_test)
    assert float(np.max(np.abs(got - want))) <= TOL
    np.testing.assert_array_equal(got.argmax(axis=1), want.argmax(axis=1))
    feats = dict(zip(READINESS_FEATURES, x_test[4], strict=True))
    label, probs = model.predict(feats)
    np.testing.assert_allclose([probs[k] for k in READINESS_LABELS], want[4], atol=TOL, rtol=0)
    assert label == READINESS_LABELS[int(want[4].argmax())]
    drv = model.drivers(feats, label)
    assert {d[0] for d in drv} == set(READINESS_FEATURES)


def test_readiness_spline_model_differs_from_linear(tmp_path: Path) -> None:
    """Guard against an export that silently drops the spline step: the two maps must disagree somewhere."""
    x, y, x_test = _readiness_data()
    out = {}
    for fm in FEATURE_MAPS:
        est = make_classifier(fm, 1.0, "none", seed=11).fit(x, y)
        n = x.shape[1]
        readiness.save(tmp_path / fm, classifier_spec(est), READINESS_LABELS, np.zeros(n), np.ones(n), np.zeros((3, n)))
        out[fm] = readiness.load(tmp_path / fm).predict_proba_many(x_test)
    assert float(np.max(np.abs(out["spline"] - out["linear"]))) > 0.05


@pytest.mark.parametrize("extrapolation", ["constant", "linear", "continue"])
@pytest.mark.parametrize("degree", [2, 3])
@pytest.mark.parametrize("include_bias", [True, False])
def test_spline_basis_matches_sklearn(extrapolation: str, degree: int, include_bias: bool) -> None:
    rng = np.random.default_rng(degree)
    x = rng.normal(size=(200, 3))
    st = SplineTransformer(n_knots=6, degree=degree, extrapolation=extrapolation, include_bias=include_bias).fit(x)
    x_test = np.vstack([rng.normal(scale=2.5, size=(400, 3)), st.bsplines_[0].t[None, degree:-degree].T.repeat(3, 1)])
    spec = classifier_spec(make_pipeline(st, LogisticRegression()).fit(x, (x[:, 0] > 0).astype(int)))
    basis = numeric.classifier_from_spec(json.loads(json.dumps(spec))).steps[0]  # type: ignore[union-attr]
    want = st.transform(x_test)
    got = basis.transform(x_test)
    assert got.shape == want.shape
    assert float(np.max(np.abs(got - want))) <= 1e-12


def test_spline_error_mode_rejects_out_of_range() -> None:
    x = np.linspace(0, 1, 50).reshape(-1, 1)
    st = SplineTransformer(n_knots=4, degree=3, extrapolation="error").fit(x)
    spec = classifier_spec(make_pipeline(st, LogisticRegression()).fit(x, (x[:, 0] > 0.5).astype(int)))
    basis = numeric.classifier_from_spec(spec).steps[0]  # type: ignore[union-attr]
    np.testing.assert_allclose(basis.transform(x), st.transform(x), atol=1e-12, rtol=0)
    with pytest.raises(ValueError, match="beyond the limits"):
        basis.transform(np.array([[1.5]]))


@pytest.mark.parametrize("method", ["none", "sigmoid", "isotonic", "temperature"])
def test_binary_logistic_export_matches_sklearn(method: str) -> None:
    rng = np.random.default_rng(9)
    x = rng.normal(size=(200, 4))
    y = (x[:, 0] - x[:, 2] + 0.5 * rng.normal(size=200) > 0).astype(int)
    est = make_pipeline(StandardScaler(), LogisticRegression())
    if method != "none":
        est = CalibratedClassifierCV(est, method=method, cv=3)
    est.fit(x, y)
    model = numeric.classifier_from_spec(json.loads(json.dumps(classifier_spec(est))))
    x_test = rng.normal(scale=2.0, size=(300, 4))
    assert float(np.max(np.abs(model.predict_proba(x_test) - est.predict_proba(x_test)))) <= TOL


def test_unsupported_step_is_refused() -> None:
    from sklearn.preprocessing import MinMaxScaler

    x = np.random.default_rng(0).random((30, 2))
    est = make_pipeline(MinMaxScaler(), LogisticRegression()).fit(x, (x[:, 0] > 0.5).astype(int))
    with pytest.raises(ValueError, match="MinMaxScaler"):
        classifier_spec(est)


def test_gap_ranker_trees_match_xgboost(tmp_path: Path) -> None:
    x, y, qid = _ranker_data()
    r = xgb.XGBRanker(
        objective="rank:ndcg", n_estimators=60, max_depth=4, learning_rate=0.1, random_state=1, n_jobs=1
    ).fit(x, y, qid=qid)
    booster = r.get_booster()
    booster.feature_names = list(GAP_FEATURES)
    gap_ranker.save(tmp_path, booster, GAP_FEATURES)
    model = gap_ranker.load(tmp_path)
    assert model.trees.n_trees == 60 and model.feature_names == GAP_FEATURES
    rng = np.random.default_rng(6)
    x_test = rng.uniform(-0.2, 1.2, (400, len(GAP_FEATURES))).astype(np.float32)
    x_test[rng.random(x_test.shape) < 0.1] = np.nan
    # rows sitting exactly on split thresholds: `x < split` goes left, equality goes right
    thr = model.trees.threshold[~model.trees.is_leaf]
    feat = model.trees.feature[~model.trees.is_leaf]
    on_split = np.tile(x_test[:1], (len(thr), 1))
    on_split[np.arange(len(thr)), feat] = thr
    x_test = np.vstack([x_test, on_split])
    want = booster.predict(xgb.DMatrix(x_test, feature_names=list(GAP_FEATURES)))
    got = model.score_matrix(x_test)
    assert float(np.max(np.abs(got - want))) <= TOL
    np.testing.assert_array_equal(np.argsort(-got, kind="stable"), np.argsort(-want, kind="stable"))
    rows = [dict(zip(GAP_FEATURES, map(float, row), strict=True)) for row in x_test[:10]]
    np.testing.assert_allclose(model.score(rows), want[:10], atol=TOL, rtol=0)
    assert model.score([]).shape == (0,)


def test_gap_ranker_refuses_non_identity_objective(tmp_path: Path) -> None:
    x, y, _ = _ranker_data()
    clf = xgb.XGBClassifier(n_estimators=3, max_depth=2, n_jobs=1).fit(x, (y > 1).astype(int))
    clf.get_booster().save_model(str(tmp_path / gap_ranker.MODEL_FILE))
    with pytest.raises(ArtifactError, match="objective"):
        gap_ranker.load(tmp_path)


def test_recommender_export_uses_plain_arrays(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    ids = tuple(f"r{i}" for i in range(12))
    rec = recommender.Recommender(
        ids,
        rng.normal(size=(3, 12)),
        rng.random(12),
        tuple((f"s{i % 5}", f"s{(i + 2) % 5}") for i in range(12)),
        tuple(recommender.LEVELS[i % 3] for i in range(12)),
        alpha=0.5,
        held_weight=0.3,
        weights=(2.0, 1.0, 9.0, 0.1, 0.2),
        alpha_warm=1.0,
        resource_free=tuple(i % 2 == 0 for i in range(12)),
    )
    recommender.save(tmp_path, rec, extra={"rank": 3})
    with np.load(tmp_path / recommender.ARRAYS_FILE, allow_pickle=False) as z:
        assert sorted(z.files) == ["components", "popularity"]
    loaded = recommender.load(tmp_path)
    gw = {"s1": 1.0, "s3": 0.5}
    for warm in (None, {"r2": 0.8}):
        for got, want in zip(loaded.score(gw, 2.0, ["s0"], warm), rec.score(gw, 2.0, ["s0"], warm), strict=True):
            np.testing.assert_array_equal(got, want)
    assert json.loads((tmp_path / recommender.MODEL_FILE).read_text())["rank"] == 3


_PROBE = r"""
import json, sys
from careerready.models import gap_ranker, matcher, readiness, recommender
dirs = json.loads(sys.argv[1])
loaded = {}
for name, mod in (("matching", matcher), ("readiness", readiness), ("gap_ranker", gap_ranker),
                  ("recommender", recommender)):
    if name in dirs:
        loaded[name] = type(mod.load(dirs[name])).__name__
print(json.dumps({"loaded": loaded, "heavy": sorted(m for m in %r if m in sys.modules)}))
"""


def _probe(dirs: dict[str, str]) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE % (HEAVY,), json.dumps(dirs)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    result: dict[str, object] = json.loads(out.stdout)
    return result


def test_serving_imports_no_heavy_libraries(tmp_path: Path) -> None:
    x, y, x_test = _readiness_data()
    est = make_classifier("spline", 1.0, "isotonic", seed=11).fit(x, y)
    readiness.save(
        tmp_path / "readiness", classifier_spec(est), READINESS_LABELS, np.zeros(11), np.ones(11), np.zeros((3, 11))
    )
    matcher.save(tmp_path / "matching", np.ones(len(MATCH_FEATURES)), 0.1)
    xr, yr, qid = _ranker_data()
    r = xgb.XGBRanker(objective="rank:ndcg", n_estimators=5, max_depth=3, n_jobs=1).fit(xr, yr, qid=qid)
    gap_ranker.save(tmp_path / "gap_ranker", r.get_booster())
    rec = recommender.Recommender(("a", "b"), np.eye(2), np.ones(2), (("s",), ("t",)), ("beginner", "advanced"))
    recommender.save(tmp_path / "recommender", rec)
    res = _probe({k: str(tmp_path / k) for k in ("matching", "readiness", "gap_ranker", "recommender")})
    assert res["heavy"] == []
    assert res["loaded"] == {
        "matching": "Matcher",
        "readiness": "ReadinessModel",
        "gap_ranker": "GapRanker",
        "recommender": "Recommender",
    }


def test_real_artifacts_load_without_heavy_libraries() -> None:
    dirs = {
        name: REPO / "artifacts" / name / "v1"
        for name, mod in (
            ("matching", matcher),
            ("readiness", readiness),
            ("gap_ranker", gap_ranker),
            ("recommender", recommender),
        )
        if (REPO / "artifacts" / name / "v1" / mod.MODEL_FILE).is_file()
    }
    if not dirs:
        pytest.skip("no numpy-format artifacts under artifacts/ (run the trainers)")
    res = _probe({k: str(v) for k, v in dirs.items()})
    assert res["heavy"] == []
    assert set(res["loaded"]) == set(dirs)  # type: ignore[arg-type]
