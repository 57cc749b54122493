"""Train the readiness classifier: multinomial logistic regression on READINESS_FEATURES, calibration chosen on validation.

    python -m training.models.train_readiness --catalog build/catalog --datasets build/datasets --out artifacts/readiness/v1 \
        [--dotin ../shared/data/dotin-resume-ner]

Feature set, chosen with the real check when ``--dotin`` is given (``make eval-readiness``'s population,
features computed the same way from the real resume text): among the feature sets whose synthetic validation
log-loss (spline, C=1, no calibration) is within ``REAL_CHECK_TOLERANCE`` of the best, the one whose own role
scores readier than the seeded unrelated role most often on the real SELECTION half (ties: the lower
log-loss). Without dotin: the lowest validation log-loss.

Real people in the training data (docs/readiness.md, "Real people in the training data"), when ``--dotin`` is
given: the SELECTION half's people join the synthetic pairs with weak labels (their own role: industry_ready
from max(2, the role's expected) stated years, else almost_ready; two unrelated roles of another family, drawn
with seeds other than the check's: needs_upskilling). The weight of a real row against a synthetic one is chosen
by person-grouped 5-fold cross-validation over the selection half with the selected model configuration, scored
as the check scores, among the weights whose synthetic validation log-loss is not significantly worse than the
threshold rule's (paired per-row log-loss difference below ``REAL_GUARD_SE`` standard errors; see
:func:`not_worse_than`). The report half never enters training or a choice.

Held-out split by resume id. Baselines: majority class; a two-threshold rule on coverage (cuts
chosen on the training split). Metrics: accuracy, macro-F1, log-loss, Brier, ECE.

Model selection (on a resume-grouped validation split of the training resumes, by log-loss): the
feature map (linear, or a cubic spline basis per feature), the regularisation C, and the calibration
step, where "none" (the logistic regression's own probabilities) competes with sigmoid, isotonic and
temperature scaling (``CalibratedClassifierCV``, stratified 5-fold). One-vs-rest sigmoid/isotonic
calibration followed by renormalisation flattens three-class probabilities, so "none" or
"temperature" usually wins.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from careerready.features import READINESS_FEATURES, READINESS_LABELS
from careerready.models import readiness as readiness_mod
from careerready.services.catalog import Catalog
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, log_loss
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import SplineTransformer, StandardScaler
from threadpoolctl import threadpool_limits

from training.artifacts import write_manifest
from training.models.common import (
    Progress,
    ResumeSkills,
    base_parser,
    dataset_refs,
    is_test,
    load_space,
    pair_features,
    read_jsonl,
    save_fitted,
)
from training.models.export_numeric import classifier_spec
from training.reports import Report, bar_png, calibration_png, confusion_png, expected_calibration_error

C = 1.0
#: Candidate feature sets (subsets of READINESS_FEATURES). ``missing_critical`` counts critical skills not found;
#: roles name 3-5 critical skills, so the count compares badly across roles (critical_coverage is the share).
#: ``text_fit`` (how closely the resume text reads like the role) competes too: it is the one feature a real
#: resume gives whether or not its skills are written the way the catalog names them.
FEATURE_SETS: dict[str, tuple[str, ...]] = {
    "all": READINESS_FEATURES,
    "no_missing_count": tuple(f for f in READINESS_FEATURES if f != "missing_critical"),
    "no_text_fit": tuple(f for f in READINESS_FEATURES if f != "text_fit"),
    "no_missing_count_no_text_fit": tuple(f for f in READINESS_FEATURES if f not in ("missing_critical", "text_fit")),
}
#: Largest synthetic validation log-loss a feature set may give up for a better real check.
REAL_CHECK_TOLERANCE = 0.01
#: Real people join the training data with weak labels (docs/readiness.md, "Real people in the training data"):
#: the dotin SELECTION half only, each person's own role (weak_own_label) and REAL_UNRELATED_SEEDS unrelated roles
#: of another family (needs_upskilling), drawn with seeds other than the check's. Weight of a real row against a
#: synthetic one: chosen by person-grouped cross-validation over the selection half (0 = synthetic only).
REAL_WEIGHTS = (0, 1, 3, 10, 30)
REAL_FOLDS = 5
REAL_UNRELATED_SEEDS = (1, 2)
REAL_SENIOR_YEARS = 2.0
#: A real weight is eligible while its synthetic validation log-loss is not worse than the threshold rule's by
#: more than this many standard errors of the paired per-row difference (decision 31: a bare "below the rule's
#: mean" flipped the weight 30 -> 10 on a 0.0012 difference over 1,571 validation rows, z = 0.06).
REAL_GUARD_SE = 2.0
CALIBRATIONS = ("none", "temperature", "sigmoid", "isotonic")
FEATURE_MAPS = ("linear", "spline")
C_GRID = (0.1, 1.0)


def make_classifier(feature_map: str, c: float, calibration: str, seed: int) -> Any:
    """Logistic regression on standardised (optionally spline-expanded) features, optionally calibrated."""
    steps: list[Any] = [StandardScaler()]
    if feature_map == "spline":
        steps.append(SplineTransformer(n_knots=5, degree=3))
    steps.append(LogisticRegression(C=c, max_iter=5000))
    base = make_pipeline(*steps)
    if calibration == "none":
        return base
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    return CalibratedClassifierCV(base, method=calibration, cv=cv)


RULE_FEATURE = "coverage_partial"


def _normalised(probs: np.ndarray) -> np.ndarray:
    """Probabilities clipped to [1e-6, 1] and renormalised per row (what every metric here scores)."""
    probs = np.clip(probs, 1e-6, 1.0)
    return np.asarray(probs / probs.sum(axis=1, keepdims=True))


def evaluate(y: np.ndarray, probs: np.ndarray) -> dict[str, float]:
    """Accuracy, macro-F1, log-loss, multi-class Brier and top-label ECE."""
    probs = _normalised(probs)
    pred = probs.argmax(axis=1)
    onehot = np.eye(probs.shape[1])[y]
    return {
        "accuracy": round(float(accuracy_score(y, pred)), 4),
        "macro_f1": round(float(f1_score(y, pred, average="macro")), 4),
        "log_loss": round(float(log_loss(y, probs, labels=list(range(probs.shape[1])))), 4),
        "brier": round(float(np.mean(np.sum((probs - onehot) ** 2, axis=1))), 4),
        "ece": round(expected_calibration_error(y, probs), 4),
    }


def row_log_loss(y: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Per-row log-loss, clipped and renormalised as :func:`evaluate` does (its mean is ``evaluate``'s log-loss)."""
    probs = _normalised(probs)
    return np.asarray(-np.log(probs[np.arange(len(y)), y]))


