"""Hybrid skill extraction: learned spans (NER) + gazetteer hits -> :class:`ExtractResponse` (the v1 schema).

1. The NER model proposes spans (``careerready.models.ner``); each is linked to a catalog id through the
   alias index (``source="model"``), else through the nearest skill vector of the embeddings artifact when the
   cosine clears ``link_threshold`` (``source="embedding"``), else kept as an emerging skill with
   ``skill_id=None`` (``source="model"``; one entry per normalised surface).
2. Gazetteer mentions (``GazetteerExtractor.find_mentions``) that overlap a learned span are dropped; an
   unlinked learned span takes the id of the one gazetteer mention it overlaps ("EJB 3.0" over "EJB") or, when
   it overlaps several ("Python and Java"), is replaced by them. A gazetteer mention
   the model did not tag is kept when the context supports it: the model's skill probability over it is at least
   ``gazetteer_keep_prob`` (``skills_section_keep_prob`` inside a skills section; 0 keeps every such hit).
   Skills of the non-tech fields (health care, teaching, law, trades, ...: :func:`skill_group` ``field``), soft
   skills and languages (``soft``) and certifications (``cert``) have their own thresholds (``field_keep_prob``,
   ``soft_keep_prob``, ``cert_keep_prob``): the tagger learned from resumes that are mostly software and is
   unsure on a nurse's "wound care" where the taxonomy is not. A threshold left unset inherits the general one.
   Trusted skills (``trusted_skills``: catalog ids whose gazetteer hits the tagger missed were mostly right in
   labelled resumes and postings, learned by ``training.extractor.trust``) need only ``trusted_keep_prob``: the
   tagger, trained on resumes' skills sections, is unsure of a skill named in prose ("Manage the pipeline and
   forecasts in Salesforce") where the taxonomy's alias is reliable. On a *quiet* text (``HybridParams.quiet``: far
   fewer learned spans than gazetteer mentions, e.g. a truck driver's or an HR generalist's resume, which the tagger
   never learned to read) the gazetteer hits of work-field skills in work sections need only ``quiet_keep_prob``
   (:func:`quiet_counts`; docs/extraction.md "Round 6"); in a job posting (``document="posting"``) in any section,
   since a posting's "Requirements" or "What you will do" are not resume headers (docs/postings.md).
3. Sections, evidence sentence, years and negation come from the v1 helpers (``detect_sections`` and the
   extractor's annotation pass), and ``years_experience`` from ``pipelines.experience.estimate_years``, so both
   extractors describe a resume the same way.

The tuned thresholds travel with the NER artifact (``hybrid.json``; see ``NerModel.hybrid_params``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from careerready.core.observability import logger, text_fingerprint
from careerready.models.extractor import SECTION_BONUS, GazetteerExtractor, Mention, in_organisation_name
from careerready.pipelines.extraction import build_response, validate_text
from careerready.schemas.extraction import Document, ExtractedSkill, ExtractResponse, SkillMention, stated_years
from careerready.sections import detect_sections, section_starts
from careerready.text import normalize_alias

__all__ = [
    "DEFAULT_PARAMS",
    "FIELD_CATEGORIES",
    "QUIET_CATEGORIES",
    "QUIET_KEYS",
    "QUIET_SECTIONS",
    "SOFT_CATEGORIES",
    "HybridParams",
    "extract_hybrid",
    "hybrid_mentions",
    "quiet_counts",
]

_EMERGING = "~"

# Catalog categories of the non-tech fields' own taxonomies (data/taxonomy/*.yaml defaults). Not office-business
# (Excel, sales, recruiting) nor knowledge-areas (degree subjects): dotin's annotators rarely label those, and
# the folds showed trusting them costs precision (docs/extraction.md).
FIELD_CATEGORIES = frozenset(
    {"healthcare", "education", "legal", "trades", "hospitality", "business-services", "language-services"}
)
SOFT_CATEGORIES = frozenset({"soft-skills", "human-languages"})
_GROUP_PARAM = {"field": "field_keep_prob", "soft": "soft_keep_prob", "cert": "cert_keep_prob"}


def skill_group(skill: Any) -> str:
    """``cert``, ``field``, ``soft`` or ``tech`` for a catalog skill (``tech`` when unknown)."""
    if skill is None:
        return "tech"
    if skill.type == "certification":
        return "cert"
    if skill.category in FIELD_CATEGORIES:
        return "field"
    if skill.category in SOFT_CATEGORIES:
        return "soft"
    return "tech"


@dataclass(frozen=True)
class HybridParams:
    """Thresholds of the hybrid (tuned on the dotin train split by ``training.extractor.evaluate``)."""

    link_threshold: float = 0.85
    gazetteer_keep_prob: float = 0.2
    min_span_score: float = 0.0
    skills_section_keep_prob: float = 0.0
    field_keep_prob: float | None = None
    soft_keep_prob: float | None = None
    cert_keep_prob: float | None = None
    #: ``field_keep_prob`` applies only in a text whose distinct gazetteer skills are at least this share
    #: field skills (a nurse's resume, not a developer's that mentions "translation" once); 0 = always.
    field_doc_share: float = 0.0
    #: Catalog ids whose gazetteer hits are kept at ``trusted_keep_prob`` (when set) whatever the thresholds above.
    trusted_skills: frozenset[str] = frozenset()
    trusted_keep_prob: float | None = None
    #: A text on which the tagger is quiet (fewer learned spans than ``quiet_ratio`` x its gazetteer mentions, and
    #: at least ``quiet_min_mentions`` of those) is outside what the tagger learned (a driver's or an HR person's
    #: resume): its low probabilities are no evidence against the gazetteer, whose hits of a work-field skill
    #: (:data:`QUIET_CATEGORIES`) in a work or skills section (:data:`QUIET_SECTIONS`) then need only
    #: ``quiet_keep_prob``. None = off.
    quiet_ratio: float | None = None
    quiet_keep_prob: float = 0.0
    quiet_min_mentions: int = 4

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> HybridParams:
        """Build from a ``hybrid.json`` mapping (unknown keys ignored, missing keys default)."""
        d = d or {}
        keys = (
            "link_threshold",
            "gazetteer_keep_prob",
            "min_span_score",
            "skills_section_keep_prob",
            "field_keep_prob",
            "soft_keep_prob",
            "cert_keep_prob",
            "field_doc_share",
        )
        floats: dict[str, Any] = {
            k: float(d[k])
            for k in (*keys, "trusted_keep_prob", "quiet_ratio", "quiet_keep_prob")
            if d.get(k) is not None
        }
        if d.get("quiet_min_mentions") is not None:
            floats["quiet_min_mentions"] = int(d["quiet_min_mentions"])
        return cls(**floats, trusted_skills=frozenset(str(x) for x in d.get("trusted_skills") or ()))

    def quiet(self, learned_spans: int, gazetteer_mentions: int) -> bool:
        """The tagger is quiet on a text: it tagged far fewer spans than the gazetteer found mentions."""
        return (
            self.quiet_ratio is not None
            and gazetteer_mentions >= self.quiet_min_mentions
            and learned_spans < self.quiet_ratio * gazetteer_mentions
        )

    def keep_prob(self, group: str, section: str, field_share: float = 1.0) -> float:
        """Tagger probability a gazetteer hit of a skill of ``group`` needs in ``section`` to be kept.

        ``field_share``: the share of the text's distinct gazetteer skills that are field skills. Field skills
        in the education section (degree subjects) keep the general thresholds.
        """
        if group == "field" and (section == "education" or field_share < self.field_doc_share):
            group = "tech"
        own = getattr(self, _GROUP_PARAM[group]) if group in _GROUP_PARAM else None
        if own is not None:
            return float(own)
        return self.skills_section_keep_prob if section == "skills" else self.gazetteer_keep_prob

    def keeps(self, mention: Mention, group: str, field_share: float, prob: float, quiet: bool = False) -> bool:
        """Whether a gazetteer ``mention`` the tagger did not tag is kept, the tagger's skill probability over it
        being ``prob``: its group's threshold, or ``trusted_keep_prob`` for a trusted skill; at most
        ``quiet_keep_prob`` when ``quiet`` (a quiet tagger's text, a mention :func:`quiet_counts` accepts)."""
        keep = self.keep_prob(group, mention.section, field_share)
        if quiet:
            keep = min(keep, self.quiet_keep_prob)
        if keep <= 0.0 or prob >= keep:
            return True
        return (
            self.trusted_keep_prob is not None
            and mention.skill_id in self.trusted_skills
            and prob >= self.trusted_keep_prob
        )


DEFAULT_PARAMS = HybridParams()
#: ``hybrid.json`` keys of the quiet-tagger rule (:meth:`HybridParams.quiet`).
QUIET_KEYS = ("quiet_ratio", "quiet_keep_prob", "quiet_min_mentions")
#: Sections where a quiet tagger's text keeps its gazetteer hits (``HybridParams.quiet_keep_prob``): what the person
#: did and lists, not headers, contact lines, degree subjects or text no section claims.
QUIET_SECTIONS = frozenset({"summary", "skills", "experience", "projects", "certifications"})
#: Catalog categories whose gazetteer hits a quiet tagger's text keeps: the work of every field and its office tools,
#: not the tech categories whose names are everyday words elsewhere (a chef's "Chef" is not the DevOps tool, a nurse's
#: "monitoring" not observability) nor languages ("Italian kitchens").
QUIET_CATEGORIES = FIELD_CATEGORIES | {"office-business", "erp-crm", "product-project", "certifications"}


def quiet_counts(mention: Mention, skill: Any, document: Document = "resume") -> bool:
    """A gazetteer ``mention`` of catalog ``skill`` that a quiet tagger's text keeps at ``quiet_keep_prob``.

    In a resume only in :data:`QUIET_SECTIONS`; in a posting in any section (its headers are not a resume's, and
    the posting role drops what its context sections name: ``careerready.pipelines.posting``)."""
    if getattr(skill, "category", None) not in QUIET_CATEGORIES:
        return False
    return document == "posting" or mention.section in QUIET_SECTIONS


@dataclass(slots=True)
class _Tagged:
    mention: Mention
    source: str
    confidence: float


def _link(
    surfaces: list[str], catalog: Any, embeddings: Any | None, threshold: float
) -> list[tuple[str | None, str, float]]:
    """``(skill_id | None, source, similarity)`` per surface: alias index first, then nearest skill vector."""
    out: list[tuple[str | None, str, float]] = []
    pending: list[int] = []
    for k, s in enumerate(surfaces):
        sid = catalog.alias_index.get(normalize_alias(s)) if catalog is not None else None
        if sid is not None and (catalog is None or sid in catalog.skills):
            out.append((sid, "model", 1.0))
        else:
            out.append((None, "model", 0.0))
            pending.append(k)
    if pending and threshold <= 1.0 and embeddings is not None and getattr(embeddings, "skills", None) is not None:
        vecs = np.asarray(embeddings.embed([surfaces[k] for k in pending]), dtype=np.float32)
        matrix = embeddings.skill_vectors
        ids = embeddings.skill_ids
        sims = vecs @ matrix.T
        best = sims.argmax(axis=1)
        for row, k in enumerate(pending):
            sim = float(sims[row, best[row]])
            sid = ids[int(best[row])]
            if sim >= threshold and (catalog is None or sid in catalog.skills):
                out[k] = (sid, "embedding", sim)
            else:
                out[k] = (None, "model", sim)
    return out


def hybrid_mentions(
    text: str,
    gazetteer_extractor: GazetteerExtractor,
    ner_model: Any,
    catalog: Any,
    embeddings: Any | None = None,
    params: HybridParams | None = None,
    document: Document = "resume",
) -> tuple[list[_Tagged], list[Any]]:
    """Annotated mentions of both extractors after the union rules, and the detected sections."""
    if params is None:
        params = HybridParams.from_dict(getattr(ner_model, "hybrid_params", None))
    sections = detect_sections(text)
    starts = section_starts(sections)
    gaz = gazetteer_extractor.find_mentions(text, sections, annotate=False)  # annotated below, with the spans
    pred = ner_model.predict(text)

    def sec_of(pos: int) -> tuple[str, int]:
        k = int(np.searchsorted(starts, pos, side="right")) - 1
        return (sections[k].name, sections[k].header_end) if k >= 0 else ("other", -1)

    spans = []
    for start, end, score in pred.spans:
        name, header_end = sec_of(start)
        if start < header_end or score < params.min_span_score:
            continue  # a header ("TECHNICAL SKILLS") is not a skill
        spans.append((start, end, score, name))
    links = _link([text[s:e] for s, e, _, _ in spans], catalog, embeddings, params.link_threshold)

    kept: list[_Tagged] = []
    gaz_starts = [m.start for m in gaz]
    used_gaz: set[int] = set()
    for (start, end, score, section), (sid, source, sim) in zip(spans, links, strict=True):
        lo = int(np.searchsorted(gaz_starts, start, side="left"))
        while lo > 0 and gaz[lo - 1].end > start:
            lo -= 1
        overlapping = [k for k in range(lo, len(gaz)) if gaz[k].start < end and gaz[k].end > start]
        if overlapping and sid is None and len(overlapping) > 1:
            used_gaz.update(overlapping)  # "Python and Java": the linked gazetteer mentions replace the span
            for k in overlapping:
                kept.append(_Tagged(gaz[k], "gazetteer", max(gaz[k].base_confidence, score)))
            continue
        if overlapping and sid is None:  # "EJB 3.0" over "EJB": the learned surface, the gazetteer's id
            sid, source = gaz[overlapping[0]].skill_id, "gazetteer"
        used_gaz.update(overlapping)  # the learned span replaces the gazetteer mentions it overlaps
        surface = text[start:end]
        key = sid if sid is not None else _EMERGING + normalize_alias(surface)
        conf = score * sim if source == "embedding" else score
        m = Mention(
            skill_id=key,
            start=start,
            end=end,
            text=surface,
            section=section,
            entry_key=normalize_alias(surface),
            base_confidence=conf,
        )
        kept.append(_Tagged(m, source, conf))
    groups = {m.skill_id: skill_group(catalog.skills.get(m.skill_id) if catalog is not None else None) for m in gaz}
    field_share = sum(g == "field" for g in groups.values()) / len(groups) if groups else 0.0
    quiet = params.quiet(len(spans), len(gaz))
    for k, m in enumerate(gaz):
        if k in used_gaz:
            continue
        relaxed = quiet and quiet_counts(m, catalog.skills.get(m.skill_id) if catalog is not None else None, document)
        if params.keeps(m, groups[m.skill_id], field_share, pred.span_prob(m.start, m.end), relaxed):
            kept.append(_Tagged(m, "gazetteer", m.base_confidence))
    kept.sort(key=lambda t: (t.mention.start, t.mention.end))
    dedup: list[_Tagged] = []
    for t in kept:  # the same gazetteer mention can stand in for two unlinked spans
        if dedup and (dedup[-1].mention.start, dedup[-1].mention.end) == (t.mention.start, t.mention.end):
            continue
        skill = catalog.skills.get(t.mention.skill_id) if catalog is not None else None
        if skill_group(skill) == "cert" and in_organisation_name(text, t.mention.start, t.mention.end):
            continue  # a learned span in an employer's name ("Lakeview CPA Group") is no credential either
        dedup.append(t)
    gazetteer_extractor.annotate(text, [t.mention for t in dedup])  # v1 sentence / years / negation
    return dedup, sections


def _group(tagged: list[_Tagged], catalog: Any, gazetteer_extractor: GazetteerExtractor) -> list[ExtractedSkill]:
    groups: dict[str, list[_Tagged]] = {}
    for t in tagged:
        groups.setdefault(t.mention.skill_id, []).append(t)
    out: list[ExtractedSkill] = []
    for key, ts in groups.items():
        ms = [t.mention for t in ts]
        primary_k = next((k for k, m in enumerate(ms) if not m.negated), 0)
        primary, primary_t = ms[primary_k], ts[primary_k]
        linked = not key.startswith(_EMERGING)
        name = type_ = category = None
        if linked:
            info = catalog.skills.get(key) if catalog is not None else None
            if info is not None:
                name, type_, category = info.name, info.type, info.category
            else:
                g = gazetteer_extractor.skills.get(key, {})
                name, type_, category = g.get("name"), g.get("type"), g.get("category")
        best = max(t.confidence + SECTION_BONUS.get(t.mention.section, 0.0) for t in ts)
        confidence = best + min(0.09, 0.03 * (len(ms) - 1))
        out.append(
            ExtractedSkill(
                text=primary.text,
                start=primary.start,
                end=primary.end,
                skill_id=key if linked else None,
                name=name,
                type=type_,
                category=category,
                confidence=round(min(0.99, max(0.05, confidence)), 3),
                section=primary.section,  # type: ignore[arg-type]
                sentence=primary.sentence,
                years=stated_years(ms),
                negated=all(m.negated for m in ms),
                source=primary_t.source,  # type: ignore[arg-type]
                mention_count=len(ms),
                mentions=[
                    SkillMention(
                        text=m.text,
                        start=m.start,
                        end=m.end,
                        section=m.section,  # type: ignore[arg-type]
                        years=m.years,
                        negated=m.negated,
                    )
                    for m in ms
                ],
            )
        )
    out.sort(key=lambda s: (s.mentions[0].start, s.skill_id or ""))
    return out


def extract_hybrid(
    text: str,
    gazetteer_extractor: GazetteerExtractor,
    ner_model: Any,
    catalog: Any,
    embeddings: Any | None = None,
    *,
    params: HybridParams | None = None,
    max_chars: int | None = None,
    as_of: date | None = None,
    document: Document = "resume",
) -> ExtractResponse:
    """Extract skills with the learned tagger and the gazetteer (same response as ``extract_skills``).

    Args:
        text: Resume text (every returned span indexes it exactly).
        gazetteer_extractor: The v1 extractor artifact.
        ner_model: A loaded :class:`careerready.models.ner.NerModel`.
        catalog: The :class:`~careerready.services.catalog.Catalog` (alias index, names, types).
        embeddings: Optional embeddings artifact; links spans the alias index does not know.
        params: Thresholds (default: the artifact's ``hybrid.json``, else :data:`DEFAULT_PARAMS`).
        max_chars: Overrides ``Settings.max_text_chars``.
        as_of: The date "present" in a work date range stands for (see ``build_response``).
        document: ``"posting"`` for a job posting (the quiet-tagger rule then reads every section).

    Raises:
        InvalidInputError, NoExtractableTextError, PayloadTooLargeError: see ``validate_text``.
    """
    text = validate_text(text, max_chars)
    t0 = time.perf_counter()
    tagged, sections = hybrid_mentions(text, gazetteer_extractor, ner_model, catalog, embeddings, params, document)
    skills = _group(tagged, catalog, gazetteer_extractor)
    response = build_response(text, skills, sections, as_of=as_of)
    logger.debug(
        "skills extracted (hybrid)",
        skills=len(skills),
        ms=round((time.perf_counter() - t0) * 1000, 2),
        text=text_fingerprint(text),
    )
    return response
