"""Role-matching evaluation: label rule, designation masking, TF-IDF baseline, ranking determinism."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from careerready.core.errors import InvalidInputError
from careerready.services.catalog import Catalog
from careerready.services.roles import RoleResolver

from training.eval.eval_matching import (
    evaluate,
    render_report,
    role_document,
    tfidf_rank,
    topk_accuracy,
)
from training.eval.labels import decide_label, designation_spans, label_span, mask_spans, mask_text

REPO = Path(__file__).resolve().parents[2]
CATALOG = REPO / "tests" / "fixtures" / "catalog_small"
ARTIFACTS = REPO / "artifacts"

HEAD = "Jane Doe\nSenior Data Scientist\n\nWORK EXPERIENCE\n\n"
BODY = "Backend Developer\nAcme\nBuilt models in Python, pandas and scikit-learn. Senior data scientist since 2020.\n"
TEXT = HEAD + BODY


def _span(text: str, phrase: str, label: str = "Designation", start_at: int = 0) -> dict:
    start = text.index(phrase, start_at)
    return {"label": label, "start": start, "end": start + len(phrase), "text": phrase}


# spans listed out of document order on purpose: the rule must sort them
SPANS = [
    _span(TEXT, "Backend Developer"),
    _span(TEXT, "Python", label="Tech Tools"),
    _span(TEXT, "Senior Data Scientist"),
]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(CATALOG)


def test_first_designation_in_the_document_is_the_label() -> None:
    spans = designation_spans(SPANS)
    assert [s["text"] for s in spans] == ["Senior Data Scientist", "Backend Developer"]
    assert label_span(SPANS)["text"] == "Senior Data Scientist"
    assert label_span([SPANS[1]]) is None


def test_masking_keeps_length_and_offsets() -> None:
    designations = designation_spans(SPANS)
    masked = mask_spans(TEXT, designations)
    assert len(masked) == len(TEXT)
    for s in designations:
        assert masked[s["start"] : s["end"]].strip() == ""
    python = SPANS[1]
    assert masked[python["start"] : python["end"]] == "Python"  # other spans untouched, same offsets
    assert masked.count("\n") == TEXT.count("\n")
    # spans-only masking leaves the lower-case repeat; repeats=True blanks it too
    assert "Senior data scientist since" in masked
    full = mask_text(TEXT, designations)
    assert len(full) == len(TEXT) and "data scientist" not in full.lower() and "backend developer" not in full.lower()
    assert full[python["start"] : python["end"]] == "Python"


def test_mask_keeps_line_breaks_inside_a_span_and_rejects_bad_offsets() -> None:
    text = "Lead\nEngineer at X"
    assert mask_spans(text, [{"start": 0, "end": 13}]) == " " * 4 + "\n" + " " * 8 + " at X"
    with pytest.raises(InvalidInputError):
        mask_spans(text, [{"start": 5, "end": 99}])


def test_decide_label_exact_fuzzy_and_excluded(catalog: Catalog) -> None:
    resolver = RoleResolver(catalog.roles)
    d = decide_label("1", SPANS, resolver)
    assert (d.role_id, d.method, d.reason) == ("data_scientist", "normalized", "ok")
    none = decide_label("2", [SPANS[1]], resolver)
    assert (none.role_id, none.reason) == (None, "no_designation")
    far = decide_label("3", [{"label": "Designation", "start": 0, "end": 15, "text": "Physics Teacher"}], resolver)
    assert far.role_id is None and far.reason in {"unresolved", "low_confidence"}
    # a fuzzy hit below the bar is excluded; with the bar at 0 the same title is kept
    typo = [{"label": "Designation", "start": 0, "end": 15, "text": "Data Scientst X"}]
    strict = decide_label("4", typo, resolver, min_confidence=0.99)
    loose = decide_label("4", typo, resolver, min_confidence=0.0, min_margin=0.0)
    assert strict.role_id is None and strict.reason == "low_confidence"
    assert loose.role_id == "data_scientist" and loose.method == "fuzzy"


def test_tfidf_baseline_is_deterministic_and_sensible(catalog: Catalog) -> None:
    role_ids = sorted(catalog.roles)
    docs = [role_document(catalog.roles[r], catalog) for r in role_ids]
    texts = [
        "Machine learning with Python, pandas, statistics and scikit-learn; deep learning in PyTorch.",
        "Kubernetes, Terraform, Docker and Jenkins pipelines; Prometheus and Grafana monitoring on AWS.",
        "React, TypeScript, CSS and responsive design; webpack builds and accessibility (WCAG).",
        "",
    ]
    first = tfidf_rank(texts, role_ids, docs)
    assert first == tfidf_rank(texts, role_ids, docs)
    assert [r[0] for r in first[:3]] == ["data_scientist", "devops_engineer", "frontend_engineer"]
    assert first[3] == role_ids  # nothing in common: ties broken by role id
    assert all(sorted(r) == role_ids for r in first)


def test_topk_accuracy_counts() -> None:
    ranked = [["a", "b", "c"], ["b", "a", "c"], ["c", "b", "a"]]
    assert topk_accuracy(["a", "a", "a"], ranked, 1) == pytest.approx(1 / 3, abs=1e-4)
    assert topk_accuracy(["a", "a", "a"], ranked, 2) == pytest.approx(2 / 3, abs=1e-4)
    assert topk_accuracy(["a", "a", "a"], ranked, 3) == 1.0


def test_evaluate_baseline_only_counts_and_report(catalog: Catalog) -> None:
    records = [
        {"id": "1", "text": TEXT, "spans": SPANS},
        {"id": "2", "text": "no title here", "spans": []},
        {
            "id": "3",
            "text": "Physics Teacher\nphysics",
            "spans": [_span("Physics Teacher\nphysics", "Physics Teacher")],
        },
    ]
    result = evaluate(records, catalog, None)
    m = result.metrics()
    assert (m["n_resumes"], m["n_evaluated"], m["n_excluded"]) == (3, 1, 2)
    assert m["excluded_by_reason"]["no_designation"] == 1
    assert set(m["systems"]) == {"tfidf"}
    assert m["majority"] == {"role_id": "data_scientist", "top1": 1.0}
    assert m["systems"]["tfidf"]["top1"] == 1.0  # python / pandas / scikit-learn -> data scientist
    assert "data scientist" not in result.examples[0].text.lower()  # the label never reaches the ranker
    report = render_report(result)
    assert "| tfidf | 1 | 100.0% | 100.0% | 1.000 |" in report
    assert render_report(evaluate(records, catalog, None)) == report


RESUMES = [
    {"id": "r1", "text": "Python developer. Built REST APIs with Django and PostgreSQL, Docker, AWS, Git."},
    {"id": "r2", "text": "Data analyst: SQL, Excel, Tableau dashboards, statistics, Python pandas."},
    {"id": "r3", "text": "Network engineer: Cisco routers, TCP/IP, firewalls, Linux administration, VPN."},
]


_NEEDED = ("catalog", "extractor", "embeddings", "matching", "gap_ranker")
_HAVE_ARTIFACTS = all((ARTIFACTS / m / "v1" / "manifest.json").is_file() for m in _NEEDED)


@pytest.mark.skipif(not _HAVE_ARTIFACTS, reason="trained artifacts not built (make train)")
def test_rank_roles_cli_twice_is_identical_and_matches_eval_path(tmp_path: Path) -> None:
    from careerready import cli

    from training.eval.eval_matching import project_ranker

    inp = tmp_path / "in.jsonl"
    inp.write_text("".join(json.dumps(r) + "\n" for r in RESUMES), encoding="utf-8")
    outs = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    for out in outs:
        assert cli.main(["rank-roles", "--input", str(inp), "--output", str(out), "--top", "5"]) == 0
    assert outs[0].read_bytes() == outs[1].read_bytes()
    rows = [json.loads(line) for line in outs[0].read_text().splitlines()]
    assert [r["id"] for r in rows] == ["r1", "r2", "r3"] and all(len(r["roles"]) == 5 for r in rows)
    # the evaluation ranks through the same path (fresh model load) and gets the same order
    rank, _, _ = project_ranker(ARTIFACTS)
    for rec, row in zip(RESUMES, rows, strict=True):
        assert rank(rec["text"])[:5] == [r["role_id"] for r in row["roles"]]
