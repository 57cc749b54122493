"""Role references (ids and free-text titles) -> catalog roles."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from careerready.core.errors import InvalidInputError, RoleNotFoundError
from careerready.services.catalog import Catalog
from careerready.services.roles import CURATED_THRESHOLD, RoleResolver, canonical_title

REPO = Path(__file__).resolve().parents[2]
FIXTURE_CATALOG = REPO / "tests" / "fixtures" / "catalog_small"


@pytest.fixture(scope="module")
def small() -> RoleResolver:
    if not (FIXTURE_CATALOG / "roles.json").is_file():
        pytest.skip("tests/fixtures/catalog_small is not present")
    return RoleResolver(Catalog.load(FIXTURE_CATALOG).roles)


def test_canonical_title_expands_abbreviations_and_drops_seniority() -> None:
    assert canonical_title("Sr. Back-End Dev") == "back end developer"
    assert canonical_title("Lead ML Eng II") == "machine learning engineer"
    assert canonical_title("Senior") == "senior"  # nothing but seniority: keep it


@pytest.mark.parametrize(
    ("ref", "role_id", "method"),
    [
        ("data-scientist", "data-scientist", "id"),
        ("DATA SCIENTIST", "data-scientist", "title"),
        ("sr. data scientist", "data-scientist", "alt_title"),
        ("Lead ML Eng", "ml-engineer", "normalized"),
        ("backend dev", "backend-developer", "normalized"),
        ("Senior Software Engineer II", "software-engineer", "normalized"),
    ],
)
def test_exact_resolutions(authored: RoleResolver, ref: str, role_id: str, method: str) -> None:
    res = authored.resolve(ref)
    assert (res.role_id, res.method, res.confidence, res.runner_up) == (role_id, method, 1.0, None)
    assert res.query == ref


@pytest.mark.parametrize(
    ("ref", "role_id"),
    [
        ("Data Scientst", "data-scientist"),
        ("data enginer", "data-engineer"),
        ("devops", "devops-engineer"),
        ("mlops", "mlops-engineer"),
        ("golang backend engineer", "backend-developer"),
        ("full stack js dev", "full-stack-developer"),
    ],
)
def test_fuzzy_resolutions_name_a_runner_up(authored: RoleResolver, ref: str, role_id: str) -> None:
    res = authored.resolve(ref)
    assert res.method == "fuzzy"
    assert res.role_id == role_id
    assert CURATED_THRESHOLD <= res.confidence < 1.0  # every authored role is curated
    assert res.runner_up is not None and res.runner_up.role_id != role_id
    assert res.runner_up.score <= res.confidence


def test_generic_word_alone_is_not_enough_for_one_role(authored: RoleResolver) -> None:
    # "engineer" is in many titles: IDF weighting keeps its fuzzy score below the threshold ...
    assert authored.scores("Engineer")[0].score < authored.threshold
    # ... and it resolves as a generic title that every engineering role shares (decision 32), not to one of them
    res = authored.resolve("Engineer")
    assert res.method == "generic" and len(res.shared_by) >= 3
    assert all(authored.roles[rid].title.split()[-1] == "Engineer" for rid in res.shared_by)


def test_unknown_role_is_404_with_three_nearest(authored: RoleResolver) -> None:
    with pytest.raises(RoleNotFoundError) as info:
        authored.resolve("underwater data weaving")
    err = info.value
    assert err.http_status == 404 and err.code == "role_not_found"
    nearest = err.details["nearest"]
    assert [set(c) for c in nearest] == [{"role_id", "title", "score"}] * 3
    scores = [c["score"] for c in nearest]
    assert scores == sorted(scores, reverse=True) and scores[0] < authored.threshold
    assert all(c["title"] in err.message for c in nearest)


def test_nearest_titles_are_the_plausible_ones(authored: RoleResolver) -> None:
    with pytest.raises(RoleNotFoundError) as info:
        authored.resolve("hr manager")
    titles = [c["title"] for c in info.value.details["nearest"]]
    assert titles[0] == "Product Manager"
    assert sum("Manager" in t for t in titles) >= 2


def test_blank_reference_is_422(authored: RoleResolver) -> None:
    with pytest.raises(InvalidInputError) as info:
        authored.resolve("  - ")
    assert info.value.details == {"field": "role"}


def test_resolve_many_dedupes_keeping_order(authored: RoleResolver) -> None:
    out = authored.resolve_many(["Data Scientist", "backend dev", "data-scientist"])
    assert [r.role_id for r in out] == ["data-scientist", "backend-developer"]


def test_fixture_catalog_roles(small: RoleResolver) -> None:
    assert small.resolve("Site Reliability Engineer").role_id == "devops_engineer"
    assert small.resolve("frontend_engineer").method == "id"
    assert small.resolve("Front End Dev").role_id == "frontend_engineer"
    assert small.resolve("Applied Scientist").method == "alt_title"


class _FakeVectors:
    """Role vectors on the axes; 'models' queries point at data_scientist, others at nothing in particular."""

    def __init__(self, role_ids: Sequence[str]) -> None:
        self._ids = list(role_ids)
        self._vectors = np.eye(len(self._ids), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        if "models" not in text:
            return np.full(len(self._ids), 0.5, dtype=np.float32)  # cosine 0.5 to every role (4 roles)
        v = np.zeros(len(self._ids), dtype=np.float32)
        v[self._ids.index("data_scientist")] = 0.8
        v[self._ids.index("backend_engineer")] = 0.6
        return v

    @property
    def role_ids(self) -> list[str]:
        return self._ids

    @property
    def role_vectors(self) -> np.ndarray:
        return self._vectors


def test_embedding_fallback_only_below_fuzzy_threshold(small: RoleResolver) -> None:
    resolver = RoleResolver(small.roles, vectors=_FakeVectors(sorted(small.roles)))
    res = resolver.resolve("person who trains predictive models")
    assert (res.role_id, res.method, res.confidence) == ("data_scientist", "embedding", 0.8)
    assert res.runner_up is not None and res.runner_up.score == 0.6
    # a good fuzzy hit never consults the vectors
    assert resolver.resolve("Data Scientst").method == "fuzzy"
    with pytest.raises(RoleNotFoundError):
        resolver.resolve("someone nice")  # best cosine 0.5 < embedding_threshold 0.6
