"""Serving wrappers: save/load round trips on tiny models trained in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import xgboost as xgb
from careerready.core.errors import ArtifactNotFoundError
from careerready.features import GAP_FEATURES, MATCH_FEATURES, READINESS_FEATURES, READINESS_LABELS
from careerready.models import gap_ranker, matcher, readiness, recommender
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from training.models.export_numeric import classifier_spec


def _rng() -> np.random.Generator:
    return np.random.default_rng(7)


def test_matcher_round_trip(tmp_path: Path) -> None:
    rng = _rng()
    x = rng.random((80, len(MATCH_FEATURES)))
    y = np.clip(0.6 * x[:, 0] + 0.3 * x[:, 1], 0, 1)
    est = Ridge(alpha=0.1).fit(x, y)
    matcher.save(tmp_path, est.coef_, float(est.intercept_), MATCH_FEATURES, estimator=est)
    m = matcher.load(tmp_path)
    feats = dict(zip(MATCH_FEATURES, x[3], strict=True))
    assert m.predict(feats) == pytest.approx(float(np.clip(est.predict(x[3:4])[0], 0, 1)))
    contribs = m.contributions(feats)
    assert sum(c for *_, c in contribs) + m.intercept == pytest.approx(est.predict(x[3:4])[0])
    assert abs(contribs[0][3]) >= abs(contribs[-1][3])
    with pytest.raises(KeyError):
        m.predict({"coverage_exact": 1.0})


def test_readiness_round_trip_probabilities_sum_to_one(tmp_path: Path) -> None:
    rng = _rng()
    x = rng.random((150, len(READINESS_FEATURES)))
    score = x[:, 0] + 0.5 * x[:, 1]
    y = np.digitize(score, np.quantile(score, [0.33, 0.66]))
    base = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    est = CalibratedClassifierCV(base, method="sigmoid", cv=3).fit(x, y)
    plain = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(x, y)
    sc, lr = plain.named_steps["standardscaler"], plain.named_steps["logisticregression"]
    readiness.save(tmp_path, classifier_spec(est), READINESS_LABELS, sc.mean_, sc.scale_, lr.coef_)
    model = readiness.load(tmp_path)
    for row in x[:10]:
        feats = dict(zip(READINESS_FEATURES, row, strict=True))
        label, probs = model.predict(feats)
        assert sum(probs.values()) == pytest.approx(1.0)
        assert label == max(probs, key=probs.__getitem__)
        np.testing.assert_allclose([probs[k] for k in READINESS_LABELS], est.predict_proba(row[None])[0], atol=1e-9)
    high = dict(zip(READINESS_FEATURES, np.ones(len(READINESS_FEATURES)), strict=True))
    low = dict(zip(READINESS_FEATURES, np.zeros(len(READINESS_FEATURES)), strict=True))
    assert model.predict(high)[1]["industry_ready"] > model.predict(low)[1]["industry_ready"]
    drivers = model.drivers(high, "industry_ready")
    assert drivers[0][0] in ("coverage_exact", "coverage_partial")  # the features that made the label


def test_gap_ranker_round_trip(tmp_path: Path) -> None:
    rng = _rng()
    x = rng.random((120, len(GAP_FEATURES))).astype(np.float32)
    y = np.digitize(x[:, 0], [0.3, 0.6, 0.85])
    qid = np.repeat(np.arange(12), 10)
    r = xgb.XGBRanker(objective="rank:ndcg", n_estimators=20, max_depth=3, random_state=1, n_jobs=1).fit(x, y, qid=qid)
    r.get_booster().save_model(str(tmp_path / gap_ranker.MODEL_FILE))
    (tmp_path / gap_ranker.META_FILE).write_text(json.dumps({"feature_names": list(GAP_FEATURES)}))
    model = gap_ranker.load(tmp_path)
    rows = [dict(zip(GAP_FEATURES, map(float, row), strict=True)) for row in x[:10]]
    np.testing.assert_allclose(model.score(rows), r.predict(x[:10]), rtol=1e-5, atol=1e-6)
    assert model.score([]).shape == (0,)
    s = model.score(rows)
    assert np.corrcoef(s, x[:10, 0])[0, 1] > 0.5  # learned that importance drives relevance


def test_recommender_round_trip(tmp_path: Path) -> None:
    ids = ("r1", "r2", "r3", "r4")
    comps = np.array([[0.7, 0.7, 0.1, 0.0], [0.0, 0.1, 0.7, 0.7]])
    rec = recommender.Recommender(
        ids,
        comps,
        np.array([1.0, 0.5, 0.2, 0.1]),
        (("a",), ("a", "b"), ("c",), ("d",)),
        ("beginner", "intermediate", "advanced", "beginner"),
        alpha=0.4,
        held_weight=0.2,
        beta=0.1,
    )
    recommender.save(tmp_path, rec)
    loaded = recommender.load(tmp_path)
    gw = {"a": 1.0, "b": 0.5}
    for got, want in zip(loaded.score(gw, 2.0, ["c"]), rec.score(gw, 2.0, ["c"]), strict=True):
        np.testing.assert_allclose(got, want)
    blend, cf, content = loaded.score(gw, 2.0)
    assert content[1] == pytest.approx(1.0)  # teaches both gaps, intermediate fits 2 years
    assert content[3] == 0.0
    assert loaded.top_k(blend, 2) == [1, 0]
    assert loaded.top_k(blend, 2, exclude=["r2"])[0] == 0


def test_recommender_learned_weights_round_trip(tmp_path: Path) -> None:
    ids = ("r1", "r2", "r3")
    rec = recommender.Recommender(
        ids,
        np.array([[0.7, 0.7, 0.0]]),
        np.array([0.2, 1.0, 0.5]),
        (("a", "b"), ("z",), ("a",)),
        ("intermediate", "beginner", "advanced"),
        alpha=0.5,
        held_weight=0.0,
        weights=(2.0, 1.0, 1.0, 0.1, 0.2),
        alpha_warm=1.5,
        resource_free=(True, False, False),
    )
    recommender.save(tmp_path, rec)
    loaded = recommender.load(tmp_path)
    assert loaded.weights == rec.weights and loaded.alpha_warm == 1.5 and loaded.resource_free == rec.resource_free
    gw = {"a": 1.0, "b": 1.0}
    feats = loaded.linear_features(gw, 2.0, ["c"])
    # need = (1 + 1) / sqrt(2); level fit 1.0 (intermediate at 2 y); popularity; side skill "z"; free flag
    np.testing.assert_allclose(feats[0], [2 / np.sqrt(2), 1.0, 0.2, 0.0, 1.0])
    np.testing.assert_allclose(feats[1], [0.0, 0.75, 1.0, 1.0, 0.0])
    blend, cf, content = loaded.score(gw, 2.0, ["c"])
    np.testing.assert_allclose(blend, feats @ np.array(rec.weights) + 0.5 * cf)
    np.testing.assert_allclose(content, feats @ np.array([2.0, 1.0, 0.0, 0.1, 0.2]))  # popularity excluded
    warm, cf_w, _ = loaded.score(gw, 2.0, ["c"], {"r2": 1.0})
    np.testing.assert_allclose(warm, feats @ np.array(rec.weights) + 1.5 * cf_w)  # alpha_warm with interactions
    assert 0.0 < loaded.cf_share(1, cf, content) < 1.0
    assert loaded.cf_share(0, np.zeros(3), content) == pytest.approx(0.2 / (0.2 + content[0]))


def test_recommender_levels() -> None:
    assert recommender.target_level(0.5) == 0 and recommender.target_level(2) == 1 and recommender.target_level(9) == 2
    assert recommender.level_fit("advanced", 0) == 0.5


@pytest.mark.parametrize("mod", [matcher, readiness, gap_ranker, recommender])
def test_load_missing_artifact_raises(mod: object, tmp_path: Path) -> None:
    with pytest.raises(ArtifactNotFoundError):
        mod.load(tmp_path)  # type: ignore[attr-defined]