def paired_z(y: np.ndarray, probs: np.ndarray, baseline: np.ndarray) -> float:
    """Mean per-row log-loss difference (``probs`` - ``baseline``) over its standard error (0 when both are 0)."""
    d = row_log_loss(y, probs) - row_log_loss(y, baseline)
    se = float(d.std(ddof=1) / np.sqrt(len(d))) if len(d) > 1 else 0.0
    if se == 0.0:
        return 0.0 if d.mean() == 0 else float(np.sign(d.mean()) * np.inf)
    return float(d.mean() / se)


def not_worse_than(y: np.ndarray, probs: np.ndarray, baseline: np.ndarray, n_se: float = REAL_GUARD_SE) -> bool:
    """True unless ``probs`` is worse than ``baseline`` on the rows ``y`` by more than ``n_se`` standard errors of
    the paired per-row log-loss difference (a one-sided paired z-test): a tie within the noise passes."""
    return paired_z(y, probs, baseline) <= n_se


def threshold_rule_probs(v: np.ndarray, lo: float, hi: float, freq: np.ndarray) -> np.ndarray:
    """Probabilities of the two-cut rule (:func:`fit_threshold_rule`) for the values ``v``."""
    return np.asarray(freq[np.where(v < lo, 0, np.where(v < hi, 1, 2))])


