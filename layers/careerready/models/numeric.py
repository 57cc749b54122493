"""numpy-only evaluation of the classical models, so serving never imports scikit-learn, scipy or xgboost.

``StandardScaler``/``SplineTransformer``/``LogisticRegression`` pipelines, the ``CalibratedClassifierCV``
calibrators (sigmoid, isotonic, temperature) and XGBoost tree ensembles, re-implemented in numpy and
built from plain JSON-able specs. Each mirrors the library's arithmetic step by step (same operation
order, float32 split comparisons for trees), so predictions match the library to rounding. The specs
are written at training time by ``training/models/export_numeric.py`` (``classifier_spec``).

Supported: StandardScaler, SplineTransformer (non-periodic; extrapolation constant | continue |
error at any degree, linear at degree >= 2), LogisticRegression (binary or multinomial), Pipeline
of those, CalibratedClassifierCV(method=sigmoid | isotonic | temperature) around such a pipeline;
XGBoost ``gbtree`` models with numerical splits, one output and an identity-link objective
(``rank:*``, ``reg:squarederror``, ``reg:absoluteerror``, ``reg:pseudohubererror``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

__all__ = [
    "Calibrated",
    "Classifier",
    "LogisticModel",
    "Pipeline",
    "SplineBasis",
    "Standardiser",
    "TreeEnsemble",
    "bspline_basis",
    "classifier_from_spec",
    "expit",
    "softmax",
    "standardise",
]

SPEC_FORMAT = "careerready.numeric/1"
IDENTITY_OBJECTIVES_PREFIX = ("rank:", "reg:squarederror", "reg:absoluteerror", "reg:pseudohubererror")


# --------------------------------------------------------------------------------------------- helpers


def standardise(x: np.ndarray, mean: np.ndarray | None, scale: np.ndarray | None) -> np.ndarray:
    """``(x - mean) / scale`` as sklearn's StandardScaler.transform does it (either step optional)."""
    z = np.array(x, dtype=np.float64, copy=True)
    if mean is not None:
        z -= mean
    if scale is not None:
        z /= scale
    return z


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax, max-subtracted (the operation order of ``sklearn.utils.extmath.softmax``)."""
    out = np.array(z, dtype=np.float64, copy=True)
    out -= out.max(axis=1).reshape(-1, 1)
    np.exp(out, out=out)
    out /= out.sum(axis=1).reshape(-1, 1)
    return out


def expit(x: np.ndarray) -> np.ndarray:
    """Logistic function ``1 / (1 + exp(-x))`` (scipy.special.expit's formula)."""
    with np.errstate(over="ignore"):
        out: np.ndarray = 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))
    return out


def bspline_basis(x: np.ndarray, knots: np.ndarray, degree: int) -> np.ndarray:
    """All B-spline basis functions of ``degree`` on ``knots`` at ``x``: ``(len(x), len(knots) - degree - 1)``.

    Cox-de Boor recursion in the order scipy's ``_deBoor_D`` uses. Points left of ``knots[degree]``
    use the first interval and points right of ``knots[-degree - 1]`` the last one (scipy's
    ``extrapolate=True``); callers mask out-of-range points when they want otherwise.
    """
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    t = np.asarray(knots, dtype=np.float64)
    k = int(degree)
    n = t.size - k - 1
    ell = np.clip(np.searchsorted(t, x, side="right") - 1, k, n - 1)
    h = np.zeros((x.size, k + 1), dtype=np.float64)
    h[:, 0] = 1.0
    for j in range(1, k + 1):
        hh = h[:, :j].copy()
        h[:, 0] = 0.0
        for m in range(1, j + 1):
            xb = t[ell + m]
            xa = t[ell + m - j]
            same = xb == xa
            with np.errstate(divide="ignore", invalid="ignore"):
                w = hh[:, m - 1] / (xb - xa)
                h[:, m - 1] += np.where(same, 0.0, w * (xb - x))
                h[:, m] = np.where(same, 0.0, w * (x - xa))
    out = np.zeros((x.size, n), dtype=np.float64)
    rows = np.arange(x.size)
    for a in range(k + 1):
        out[rows, ell - k + a] = h[:, a]
    return out


def _floats(v: Any) -> np.ndarray:
    return np.asarray(v, dtype=np.float64)


# ------------------------------------------------------------------------------------ transformers


