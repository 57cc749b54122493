"""Role labels for real resumes from dotin ``Designation`` spans.

Label rule (docs/role-matching.md): the label is the FIRST ``Designation`` span in the document
(lowest ``start``). dotin resumes are Indeed exports: the headline under the name is the current
title and the work history is newest first, so the first designation is the most recent one. It is
mapped to a catalog role with the project's :class:`~careerready.services.roles.RoleResolver`
(no embedding fallback); the label is kept only when the resolution is *confident*: an exact
match (id, title, alt title, normalised title), or a fuzzy match with ``confidence >= min_confidence``
and a lead of at least ``min_margin`` over the runner-up role. A ``generic`` resolution (a one-word title such
as "Manager" that heads several roles' titles and names none of them) is ``ambiguous``.

Leak removal: every ``Designation`` span is blanked (each character replaced by a space, line
breaks kept) so the ranking cannot read the answer; the text keeps its length and every offset.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from careerready.core.errors import InvalidInputError, RoleNotFoundError
from careerready.services.roles import RoleResolver

__all__ = [
    "DESIGNATION",
    "EXACT_METHODS",
    "LabelDecision",
    "decide_label",
    "designation_spans",
    "label_span",
    "mask_spans",
    "mask_text",
]

DESIGNATION = "Designation"
EXACT_METHODS = frozenset({"id", "title", "alt_title", "normalized"})
DEFAULT_MIN_CONFIDENCE = 0.7
DEFAULT_MIN_MARGIN = 0.1


@dataclass(frozen=True)
class LabelDecision:
    """What the label rule made of one resume.

    Attributes:
        resume_id: dotin id.
        designation: the chosen designation text ("" when the resume has none).
        role_id: the gold role, or None when excluded.
        method: resolver method ("" when excluded before resolution).
        confidence: resolver confidence (0 when unresolved).
        reason: ``ok`` or why the resume is excluded: ``no_designation``, ``unresolved``,
            ``low_confidence``, ``ambiguous``.
    """

    resume_id: str
    designation: str
    role_id: str | None
    method: str
    confidence: float
    reason: str
    #: every role claiming the designation exactly when several do (``RoleResolution.shared_by``), else empty
    shared_by: tuple[str, ...] = ()


def designation_spans(spans: Iterable[Mapping[str, Any]], label: str = DESIGNATION) -> list[dict[str, Any]]:
    """The spans with ``label``, in document order (by start, then end)."""
    out = [dict(s) for s in spans if s.get("label") == label]
    return sorted(out, key=lambda s: (int(s["start"]), int(s["end"])))


def label_span(spans: Iterable[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The span that gives the label: the first designation in the document, or None."""
    for span in designation_spans(spans):
        if str(span.get("text", "")).strip():
            return span
    return None


def _blank(chunk: str) -> str:
    return re.sub(r"[^\n]", " ", chunk)


def mask_spans(text: str, spans: Sequence[Mapping[str, Any]]) -> str:
    """Blank each span (characters -> spaces, line breaks kept); length and offsets are unchanged.

    Raises:
        InvalidInputError: a span lies outside the text.
    """
    chars = list(text)
    for s in spans:
        start, end = int(s["start"]), int(s["end"])
        if not 0 <= start <= end <= len(text):
            raise InvalidInputError(f"span [{start}, {end}) outside a text of {len(text)} characters", field="spans")
        chars[start:end] = _blank(text[start:end])
    return "".join(chars)


def mask_text(text: str, spans: Sequence[Mapping[str, Any]], *, repeats: bool = True) -> str:
    """Blank every designation span and, with ``repeats``, every other whole-word occurrence of its text.

    ``repeats`` also catches a title written again outside the annotated span (the annotators
    often marked only one of several copies), case-insensitively.
    """
    masked = mask_spans(text, spans)
    if not repeats:
        return masked
    phrases = sorted(
        {str(s["text"]).strip() for s in spans if str(s.get("text", "")).strip()}, key=lambda p: (-len(p), p)
    )
    for phrase in phrases:
        pattern = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, phrase.split())) + r"(?!\w)", re.IGNORECASE)
        masked = pattern.sub(lambda m: _blank(m.group(0)), masked)
    return masked


def decide_label(
    resume_id: str,
    spans: Iterable[Mapping[str, Any]],
    resolver: RoleResolver,
    *,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    min_margin: float = DEFAULT_MIN_MARGIN,
) -> LabelDecision:
    """Apply the label rule to one resume (see the module docstring)."""
    span = label_span(spans)
    if span is None:
        return LabelDecision(resume_id, "", None, "", 0.0, "no_designation")
    title = " ".join(str(span["text"]).split())
    try:
        res = resolver.resolve(title)
    except (RoleNotFoundError, InvalidInputError):
        return LabelDecision(resume_id, title, None, "", 0.0, "unresolved")
    if res.method in EXACT_METHODS:
        return LabelDecision(resume_id, title, res.role_id, res.method, res.confidence, "ok", res.shared_by)
    if res.method == "generic":  # "Manager": heads 51 roles' titles, names none of them
        return LabelDecision(resume_id, title, None, res.method, res.confidence, "ambiguous")
    if res.confidence < min_confidence:
        return LabelDecision(resume_id, title, None, res.method, res.confidence, "low_confidence")
    runner = res.runner_up.score if res.runner_up is not None else 0.0
    if res.confidence - runner < min_margin:
        return LabelDecision(resume_id, title, None, res.method, res.confidence, "ambiguous")
    return LabelDecision(resume_id, title, res.role_id, res.method, res.confidence, "ok")