def fit_threshold_rule(v: np.ndarray, y: np.ndarray) -> tuple[float, float, np.ndarray]:
    """Two cuts on one feature maximising training accuracy; per-bin class frequencies as probabilities."""
    grid = np.unique(np.quantile(v, np.linspace(0.02, 0.98, 49)))
    best = (-1.0, 0.0, 0.0)
    for i, lo in enumerate(grid):
        for hi in grid[i:]:
            pred = np.where(v < lo, 0, np.where(v < hi, 1, 2))
            acc = float((pred == y).mean())
            if acc > best[0]:
                best = (acc, float(lo), float(hi))
    _, lo, hi = best
    bins = np.where(v < lo, 0, np.where(v < hi, 1, 2))
    freq = np.ones((3, 3))  # Laplace smoothing
    for b, t in zip(bins, y, strict=True):
        freq[b, t] += 1
    return lo, hi, freq / freq.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class RealPerson:
    """A dotin person of the real check: features for the own role, the check's unrelated role and training's."""

    resume_id: str
    years: float | None
    own_min_years: float
    own: dict[str, float]
    other: dict[str, float]
    extra: tuple[dict[str, float], ...]  # unrelated roles drawn with other seeds (training rows, never the check's)

    @property
    def check_pair(self) -> tuple[str, float | None, dict[str, float], dict[str, float]]:
        """``(resume id, stated years, own-role features, unrelated-role features)`` as :func:`real_check` reads."""
        return (self.resume_id, self.years, self.own, self.other)


def real_people(dotin: Path, catalog: Catalog, space: Any, skills: ResumeSkills) -> list[RealPerson]:
    """The eval-readiness population with features computed as served (hybrid extraction, text fit)."""
    from careerready.features import compute_role_features, text_fits

    from training.eval.eval_matching import load_dotin
    from training.eval.eval_readiness import DEFAULT_SEED, subjects, unrelated_role

    out = []
    subs = list(subjects(load_dotin(dotin), catalog))
    skills.prefill([sub.text for sub in subs])
    for sub in subs:
        held, years = skills.analyze({"text": sub.text})
        extra_ids = [
            unrelated_role(sub.resume_id, sub.own_role, catalog, DEFAULT_SEED + k) for k in REAL_UNRELATED_SEEDS
        ]
        roles = [catalog.roles[r] for r in dict.fromkeys([sub.own_role, sub.other_role, *extra_ids])]
        fit = text_fits(sub.text, roles, catalog)

        def feats(role_id: str) -> dict[str, float]:
            role = catalog.roles[role_id]
            return compute_role_features(held, role, space, years, fit[role_id]).values  # noqa: B023

        out.append(
            RealPerson(
                sub.resume_id,
                years,
                catalog.roles[sub.own_role].min_years,
                feats(sub.own_role),
                feats(sub.other_role),
                tuple(feats(r) for r in extra_ids),
            )
        )
    skills.flush()
    return out


def weak_own_label(years: float | None, min_years: float) -> int:
    """The weak label of a person for the job they hold: industry_ready once their stated years reach
    ``max(REAL_SENIOR_YEARS, the role's expected years)``, else almost_ready (no stated years included)."""
    if years is not None and years >= max(REAL_SENIOR_YEARS, min_years):
        return READINESS_LABELS.index("industry_ready")
    return READINESS_LABELS.index("almost_ready")


