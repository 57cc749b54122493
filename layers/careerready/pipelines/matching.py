"""Role matching: per-skill status, a learned role-fit score, a text-based ranking score and the explanation.

Two numbers per role (docs/role-matching.md):

* ``score``: the role-fit score of the learned matcher over the held skills (``MATCH_FEATURES``). It
  answers "how far am I from this role" and drives readiness and gaps.
* ``rank_score``: how close the resume text is to the role: the TF-IDF cosine with the role's profile
  document (:class:`careerready.features.RoleTextIndex`) plus ``EMBEDDING_WEIGHT`` x the best MiniLM cosine
  of the text's first ``MAX_CHUNKS`` chunks with the role vector (when an embedder is loaded). It answers "which roles am I closest to": on real
  resumes it ranks the right role first far more often than the skill-fit score does. Only present
  when the caller passes the text; without it roles are ranked by ``score``.

Order: ``rank_score`` (when present), then ``score``, then role id (:func:`ranking_key`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from careerready.features import (
    HeldSkill,
    RoleFeatures,
    SkillSpace,
    built_once,
    compute_role_features,
    held_skills_from_extracted,
    role_text_index,
    skill_space_for,
    text_fits,
)
from careerready.models.gap_ranker import GapRanker
from careerready.models.matcher import Matcher
from careerready.pipelines.gaps import rank_gaps
from careerready.schemas.analysis import FeatureContribution, MatchExplanation, RoleMatch, SkillMatch
from careerready.services.catalog import Catalog, Role

__all__ = [
    "CHUNK_WORDS",
    "EMBEDDING_WEIGHT",
    "MAX_CHUNKS",
    "NO_CLOSE_MATCH",
    "RANK_CONFIDENCE",
    "SHARED_TERMS_SHOWN",
    "TextScores",
    "as_held",
    "match_role",
    "match_roles",
    "prepare_text_ranking",
    "ranking_confidence",
    "ranking_key",
    "text_similarities",
]

#: Shared terms named in the explanation of a text-ranked role.
SHARED_TERMS_SHOWN = 3
#: Weight of the embedding term in rank_score (TF-IDF term weight 1). Chosen on the selection half of the
#: dotin dev resumes among 0.05, 0.1, 0.2, 0.3, 0.5 (docs/role-matching.md); 0 = TF-IDF alone.
EMBEDDING_WEIGHT = 0.1
#: Words per resume chunk for the embedding term (MiniLM reads at most 256 tokens).
CHUNK_WORDS = 120
#: At most this many chunks (the first 360 words: headline, summary, latest roles) are embedded, so the term costs
#: <= 3 encoder runs (~35 ms each on this machine) whatever the resume length. Chosen on the selection half:
#: 1, 2, 3 chunks and all measured 53.8 / 56.4 / 59.0 / 59.0 % top-1 there (docs/role-matching.md).
MAX_CHUNKS = 3


#: Confidence that the best role of a no-role ranking is in the right SOC minor group:
#: sigmoid(a + b x best rank_score), fitted on the selection half of the labelled dotin resumes by
#: ``python -m training.eval.calibrate_ranking`` (report half: ECE 0.046, Brier 0.246 vs 0.253 for a constant rate;
#: docs/occupations.md). Below :data:`NO_CLOSE_MATCH` the answer says plainly that no catalog role is close.
RANK_CONFIDENCE = (-0.8957, 5.6382)
NO_CLOSE_MATCH = 0.5


def ranking_confidence(rank_score: float) -> float:
    """Calibrated confidence in [0, 1] that a best-ranked role (by ``rank_score``) is in the right SOC minor group."""
    a, b = RANK_CONFIDENCE
    return round(1.0 / (1.0 + math.exp(-(a + b * rank_score))), 4)


def as_held(skills: Iterable[Any] | Mapping[str, HeldSkill], catalog: Catalog) -> dict[str, HeldSkill]:
    """Accept held skills as a ``{id: HeldSkill}`` mapping or as extractor output."""
    if isinstance(skills, Mapping) and all(isinstance(v, HeldSkill) for v in skills.values()):
        return dict(skills)
    return held_skills_from_extracted(skills, catalog)


@dataclass(frozen=True)
class TextScores:
    """Per-role similarities of one resume text (every catalog role)."""

    rank: dict[str, float]  # the ranking score: (tfidf + EMBEDDING_WEIGHT x embedding) / (1 + EMBEDDING_WEIGHT)
    tfidf: dict[str, float]  # RoleTextIndex cosine
    embedding: dict[str, float] | None  # best chunk cosine with the role vector, clipped at 0; None without embedder


def _chunks(text: str) -> list[str]:
    words = text.split()[: CHUNK_WORDS * MAX_CHUNKS]
    return [" ".join(words[i : i + CHUNK_WORDS]) for i in range(0, len(words), CHUNK_WORDS)]


def _embedding_similarities(text: str, catalog: Catalog, embeddings: Any) -> dict[str, float] | None:
    """Best cosine between any ``CHUNK_WORDS``-word chunk of the text and each role vector (None without embedder)."""
    embed = getattr(embeddings, "embed", None)
    if embed is None or isinstance(embeddings, SkillSpace):
        return None
    role_ids, vectors = _role_vectors(catalog, embeddings)
    chunks = _chunks(text)
    if not chunks:
        return dict.fromkeys(role_ids, 0.0)
    chunk_vectors = np.asarray(embed(chunks), dtype=np.float64)
    out: dict[str, float] = {}
    for rid, vec in zip(role_ids, vectors, strict=True):
        best = 0.0 if vec is None else float(np.max(chunk_vectors @ vec))
        out[rid] = round(max(best, 0.0), 6)
    return out


def _role_vectors(catalog: Catalog, embeddings: Any) -> tuple[list[str], list[np.ndarray | None]]:
    """Every catalog role's unit vector (float64), sorted by role id; computed once per catalog + embeddings."""

    def build() -> tuple[list[str], list[np.ndarray | None]]:
        space = skill_space_for(catalog, embeddings)
        role_ids = sorted(catalog.roles)
        vectors = [space.role_vector(catalog.roles[r]) for r in role_ids]
        return role_ids, [None if v is None else np.asarray(v, dtype=np.float64) for v in vectors]

    return built_once("role_vectors", build, catalog, embeddings)


