"""Learned skill tagger served with onnxruntime + tokenizers + numpy only (no torch).

The artifact (``artifacts/ner/v<N>/``) holds ``model.onnx`` (a MiniLM BIO token classifier, inputs
``input_ids/attention_mask/token_type_ids`` [batch, seq], output ``logits`` [batch, seq, labels]),
``tokenizer.json`` and ``labels.json`` (``{labels: ["O", "B-SKILL", "I-SKILL"], window, stride}``).

Long texts are cut into overlapping windows of ``window`` tokens (special tokens included) that start
``stride`` tokens apart; a token seen by several windows gets the mean of their probabilities, so a skill
that straddles a window boundary comes out as one span. Spans are decoded from the per-token labels, then
snapped outward to whole words (no ``'ling'`` fragments) and stripped of outer punctuation; they index the
input exactly (``text[start:end]`` is the surface).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from careerready.core.errors import ArtifactIntegrityError, ArtifactNotFoundError

__all__ = ["HYBRID_FILE", "LABELS_FILE", "MODEL_FILE", "TOKENIZER_FILE", "NerModel", "NerPrediction", "load"]

MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
LABELS_FILE = "labels.json"
HYBRID_FILE = "hybrid.json"
DEFAULT_THREADS = 1
DEFAULT_BATCH = 8
_STRIP = " \t\r\n,;:!?()[]{}<>\"'`|•·*–—-=_~/\\\u00a0"
_TRAIL_DOT_OK = frozenset({"etc"})


def _is_word(ch: str) -> bool:
    return ch.isalnum()


@dataclass(frozen=True)
class NerPrediction:
    """Per-token skill probabilities of one text plus the decoded spans."""

    offsets: np.ndarray  # (n_tokens, 2) character offsets
    skill_prob: np.ndarray  # (n_tokens,) 1 - P(O)
    spans: list[tuple[int, int, float]]

    def span_prob(self, start: int, end: int) -> float:
        """Largest skill probability of a token inside ``[start, end)`` (0.0 when no token is inside)."""
        if not len(self.offsets):
            return 0.0
        lo = int(np.searchsorted(self.offsets[:, 1], start, side="right"))
        hi = int(np.searchsorted(self.offsets[:, 0], end, side="left"))
        if hi <= lo:
            return 0.0
        return float(self.skill_prob[lo:hi].max())


class NerModel:
    """BIO skill tagger over an ONNX token classifier (see the module docstring)."""

    def __init__(
        self,
        session: ort.InferenceSession,
        tokenizer: Tokenizer,
        labels: list[str],
        *,
        window: int = 256,
        stride: int = 192,
        batch_size: int = DEFAULT_BATCH,
        hybrid_params: dict[str, Any] | None = None,
        threshold: float = 0.5,
        model_file: str = MODEL_FILE,
    ) -> None:
        """Wrap a session, a tokenizer and the label list (prefer :func:`load`).

        Args:
            window: tokens per model call row, ``[CLS]`` and ``[SEP]`` included (>= 8).
            stride: distance between window starts (1 <= stride <= window - 2).
            batch_size: windows per onnxruntime call.
            hybrid_params: thresholds tuned for the hybrid pipeline (``hybrid.json``), if any.
            threshold: a token is inside a skill when its skill probability (1 - P(O)) reaches this value.
            model_file: name of the ONNX file the session runs (reported, e.g. ``model.int8.onnx``).
        """
        if window < 8 or not 1 <= stride <= window - 2:
            raise ArtifactIntegrityError(f"bad window geometry window={window} stride={stride}", file=LABELS_FILE)
        if labels[:1] != ["O"] or any(not (x.startswith("B-") or x.startswith("I-")) for x in labels[1:]):
            raise ArtifactIntegrityError(f"labels must be O then B-/I- tags, got {labels}", file=LABELS_FILE)
        self._session = session
        self._tokenizer = tokenizer
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()
        self.labels = list(labels)
        self._begin = np.array([x.startswith("B-") for x in labels])
        self._inside = np.array([x.startswith("I-") for x in labels])
        self.window = window
        self.stride = stride
        self.batch_size = max(1, batch_size)
        self._input_names = [i.name for i in session.get_inputs()]
        cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
        if cls_id is None or sep_id is None:
            raise ArtifactIntegrityError("tokenizer lacks [CLS]/[SEP]", file=TOKENIZER_FILE)
        self._cls: int = cls_id
        self._sep: int = sep_id
        self._lock = threading.Lock()
        self.hybrid_params: dict[str, Any] = dict(hybrid_params or {})
        self.threshold = float(threshold)
        self.model_file = model_file

    # ---- public API ------------------------------------------------------------------------------
    def predict_spans(self, text: str) -> list[tuple[int, int, float]]:
        """Skill spans ``(start, end, score)`` in text order; ``text[start:end]`` is the surface.

        ``score`` is the mean skill probability (1 - P(O)) of the span's tokens.
        """
        return self.predict(text).spans

    def predict(self, text: str) -> NerPrediction:
        """Token probabilities and decoded spans of one text (empty for text without tokens)."""
        offsets, probs = self.token_probs(text)
        return self.decode(text, offsets, probs)

    def token_probs(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """``(offsets (n, 2), label probabilities (n, labels))`` of the text's word pieces."""
        enc = self._tokenizer.encode(text, add_special_tokens=False)
        ids = np.asarray(enc.ids, dtype=np.int64)
        offsets = np.asarray(enc.offsets, dtype=np.int64).reshape(-1, 2)
        if not len(ids):
            return offsets, np.zeros((0, len(self.labels)), dtype=np.float64)
        return offsets, self._token_probs(ids)

    def decode(
        self, text: str, offsets: np.ndarray, probs: np.ndarray, threshold: float | None = None
    ) -> NerPrediction:
        """Spans from token probabilities (``threshold`` overrides the model's skill-probability threshold)."""
        if not len(offsets):
            return NerPrediction(offsets=offsets, skill_prob=np.zeros(0, dtype=np.float32), spans=[])
        t = self.threshold if threshold is None else threshold
        skill_prob = (1.0 - probs[:, 0]).astype(np.float32)
        begin = probs[:, self._begin].sum(axis=1)
        inside = probs[:, self._inside].sum(axis=1)
        # 0 = outside, 1 = begins a span, 2 = continues one
        labels = np.where(skill_prob >= t, np.where(begin >= inside, 1, 2), 0)
        spans = self._decode(text, offsets, labels, skill_prob)
        return NerPrediction(offsets=offsets, skill_prob=skill_prob, spans=spans)

    # ---- inference -------------------------------------------------------------------------------
    def window_starts(self, n_tokens: int) -> list[int]:
        """Start token of each window for a text of ``n_tokens`` tokens (see :meth:`window_spans`)."""
        return [s for s, _ in self.window_spans(n_tokens)]

    def window_spans(self, n_tokens: int) -> list[tuple[int, int]]:
        """``(start, length)`` of each window's body (``length <= window - 2``) covering ``n_tokens`` tokens.

        Overlapping geometry (``stride < window - 2``): windows start ``stride`` apart and the last one ends at
        the last token. Disjoint geometry (``stride >= window - 2``): the text is cut into the fewest windows
        that fit, of equal length, so no token is computed twice (a 260-token text is 2 x 130, not 2 x 254).
        """
        body = self.window - 2
        if self.stride >= body:
            k = max(1, -(-n_tokens // body))
            size = -(-n_tokens // k)
            return [(s, min(size, n_tokens - s)) for s in range(0, max(n_tokens, 1), max(size, 1))]
        starts = [0]
        while starts[-1] + body < n_tokens:
            starts.append(min(starts[-1] + self.stride, n_tokens - body))
        return [(s, min(body, n_tokens - s)) for s in starts]

    def _token_probs(self, ids: np.ndarray) -> np.ndarray:
        n = len(ids)
        spans = self.window_spans(n)
        total = np.zeros((n, len(self.labels)), dtype=np.float64)
        count = np.zeros(n, dtype=np.float64)
        for b in range(0, len(spans), self.batch_size):
            group = spans[b : b + self.batch_size]
            width = max(k for _, k in group) + 2
            batch = np.zeros((len(group), width), dtype=np.int64)
            mask = np.zeros((len(group), width), dtype=np.int64)
            for r, (s, k) in enumerate(group):
                chunk = ids[s : s + k]
                batch[r, 0] = self._cls
                batch[r, 1 : k + 1] = chunk
                batch[r, k + 1] = self._sep
                mask[r, : k + 2] = 1
            feeds = {"input_ids": batch, "attention_mask": mask, "token_type_ids": np.zeros_like(batch)}
            with self._lock:
                logits = self._session.run(None, {k: v for k, v in feeds.items() if k in self._input_names})[0]
            logits = logits.astype(np.float64)
            logits -= logits.max(axis=-1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=-1, keepdims=True)
            for r, (s, k) in enumerate(group):
                total[s : s + k] += p[r, 1 : k + 1]
                count[s : s + k] += 1.0
        return total / count[:, None]

    # ---- decoding --------------------------------------------------------------------------------
    def _decode(
        self, text: str, offsets: np.ndarray, labels: np.ndarray, skill_prob: np.ndarray
    ) -> list[tuple[int, int, float]]:
        raw: list[list[int]] = []  # [first_token, last_token]
        cur: list[int] | None = None
        for i, lab in enumerate(labels.tolist()):
            if lab == 1:
                if cur is not None:
                    raw.append(cur)
                cur = [i, i]
            elif lab == 2:
                if cur is None:
                    cur = [i, i]
                else:
                    cur[1] = i
            elif cur is not None:
                raw.append(cur)
                cur = None
        if cur is not None:
            raw.append(cur)
        spans: list[list[Any]] = []
        for a, b in raw:
            start, end = int(offsets[a, 0]), int(offsets[b, 1])
            start, end = _snap(text, start, end)
            if end <= start:
                continue
            score = float(skill_prob[a : b + 1].mean())
            if spans and (start < spans[-1][1] or _glued(text, spans[-1][1], start) or start == spans[-1][1]):
                prev = spans[-1]
                prev[1] = max(prev[1], end)
                prev[2] = max(prev[2], score)
                continue
            spans.append([start, end, score])
        out: list[tuple[int, int, float]] = []
        for s, e, sc in spans:
            out.extend((a, b, round(float(sc), 4)) for a, b in _split_list(text, int(s), int(e)))
        return out


def _snap(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow ``[start, end)`` to whole words, then strip outer punctuation and spaces.

    Attached skill punctuation is kept: a leading dot (``.NET``) and trailing ``+``/``#`` (``C++``, ``C#``).
    """
    while start > 0 and _is_word(text[start - 1]) and (_is_word(text[start]) or text[start] in "+#"):
        start -= 1  # a word cut in two, or "C" + "++" when only the "++" pieces were tagged
    while end < len(text) and _is_word(text[end]) and _is_word(text[end - 1]):
        end += 1
    while start < end and text[start] in _STRIP:
        start += 1
    while end > start and text[end - 1] in _STRIP:
        end -= 1
    # a trailing full stop ends the sentence unless it belongs to the token ("etc.")
    while end > start and text[end - 1] == "." and not text[start : end - 1].lower().endswith(tuple(_TRAIL_DOT_OK)):
        end -= 1
        while end > start and text[end - 1] in _STRIP:
            end -= 1
    if end <= start:
        return start, end
    if start > 0 and text[start - 1] == "." and (start == 1 or not _is_word(text[start - 2])):
        start -= 1  # ".NET"
    while (
        end < len(text)
        and text[end] in "+#"
        and _is_word(text[end - 1])
        or (end < len(text) and text[end] in "+#" and text[end - 1] in "+#")
    ):
        end += 1  # "C++", "C#"
    return start, end


# what separates two items of a list inside one decoded span: a comma or semicolon that is not a digit group
# ("1,000"), a pipe or bullet, or a blank line ("IBM WebSphere\n\nDatabases" is a list item, then a header)
_LIST_SEP_RE = re.compile(r"(?<!\d),|,(?!\d)|[;|\u2022\u00b7\u25aa\u25cf]|\n[ \t]*\n")


def _split_list(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` cut at list separators into snapped, non-empty parts (the span itself when there is none).

    The tagger sometimes runs one span over several list items ("Python, Java"); each item is its own skill
    and is linked on its own.
    """
    parts: list[tuple[int, int]] = []
    pos = start
    for m in _LIST_SEP_RE.finditer(text, start, end):
        parts.append((pos, m.start()))
        pos = m.end()
    if not parts:
        return [(start, end)]
    parts.append((pos, end))
    out = []
    for a, b in parts:
        a, b = _snap_inside(text, a, b)
        if b > a:
            out.append((a, b))
    return out


def _snap_inside(text: str, start: int, end: int) -> tuple[int, int]:
    """Strip outer punctuation and spaces of a part of a span (never grow it past the span)."""
    while start < end and text[start] in _STRIP:
        start += 1
    while end > start and text[end - 1] in _STRIP:
        end -= 1
    return start, end


def _glued(text: str, a_end: int, b_start: int) -> bool:
    """True when two spans are one token split by the tagger: ``ASP`` + ``.`` + ``NET``, ``Node`` ``.js``."""
    gap = text[a_end:b_start]
    return 0 < len(gap) <= 1 and gap in ".-" and a_end > 0 and _is_word(text[a_end - 1]) and _is_word(text[b_start])


def load(
    artifact_dir: Path | str,
    *,
    intra_op_threads: int = DEFAULT_THREADS,
    model_file: str | None = None,
    stride: int | None = None,
    threshold: float | None = None,
) -> NerModel:
    """Loader for the ``ner`` artifact: ``model.onnx`` + ``tokenizer.json`` + ``labels.json``.

    Args:
        artifact_dir: the verified artifact directory.
        intra_op_threads: onnxruntime intra-op threads.
        model_file: ONNX file to serve (default: ``labels.json`` ``serve``, else ``model.onnx``;
            ``model.int8.onnx`` is the quantised copy).
        stride: window stride override (default: ``labels.json``).
        threshold: skill-probability threshold override (default: ``labels.json``, else 0.5).

    Raises:
        ArtifactNotFoundError: a file is missing.
        ArtifactIntegrityError: labels.json is malformed.
    """
    root = Path(artifact_dir)
    for name in (TOKENIZER_FILE, LABELS_FILE):
        if not (root / name).is_file():
            raise ArtifactNotFoundError(f"ner file missing: {name}", path=str(root / name))
    try:
        meta = json.loads((root / LABELS_FILE).read_text(encoding="utf-8"))
        labels = [str(x) for x in meta["labels"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise ArtifactIntegrityError(f"bad {LABELS_FILE}: {exc}", file=LABELS_FILE) from exc
    model_file = model_file or str(meta.get("serve", MODEL_FILE))
    if not (root / model_file).is_file():
        raise ArtifactNotFoundError(f"ner file missing: {model_file}", path=str(root / model_file))
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = max(1, int(intra_op_threads))
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3
    session = ort.InferenceSession(str(root / model_file), sess_options=opts, providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(str(root / TOKENIZER_FILE))
    hybrid: dict[str, Any] = {}
    if (root / HYBRID_FILE).is_file():
        try:
            hybrid = {
                str(k): [str(x) for x in v] if isinstance(v, list) else float(v)  # lists: trusted_skills ids
                for k, v in json.loads((root / HYBRID_FILE).read_text("utf-8")).items()
            }
        except (ValueError, TypeError, AttributeError) as exc:
            raise ArtifactIntegrityError(f"bad {HYBRID_FILE}: {exc}", file=HYBRID_FILE) from exc
    return NerModel(
        session,
        tokenizer,
        labels,
        window=int(meta.get("window", 256)),
        stride=int(stride if stride is not None else meta.get("stride", 192)),
        hybrid_params=hybrid,
        threshold=float(threshold if threshold is not None else meta.get("threshold", 0.5)),
        model_file=model_file,
    )
