"""Real people in the readiness training data: weak labels, row weights and the weight choice (docs/readiness.md)."""

from __future__ import annotations

import numpy as np
import pytest
from careerready.features import READINESS_LABELS

from training.models.train_readiness import (
    REAL_FOLDS,
    REAL_WEIGHTS,
    RealPerson,
    choose_real_weight,
    make_classifier,
    not_worse_than,
    real_fold,
    real_rows,
    row_log_loss,
    weak_own_label,
    with_real,
)

NAMES = ("coverage", "text_fit")
NU, AR, IR = (READINESS_LABELS.index(x) for x in ("needs_upskilling", "almost_ready", "industry_ready"))


@pytest.mark.parametrize(
    ("years", "min_years", "label"),
    [(None, 0.0, AR), (1.0, 0.0, AR), (2.0, 0.0, IR), (3.0, 4.0, AR), (4.0, 4.0, IR), (12.0, 5.0, IR)],
)
def test_weak_own_label_needs_the_stated_years(years: float | None, min_years: float, label: int) -> None:
    assert weak_own_label(years, min_years) == label


def _person(i: int, own: tuple[float, float], years: float | None = 8.0) -> RealPerson:
    feats = dict(zip(NAMES, own, strict=True))
    far = {"coverage": 0.05, "text_fit": 0.2}
    return RealPerson(str(i), years, 2.0, feats, far, (far, {"coverage": 0.1, "text_fit": 0.3}))


def test_real_rows_label_own_role_and_every_unrelated_role() -> None:
    x, y = real_rows([_person(1, (0.1, 0.99)), _person(2, (0.2, 0.9), years=None)], NAMES)
    assert x.shape == (6, 2)
    assert y.tolist() == [IR, NU, NU, AR, NU, NU]
    assert x[0].tolist() == [0.1, 0.99]


def test_with_real_repeats_real_rows_weight_times_and_zero_leaves_synthetic_alone() -> None:
    x, y = np.zeros((4, 2)), np.array([0, 1, 2, 0])
    xr, yr = np.ones((2, 2)), np.array([2, 0])
    assert with_real(x, y, xr, yr, 0)[0] is x
    xs, ys = with_real(x, y, xr, yr, 3)
    assert xs.shape == (10, 2)
    assert ys[4:].tolist() == [2, 2, 2, 0, 0, 0]


def test_real_fold_is_fixed_and_spreads_people() -> None:
    folds = [real_fold(str(i)) for i in range(200)]
    assert folds == [real_fold(str(i)) for i in range(200)]
    assert set(folds) == set(range(REAL_FOLDS))


def _synthetic(n: int = 600, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The generator's view: readiness follows coverage; text fit is high for every pair (no far roles)."""
    rng = np.random.default_rng(seed)
    cov = rng.random(n)
    x = np.column_stack([cov, rng.uniform(0.85, 1.0, n)])
    y = np.digitize(cov + 0.05 * rng.normal(size=n), [0.4, 0.7])
    return x, y


def test_real_people_who_do_the_job_pull_the_weight_up_within_the_synthetic_ceiling() -> None:
    """People with low catalog coverage but a resume that reads like their job: synthetic data alone calls them
    needs_upskilling; the CV picks a weight > 0, the chosen weight respects the synthetic log-loss ceiling."""
    rng = np.random.default_rng(1)
    people = [_person(i, (float(rng.uniform(0.0, 0.15)), float(rng.uniform(0.95, 1.0)))) for i in range(60)]
    fit, val = _synthetic(seed=2), _synthetic(300, seed=3)
    make = lambda: make_classifier("linear", 1.0, "none", 0)  # noqa: E731
    # a baseline that puts almost nothing on the right class: every weight is eligible
    hopeless = np.full((len(val[1]), 3), 0.49)
    hopeless[np.arange(len(val[1])), val[1]] = 0.02
    w, table = choose_real_weight(make, fit, val, people, NAMES, hopeless)
    assert set(table) == set(REAL_WEIGHTS)
    assert table[0]["senior_needs_upskilling"] > 0.5  # synthetic alone fails these people
    assert w > 0
    assert table[w]["senior_needs_upskilling"] < table[0]["senior_needs_upskilling"]
    assert table[w]["own_readier"] >= table[0]["own_readier"]
    assert all(r["eligible"] for r in table.values())
    # a baseline that is always right leaves synthetic data alone
    perfect = np.eye(3)[val[1]]
    w0, table0 = choose_real_weight(make, fit, val, people, NAMES, perfect)
    assert w0 == 0
    assert [k for k, r in table0.items() if r["eligible"]] == [0]


def test_not_worse_than_passes_ties_within_the_noise_and_fails_clear_losses() -> None:
    rng = np.random.default_rng(4)
    y = rng.integers(0, 3, 900)
    base = np.full((900, 3), 0.2)
    base[np.arange(900), y] = 0.6
    # a model that is less sure on 60 rows and surer on 55: worse in the mean, by less than the noise
    noisy = base.copy()
    rows = rng.permutation(900)
    less, more = rows[:60], rows[60:115]
    noisy[less] = np.where(np.eye(3)[y[less]] > 0, 0.5, 0.25)
    noisy[more] = np.where(np.eye(3)[y[more]] > 0, 0.7, 0.15)
    assert row_log_loss(y, noisy).mean() > row_log_loss(y, base).mean()
    assert not_worse_than(y, noisy, base)
    # the same model against a baseline that is clearly better everywhere
    sharp = np.full((900, 3), 0.05)
    sharp[np.arange(900), y] = 0.9
    assert not not_worse_than(y, noisy, sharp)
    assert not_worse_than(y, sharp, noisy)
