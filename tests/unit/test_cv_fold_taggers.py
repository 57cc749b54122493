"""Honest fold figures for the tagger: each train resume is tagged by the tagger trained without its fold."""

from __future__ import annotations

from typing import Any


class _Tagger:
    def __init__(self, name: str) -> None:
        self.name = name
        self.hybrid_params = {"gazetteer_keep_prob": 0.5 if name == "served" else 0.1}

    def predict(self, text: str) -> Any:
        class _P:
            spans = [(0, 1, 0.9)]

        p = _P()
        p.who = self.name  # type: ignore[attr-defined]
        return p


def test_fold_ner_routes_each_text_to_the_tagger_that_never_saw_it() -> None:
    from training.extractor.cv import FoldNer

    taggers = [_Tagger(f"f{k}") for k in range(3)]
    served = _Tagger("served")
    ner = FoldNer(taggers, {"a": 0, "b": 2}, served)
    assert ner.predict("a").who == "f0"
    assert ner.predict("b").who == "f2"
    assert ner.predict("dev text").who == "served"  # dev resumes: no fold, the served tagger never saw them either
    assert ner.hybrid_params == served.hybrid_params
    assert ner.predict_spans("a") == [(0, 1, 0.9)]


def test_train_ner_exclude_fold_leaves_out_exactly_that_fold(tmp_path: Any) -> None:
    import argparse
    import json

    from training.extractor.cv import fold_of
    from training.extractor.train_ner import collect_docs
    from training.models.train_extractor_v1 import is_dev

    rows = [{"id": str(i), "text": f"resume {i} Python", "spans": []} for i in range(60)]
    (tmp_path / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    base = {"dotin": tmp_path, "limit_docs": 0, "folds": 5, "skillspan": None, "synthetic": None, "seed": 1}
    base |= {"skillspan_docs": 0, "synthetic_docs": 0}
    every, _ = collect_docs(argparse.Namespace(**base, exclude_fold=None))
    kept, datasets = collect_docs(argparse.Namespace(**base, exclude_fold=2))
    train_ids = {r["id"] for r in rows if not is_dev(r["id"])}
    assert {d.id for d in every} == train_ids
    assert {d.id for d in kept} == {i for i in train_ids if fold_of(i, 5) != 2}
    assert len(kept) < len(every)
    assert "fold 2 of 5 left out" in datasets["dotin-resume-ner"]["version"]