class Step(Protocol):
    """A pipeline step: transform (n, d) -> (n, d')."""

    def transform(self, x: np.ndarray) -> np.ndarray: ...  # noqa: D102

    def to_spec(self) -> dict[str, Any]: ...  # noqa: D102


@dataclass(frozen=True)
class Standardiser:
    """sklearn ``StandardScaler`` (fitted ``mean_``/``scale_``; ``None`` when the step is off)."""

    mean: np.ndarray | None
    scale: np.ndarray | None

    def transform(self, x: np.ndarray) -> np.ndarray:
        """Standardised copy of ``x``."""
        return standardise(x, self.mean, self.scale)

    def to_spec(self) -> dict[str, Any]:
        """JSON-able spec."""
        return {
            "kind": "standard_scaler",
            "mean": None if self.mean is None else self.mean.tolist(),
            "scale": None if self.scale is None else self.scale.tolist(),
        }


@dataclass(frozen=True)
class SplineBasis:
    """sklearn ``SplineTransformer``: per-feature B-spline basis with its extrapolation mode.

    Attributes:
        knots: ``(n_features, n_knots + 2 * degree)`` full knot vectors (``bsplines_[i].t``).
        f_min, f_max, fp_min, fp_max: ``(n_features, n_splines)`` basis values and slopes at the
            boundaries ``knots[:, degree]`` / ``knots[:, -degree - 1]`` (constant / linear modes).
    """

    knots: np.ndarray
    degree: int
    extrapolation: str
    include_bias: bool
    handle_missing: str
    f_min: np.ndarray
    f_max: np.ndarray
    fp_min: np.ndarray
    fp_max: np.ndarray

    @property
    def n_splines(self) -> int:
        """Basis functions per feature (before dropping the bias column)."""
        return int(self.knots.shape[1] - self.degree - 1)

    def transform(self, x: np.ndarray) -> np.ndarray:
        """``(n, n_features * n_splines)`` design matrix (minus one column per feature without bias)."""
        x = np.asarray(x, dtype=np.float64)
        n_rows, n_feat = x.shape
        ns, deg = self.n_splines, self.degree
        out = np.zeros((n_rows, n_feat * ns), dtype=np.float64)
        for f in range(n_feat):
            col = x[:, f]
            t = self.knots[f]
            nan = np.isnan(col)
            if nan.any() and self.handle_missing != "zeros":
                raise ValueError("Input X contains NaN.")
            blk = slice(f * ns, (f + 1) * ns)
            if self.extrapolation in ("continue", "error"):
                vals = bspline_basis(np.where(nan, t[deg], col), t, deg)
                vals[nan] = 0.0
                if self.extrapolation == "error" and np.any(~nan & ((col < t[deg]) | (col > t[-deg - 1]))):
                    raise ValueError("`X` contains values beyond the limits of the knots.")
                out[:, blk] = vals
                continue
            xmin, xmax = t[deg], t[-deg - 1]
            inside = (xmin <= col) & (col <= xmax)
            if inside.any():
                out[inside, blk] = bspline_basis(col[inside], t, deg)
            below, above = col < xmin, col > xmax
            if self.extrapolation == "constant":
                if below.any():
                    out[below, f * ns : f * ns + deg] = self.f_min[f, :deg]
                if above.any():
                    out[above, (f + 1) * ns - deg : (f + 1) * ns] = self.f_max[f, -deg:]
            elif self.extrapolation == "linear":
                for j in range(deg):
                    if below.any():
                        out[below, f * ns + j] = self.f_min[f, j] + (col[below] - xmin) * self.fp_min[f, j]
                    if above.any():
                        k = ns - 1 - j
                        out[above, f * ns + k] = self.f_max[f, k] + (col[above] - xmax) * self.fp_max[f, k]
            else:
                raise ValueError(f"unsupported spline extrapolation {self.extrapolation!r}")
        if self.include_bias:
            return out
        keep = [j for j in range(out.shape[1]) if (j + 1) % ns != 0]
        return out[:, keep]

    def to_spec(self) -> dict[str, Any]:
        """JSON-able spec."""
        return {
            "kind": "spline",
            "knots": self.knots.tolist(),
            "degree": self.degree,
            "extrapolation": self.extrapolation,
            "include_bias": self.include_bias,
            "handle_missing": self.handle_missing,
            "f_min": self.f_min.tolist(),
            "f_max": self.f_max.tolist(),
            "fp_min": self.fp_min.tolist(),
            "fp_max": self.fp_max.tolist(),
        }


