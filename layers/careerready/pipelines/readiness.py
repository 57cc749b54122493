"""Readiness prediction: label, calibrated probabilities and the features that drove it."""

from __future__ import annotations

from collections.abc import Mapping

from careerready.core.errors import InvalidInputError
from careerready.models.readiness import ReadinessModel
from careerready.schemas.analysis import Driver, ReadinessResponse

__all__ = ["predict"]


def predict(features: Mapping[str, float], model: ReadinessModel, top_drivers: int = 5) -> ReadinessResponse:
    """Predict readiness from READINESS_FEATURES.

    Args:
        features: Feature dict (extra keys are ignored).
        model: Loaded readiness model.
        top_drivers: Number of drivers to return.

    Raises:
        InvalidInputError: a required feature is missing.
    """
    missing = [n for n in model.feature_names if n not in features]
    if missing:
        raise InvalidInputError("missing readiness features", field="features", missing=missing)
    label, probs = model.predict(features)
    drivers = [
        Driver(feature=n, value=round(v, 6), contribution=round(c, 6), direction="up" if c >= 0 else "down")
        for n, v, c in model.drivers(features, label)[:top_drivers]
    ]
    return ReadinessResponse(
        label=label,  # type: ignore[arg-type]
        probabilities={k: round(v, 6) for k, v in probs.items()},
        drivers=drivers,
    )
