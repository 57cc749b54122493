"""Export fitted scikit-learn classifiers to the JSON specs serving evaluates in numpy (training side).

:func:`classifier_spec` reads a fitted estimator's attributes and returns the spec that
:func:`careerready.models.numeric.classifier_from_spec` rebuilds; what is supported is listed in
:mod:`careerready.models.numeric`. It never imports sklearn itself: it is only called with objects the
trainer already built.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from careerready.models.numeric import LogisticModel, SplineBasis, Standardiser

__all__ = ["classifier_spec"]


def _floats(v: Any) -> np.ndarray:
    return np.asarray(v, dtype=np.float64)


def _plain(v: Any) -> Any:
    """numpy scalar -> Python scalar (for JSON)."""
    return v.item() if isinstance(v, np.generic) else v


def _export_step(est: Any) -> dict[str, Any]:
    name = type(est).__name__
    if name == "StandardScaler":
        mean = getattr(est, "mean_", None)
        scale = getattr(est, "scale_", None)
        return Standardiser(
            None if (mean is None or not est.with_mean) else _floats(mean),
            None if (scale is None or not est.with_std) else _floats(scale),
        ).to_spec()
    if name == "SplineTransformer":
        if est.extrapolation == "periodic":
            raise ValueError("periodic SplineTransformer export is not supported")
        if getattr(est, "sparse_output", False):
            raise ValueError("sparse SplineTransformer export is not supported")
        deg = int(est.degree)
        if est.extrapolation == "linear" and deg <= 1:
            # sklearn bumps its loop-shared ``degree`` per feature in this mode, so later features shift
            raise ValueError("linear extrapolation with degree <= 1 is not supported")
        knots, fmin, fmax, fpmin, fpmax = [], [], [], [], []
        for spl in est.bsplines_:
            t = _floats(spl.t)
            lo, hi = t[deg], t[-deg - 1]
            knots.append(t)
            fmin.append(_floats(spl(lo)))
            fmax.append(_floats(spl(hi)))
            fpmin.append(_floats(spl(lo, nu=1)) if deg > 0 else np.zeros(t.size - 1))
            fpmax.append(_floats(spl(hi, nu=1)) if deg > 0 else np.zeros(t.size - 1))
        return SplineBasis(
            np.stack(knots),
            deg,
            str(est.extrapolation),
            bool(est.include_bias),
            str(getattr(est, "handle_missing", "error")),
            np.stack(fmin),
            np.stack(fmax),
            np.stack(fpmin),
            np.stack(fpmax),
        ).to_spec()
    raise ValueError(f"cannot export pipeline step {name}")


def _export_logistic(est: Any) -> dict[str, Any]:
    if type(est).__name__ != "LogisticRegression":
        raise ValueError(f"cannot export final estimator {type(est).__name__}")
    return LogisticModel(
        np.atleast_2d(_floats(est.coef_)), _floats(est.intercept_).reshape(-1), tuple(_plain(c) for c in est.classes_)
    ).to_spec()


def _export_pipeline(est: Any) -> dict[str, Any]:
    name = type(est).__name__
    if name == "FrozenEstimator":
        return _export_pipeline(est.estimator)
    if name == "LogisticRegression":
        return {"kind": "pipeline", "steps": [], "final": _export_logistic(est)}
    if name != "Pipeline":
        raise ValueError(f"cannot export estimator {name}")
    steps = [e for _, e in est.steps if e is not None and e != "passthrough"]
    return {"kind": "pipeline", "steps": [_export_step(s) for s in steps[:-1]], "final": _export_logistic(steps[-1])}


def _export_calibrator(cal: Any) -> dict[str, Any]:
    name = type(cal).__name__
    if name == "_SigmoidCalibration":
        return {"kind": "sigmoid", "a": float(cal.a_), "b": float(cal.b_)}
    if name == "IsotonicRegression":
        if cal.out_of_bounds != "clip":
            raise ValueError("isotonic calibrators must use out_of_bounds='clip'")
        return {
            "kind": "isotonic",
            "x": _floats(cal.X_thresholds_).tolist(),
            "y": _floats(cal.y_thresholds_).tolist(),
            "x_min": float(cal.X_min_),
            "x_max": float(cal.X_max_),
        }
    if name == "_TemperatureScaling":
        return {"kind": "temperature", "beta": float(cal.beta_)}
    raise ValueError(f"cannot export calibrator {name}")


def classifier_spec(estimator: Any) -> dict[str, Any]:
    """JSON-able spec of a fitted sklearn classifier (training side; reads fitted attributes only).

    Args:
        estimator: ``Pipeline`` / ``LogisticRegression`` / ``CalibratedClassifierCV`` as listed in the module
            docstring, or an object from this module (its own spec is returned).

    Raises:
        ValueError: a component this module cannot evaluate.
    """
    if hasattr(estimator, "to_spec"):
        spec: dict[str, Any] = estimator.to_spec()
        return spec
    if type(estimator).__name__ == "CalibratedClassifierCV":
        classes = list(estimator.classes_)
        members = []
        for cc in estimator.calibrated_classifiers_:
            base_classes = list(cc.estimator.classes_)
            members.append(
                {
                    "base": _export_pipeline(cc.estimator),
                    "method": str(cc.method),
                    "calibrators": [_export_calibrator(c) for c in cc.calibrators],
                    "pos_class_indices": [classes.index(c) for c in base_classes],
                    "n_classes": len(classes),
                }
            )
        return {"kind": "calibrated", "classes": [_plain(c) for c in classes], "members": members}
    return _export_pipeline(estimator)