# ------------------------------------------------------------------------------------ classifiers


class Classifier(Protocol):
    """Anything with sklearn's ``predict_proba`` contract."""

    def predict_proba(self, x: np.ndarray) -> np.ndarray: ...  # noqa: D102


@dataclass(frozen=True)
class LogisticModel:
    """sklearn ``LogisticRegression`` (binary: one coef row; multinomial: one row per class)."""

    coef: np.ndarray
    intercept: np.ndarray
    classes: tuple[Any, ...]

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        """``x @ coef.T + intercept``; 1-D for binary models, as sklearn returns it."""
        scores: np.ndarray = np.asarray(x, dtype=np.float64) @ self.coef.T + self.intercept
        return scores.reshape(-1) if scores.shape[1] == 1 else scores

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities (softmax, or expit for binary)."""
        d = self.decision_function(x)
        if d.ndim == 1:
            p = expit(d)
            return np.stack([1.0 - p, p], axis=1)
        return softmax(d)

    def to_spec(self) -> dict[str, Any]:
        """JSON-able spec."""
        return {
            "kind": "logistic",
            "coef": self.coef.tolist(),
            "intercept": self.intercept.tolist(),
            "classes": list(self.classes),
        }


@dataclass(frozen=True)
class Pipeline:
    """Transformers followed by a final ``LogisticModel``."""

    steps: tuple[Step, ...]
    final: LogisticModel

    @property
    def classes(self) -> tuple[Any, ...]:
        """Class labels of the final estimator."""
        return self.final.classes

    def _transform(self, x: np.ndarray) -> np.ndarray:
        z = np.asarray(x, dtype=np.float64)
        for s in self.steps:
            z = s.transform(z)
        return z

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        """Decision function of the final estimator on the transformed input."""
        return self.final.decision_function(self._transform(x))

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities of the final estimator on the transformed input."""
        return self.final.predict_proba(self._transform(x))

    def to_spec(self) -> dict[str, Any]:
        """JSON-able spec."""
        return {"kind": "pipeline", "steps": [s.to_spec() for s in self.steps], "final": self.final.to_spec()}


def _to_logits(d: np.ndarray) -> np.ndarray:
    """sklearn ``calibration._convert_to_logits``: binary scores -> (-x, x); probabilities -> log(p + 1e-12)."""
    if d.ndim == 2 and d.shape[1] > 1:
        in_unit = bool(np.all((d >= 0) & (d <= 1)))
        sums_one = bool(np.all(np.isclose(d.sum(axis=1), 1.0)))
        return np.log(d + 1e-12) if (in_unit and sums_one) else d
    d = d.reshape(-1, 1)
    return np.concatenate([-d, d], axis=1)