def prepare_text_ranking(catalog: Catalog, embeddings: Any = None) -> None:
    """Build now what the first ranking by text would build: the TF-IDF index, the role vectors, the encoder.

    For a process whose first request ranks roles by text (the event path: objects rarely name a role), so
    that work happens during init, overlapped with downloads still running, instead of in the first request.
    The results are the same either way (each is built once per catalog / embeddings object).
    """
    role_text_index(catalog)
    if getattr(embeddings, "embed", None) is not None and not isinstance(embeddings, SkillSpace):
        _role_vectors(catalog, embeddings)
        _ = embeddings.embedder


def text_similarities(text: str | None, catalog: Catalog, embeddings: Any = None) -> TextScores | None:
    """Similarities of ``text`` to every catalog role (None without text).

    Args:
        text: The resume text.
        catalog: Compiled catalog (the TF-IDF index is built once per catalog).
        embeddings: The embeddings artifact (with ``embed`` and role vectors) for the chunk term; None, a
            directory or a SkillSpace gives the TF-IDF term alone (``rank`` = ``tfidf``).
    """
    if text is None:
        return None
    tfidf = role_text_index(catalog).similarities(text)
    emb = _embedding_similarities(text, catalog, embeddings)
    if emb is None:
        return TextScores(dict(tfidf), tfidf, None)
    rank = {r: round((v + EMBEDDING_WEIGHT * emb.get(r, 0.0)) / (1.0 + EMBEDDING_WEIGHT), 6) for r, v in tfidf.items()}
    return TextScores(rank, tfidf, emb)


def ranking_key(score: float, rank_score: float | None, role_id: str) -> tuple[float, float, str]:
    """Sort key, best first: ``rank_score`` when present, then the fit ``score``, then role id (rounded values)."""
    return (-(score if rank_score is None else rank_score), -score, role_id)


