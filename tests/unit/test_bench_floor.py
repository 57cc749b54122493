"""bench/floor.py: the import floor per function and the served models' floor per event-path resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.floor import COLD_BUDGET_MS, FLOOR_IMPORTS, import_floor, main, render


def test_every_function_has_a_budget_and_imports_only_packages_the_brief_fixes() -> None:
    fixed = {"mangum", "fastapi", "pydantic", "boto3", "onnxruntime", "tokenizers", "numpy"}
    assert set(FLOOR_IMPORTS) == set(COLD_BUDGET_MS)
    for function, modules in FLOOR_IMPORTS.items():
        assert "boto3" in modules, function  # every function fetches its models from S3
        assert set(modules) <= fixed, function


def test_import_floor_times_fresh_interpreters() -> None:
    floor = import_floor(reps=1)
    assert set(floor) == set(FLOOR_IMPORTS)
    for function, row in floor.items():
        assert row["n"] == 1
        assert 0 < row["min_ms"] <= row["median_ms"], function
        assert row["share_of_budget"] == pytest.approx(row["median_ms"] / COLD_BUDGET_MS[function], abs=0.01)


def test_without_models_the_import_floor_still_stands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "floor.json"
    assert main(["--reps", "1", "--artifacts", str(tmp_path / "no-artifacts"), "--out", str(out)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert set(result["imports"]) == set(FLOOR_IMPORTS) and "models" not in result
    printed = capsys.readouterr().out
    assert "model floor not measured" in printed and "| analyze | fastapi, mangum, boto3 |" in printed


def test_render_states_the_ceiling_and_the_batched_rows() -> None:
    row = {"modules": ["numpy", "boto3"], "n": 3, "min_ms": 400.0, "median_ms": 500.0, "budget_ms": 1000.0}
    models = {
        "resumes": 30,
        "mean_words": 731.6,
        "rounds": 3,
        "tagger_ms_per_resume": 150.0,
        "encoder_chunk_term_ms_per_resume": 150.0,
        "models_ms_per_resume": 300.0,
        "ceiling_resumes_per_s_per_core": 3.33,
        "event_budget_resumes_per_s_per_core": 10.0,
        "tagger_ms_medium_resume": 110.0,
        "extract_budget_ms": 60.0,
        "batched": {"8": {"tagger_ms": 140.0, "encoder_ms": 120.0, "ceiling_resumes_per_s_per_core": 3.85}},
    }
    text = render({"imports": {"readiness": {**row, "share_of_budget": 0.5}}, "models": models})
    assert "| readiness | numpy, boto3 | 3 | 400.0 | 500.0 | 1,000 | 0.50 |" in text
    assert "at most **3.33 resumes/s per core**" in text and "(budget 10)" in text
    assert "| 8 | 140.0 | 120.0 | 3.85 |" in text
