"""The trainers' hybrid-extraction cache filled by worker processes holds the rows a sequential pass computes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts"
RESUMES = REPO / "build" / "datasets" / "resumes" / "v1" / "resumes.jsonl"


def test_parallel_prefill_gives_the_sequential_rows_in_order(tmp_path: Path) -> None:
    # Given the served catalog, gazetteer and tagger, and 12 synthetic resumes (one twice)
    for need in (ARTIFACTS / "ner" / "v1" / "manifest.json", ARTIFACTS / "extractor" / "v1" / "manifest.json", RESUMES):
        if not need.is_file():
            pytest.skip(f"{need.relative_to(REPO)} is absent (run `make train` with ../shared)")
    from careerready.services.catalog import Catalog

    from training.models.common import ResumeSkills

    catalog_dir = ARTIFACTS / "catalog" / "v1"
    with RESUMES.open(encoding="utf-8") as fh:
        texts = [json.loads(next(fh))["text"] for _ in range(11)]
    texts.append(texts[3])
    catalog = Catalog.load(catalog_dir)

    def skills(cache: str) -> ResumeSkills:
        return ResumeSkills(
            catalog, ARTIFACTS / "extractor" / "v1", ARTIFACTS / "ner" / "v1", tmp_path / cache, catalog_dir=catalog_dir
        )

    # When one instance extracts them text by text and another prefills them in 2 worker processes
    sequential = skills("seq")
    expected = [sequential.analyze({"text": t}) for t in texts]
    sequential.flush()
    parallel = skills("par")
    assert parallel.prefill(texts, workers=2, min_texts=2) == 11  # the repeated text is extracted once

    # Then the cache files are byte for byte the same, and analyze answers from the cache with the same skills
    (seq_file,) = (tmp_path / "seq").iterdir()
    (par_file,) = (tmp_path / "par").iterdir()
    assert seq_file.name == par_file.name
    assert par_file.read_bytes() == seq_file.read_bytes()
    assert len(par_file.read_text(encoding="utf-8").splitlines()) == 11
    assert [parallel.analyze({"text": t}) for t in texts] == expected
    assert parallel.prefill(texts, workers=2, min_texts=2) == 0
