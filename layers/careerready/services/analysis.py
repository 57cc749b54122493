"""The analyze orchestrator: extract -> match -> readiness (per role) -> recommend + roadmap (per role).

Stages are reached through a :class:`~careerready.services.transport.StageClient`, so the same code
runs in one process or fans out to the stage Lambdas. Role references may be ids or free-text
titles; with none, every catalog role is ranked, the best one is analysed and the closest roles are
listed.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

from careerready.core.config import LIMITS
from careerready.core.errors import ConfigError, InvalidInputError, PayloadTooLargeError
from careerready.features import READINESS_FEATURES, text_fits
from careerready.pipelines.matching import NO_CLOSE_MATCH, ranking_confidence
from careerready.pipelines.posting import PostingRole, posting_role
from careerready.pipelines.readiness import facts_from_match
from careerready.schemas.analysis import (
    MAX_MATCH_TEXT_CHARS,
    InlineRole,
    MatchResponse,
    ReadinessResponse,
    RecommendResponse,
    RoleMatch,
)
from careerready.schemas.api import (
    MAX_ROLES_PER_ANALYSIS,
    AnalysisResponse,
    PostingAnalysis,
    RankedRole,
    RoleAnalysis,
    RoleCandidateInfo,
    RoleResolutionInfo,
    SourceInfo,
)
from careerready.schemas.extraction import ExtractResponse
from careerready.services.catalog import Catalog
from careerready.services.roles import RoleCandidate, RoleResolution, RoleResolver, best_fitting, resolver_for
from careerready.services.transport import StageClient

__all__ = ["DEFAULT_CLOSEST", "analyze", "rank_roles", "ranked_role", "resolution_info"]

DEFAULT_CLOSEST = 5


class _Clock:
    """Per-stage wall time, summed over calls (thread-safe enough: one += per finished call)."""

    def __init__(self) -> None:
        self.ms: dict[str, float] = {}

    def call(self, client: StageClient, stage: str, payload: dict[str, Any]) -> dict[str, Any]:
        t0 = time.perf_counter()
        try:
            return client.call(stage, payload)
        finally:
            self.ms[stage] = self.ms.get(stage, 0.0) + (time.perf_counter() - t0) * 1000


def _pop_versions(body: dict[str, Any], into: dict[str, str]) -> dict[str, Any]:
    into.update({str(k): str(v) for k, v in (body.pop("model_versions", None) or {}).items()})
    body.pop("stage_ms", None)
    return body


def resolution_info(res: RoleResolution) -> RoleResolutionInfo:
    """API shape of a :class:`RoleResolution`."""
    runner = res.runner_up
    return RoleResolutionInfo(
        query=res.query,
        role_id=res.role_id,
        title=res.title,
        confidence=res.confidence,
        method=res.method,
        runner_up=RoleCandidateInfo(role_id=runner.role_id, title=runner.title, score=runner.score) if runner else None,
        roles_sharing_title=len(res.shared_by) or None,
    )


def choose_shared_titles(
    resolutions: Sequence[RoleResolution],
    skills: Sequence[Any],
    client: StageClient,
    text: str,
    years_experience: float | None = None,
    versions: dict[str, str] | None = None,
    catalog: Catalog | None = None,
) -> list[RoleResolution]:
    """Where several catalog roles share a title ("Teacher", "Lecturer", "Sales Associate"), the one this resume
    reads most like (the match stage's ``text_fit``; :func:`~careerready.services.roles.best_fitting`), with the
    next one as runner-up. Other resolutions pass through; a role chosen twice is kept once (first wins).

    With the ``catalog`` the fits are computed here (:func:`~careerready.features.text_fits`, the function the match
    stage uses, TF-IDF only): a generic title such as "Engineer" is shared by ~60 roles, and matching each one fully
    in the stage only to read its ``text_fit`` cost ~1 s."""
    out: list[RoleResolution] = []
    for res in resolutions:
        if len(res.shared_by) > 1:
            if catalog is not None:
                roles = [catalog.roles[r] for r in res.shared_by]
                fit = text_fits(text[:MAX_MATCH_TEXT_CHARS], roles, catalog)
                titles = {r.id: r.title for r in roles}
            else:
                matches = rank_roles(
                    skills, client, res.shared_by, years_experience, versions,
                    top_n=len(res.shared_by), text=text, rank_by_text=False, gaps_top=0,
                )  # fmt: skip
                fit = {m.role_id: float(m.features.get("text_fit", 0.0)) for m in matches}
                titles = {m.role_id: m.title for m in matches}
            best = best_fitting(res.shared_by, fit)
            second = best_fitting([r for r in res.shared_by if r != best], fit)
            res = res.choose(
                RoleCandidate(best, titles[best], round(fit.get(best, 0.0), 4)),
                RoleCandidate(second, titles[second], round(fit.get(second, 0.0), 4)),
            )
        if all(r.role_id != res.role_id for r in out):
            out.append(res)
    return out


def ranked_role(m: RoleMatch) -> RankedRole:
    """A match as a ranked role with its reasons (the explanation's clauses)."""
    clauses = [c.strip() for c in m.explanation.summary.rstrip(".").split(";") if c.strip()]
    return RankedRole(
        role_id=m.role_id, title=m.title, score=m.score, rank_score=m.rank_score, reasons=clauses[1:] or clauses
    )


def _held_skill_ids(extracted: ExtractResponse) -> list[str]:
    return sorted({s.skill_id for s in extracted.skills if s.skill_id and not s.negated})


def rank_roles(
    skills: Sequence[Any],
    client: StageClient,
    role_ids: Sequence[str],
    years_experience: float | None = None,
    versions: dict[str, str] | None = None,
    top_n: int | None = None,
    text: str | None = None,
    role: InlineRole | None = None,
    rank_by_text: bool = True,
    gaps_top: int | None = None,
) -> list[RoleMatch]:
    """Match extracted skills against ``role_ids`` through the match stage; best first.

    ``top_n``: only the best ``top_n`` roles come back fully matched (the stage ranks every role
    first, then builds per-skill detail and gaps for the shortlist only); None = all roles.
    ``text``: the resume text (cut to ``MAX_MATCH_TEXT_CHARS``); roles are then ranked by how close the
    text is to each role's profile (``rank_score``), else by the skill-fit ``score``.
    ``role``: an ad-hoc role (e.g. from a job posting) matched beside ``role_ids``; it travels inline to the stage.
    ``rank_by_text``: False = the text gives only the readiness feature ``text_fit``; roles are ordered by fit.
    ``gaps_top``: with ``top_n``, only the best ``gaps_top`` roles come back with ranked gaps (None = all).
    """
    payload: dict[str, Any] = {
        "skills": [s.model_dump(mode="json") if hasattr(s, "model_dump") else s for s in skills],
        "role_ids": list(role_ids),
        "years_experience": years_experience,
    }
    if role is not None:
        payload["role"] = role.model_dump(mode="json")
    if text is not None:
        payload["text"] = text[:MAX_MATCH_TEXT_CHARS]
        if not rank_by_text:
            payload["rank_by_text"] = False
    if top_n is not None:
        payload["top_n"] = top_n
        if gaps_top is not None:
            payload["gaps_top"] = gaps_top
    body = _pop_versions(client.call("match", payload), versions if versions is not None else {})
    return MatchResponse.model_validate(body).matches


def analyze(
    text: str,
    role_refs: Sequence[str] | None,
    client: StageClient,
    *,
    catalog: Catalog | None = None,
    resolver: RoleResolver | None = None,
    years_experience: float | None = None,
    hours_per_week: float = 10.0,
    top_k_resources: int = 5,
    n_closest: int = DEFAULT_CLOSEST,
    request_id: str | None = None,
    include_text: bool = False,
    source: SourceInfo | None = None,
    keep_role_order: bool = False,
    posting: str | None = None,
    as_of: date | None = None,
) -> AnalysisResponse:
    """Run the whole analysis of one resume.

    Args:
        text: resume text.
        role_refs: role ids or titles (at most 5); None/empty ranks every catalog role and analyses the best.
        client: stage transport.
        catalog: the role catalog (needed to resolve titles here and to rank all roles).
        resolver: role resolver (default: :func:`careerready.services.roles.resolver_for` of ``catalog``).
        years_experience: years of experience (default: the extract stage's ``years_experience`` estimate;
            if that is None too, the match stage's per-skill fallback).
        hours_per_week: study hours per week for the roadmap.
        top_k_resources: resources per role.
        n_closest: how many closest roles to list when no role is given.
        request_id: correlation id (generated when None).
        include_text: echo ``text`` in the response.
        source: where the text came from (default: ``kind="text"``).
        keep_role_order: list the analyses in the order the roles were given (batch callers) instead of best
            first; ``best_role_id`` is the best either way.
        posting: a job posting to analyse against (alone or beside ``role_refs``): it is extracted by the
            same extract stage, turned into an ad-hoc role (:func:`careerready.pipelines.posting.posting_role`)
            that travels inline to the match and recommend stages, and ranked against the catalog (its closest
            roles). With a posting, the analysed roles are ordered by skill fit (``score``).
        as_of: the date the resume is read as of: a work date range ending in "present" ends there (default:
            today, UTC; the response's ``as_of`` says which).

    Returns:
        The analysis, best-matching role first (or in the given order with ``keep_role_order``).

    Raises:
        RoleNotFoundError: a reference resolves to no role (lists the nearest titles).
        InvalidInputError: too many roles; an empty posting, or one with no skill it asks for (field ``posting``).
        PayloadTooLargeError: a posting longer than ``LIMITS.max_posting_chars``.
        CareerReadyError: any stage error, with its own status.
    """
    t_start = time.perf_counter()
    request_id = request_id or uuid.uuid4().hex
    refs = [r for r in (role_refs or []) if r and r.strip()]
    if len(refs) > MAX_ROLES_PER_ANALYSIS:
        raise InvalidInputError(f"at most {MAX_ROLES_PER_ANALYSIS} roles per analysis", field="roles")
    if resolver is None and catalog is not None:
        resolver = resolver_for(catalog)  # built once per catalog, never per request
    # resolve before any model runs: an unknown role fails fast with its nearest titles
    resolutions = resolver.resolve_many(refs) if (refs and resolver is not None) else []
    if posting is not None:
        if not posting.strip():
            raise InvalidInputError("the job posting is empty", field="posting")
        if len(posting) > LIMITS.max_posting_chars:
            raise PayloadTooLargeError(
                f"the job posting has {len(posting)} characters; at most {LIMITS.max_posting_chars}",
                field="posting",
                limit=LIMITS.max_posting_chars,
            )
    if not refs and catalog is None and posting is None:
        raise ConfigError("ranking every role needs the catalog", field="catalog")

    clock = _Clock()
    versions: dict[str, str] = {}
    # "present" in a work date range ends at as_of; without one the extract stage reads it as its own today
    extract_options = {"as_of": as_of.isoformat()} if as_of is not None else {}
    built: PostingRole | None = None
    posting_closest: list[RankedRole] = []
    posting_confidence: float | None = None
    if posting is None:
        extracted = ExtractResponse.model_validate(
            _pop_versions(clock.call(client, "extract", {"text": text, **extract_options}), versions)
        )
    else:
        # the resume and the posting go through the same extract stage, side by side
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = [
                pool.submit(clock.call, client, "extract", {"text": t, **extract_options, **kind})
                for t, kind in ((text, {}), (posting, {"document": "posting"}))
            ]
            extracted, posting_extracted = (
                ExtractResponse.model_validate(_pop_versions(f.result(), versions)) for f in futures
            )
        built = posting_role(posting, posting_extracted.skills)

    if any(len(r.shared_by) > 1 for r in resolutions):
        resolutions = choose_shared_titles(
            resolutions,
            extracted.skills,
            client,
            text,
            extracted.years_experience if years_experience is None else years_experience,
            versions,
            catalog,
        )
    if built is not None and not refs:
        role_ids: list[str] = []
    elif refs:
        role_ids = [r.role_id for r in resolutions] if resolutions else refs
    else:
        assert catalog is not None
        role_ids = sorted(catalog.roles)
    if years_experience is None:
        # the caller gave none: use the extractor's deterministic estimate (None when the resume has no evidence)
        years_experience = extracted.years_experience
    t0 = time.perf_counter()
    # no role given: only the best role (analysed), its runner-up and the closest roles are reported,
    # so the stage fully matches just that shortlist
    top_n = None if (refs or built is not None) else max(n_closest, 2)
    # the text orders roles (rank_score) only when there is an order to find, not for one given role; an ad-hoc
    # role has no profile to rank the text against, so with a posting the roles are ordered by fit. It always
    # gives the readiness feature text_fit (how closely the resume reads like each role).
    rank_by_text = built is None and (not refs or len(role_ids) > 1)
    if built is None:
        # without a role only the best match is analysed (gaps -> roadmap); the rest are listed by name and reasons
        matches = rank_roles(
            extracted.skills,
            client,
            role_ids,
            years_experience,
            versions,
            top_n=top_n,
            text=text,
            rank_by_text=rank_by_text,
            gaps_top=None if top_n is None else 1,
        )
    else:
        adhoc = built.role
        posting_versions: dict[str, str] = {}
        with ThreadPoolExecutor(max_workers=2) as pool:
            resume_job = pool.submit(
                rank_roles, extracted.skills, client, role_ids, years_experience, versions, None, text, adhoc, False
            )
            # the posting's closest catalog roles: the posting ranked like a resume with no role given
            closest_job = (
                pool.submit(
                    rank_roles,
                    posting_extracted.skills,
                    client,
                    sorted(catalog.roles),
                    adhoc.min_years or None,
                    posting_versions,
                    n_closest,
                    posting,
                    None,
                    True,
                    0,  # the posting's closest roles are listed, not analysed: no gaps needed
                )
                if catalog is not None and catalog.roles
                else None
            )
            matches = resume_job.result()
            posting_matches = closest_job.result() if closest_job is not None else []
        versions.update(posting_versions)
        posting_closest = [ranked_role(m) for m in posting_matches[:n_closest]]
        if posting_matches and posting_matches[0].rank_score is not None:
            posting_confidence = ranking_confidence(posting_matches[0].rank_score)
    clock.ms["match"] = (time.perf_counter() - t0) * 1000

    closest: list[RankedRole] = []
    by_id = {r.role_id: resolution_info(r) for r in resolutions}
    if built is not None:
        by_id[built.role.id] = RoleResolutionInfo(
            query="posting", role_id=built.role.id, title=built.role.title, confidence=1.0, method="posting"
        )
    if refs or built is not None:
        analysed = matches
        infos = [
            by_id[m.role_id]
            if m.role_id in by_id
            else RoleResolutionInfo(query=m.role_id, role_id=m.role_id, title=m.title, confidence=1.0, method="id")
            for m in analysed
        ]
    else:
        analysed = matches[:1]
        closest = [ranked_role(m) for m in matches[:n_closest]]
        runner = matches[1] if len(matches) > 1 else None
        # with text, the confidence is calibrated on real resumes (pipelines/matching.ranking_confidence); below
        # NO_CLOSE_MATCH the best role is reported with a plain "no close match" reason, not presented as a fit
        confidence = analysed[0].score if analysed and analysed[0].rank_score is None else None
        if analysed and analysed[0].rank_score is not None:
            confidence = ranking_confidence(analysed[0].rank_score)
            if confidence < NO_CLOSE_MATCH and closest:
                note = f"no close match in the catalog (confidence {confidence:.2f} < {NO_CLOSE_MATCH:g})"
                closest[0] = closest[0].model_copy(update={"reasons": [note, *closest[0].reasons]})
        infos = [
            RoleResolutionInfo(
                query="",
                role_id=m.role_id,
                title=m.title,
                confidence=m.score if confidence is None else confidence,
                method="ranked",
                runner_up=RoleCandidateInfo(role_id=runner.role_id, title=runner.title, score=runner.score)
                if runner
                else None,
            )
            for m in analysed
        ]

    held = _held_skill_ids(extracted)

    def per_role(m: RoleMatch) -> tuple[ReadinessResponse, RecommendResponse, dict[str, str]]:
        local: dict[str, str] = {}
        feats = {k: float(m.features[k]) for k in READINESS_FEATURES if k in m.features}
        facts = facts_from_match(m, years_experience).model_dump(mode="json")
        ready = ReadinessResponse.model_validate(
            _pop_versions(clock.call(client, "readiness", {"features": feats, "facts": facts}), local)
        )
        years = years_experience if years_experience is not None else m.features.get("years_experience")
        # what the match found held (an ad-hoc role's unlinked skills too), so the roadmap starts from it
        held_here = sorted(set(held) | {s.skill_id for s in m.skills if s.status in ("exact", "alias")})
        rec_payload: dict[str, Any] = {
            "role_id": m.role_id,
            "held_skill_ids": held_here,
            "gaps": [g.model_dump(mode="json") for g in m.gaps],
            "years_experience": years,
            "hours_per_week": hours_per_week,
            "top_k": top_k_resources,
            "readiness_features": feats,
        }
        if built is not None and m.role_id == built.role.id:
            rec_payload["role"] = built.role.model_dump(mode="json")
        rec = RecommendResponse.model_validate(_pop_versions(clock.call(client, "recommend", rec_payload), local))
        return ready, rec, local

    if len(analysed) > 1:
        # per-role calls are independent: overlap them (matters when each is a Lambda round trip)
        with ThreadPoolExecutor(max_workers=min(len(analysed), 4)) as pool:
            results = list(pool.map(per_role, analysed))
    else:
        results = [per_role(m) for m in analysed]

    analyses: list[RoleAnalysis] = []
    for m, info, (ready, rec, local) in zip(analysed, infos, results, strict=True):
        versions.update(local)
        analyses.append(
            RoleAnalysis(
                role=info,
                match=m,
                readiness=ready,
                resources=rec.resources,
                resources_note=rec.resources_note,
                roadmap=rec.roadmap,
            )
        )
    best_role_id = analyses[0].match.role_id
    if keep_role_order and refs:
        given = {rid: i for i, rid in enumerate(role_ids)}
        analyses.sort(key=lambda a: given.get(a.match.role_id, len(given)))

    timings = {k: round(v, 3) for k, v in clock.ms.items()}
    timings["total"] = round((time.perf_counter() - t_start) * 1000, 3)
    return AnalysisResponse(
        request_id=request_id,
        model_versions=dict(sorted(versions.items())),
        transport=getattr(client, "name", type(client).__name__),
        timings_ms=timings,
        source=source or SourceInfo(kind="text", chars=len(text)),
        word_count=extracted.word_count,
        sections=extracted.sections,
        skills=extracted.skills,
        years_experience=years_experience,
        experience_evidence=extracted.experience_evidence,
        as_of=extracted.as_of,
        analyses=analyses,
        best_role_id=best_role_id,
        closest_roles=closest,
        text=text if include_text else None,
        posting=None
        if built is None
        else PostingAnalysis(
            **built.profile.model_dump(), closest_roles=posting_closest, closest_confidence=posting_confidence
        ),
    )