@dataclass(frozen=True)
class CalibratedMember:
    """One ``_CalibratedClassifier``: a base pipeline plus its per-class (or temperature) calibrators."""

    base: Pipeline
    method: str
    calibrators: tuple[dict[str, Any], ...]
    pos_class_indices: tuple[int, ...]
    n_classes: int

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Calibrated probabilities (sklearn ``_CalibratedClassifier.predict_proba``)."""
        pred = self.base.decision_function(x)
        if pred.ndim == 1:
            pred = pred.reshape(-1, 1)
        n, k = pred.shape[0], self.n_classes
        proba = np.zeros((n, k), dtype=np.float64)
        if self.method in ("sigmoid", "isotonic"):
            for cls_idx, col, cal in zip(self.pos_class_indices, pred.T, self.calibrators, strict=False):
                idx = cls_idx + 1 if k == 2 else cls_idx
                proba[:, idx] = _calibrate(cal, col)
            if k == 2:
                proba[:, 0] = 1.0 - proba[:, 1]
            else:
                den = proba.sum(axis=1)[:, np.newaxis]
                proba = np.divide(proba, den, out=np.full_like(proba, 1 / k), where=den != 0)
        elif self.method == "temperature":
            proba = softmax(float(self.calibrators[0]["beta"]) * _to_logits(pred))
        else:
            raise ValueError(f"unsupported calibration method {self.method!r}")
        proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0
        return proba

    def to_spec(self) -> dict[str, Any]:
        """JSON-able spec."""
        return {
            "base": self.base.to_spec(),
            "method": self.method,
            "calibrators": list(self.calibrators),
            "pos_class_indices": list(self.pos_class_indices),
            "n_classes": self.n_classes,
        }


def _calibrate(cal: Mapping[str, Any], t: np.ndarray) -> np.ndarray:
    """One-vs-rest calibrator: Platt sigmoid ``expit(-(a t + b))`` or isotonic linear interpolation (clipped)."""
    if cal["kind"] == "sigmoid":
        return expit(-(float(cal["a"]) * t + float(cal["b"])))
    if cal["kind"] == "isotonic":
        xs, ys = _floats(cal["x"]), _floats(cal["y"])
        t = np.clip(t, float(cal["x_min"]), float(cal["x_max"]))
        if xs.size == 1:
            return np.repeat(ys, t.shape)
        # scipy interp1d(kind="linear") arithmetic: slope * (x - x_lo) + y_lo on the left-searchsorted interval
        hi = np.clip(np.searchsorted(xs, t, side="left"), 1, xs.size - 1)
        lo = hi - 1
        slope = (ys[hi] - ys[lo]) / (xs[hi] - xs[lo])
        out: np.ndarray = slope * (t - xs[lo]) + ys[lo]
        return out
    raise ValueError(f"unsupported calibrator {cal['kind']!r}")


@dataclass(frozen=True)
class Calibrated:
    """sklearn ``CalibratedClassifierCV``: mean of its members' calibrated probabilities."""

    members: tuple[CalibratedMember, ...]
    classes: tuple[Any, ...]

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Mean calibrated probability over the cross-validation members."""
        x = np.asarray(x, dtype=np.float64)
        mean = np.zeros((x.shape[0], len(self.classes)), dtype=np.float64)
        for m in self.members:
            mean += m.predict_proba(x)
        mean /= len(self.members)
        return mean

    def to_spec(self) -> dict[str, Any]:
        """JSON-able spec."""
        return {"kind": "calibrated", "classes": list(self.classes), "members": [m.to_spec() for m in self.members]}


# ----------------------------------------------------------------------------------- spec <-> objects


def _step_from_spec(spec: Mapping[str, Any]) -> Step:
    kind = spec["kind"]
    if kind == "standard_scaler":
        return Standardiser(
            None if spec["mean"] is None else _floats(spec["mean"]),
            None if spec["scale"] is None else _floats(spec["scale"]),
        )
    if kind == "spline":
        return SplineBasis(
            knots=_floats(spec["knots"]),
            degree=int(spec["degree"]),
            extrapolation=str(spec["extrapolation"]),
            include_bias=bool(spec["include_bias"]),
            handle_missing=str(spec.get("handle_missing", "error")),
            f_min=_floats(spec["f_min"]),
            f_max=_floats(spec["f_max"]),
            fp_min=_floats(spec["fp_min"]),
            fp_max=_floats(spec["fp_max"]),
        )
    raise ValueError(f"unknown pipeline step {kind!r}")


def _logistic_from_spec(spec: Mapping[str, Any]) -> LogisticModel:
    return LogisticModel(
        np.atleast_2d(_floats(spec["coef"])), _floats(spec["intercept"]).reshape(-1), tuple(spec["classes"])
    )


def _pipeline_from_spec(spec: Mapping[str, Any]) -> Pipeline:
    if spec["kind"] == "logistic":
        return Pipeline((), _logistic_from_spec(spec))
    if spec["kind"] != "pipeline":
        raise ValueError(f"expected a pipeline spec, got {spec['kind']!r}")
    return Pipeline(tuple(_step_from_spec(s) for s in spec["steps"]), _logistic_from_spec(spec["final"]))


def classifier_from_spec(spec: Mapping[str, Any]) -> Pipeline | Calibrated:
    """Build the numpy classifier described by a spec from ``classifier_spec``."""
    if spec["kind"] == "calibrated":
        members = tuple(
            CalibratedMember(
                _pipeline_from_spec(m["base"]),
                str(m["method"]),
                tuple(m["calibrators"]),
                tuple(int(i) for i in m["pos_class_indices"]),
                int(m["n_classes"]),
            )
            for m in spec["members"]
        )
        return Calibrated(members, tuple(spec["classes"]))
    return _pipeline_from_spec(spec)


# ---------------------------------------------------------------------------------------- trees


@dataclass(frozen=True)
class TreeEnsemble:
    """XGBoost ``gbtree`` ensemble packed into padded ``(n_trees, max_nodes)`` arrays.

    Prediction = ``base_score + sum of leaf values`` (the learning rate is already in the leaves),
    accumulated in float32 in tree order as XGBoost's CPU predictor does. A row goes left when
    ``x < split_condition`` in float32, and follows ``default_left`` when the value is NaN.
    """

    left: np.ndarray  # int32, -1 at leaves
    right: np.ndarray  # int32
    feature: np.ndarray  # int32
    threshold: np.ndarray  # float32 (leaf value at leaves)
    default_left: np.ndarray  # bool
    is_leaf: np.ndarray  # bool
    base_score: np.float32
    n_features: int
    feature_names: tuple[str, ...] = ()

    @property
    def n_trees(self) -> int:
        """Number of trees."""
        return int(self.left.shape[0])

    @classmethod
    def from_xgboost_json(cls, model: Mapping[str, Any]) -> TreeEnsemble:
        """Parse the dict of ``Booster.save_model("model.json")``.

        Raises:
            ValueError: not a single-output ``gbtree`` with numerical splits and an identity-link objective.
        """
        learner = model["learner"]
        objective = str(learner.get("objective", {}).get("name", ""))
        if not objective.startswith(IDENTITY_OBJECTIVES_PREFIX):
            raise ValueError(f"objective {objective!r} is not supported (identity-link objectives only)")
        booster = learner["gradient_booster"]
        if booster.get("name") != "gbtree":
            raise ValueError(f"booster {booster.get('name')!r} is not supported (gbtree only)")
        params = learner["learner_model_param"]
        if int(params.get("num_class", "0")) > 1 or int(params.get("num_target", "1")) > 1:
            raise ValueError("multi-class / multi-target models are not supported")
        base = [float(v) for v in str(params["base_score"]).strip("[]").split(",") if v.strip()]
        if len(base) != 1:
            raise ValueError(f"expected one base_score, got {params['base_score']!r}")
        trees = booster["model"]["trees"]
        if any(int(g) != 0 for g in booster["model"].get("tree_info", [])):
            raise ValueError("trees of more than one output group")
        width = max((len(t["left_children"]) for t in trees), default=1)
        n = len(trees)
        left = np.full((n, width), -1, dtype=np.int32)
        right = np.full((n, width), -1, dtype=np.int32)
        feature = np.zeros((n, width), dtype=np.int32)
        threshold = np.zeros((n, width), dtype=np.float32)
        default_left = np.zeros((n, width), dtype=bool)
        for i, t in enumerate(trees):
            if int(t["tree_param"].get("size_leaf_vector", "1")) > 1:
                raise ValueError("vector-leaf trees are not supported")
            if any(int(s) != 0 for s in t.get("split_type", [])):
                raise ValueError("categorical splits are not supported")
            m = len(t["left_children"])
            left[i, :m] = t["left_children"]
            right[i, :m] = t["right_children"]
            feature[i, :m] = t["split_indices"]
            threshold[i, :m] = np.asarray(t["split_conditions"], dtype=np.float64).astype(np.float32)
            default_left[i, :m] = np.asarray(t["default_left"], dtype=bool)
        names = tuple(learner.get("feature_names") or ())
        return cls(
            left,
            right,
            feature,
            threshold,
            default_left,
            left < 0,
            np.float32(base[0]),
            int(params.get("num_feature", "0")),
            names,
        )

    def predict(self, x: np.ndarray) -> np.ndarray:
        """float32 raw scores (XGBoost ``Booster.predict`` for identity-link objectives), one per row."""
        x32 = np.asarray(x, dtype=np.float32)
        if x32.ndim != 2:
            raise ValueError("expected a 2-D feature matrix")
        n_rows = x32.shape[0]
        acc = np.full(n_rows, self.base_score, dtype=np.float32)
        if n_rows == 0 or self.n_trees == 0:
            return acc
        trees = np.arange(self.n_trees)[np.newaxis, :]
        node = np.zeros((n_rows, self.n_trees), dtype=np.int32)
        rows = np.arange(n_rows)[:, np.newaxis]
        active = ~self.is_leaf[trees, node]
        while active.any():
            feat = self.feature[trees, node]
            val = x32[rows, feat]
            go_left = np.where(np.isnan(val), self.default_left[trees, node], val < self.threshold[trees, node])
            nxt = np.where(go_left, self.left[trees, node], self.right[trees, node])
            node = np.where(active, nxt, node)
            active = ~self.is_leaf[trees, node]
        leaves = self.threshold[trees, node]
        for j in range(self.n_trees):
            acc += leaves[:, j]
        return acc
