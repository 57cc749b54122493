"""Synthetic dataset generators: determinism, exact spans, latent-profile consistency, manifests."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from training.synth import templates
from training.synth.common import catalog_sha256, load_catalog
from training.synth.generate import generate_all
from training.synth.render import span_label

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "catalog_small"
SEED = 20261126
N_RESUMES = 150
N_USERS = 200
FILES = (
    "resumes/v1/resumes.jsonl",
    "readiness/v1/pairs.jsonl",
    "gaps/v1/gaps.jsonl",
    "matching/v1/pairs.jsonl",
    "interactions/v1/users.jsonl",
    "interactions/v1/interactions.csv",
)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("datasets")
    generate_all(FIXTURE, d, seed=SEED, n_resumes=N_RESUMES, n_users=N_USERS)
    return d


@pytest.fixture(scope="module")
def catalog() -> Any:
    return load_catalog(FIXTURE)


@pytest.fixture(scope="module")
def resumes(out: Path) -> list[dict[str, Any]]:
    return _jsonl(out / "resumes/v1/resumes.jsonl")


def test_fixture_catalog_has_the_documented_shape(catalog: Any) -> None:
    assert 55 <= len(catalog.skills) <= 70
    assert len(catalog.roles) == 4
    assert len(catalog.resources) == 30


def test_same_seed_gives_identical_bytes_and_other_seed_differs(out: Path, tmp_path: Path) -> None:
    # Given a second run with the same seed in a fresh process with another hash seed
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "training.synth.generate", "--catalog", str(FIXTURE), "--out", str(tmp_path / "a")]
    cmd += ["--seed", str(SEED), "--n-resumes", str(N_RESUMES), "--n-users", str(N_USERS)]
    subprocess.run(cmd, check=True, cwd=REPO, env=env, capture_output=True)
    # Then every file and manifest is byte-identical
    for f in FILES:
        assert _sha(tmp_path / "a" / f) == _sha(out / f), f
    for name in ("resumes", "readiness", "gaps", "matching", "interactions"):
        assert (tmp_path / "a" / name / "v1/manifest.json").read_bytes() == (
            out / name / "v1/manifest.json"
        ).read_bytes()
    # And another seed changes the data
    generate_all(FIXTURE, tmp_path / "b", seed=SEED + 1, n_resumes=N_RESUMES, n_users=N_USERS, only=("resumes",))
    assert _sha(tmp_path / "b/resumes/v1/resumes.jsonl") != _sha(out / "resumes/v1/resumes.jsonl")


def test_manifests_match_files(out: Path) -> None:
    for name in ("resumes", "readiness", "gaps", "matching", "interactions"):
        d = out / name / "v1"
        m = json.loads((d / "manifest.json").read_text())
        assert m["name"] == name and m["version"] == "v1" and m["seed"] == SEED
        assert m["catalog_sha256"] == catalog_sha256(FIXTURE)
        assert m["files"], name
        for f, meta in m["files"].items():
            assert meta["sha256"] == _sha(d / f)
            lines = (d / f).read_text(encoding="utf-8").count("\n")
            assert meta["rows"] == (lines - 1 if f.endswith(".csv") else lines)
    dep = json.loads((out / "readiness/v1/manifest.json").read_text())["params"]["resumes"]
    assert dep["sha256"] == _sha(out / "resumes/v1/resumes.jsonl")


def test_every_span_indexes_its_text_exactly(resumes: list[dict[str, Any]], catalog: Any) -> None:
    n_spans = 0
    for r in resumes:
        prev_end = 0
        for s in r["spans"]:
            assert r["text"][s["start"] : s["end"]] == s["text"]
            assert s["start"] >= prev_end, "spans overlap or are out of order"
            prev_end = s["end"]
            assert s["label"] == span_label(catalog.skills[s["skill_id"]].type)
            n_spans += 1
    assert n_spans > 10 * len(resumes)


def test_spans_agree_with_the_latent_profile(resumes: list[dict[str, Any]]) -> None:
    negated = 0
    for r in resumes:
        prof = {p["skill_id"]: p for p in r["profile"]["skills"]}
        positive = {s["skill_id"] for s in r["spans"] if not s["negated"]}
        for s in r["spans"]:
            if s["negated"]:
                negated += 1
                assert s["skill_id"] not in prof, "a negated skill must not be in the true skill set"
                assert s["years"] is None
            else:
                assert s["skill_id"] in prof
                if s["years"] is not None:
                    assert s["years"] == prof[s["skill_id"]]["years"]
        missed = set(r["noise"]["missed"])
        assert positive == set(prof) - missed, "every true skill is mentioned at least once, unless missed (noise)"
        assert missed <= set(prof) and len(missed) <= len(prof) // 2
        assert {p["evidence"] for p in prof.values()} <= {"work", "listed", "course"}
    assert negated >= len(resumes) // 10


def test_resume_text_variety_sections_and_length(resumes: list[dict[str, Any]]) -> None:
    assert templates.BULLET_TEMPLATE_COUNT >= 60
    headers = Counter()
    for r in resumes:
        names = [s["section"] for s in r["sections"]]
        assert {"experience", "skills", "education"} <= set(names)
        for s in r["sections"]:
            assert r["text"][s["start"] :].lower().lstrip("#= ").startswith(s["header"].lower())
            headers[s["header"]] += 1
        assert 150 <= len(r["text"].split()) <= 1600
    assert len(headers) >= 15
    orders = {tuple(s["section"] for s in r["sections"]) for r in resumes}
    assert len(orders) >= 10
    texts = " ".join(r["text"] for r in resumes)
    assert " yrs)" in texts and "years of " in texts
    assert "@example." in texts
    names = {sid: sk.name for sid, sk in load_catalog(FIXTURE).skills.items()}
    spans = [s for r in resumes for s in r["spans"]]
    not_canonical = sum(s["text"] != names[s["skill_id"]] for s in spans) / len(spans)
    assert 0.3 < not_canonical < 0.8  # aliases and casing noise, but canonical names too
    assert {r["seniority"] for r in resumes} == {"junior", "mid", "senior", "lead"}


def _shares(values: list[Any]) -> dict[Any, float]:
    c = Counter(values)
    return {k: v / len(values) for k, v in c.items()}


def test_readiness_labels_are_non_trivial_and_respect_critical_cap(
    out: Path, resumes: list[dict[str, Any]], catalog: Any
) -> None:
    pairs = _jsonl(out / "readiness/v1/pairs.jsonl")
    shares = _shares([p["label"] for p in pairs])
    assert set(shares) == {"needs_upskilling", "almost_ready", "industry_ready"}
    assert all(0.15 <= v <= 0.60 for v in shares.values()), shares
    by_id = {r["id"]: r for r in resumes}
    per_resume = Counter(p["resume_id"] for p in pairs)
    assert set(per_resume.values()) <= {2, 3} and set(per_resume) == set(by_id)
    ready_missing_critical = 0
    ready = [p for p in pairs if p["label"] == "industry_ready"]
    for p in ready:
        held = {s["skill_id"] for s in by_id[p["resume_id"]]["profile"]["skills"]}
        crit = [rs.skill_id for rs in catalog.roles[p["role_id"]].skills if rs.critical]
        ready_missing_critical += any(c not in held for c in crit)
    assert ready_missing_critical / len(ready) < 0.15  # only rater flips break the hard cap


def test_gaps_list_exactly_the_missing_role_skills(out: Path, resumes: list[dict[str, Any]], catalog: Any) -> None:
    rows = _jsonl(out / "gaps/v1/gaps.jsonl")
    shares = _shares([r["relevance"] for r in rows])
    assert set(shares) == {0, 1, 2, 3} and all(0.15 <= v <= 0.60 for v in shares.values()), shares
    held = {r["id"]: {s["skill_id"] for s in r["profile"]["skills"]} for r in resumes}
    by_q: dict[str, set[str]] = {}
    for r in rows:
        by_q.setdefault(r["query_id"], set()).add(r["skill_id"])
        assert r["query_id"] == f"{r['resume_id']}:{r['role_id']}"
    for q, skills in by_q.items():
        rid, role_id = q.split(":")
        missing = {rs.skill_id for rs in catalog.roles[role_id].skills} - held[rid]
        assert skills == missing
    m = json.loads((out / "gaps/v1/manifest.json").read_text())["stats"]
    assert m["ndcg5_random"] < m["ndcg5_importance_only"] < m["ndcg5_noise_free_rule"]


def test_matching_targets_rank_home_above_hard_negatives(out: Path) -> None:
    rows = _jsonl(out / "matching/v1/pairs.jsonl")
    assert all(0.0 <= r["target"] <= 1.0 for r in rows)
    by_kind: dict[str, list[float]] = {}
    for r in rows:
        by_kind.setdefault(r["kind"], []).append(r["target"])
    mean = {k: sum(v) / len(v) for k, v in by_kind.items()}
    assert mean["home"] > mean["neighbour"] + 0.15
    targets = [r["target"] for r in rows]
    avg = sum(targets) / len(targets)
    assert (sum((t - avg) ** 2 for t in targets) / len(targets)) ** 0.5 > 0.1
    # hard negatives sometimes beat the home role: the rating is not "home role = 1"
    home = {r["resume_id"]: r["target"] for r in rows if r["kind"] == "home"}
    assert any(r["target"] > home[r["resume_id"]] for r in rows if r["kind"] == "neighbour")


def test_interactions_have_ratings_split_and_users(out: Path, catalog: Any) -> None:
    users = _jsonl(out / "interactions/v1/users.jsonl")
    assert len(users) == N_USERS and all(u["role_id"] in catalog.roles for u in users)
    with (out / "interactions/v1/interactions.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["user_id", "resource_id", "rating", "split"]
    ratings = Counter(int(r["rating"]) for r in rows)
    assert set(ratings) == {1, 2, 3, 4, 5}
    assert all(r["resource_id"] in catalog.resources for r in rows)
    test_by_user: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        if r["split"] == "test":
            test_by_user.setdefault(r["user_id"], []).append(r)
    assert len(test_by_user) > N_USERS // 3
    for items in test_by_user.values():
        assert len(items) == 2 and all(int(r["rating"]) >= 4 for r in items)
    pairs = [(r["user_id"], r["resource_id"]) for r in rows]
    assert len(pairs) == len(set(pairs))


def test_noise_misses_skills_moves_work_tools_to_projects_and_varies_surfaces(
    resumes: list[dict[str, Any]], catalog: Any
) -> None:
    held = missed = moved = 0
    names = {sid: {sk.name.lower(), *(a.lower() for a in sk.aliases)} for sid, sk in catalog.skills.items()}
    odd = 0
    for r in resumes:
        prof = {p["skill_id"]: p for p in r["profile"]["skills"]}
        held += len(prof)
        missed += len(r["noise"]["missed"])
        moved += len(r["noise"]["project_only"])
        sections = sorted(r["sections"], key=lambda s: s["start"])
        for sid in r["noise"]["project_only"]:
            assert prof[sid]["evidence"] == "work"  # the latent truth keeps the work evidence
            for s in r["spans"]:
                if s["skill_id"] == sid and not s["negated"]:
                    before = [x for x in sections if x["start"] <= s["start"]]
                    assert before and before[-1]["section"] in ("projects", "education"), "written only in a project"
        odd += sum(s["text"].lower() not in names[s["skill_id"]] for s in r["spans"])
        assert sum(s["text"].lower() not in names[s["skill_id"]] for s in r["spans"]) <= r["noise"]["variants"]
    assert 0.03 < missed / held < 0.15
    assert moved > 0 and odd > 0
