"""Training data for the learned skill extractor: dotin resumes, SkillSpan, synthetic resumes -> BIO windows.

Every source becomes ``Doc(id, text, spans[(start, end)])`` with character spans of skills; the tokenizer's
offsets turn spans into BIO tags over word pieces (every piece of a span is tagged, ``B`` on the first) and
long documents are cut into overlapping windows (``window`` tokens including ``[CLS]``/``[SEP]``).

The dotin dev split is the one fixed in :mod:`training.models.train_extractor_v1` (``is_dev``); training
code must only read :func:`dotin_split` ``train``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from training.models.train_extractor_v1 import is_dev

SKILL_LABELS: frozenset[str] = frozenset({"Tech Tools", "Job Specific Skills", "Soft Skills"})
LABELS: tuple[str, ...] = ("O", "B-SKILL", "I-SKILL")
LABEL2ID: dict[str, int] = {name: i for i, name in enumerate(LABELS)}
IGNORE = -100


@dataclass(frozen=True)
class Doc:
    """A text with gold skill character spans (and their source labels, for breakdowns)."""

    id: str
    text: str
    spans: tuple[tuple[int, int], ...]
    labels: tuple[str, ...] = ()
    source: str = "dotin"


@dataclass
class Window:
    """One model input: token ids with special tokens and aligned label ids (-100 on specials)."""

    input_ids: list[int]
    labels: list[int]
    doc_id: str = ""
    meta: dict[str, Any] = field(default_factory=dict)


# ---- sources ---------------------------------------------------------------------------------------------
def read_dotin(dotin_dir: Path) -> list[dict[str, Any]]:
    """Raw rows of ``train.jsonl`` of the dotin resume NER set."""
    with (Path(dotin_dir) / "train.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def dotin_docs(rows: Iterable[dict[str, Any]]) -> list[Doc]:
    """dotin rows -> :class:`Doc` keeping only the three skill labels (merged into one SKILL type)."""
    out = []
    for r in rows:
        spans = sorted((s["start"], s["end"], s["label"]) for s in r["spans"] if s["label"] in SKILL_LABELS)
        out.append(
            Doc(
                id=str(r["id"]),
                text=r["text"],
                spans=tuple((a, b) for a, b, _ in spans),
                labels=tuple(lab for _, _, lab in spans),
                source="dotin",
            )
        )
    return out


def dotin_split(dotin_dir: Path) -> tuple[list[Doc], list[Doc]]:
    """``(train, dev)`` docs of the fixed dotin split (dev: ``sha256('dotin-dev:'+id) % 100 < 20``)."""
    rows = read_dotin(dotin_dir)
    train = dotin_docs(r for r in rows if not is_dev(str(r["id"])))
    dev = dotin_docs(r for r in rows if is_dev(str(r["id"])))
    return train, dev


def skillspan_docs(path: Path, *, sentences_per_doc: int = 12) -> list[Doc]:
    """SkillSpan JSON-lines file -> docs of consecutive sentences of one posting (skill + knowledge tags merged).

    Tokens are joined by single spaces and sentences by newlines, so the char spans are exact.
    """
    rows = [json.loads(line) for line in Path(path).open(encoding="utf-8") if line.strip()]
    docs: list[Doc] = []
    buf: list[dict[str, Any]] = []

    def flush() -> None:
        if not buf:
            return
        parts: list[str] = []
        spans: list[tuple[int, int]] = []
        pos = 0
        for row in buf:
            cur: list[int] | None = None
            for k, (tok, ts, tk) in enumerate(
                zip(row["tokens"], row["tags_skill"], row["tags_knowledge"], strict=True)
            ):
                if k:
                    parts.append(" ")
                    pos += 1
                start, end = pos, pos + len(tok)
                parts.append(tok)
                pos = end
                tag = "B" if "B" in (ts[:1], tk[:1]) else ("I" if "I" in (ts[:1], tk[:1]) else "O")
                if tag == "B" or (tag == "I" and cur is None):
                    if cur is not None:
                        spans.append((cur[0], cur[1]))
                    cur = [start, end]
                elif tag == "I" and cur is not None:
                    cur[1] = end
                else:
                    if cur is not None:
                        spans.append((cur[0], cur[1]))
                    cur = None
            if cur is not None:
                spans.append((cur[0], cur[1]))
            parts.append("\n")
            pos += 1
        text = "".join(parts)
        docs.append(Doc(id=f"skillspan-{len(docs)}", text=text, spans=tuple(spans), source="skillspan"))
        buf.clear()

    last_idx = None
    for row in rows:
        if row["idx"] != last_idx or len(buf) >= sentences_per_doc:
            flush()
            last_idx = row["idx"]
        buf.append(row)
    flush()
    return docs


def synthetic_docs(path: Path, limit: int, seed: int) -> list[Doc]:
    """A seeded sample of ``limit`` synthetic resumes (``resumes.jsonl``) with their gold spans."""
    with Path(path).open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    random.Random(seed).shuffle(rows)
    out = []
    for r in rows[:limit]:
        spans = sorted((s["start"], s["end"]) for s in r["spans"])
        out.append(Doc(id=str(r["id"]), text=r["text"], spans=tuple(spans), source="synthetic"))
    return out


# ---- tagging and windows ---------------------------------------------------------------------------------
def bio_tags(offsets: Sequence[tuple[int, int]], spans: Sequence[tuple[int, int]]) -> list[int]:
    """Label ids per token: ``B`` on the first token overlapping a span, ``I`` on the following ones."""
    tags = [LABEL2ID["O"]] * len(offsets)
    if not spans:
        return tags
    spans = sorted(spans)
    k = 0
    prev_span = -1
    for i, (a, b) in enumerate(offsets):
        if a == b:
            continue
        while k < len(spans) and spans[k][1] <= a:
            k += 1
        if k < len(spans) and spans[k][0] < b:
            tags[i] = LABEL2ID["I-SKILL"] if prev_span == k else LABEL2ID["B-SKILL"]
            prev_span = k
    return tags


def windows_for(
    ids: Sequence[int],
    tags: Sequence[int] | None,
    *,
    window: int,
    stride: int,
    cls_id: int,
    sep_id: int,
) -> list[tuple[int, list[int], list[int]]]:
    """Cut a token sequence into overlapping windows: ``[(offset, input_ids, labels)]``.

    ``window`` counts the two special tokens; consecutive windows start ``stride`` tokens apart and the
    last window ends at the last token.
    """
    body = window - 2
    n = len(ids)
    starts = [0]
    while starts[-1] + body < n:
        starts.append(min(starts[-1] + stride, n - body))
    out = []
    for s in starts:
        chunk = list(ids[s : s + body])
        lab = list(tags[s : s + body]) if tags is not None else [IGNORE] * len(chunk)
        out.append((s, [cls_id, *chunk, sep_id], [IGNORE, *lab, IGNORE]))
    return out


def build_windows(
    docs: Iterable[Doc],
    tokenizer: Any,
    *,
    window: int = 256,
    stride: int = 192,
    max_windows_per_doc: int = 12,
    empty_keep: float = 1.0,
    seed: int = 0,
) -> list[Window]:
    """Tokenize docs (a ``tokenizers.Tokenizer`` without truncation) into labelled training windows.

    Args:
        max_windows_per_doc: cap for pathological long documents (a seeded sample of their windows is kept).
        empty_keep: probability to keep a window without any skill token.
    """
    rng = random.Random(seed)
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    out: list[Window] = []
    for doc in docs:
        enc = tokenizer.encode(doc.text, add_special_tokens=False)
        if not enc.ids:
            continue
        tags = bio_tags(enc.offsets, doc.spans)
        wins = windows_for(enc.ids, tags, window=window, stride=stride, cls_id=cls_id, sep_id=sep_id)
        if len(wins) > max_windows_per_doc:
            wins = sorted(rng.sample(wins, max_windows_per_doc), key=lambda w: w[0])
        for off, ids, labels in wins:
            if empty_keep < 1.0 and not any(x > 0 for x in labels) and rng.random() > empty_keep:
                continue
            out.append(Window(input_ids=ids, labels=labels, doc_id=doc.id, meta={"offset": off, "source": doc.source}))
    return out