def real_rows(people: Sequence[RealPerson], names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Weakly labelled training rows: the own role (:func:`weak_own_label`), each extra unrelated role
    needs_upskilling."""
    xs, ys = [], []
    nu = READINESS_LABELS.index("needs_upskilling")
    for p in people:
        xs.append([p.own[n] for n in names])
        ys.append(weak_own_label(p.years, p.own_min_years))
        for f in p.extra:
            xs.append([f[n] for n in names])
            ys.append(nu)
    return np.array(xs, dtype=np.float64).reshape(-1, len(names)), np.array(ys, dtype=np.int64)


def with_real(
    x: np.ndarray, y: np.ndarray, x_real: np.ndarray, y_real: np.ndarray, weight: int
) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic rows plus each real row ``weight`` times (an integer sample weight every estimator honours)."""
    if weight <= 0 or not len(y_real):
        return x, y
    return np.vstack([x, np.repeat(x_real, weight, axis=0)]), np.concatenate([y, np.repeat(y_real, weight)])


def real_fold(resume_id: str) -> int:
    """Person-grouped fold of the selection half (fixed by the id's hash)."""
    return hashlib.sha256(f"real-fold:{resume_id}".encode()).digest()[0] % REAL_FOLDS


def choose_real_weight(
    make: Any,
    fit: tuple[np.ndarray, np.ndarray],
    val: tuple[np.ndarray, np.ndarray],
    people: Sequence[RealPerson],
    names: Sequence[str],
    baseline: np.ndarray,
) -> tuple[int, dict[int, dict[str, float]]]:
    """Cross-validate REAL_WEIGHTS over the selection half's people (grouped folds).

    Each fold's people are left out of the real rows and checked as ``make eval-readiness`` checks them (own role
    vs the check's unrelated role); the score is the mean of own-readier, 1 - (> 5 y own needs_upskilling) and
    unrelated needs_upskilling over the pooled folds. Eligible: the weights whose synthetic validation predictions
    (fitted on ``fit`` plus every selection person) are :func:`not_worse_than` ``baseline`` (the threshold rule's
    probabilities on ``val``: the model must not fall below the simplest baseline on the generator's labels);
    the best score among them wins, ties to the smaller weight.
    """
    x, y = fit
    table: dict[int, dict[str, float]] = {}
    for w in REAL_WEIGHTS:
        own, other, years = [], [], []
        for k in range(REAL_FOLDS):
            train = [p for p in people if real_fold(p.resume_id) != k]
            held = [p for p in people if real_fold(p.resume_id) == k]
            if not held:
                continue
            model = make().fit(*with_real(x, y, *real_rows(train, names), w))
            own.append(model.predict_proba(np.array([[p.own[n] for n in names] for p in held])))
            other.append(model.predict_proba(np.array([[p.other[n] for n in names] for p in held])))
            years += [p.years for p in held]
        stats = check_stats(np.vstack(own), np.vstack(other), years)
        own_readier, senior_nu = stats["own_readier"], stats["senior_needs_upskilling"]
        unrelated_nu = stats["other_needs_upskilling"]
        with_all = make().fit(*with_real(x, y, *real_rows(people, names), w))
        val_probs = with_all.predict_proba(val[0])
        table[w] = {
            "synthetic_val_log_loss": evaluate(val[1], val_probs)["log_loss"],
            "z_vs_rule": round(paired_z(val[1], val_probs, baseline), 2),
            "eligible": float(w == 0 or not_worse_than(val[1], val_probs, baseline)),
            "own_readier": round(own_readier, 4),
            "senior_needs_upskilling": round(senior_nu, 4),
            "unrelated_needs_upskilling": round(unrelated_nu, 4),
            "score": round((own_readier + 1.0 - senior_nu + unrelated_nu) / 3.0, 4),
        }
    eligible = [w for w in REAL_WEIGHTS if table[w]["eligible"]]
    best = max(eligible, key=lambda w: (table[w]["score"], -w))
    return best, table


def check_stats(own: np.ndarray, other: np.ndarray, years: Sequence[float | None]) -> dict[str, float]:
    """The real check's figures over paired probability rows (own role, unrelated role), unrounded: pairs, own
    readier (P(industry) + 0.5 P(almost) strictly higher), > 5 y people and their own-role needs_upskilling
    share, unrelated-role needs_upskilling share (0.0 where there is nothing to count)."""
    from training.eval.eval_readiness import years_bucket

    senior = np.array([years_bucket(y) == "> 5" for y in years], dtype=bool)

    def share(flags: np.ndarray) -> float:
        return float(np.mean(flags)) if len(flags) else 0.0

    def score(p: np.ndarray) -> np.ndarray:
        return np.asarray(p[:, 2] + 0.5 * p[:, 1])

    return {
        "pairs": len(years),
        "own_readier": share(score(own) > score(other)),
        "senior_pairs": int(senior.sum()),
        "senior_needs_upskilling": share(own[senior].argmax(axis=1) == 0),
        "other_needs_upskilling": share(other.argmax(axis=1) == 0),
    }


def real_check(model: Any, names: tuple[str, ...], pairs: list[Any]) -> dict[str, dict[str, float]]:
    """Per half: own role readier (score = P(industry) + 0.5 P(almost)), > 5 y own-role needs_upskilling share."""
    from training.eval.eval_matching import is_selection

    if not pairs:
        return {}
    own = np.asarray(model.predict_proba(np.array([[p[2][n] for n in names] for p in pairs])))
    other = np.asarray(model.predict_proba(np.array([[p[3][n] for n in names] for p in pairs])))
    out: dict[str, dict[str, float]] = {}
    for half, flag in (("selection", True), ("report", False)):
        idx = [i for i, p in enumerate(pairs) if is_selection(p[0]) == flag]
        stats = check_stats(own[idx], other[idx], [pairs[i][1] for i in idx])
        out[half] = {k: v if isinstance(v, int) else round(v, 4) for k, v in stats.items()}
    return out


def main(argv: list[str] | None = None) -> int:
    """CLI entry point: one BLAS thread (the fits are small; OpenBLAS threads spinning on a busy 2-core machine made
    each fit ~30x slower: 20 s instead of 0.65 s measured)."""
    with threadpool_limits(limits=1):
        return _main(argv)


def _main(argv: list[str] | None) -> int:
    from training.eval.eval_matching import is_selection

    parser = base_parser(__doc__ or "", "artifacts/readiness/v1")
    parser.add_argument("--dotin", type=Path, default=None, help="dotin-resume-ner folder: the real check")
    args = parser.parse_args(argv)
    log = Progress("readiness")
    catalog = Catalog.load(args.catalog)
    space = load_space(catalog, args.embeddings)
    skills = ResumeSkills(catalog, args.extractor, args.ner, args.cache, catalog_dir=args.catalog)
    log(f"vectors: {space.has_vectors}; held skills from {skills.source}")
    resumes = {r["id"]: r for r in read_jsonl(args.datasets / "resumes" / "v1" / "resumes.jsonl")}
    rows = [r for r in read_jsonl(args.datasets / "readiness" / "v1" / "pairs.jsonl") if r["role_id"] in catalog.roles]
    pf = pair_features([(r["resume_id"], r["role_id"]) for r in rows], resumes, catalog, space, skills, log)
    labels = list(READINESS_LABELS)
    y = np.array([labels.index(r["label"]) for r in rows])
    test = np.array([is_test(r["resume_id"], args.seed) for r in rows])
    log(f"{len(rows)} pairs; split by resume id: {int((~test).sum())} train / {int(test.sum())} test")

    # every choice on a validation split carved out of the TRAINING resumes (and the real selection half)
    ids = [r["resume_id"] for r in rows]
    val = np.array([is_test(i, args.seed + 1, 0.25) for i in ids]) & ~test
    fit_part = ~test & ~val
    people: list[RealPerson] = []
    if args.dotin is not None and (args.dotin / "train.jsonl").is_file():
        people = real_people(args.dotin, catalog, space, skills)
        log(f"real check: {len(people)} dotin people (own role vs a seeded unrelated role)")
    real_pairs = [p.check_pair for p in people]
    selection = [p for p in people if is_selection(p.resume_id)]
    set_loss: dict[str, float] = {}
    set_real: dict[str, dict[str, dict[str, float]]] = {}
    for set_name, names in FEATURE_SETS.items():
        cand = make_classifier("spline", C, "none", args.seed).fit(pf.matrix(names)[fit_part], y[fit_part])
        set_loss[set_name] = evaluate(y[val], cand.predict_proba(pf.matrix(names)[val]))["log_loss"]
        set_real[set_name] = real_check(cand, names, real_pairs)
    best_loss = min(set_loss.values())
    eligible = [n for n in FEATURE_SETS if set_loss[n] <= best_loss + REAL_CHECK_TOLERANCE]
    if real_pairs:
        feature_set = max(eligible, key=lambda n: (set_real[n]["selection"]["own_readier"], -set_loss[n]))
    else:
        feature_set = min(FEATURE_SETS, key=lambda n: set_loss[n])
    names = FEATURE_SETS[feature_set]
    log(f"feature sets: validation log-loss {set_loss}; real check {set_real} -> {feature_set}")
    x = pf.matrix(names)
    grid = [(fm, c, cal) for fm in FEATURE_MAPS for c in C_GRID for cal in CALIBRATIONS]
    val_loss: dict[str, float] = {}
    for fm, c, cal in grid:
        cand = make_classifier(fm, c, cal, args.seed).fit(x[fit_part], y[fit_part])
        val_loss[f"{fm}/C={c}/{cal}"] = evaluate(y[val], cand.predict_proba(x[val]))["log_loss"]
    feature_map, c_best, calibration = min(
        grid, key=lambda g: (val_loss[f"{g[0]}/C={g[1]}/{g[2]}"], CALIBRATIONS.index(g[2]))
    )
    choice = f"{feature_map}/C={c_best}/{calibration}"
    log(f"validation log-loss: {val_loss} -> {choice}")
    x_real, y_real = real_rows(selection, names)
    weight_cv: dict[int, dict[str, float]] = {}
    real_weight = 0
    if selection:
        rule_lo, rule_hi, rule_freq = fit_threshold_rule(x[fit_part][:, names.index(RULE_FEATURE)], y[fit_part])
        rule_val = threshold_rule_probs(x[val][:, names.index(RULE_FEATURE)], rule_lo, rule_hi, rule_freq)
        rule_loss = evaluate(y[val], rule_val)
        real_weight, weight_cv = choose_real_weight(
            lambda: make_classifier(feature_map, c_best, calibration, args.seed),
            (x[fit_part], y[fit_part]),
            (x[val], y[val]),
            selection,
            names,
            rule_val,
        )
        log(
            f"real weight: {weight_cv} (threshold rule's validation log-loss {rule_loss['log_loss']} over "
            f"{int(val.sum())} validation rows) -> {real_weight}"
        )
    x_fit, y_fit = with_real(x[~test], y[~test], x_real, y_real, real_weight)
    model = make_classifier(feature_map, c_best, calibration, args.seed).fit(x_fit, y_fit)
    probs = model.predict_proba(x[test])
    uncal = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2000)).fit(x_fit, y_fit)
    prior = np.bincount(y[~test], minlength=3) / (~test).sum()
    iv = names.index(RULE_FEATURE)
    lo, hi, freq = fit_threshold_rule(x[~test][:, iv], y[~test])
    rule_probs = threshold_rule_probs(x[test][:, iv], lo, hi, freq)
    results = {
        "selected model": evaluate(y[test], probs),
        "logistic, uncalibrated": evaluate(y[test], uncal.predict_proba(x[test])),
        "baseline: majority class": evaluate(y[test], np.tile(prior, (int(test.sum()), 1))),
        f"baseline: threshold rule on {RULE_FEATURE}": evaluate(y[test], rule_probs),
    }
    for name, res in results.items():
        log(f"{name}: {res}")

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    scaler, lr = uncal.named_steps["standardscaler"], uncal.named_steps["logisticregression"]
    readiness_mod.save(out, classifier_spec(model), labels, scaler.mean_, scaler.scale_, lr.coef_, names)
    loaded = readiness_mod.load(out)  # numpy-only serving wrapper: must reproduce sklearn on every pair
    served = loaded.predict_proba_many(x)
    ref = np.clip(model.predict_proba(x), 0, 1)
    ref = ref / ref.sum(axis=1, keepdims=True)
    diff = float(np.max(np.abs(served - ref)))
    same_label = float(np.mean(served.argmax(axis=1) == ref.argmax(axis=1)))
    log(
        f"serving export ({readiness_mod.MODEL_FILE}) vs sklearn: max abs diff {diff:.3g}, "
        f"same label {same_label:.4f} over {len(x)} pairs"
    )
    if diff > 1e-6 or same_label < 1.0:
        raise SystemExit(f"exported readiness model differs from sklearn by {diff}")

    def library_probs(est: Any, rows: np.ndarray) -> np.ndarray:
        p = np.clip(est.predict_proba(rows), 0, 1)
        return np.asarray(p / p.sum(axis=1, keepdims=True))

    save_fitted(out, model, library_probs, loaded.predict_proba_many, x)

    rep = Report(out, "Readiness classifier")
    rep.text(
        f"Selected model: **{choice}** (feature map / C / calibration), the lowest log-loss on a resume-grouped "
        "validation split of the training data among linear or spline-expanded multinomial logistic regressions, "
        "with no extra calibration or CalibratedClassifierCV (stratified 5-fold) sigmoid, isotonic or temperature "
        f"scaling. Refitted on the whole training split. Labels {labels} from `readiness/v1/pairs.jsonl`. "
        "Drivers come from the linear logistic regression (C=1) on standardised features, fitted on the same "
        "training split. "
        f"Features from the resume text via **{skills.source}**.",
        f"Held-out split by resume id (seed {args.seed}): {int((~test).sum())} train / {int(test.sum())} test pairs. "
        f"Threshold rule: {RULE_FEATURE} < {lo:.3f} -> needs_upskilling, < {hi:.3f} -> almost_ready, else industry_ready "
        "(cuts chosen on the training split; probabilities = per-bin training frequencies).",
    )
    rep.heading("Validation log-loss (selection)")
    rep.table(["candidate", "log-loss"], [[k, v] for k, v in sorted(val_loss.items(), key=lambda t: t[1])])
    rep.heading("Held-out results")
    rep.comparison(results, ["accuracy", "macro_f1", "log_loss", "brier", "ece"])
    cm = confusion_matrix(y[test], probs.argmax(axis=1), labels=[0, 1, 2])
    confusion_png(cm, labels, rep.dir / "confusion.png", "Held-out confusion matrix")
    rep.figure("confusion.png", "Held-out confusion matrix (rows true, columns predicted)")
    calibration_png(y[test], probs, labels, rep.dir / "calibration.png")
    rep.figure("calibration.png", "One-vs-rest reliability curves on held-out pairs")
    rep.heading("Standardised weights (drivers)")
    rep.table(
        ["feature", *labels],
        [[n, *[round(float(lr.coef_[k, j]), 3) for k in range(3)]] for j, n in enumerate(names)],
    )
    bar_png(
        list(names),
        [float(c) for c in lr.coef_[2]],
        rep.dir / "weights_industry_ready.png",
        "Weights for industry_ready (standardised)",
    )
    rep.figure("weights_industry_ready.png", "Standardised weights for industry_ready")
    rep.write()
    real_final = real_check(model, names, real_pairs)
    if real_final:
        rep.heading("Real check (dotin: own role vs a seeded unrelated role; make eval-readiness)")
        rep.table(
            [
                "feature set",
                "synthetic val log-loss",
                "half",
                "own readier",
                "> 5 y own needs_upskilling",
                "unrelated NU",
            ],
            [
                [n, set_loss[n], h, r["own_readier"], r["senior_needs_upskilling"], r["other_needs_upskilling"]]
                for n in FEATURE_SETS
                for h, r in set_real[n].items()
            ]
            + [
                [
                    f"{feature_set} (shipped)",
                    "",
                    h,
                    r["own_readier"],
                    r["senior_needs_upskilling"],
                    r["other_needs_upskilling"],
                ]
                for h, r in real_final.items()
            ],
        )
    if weight_cv:
        rep.heading("Weight of the real people (person-grouped 5-fold CV over the dotin selection half)")
        rep.table(
            [
                "feature set",
                "real weight",
                "synthetic val log-loss",
                "z vs the rule",
                f"not worse than the rule (z <= {REAL_GUARD_SE:g})",
                "own readier",
                "> 5 y own NU",
                "unrelated NU",
                "score",
            ],
            [
                [
                    feature_set,
                    w,
                    r["synthetic_val_log_loss"],
                    r["z_vs_rule"],
                    "yes" if r["eligible"] else "no",
                    r["own_readier"],
                    r["senior_needs_upskilling"],
                    r["unrelated_needs_upskilling"],
                    r["score"],
                ]
                for w, r in weight_cv.items()
            ],
        )
        rep.text(
            f"Shipped: **{feature_set}**, real weight **{real_weight}**: {len(selection)} selection-half people, "
            f"{len(y_real)} weakly labelled rows (own role: industry_ready from {REAL_SENIOR_YEARS:g}+ stated years "
            "or the role's expected years, else almost_ready; two unrelated roles: needs_upskilling). The report "
            "half never enters training or a choice."
        )
    m = results["selected model"]
    metrics = {
        "test_pairs": int(test.sum()),
        "train_pairs": int((~test).sum()),
        "features_from": skills.source,
        "skill_vectors": space.has_vectors,
        **{f"model_{k}": v for k, v in m.items()},
        **{f"uncalibrated_{k}": v for k, v in results["logistic, uncalibrated"].items()},
        **{f"baseline_majority_{k}": v for k, v in results["baseline: majority class"].items()},
        **{f"baseline_rule_{k}": v for k, v in results[f"baseline: threshold rule on {RULE_FEATURE}"].items()},
        "calibration": calibration,
        "feature_set": feature_set,
        "feature_names": list(names),
        "feature_set_validation_log_loss": set_loss,
        "real_check": real_final,
        "real_weight": real_weight,
        "real_training_rows": int(len(y_real)),
        "real_weight_cv": {str(w): r for w, r in weight_cv.items()},
        "feature_map": feature_map,
        "C": c_best,
        "validation_log_loss": val_loss,
        "confusion_matrix": cm.tolist(),
        "labels": labels,
    }
    write_manifest(
        out,
        "readiness",
        args.version or out.name,
        metrics=metrics,
        datasets=dataset_refs(args.datasets, ["resumes", "readiness"]),
    )
    log(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