def _explain(
    rf: RoleFeatures,
    role: Role,
    catalog: Catalog,
    score: float,
    matcher: Matcher | None,
    text_clause: str | None = None,
    skill_names: Mapping[str, str] | None = None,
) -> MatchExplanation:
    total = sum(s.importance for s in rf.statuses) or 1.0
    held = sorted((s for s in rf.statuses if s.credit > 0), key=lambda s: (-s.importance * s.credit, s.skill_id))
    missing = sorted(
        (s for s in rf.statuses if s.status in ("missing", "partial")),
        key=lambda s: (-(s.critical), -s.importance * (1 - s.credit), s.skill_id),
    )
    carried, cost = [s.skill_id for s in held[:5]], [s.skill_id for s in missing[:5]]

    def names(ids: list[str]) -> str:
        return ", ".join(_skill_name(i, catalog, skill_names) for i in ids[:3])

    n_exact = sum(s.status in ("exact", "alias") for s in rf.statuses)
    n_partial = sum(s.status == "partial" for s in rf.statuses)
    parts = [f"{role.title}: score {score:.2f}"]
    if text_clause:
        parts.append(text_clause)
    parts.append(f"{n_exact}/{len(rf.statuses)} required skills held")
    if n_partial:
        parts.append(f"{n_partial} partly covered by related skills")
    if carried:
        parts.append(f"carried by {names(carried)}")
    if cost:
        miss_crit = int(rf.values["missing_critical"])
        parts.append(f"held back by missing {names(cost)}" + (f" ({miss_crit} critical)" if miss_crit else ""))
    if rf.values["years_gap"] > 0:
        parts.append(f"{rf.years_experience:g} of {rf.min_years:g} years asked")
    contribs = []
    if matcher is not None:
        contribs = [
            FeatureContribution(feature=n, value=round(v, 6), weight=round(w, 6), contribution=round(c, 6))
            for n, v, w, c in matcher.contributions(rf.match)
        ]
    _ = total
    return MatchExplanation(summary="; ".join(parts) + ".", carried_by=carried, cost_by=cost, contributions=contribs)


def _skill_name(skill_id: str, catalog: Catalog, skill_names: Mapping[str, str] | None) -> str:
    """Display name: the inline role's own name for a skill the catalog lacks, else the catalog's, else the id."""
    if skill_names and skill_id in skill_names and skill_id not in catalog.skills:
        return skill_names[skill_id]
    return catalog.skills[skill_id].name if skill_id in catalog.skills else skill_id


