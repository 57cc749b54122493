"""The shared extraction metric in-process, for tuning and error lists (same numbers as the script).

``score`` runs the shared script's own ``toks``/``match`` over gold spans and predicted strings;
``first_words`` cuts a resume to its first 500 words for the timing rows. Used by ``evaluate`` and ``peers``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from training.extractor.data import SKILL_LABELS
from training.models.train_extractor_v1 import DEFAULT_EVAL

__all__ = ["first_words", "metric_module", "score"]


def metric_module(eval_script: Path = DEFAULT_EVAL) -> Any:
    """The shared metric script loaded as a module (its ``toks`` and ``match``)."""
    spec = importlib.util.spec_from_file_location("shared_extraction_eval", str(eval_script))
    if spec is None or spec.loader is None:
        raise FileNotFoundError(eval_script)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def score(gold: list[dict[str, Any]], preds: dict[str, list[str]], eval_script: Path = DEFAULT_EVAL) -> dict[str, Any]:
    """Shared metric computed in-process with the script's own ``toks``/``match`` (same numbers as the script)."""
    m = metric_module(eval_script)
    tp_p = n_p = tp_g = n_g = 0
    for g in gold:
        gs = {m.toks(s["text"]) for s in g["spans"] if s["label"] in SKILL_LABELS} - {frozenset()}
        ps = {m.toks(x) for x in preds.get(str(g["id"]), [])} - {frozenset()}
        n_g += len(gs)
        n_p += len(ps)
        tp_g += sum(any(m.match(a, b) for b in ps) for a in gs)
        tp_p += sum(any(m.match(a, b) for b in gs) for a in ps)
    p = tp_p / n_p if n_p else 0.0
    r = tp_g / n_g if n_g else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def first_words(text: str, n: int = 500) -> str | None:
    """The text cut right after its ``n``-th whitespace-separated word (None when it has fewer)."""
    count = 0
    in_word = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if in_word:
                count += 1
                if count == n:
                    return text[:i]
            in_word = False
        else:
            in_word = True
    return None
