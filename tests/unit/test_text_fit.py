"""``text_fit``: how closely a resume text reads like a role, as a percentile among every catalog role."""

from __future__ import annotations

from pathlib import Path

import pytest
from careerready.features import (
    READINESS_FEATURES,
    TEXT_FIT_UNKNOWN,
    SkillSpace,
    compute_role_features,
    role_text_index,
    text_fits,
)
from careerready.pipelines.readiness import reasons
from careerready.services.catalog import Catalog, Role

CATALOG = Path(__file__).resolve().parents[1] / "fixtures" / "catalog_small"
DATA_TEXT = "Data scientist: built machine learning models in Python with pandas and scikit-learn; statistics."


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(CATALOG)


def test_fit_is_the_percentile_among_catalog_roles(catalog: Catalog) -> None:
    fits = text_fits(DATA_TEXT, catalog.roles.values(), catalog)
    sims = role_text_index(catalog).similarities(DATA_TEXT)
    n_others = len(sims) - 1
    for rid, fit in fits.items():
        below = sum(1 for o, s in sims.items() if o != rid and s < sims[rid])
        ties = sum(1 for o, s in sims.items() if o != rid and s == sims[rid])
        assert fit == (0.0 if sims[rid] == 0 else round((below + 0.5 * ties) / n_others, 6))
    assert max(fits, key=lambda r: fits[r]) == "data_scientist" and fits["data_scientist"] == 1.0


def test_text_sharing_no_term_fits_nothing(catalog: Catalog) -> None:
    assert set(text_fits("zzz qqq", catalog.roles.values(), catalog).values()) == {0.0}


def test_an_inline_role_is_placed_among_the_catalog_roles(catalog: Catalog) -> None:
    ds = catalog.roles["data_scientist"]
    inline = Role("my-role", ds.title, ds.alt_titles, "", ds.description, ds.min_years, ds.skills)
    # the same document as the catalog's best role: above every other catalog role, tied with that one
    others = len(catalog.roles)
    assert text_fits(DATA_TEXT, [inline], catalog)["my-role"] == round((others - 1 + 0.5) / others, 6)


def test_features_carry_the_fit_or_the_unknown_value(catalog: Catalog) -> None:
    assert "text_fit" in READINESS_FEATURES
    role, space = catalog.roles["data_scientist"], SkillSpace(catalog)
    assert compute_role_features({}, role, space, 1.0).values["text_fit"] == TEXT_FIT_UNKNOWN
    assert compute_role_features({}, role, space, 1.0, 0.93).values["text_fit"] == 0.93


def test_reason_states_the_fit_in_words() -> None:
    feats = dict.fromkeys(READINESS_FEATURES, 0.0) | {"text_fit": 0.97}
    contributions = [(n, 0.01) for n in READINESS_FEATURES if n != "text_fit"] + [("text_fit", 5.0)]
    top = reasons(feats, contributions)[0]
    assert top.kind == "text_fit" and top.numbers == {"text_fit_pct": 97.0}
    assert top.text == "the resume reads more like this role than like 97% of the catalog's roles"
    low = reasons(feats | {"text_fit": 0.2}, contributions)[0]
    assert low.text == "the resume reads less like this role than like 80% of the catalog's roles"