def match_role(
    skills: Iterable[Any] | Mapping[str, HeldSkill],
    role: Role,
    catalog: Catalog,
    embeddings: Any,
    matcher: Matcher | None,
    years_experience: float | None = None,
    gap_ranker: GapRanker | None = None,
    top_gaps: int | None = None,
    text: str | None = None,
    similarities: TextScores | None = None,
    skill_names: Mapping[str, str] | None = None,
    text_fit: float | None = None,
) -> RoleMatch:
    """Match held skills against one role.

    Args:
        skills: Extractor output (ExtractedSkill list) or a ``{id: HeldSkill}`` mapping.
        role: Target role.
        catalog: Compiled catalog.
        embeddings: Embeddings wrapper / dir / SkillSpace / None (catalog relations only).
        matcher: Trained matcher; None scores by importance-weighted coverage with partial credit.
        years_experience: Years of experience (None: largest years stated per skill).
        gap_ranker: If given, gaps are ranked with it; otherwise by importance.
        top_gaps: Keep only the best k gaps.
        text: The resume text; gives ``rank_score`` and a text clause in the explanation (None: no rank_score).
        similarities: :func:`text_similarities` of ``text`` (the caller ranking many roles computes them once;
            None: computed here with ``embeddings``).
        skill_names: Names of skills the catalog lacks (an inline role's ``unlinked:`` skills).
        text_fit: The resume text's :func:`~careerready.features.text_fits` for this role (None: computed from
            ``text`` when given, else unknown).

    Returns:
        RoleMatch with score in [0, 1], rank_score (with text), per-skill status, ranked gaps and explanation.
    """
    held = as_held(skills, catalog)
    space = SkillSpace.from_embeddings(catalog, embeddings)
    sims = None
    if text is not None:
        sims = similarities if similarities is not None else text_similarities(text, catalog, embeddings)
        assert sims is not None
        if text_fit is None:  # the ranking's TF-IDF cosines give the fit too
            text_fit = text_fits(text, (role,), catalog, sims.tfidf)[role.id]
    rf = compute_role_features(held, role, space, years_experience, text_fit)
    score = matcher.predict(rf.match) if matcher is not None else rf.values["coverage_partial"]
    rank_score: float | None = None
    text_clause: str | None = None
    features = {**rf.values, "min_years": rf.min_years}  # min_years: the readiness reasons quote it
    if text is not None and sims is not None:
        rank_score = float(sims.rank.get(role.id, 0.0))
        features["text_similarity"] = float(sims.tfidf.get(role.id, 0.0))
        if sims.embedding is not None:
            features["text_embedding"] = float(sims.embedding.get(role.id, 0.0))
        terms = role_text_index(catalog).shared_terms(text, role.id, SHARED_TERMS_SHOWN)
        text_clause = f"resume text close to the role profile ({rank_score:.2f})" + (
            f", shared terms: {', '.join(terms)}" if terms else ""
        )
    total = sum(s.importance for s in rf.statuses) or 1.0
    skill_matches = [
        SkillMatch(
            skill_id=s.skill_id,
            name=_skill_name(s.skill_id, catalog, skill_names),
            importance=s.importance,
            critical=s.critical,
            status=s.status,  # type: ignore[arg-type]
            credit=s.credit,
            similarity=s.similarity,
            via_skill_id=s.via,
            evidence=s.evidence,
            years=s.years,
            contribution=round(s.importance * s.credit / total, 6),
        )
        for s in rf.statuses
    ]
    # top_gaps=0: the caller shows this role without its gaps (a closest role listed by name and reasons)
    gaps = [] if top_gaps == 0 else rank_gaps(rf, role, held, space, gap_ranker, top_k=top_gaps)
    if skill_names:
        gaps = [
            g
            if g.skill_id in catalog.skills
            else g.model_copy(update={"name": _skill_name(g.skill_id, catalog, skill_names)})
            for g in gaps
        ]
    return RoleMatch(
        role_id=role.id,
        title=role.title,
        score=round(score, 6),
        rank_score=None if rank_score is None else round(rank_score, 6),
        features=features,
        skills=skill_matches,
        gaps=gaps,
        explanation=_explain(rf, role, catalog, score, matcher, text_clause, skill_names),
    )


def match_roles(
    skills: Iterable[Any] | Mapping[str, HeldSkill],
    roles: Iterable[Role],
    catalog: Catalog,
    embeddings: Any,
    matcher: Matcher | None,
    years_experience: float | None = None,
    gap_ranker: GapRanker | None = None,
    text: str | None = None,
    similarities: TextScores | None = None,
    skill_names: Mapping[str, str] | None = None,
    fits: Mapping[str, float] | None = None,
) -> list[RoleMatch]:
    """Match against several roles, best first by :func:`ranking_key` (rank_score with text, else score).

    ``similarities``: :func:`text_similarities` of ``text`` if the caller has them (None: computed with ``embeddings``).
    ``skill_names``: names of skills the catalog lacks (an inline role's ``unlinked:`` skills).
    ``fits``: ``role_id -> text_fit`` (:func:`~careerready.features.text_fits`) when the caller has them.
    """
    held = as_held(skills, catalog)
    space = SkillSpace.from_embeddings(catalog, embeddings)
    sims = similarities if similarities is not None else text_similarities(text, catalog, embeddings)
    out = [
        match_role(
            held,
            r,
            catalog,
            space,
            matcher,
            years_experience,
            gap_ranker,
            text=text,
            similarities=sims,
            skill_names=skill_names,
            text_fit=None if fits is None else fits.get(r.id),
        )
        for r in roles
    ]
    return sorted(out, key=lambda m: ranking_key(m.score, m.rank_score, m.role_id))
