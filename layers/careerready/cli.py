"""``careerready`` command: analyse a resume file, or run extraction / role ranking over JSONL.

Usage::

    careerready analyze resume.pdf --role "Data Scientist" [--role "ML Engineer"] [--json]
    careerready analyze --input requests.jsonl --output analyses.jsonl
    careerready analyze resume.pdf --posting job-posting.txt [--role "Data Engineer"]
    careerready extract --input resumes.jsonl --output skills.jsonl
    careerready rank-roles --input resumes.jsonl --output roles.jsonl [--top 5]

Models are loaded once per command from the configured artifact source (``CAREERREADY_*``
settings; default ``artifacts/``). Batch input lines are ``{"id": ..., "text": ...}`` (``analyze`` also
takes ``"roles": [titles or ids]``, at most 5, none = rank every role, and answers the analyze response with
``"id"`` added and the analyses in the order the roles were given); a line that fails is written as
``{"id": ..., "line": n, "error": {"code", "message"}}`` (never dropped: N lines in, N lines out) and
counted on stderr. Exit status: 0 success, 1 a failure (analysis error or any failed line), 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import IO, Any

from careerready.core.config import env_var_name
from careerready.core.errors import CareerReadyError, InvalidInputError

__all__ = ["EXTRACT_FIELDS", "main", "render_analysis"]

EXTRACT_FIELDS = ("text", "start", "end", "skill_id", "name", "type", "confidence", "section", "years", "negated")
_EXIT_OK, _EXIT_FAILED, _EXIT_USAGE = 0, 1, 2


def _client() -> Any:
    from careerready.services.transport import InProcessTransport

    return InProcessTransport()


# ---- analyze ------------------------------------------------------------------------------------


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _render_posting(posting: Any, max_items: int) -> list[str]:
    years = "not stated" if posting.min_years is None else f"{posting.min_years:g}+ years ({posting.years_text})"
    lines = ["", f"Job posting: {posting.title} ({posting.chars} characters; experience asked: {years})"]
    labels = (
        ("required", "Required"),
        ("mentioned", "Mentioned in the duties"),
        ("preferred", "Nice to have"),
        ("context", "Not asked (context or negated)"),
    )
    for level, label in labels:
        group = [s for s in posting.skills if s.level == level]
        if not group:
            continue
        lines.append(f"  {label} ({len(group)}):")
        for s in group:
            flags = [] if s.linked else ["not in the taxonomy"]
            if s.critical:
                flags.append("critical")
            if not s.used:
                flags.append("not used")
            flag = f" [{', '.join(flags)}]" if flags else ""
            lines.append(f"    - {s.name}{flag} - {s.reason}")
    if posting.closest_roles:
        conf = "" if posting.closest_confidence is None else f" (confidence {posting.closest_confidence:.2f})"
        lines.append(f"  Closest catalog roles to the posting{conf}:")
        for r in posting.closest_roles[:max_items]:
            lines.append(f"    {r.rank_score or 0:.2f}  {r.title} ({r.role_id})")
    return lines


def render_analysis(result: Any, max_items: int = 8) -> str:
    """Readable text report of an :class:`~careerready.schemas.api.AnalysisResponse`."""
    lines: list[str] = []
    linked = [s for s in result.skills if s.skill_id and not s.negated]
    lines.append(f"Skills found ({len(linked)}):")
    for s in linked:
        extra = f", {s.years:g} y" if s.years else ""
        lines.append(f"  - {s.name} [{s.type}; {s.section}{extra}]")
    if result.years_experience is not None:
        used = [e for e in result.experience_evidence if e.used]
        present = result.as_of is not None and any(e.end_date == "present" for e in used)
        source = f" (from {'; '.join(e.text for e in used)}" + (f"; present = {result.as_of}" if present else "") + ")"
        lines.append(f"Experience: {result.years_experience:g} years" + (source if used else ""))
    if getattr(result, "posting", None) is not None:
        lines.extend(_render_posting(result.posting, max_items))
    if result.closest_roles:
        lines.append("")
        lines.append("Closest roles:")
        for r in result.closest_roles:
            lines.append(f"  {r.score:.2f}  {r.title} ({r.role_id})")
    for a in result.analyses:
        m = a.match
        lines.append("")
        lines.append(f"=== {m.title} ({m.role_id}) ===")
        if a.role.method == "posting":
            lines.append("  (the job posting, analysed as an ad-hoc role)")
        elif a.role.roles_sharing_title and a.role.runner_up is not None:
            lines.append(
                f"  ({a.role.roles_sharing_title} roles share the title '{a.role.query}': this one reads most like"
                f" the resume; next: {a.role.runner_up.title})"
            )
        elif a.role.method not in ("id", "title", "ranked"):
            lines.append(f"  ('{a.role.query}' resolved by {a.role.method}, confidence {a.role.confidence:.2f})")
        lines.append(f"Match: {m.score:.2f} - {m.explanation.summary}")
        probs = ", ".join(f"{k} {_pct(v)}" for k, v in sorted(a.readiness.probabilities.items(), key=lambda kv: -kv[1]))
        lines.append(f"Readiness: {a.readiness.label} ({probs})")
        for reason in a.readiness.reasons:
            lines.append(f"  - {reason.text}" if reason.supports else f"  - weighing the other way: {reason.text}")
        if m.gaps:
            lines.append("Top gaps:")
            for g in m.gaps[:max_items]:
                flag = " (critical)" if g.critical else ""
                why = f" - {'; '.join(g.reasons)}" if g.reasons else ""
                lines.append(f"  {g.rank}. {g.name}{flag}, ~{g.learning_hours:g} h{why}")
        if a.resources:
            lines.append("Top resources:")
            for r in a.resources[:max_items]:
                cost = "free" if r.free else "paid"
                lines.append(f"  - {r.title} ({r.provider}, {r.level}, {r.hours:g} h, {cost}) {r.url}")
        elif a.resources_note:
            lines.append(f"Learning resources: {a.resources_note}")
        rm = a.roadmap
        if rm.steps:
            if rm.weeks_to_ready is None:
                ready = "the plan does not reach industry-ready"
            elif rm.hours_to_ready == 0:
                ready = "already industry-ready"
            else:
                ready = f"industry-ready after ~{rm.weeks_to_ready:g} weeks"
            lines.append(f"Roadmap ({rm.total_hours:g} h at {rm.hours_per_week:g} h/week; {ready}):")
            for step in rm.steps[: max_items * 2]:
                mark = " <- industry-ready" if step.reaches_industry_ready else ""
                # say plainly when no curated resource teaches the skill yet (never an invented link)
                where = "" if step.resource_ids else "; no curated resource yet"
                lines.append(
                    f"  {step.order}. {step.name} [{step.kind}] {step.hours:g} h, by week {step.week_end:g}{where}{mark}"
                )
    lines.append("")
    versions = ", ".join(f"{k} {v}" for k, v in result.model_versions.items())
    lines.append(f"models: {versions}; {result.timings_ms.get('total', 0):.0f} ms")
    return "\n".join(lines)


def _parse_roles(n: int, record: dict[str, Any]) -> list[str] | None:
    roles = record.get("roles")
    if roles is None:
        return None
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise InvalidInputError(f"line {n}: 'roles' must be a list of role titles or ids", field="roles", line=n)
    return roles


def _cmd_analyze_batch(args: argparse.Namespace) -> int:
    """``{id, text, roles}`` per line -> the analyze response + ``id`` per line; models load once."""
    from careerready.services.analysis import analyze
    from careerready.services.stages import resolver_for

    inp, out = Path(args.input), Path(args.output)
    if not inp.is_file():
        print(f"error: no such file: {inp}", file=sys.stderr)
        return _EXIT_USAGE
    client = _client()
    match_models = client.models("match")
    for stage in ("extract", "readiness", "recommend"):
        client.models(stage)  # load every model before the first line
    resolver = resolver_for(match_models.catalog, match_models.embeddings)
    ok = failed = 0
    t0 = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    with inp.open(encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
        for n, line in enumerate(src, 1):
            rid: Any = None
            try:
                if not line.strip():
                    raise InvalidInputError(f"line {n}: empty line", field="line", line=n)
                rid, text = _parse_line(n, line)
                roles = _parse_roles(n, json.loads(line))
                result = analyze(
                    text,
                    roles,
                    client,
                    catalog=match_models.catalog,
                    resolver=resolver,
                    years_experience=args.years,
                    hours_per_week=args.hours_per_week,
                    top_k_resources=args.resources,
                    keep_role_order=True,
                    as_of=args.as_of,
                )
                row = {"id": rid, **result.model_dump(mode="json")}
                ok += 1
            except CareerReadyError as exc:
                failed += 1
                error: dict[str, Any] = {"code": exc.code, "message": exc.message}
                if exc.details.get("nearest"):
                    error["nearest"] = exc.details["nearest"]
                row = {"id": rid, "line": n, "error": error}
                print(f"line {n} (id={rid!r}): {exc.code}: {exc.message}", file=sys.stderr)
            except Exception as exc:  # a bug must not lose the line either: record it and go on
                failed += 1
                row = {"id": rid, "line": n, "error": {"code": "internal_error", "message": type(exc).__name__}}
                print(f"line {n} (id={rid!r}): internal_error: {type(exc).__name__}: {exc}", file=sys.stderr)
            dst.write(json.dumps(row, ensure_ascii=False) + "\n")
    secs = time.perf_counter() - t0
    print(
        f"analyze: {ok + failed} in, {ok + failed} out ({ok} ok, {failed} failed), {secs:.2f} s -> {out}",
        file=sys.stderr,
    )
    return _EXIT_FAILED if failed else _EXIT_OK


def _cmd_analyze(args: argparse.Namespace) -> int:
    from careerready.core.config import get_settings
    from careerready.services.analysis import analyze
    from careerready.services.documents import DocumentLimits, document_to_text
    from careerready.services.stages import resolver_for

    if args.input or args.output:
        if not (args.input and args.output) or args.file or args.role:
            print(
                "error: batch mode takes --input and --output (roles per line), not a file or --role", file=sys.stderr
            )
            return _EXIT_USAGE
        return _cmd_analyze_batch(args)
    if not args.file:
        print("error: give a resume file, or --input and --output", file=sys.stderr)
        return _EXIT_USAGE
    settings = get_settings()
    path = Path(args.file)
    if not path.is_file():
        print(f"error: no such file: {path}", file=sys.stderr)
        return _EXIT_USAGE
    limits = DocumentLimits(max_bytes=settings.max_upload_bytes, max_chars=settings.max_text_chars)
    posting_path = Path(args.posting) if args.posting else None
    if posting_path is not None and not posting_path.is_file():
        print(f"error: no such file: {posting_path}", file=sys.stderr)
        return _EXIT_USAGE
    try:
        text = document_to_text(path.read_bytes(), None, path.name, limits)
        posting = None
        if posting_path is not None:
            # a posting file may be empty: analyze answers that with an error naming the posting, not the reader
            raw = posting_path.read_bytes()
            posting = document_to_text(raw, None, posting_path.name, limits) if raw.strip() else ""
        client = _client()
        match_models = client.models("match")
        result = analyze(
            text,
            args.role or None,
            client,
            catalog=match_models.catalog,
            resolver=resolver_for(match_models.catalog, match_models.embeddings),
            years_experience=args.years,
            hours_per_week=args.hours_per_week,
            top_k_resources=args.resources,
            posting=posting,
            as_of=args.as_of,
        )
    except CareerReadyError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.details.get("nearest"):
            titles = ", ".join(f"{c['title']} ({c['role_id']})" for c in exc.details["nearest"])
            print(f"nearest roles: {titles}", file=sys.stderr)
        return _EXIT_FAILED
    if args.json:
        print(result.model_dump_json(indent=2, exclude_none=False))
    else:
        print(render_analysis(result))
    return _EXIT_OK


# ---- batch commands -----------------------------------------------------------------------------


def _read_lines(fh: IO[str]) -> Iterator[tuple[int, str]]:
    for n, line in enumerate(fh, 1):
        if line.strip():
            yield n, line


def _parse_line(n: int, line: str) -> tuple[Any, str]:
    try:
        record = json.loads(line)
    except ValueError as exc:
        raise InvalidInputError(f"line {n}: invalid JSON ({exc.args[0]})", field="line", line=n) from exc
    if not isinstance(record, dict):
        raise InvalidInputError(f"line {n}: expected an object with id and text", field="line", line=n)
    if "id" not in record:
        raise InvalidInputError(f"line {n}: missing 'id'", field="id", line=n)
    text = record.get("text")
    if not isinstance(text, str):
        raise InvalidInputError(f"line {n}: 'text' must be a string", field="text", line=n)
    return record["id"], text


def _run_batch(args: argparse.Namespace, worker: Any, label: str) -> int:
    inp, out = Path(args.input), Path(args.output)
    if not inp.is_file():
        print(f"error: no such file: {inp}", file=sys.stderr)
        return _EXIT_USAGE
    ok = failed = 0
    t0 = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    with inp.open(encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
        for n, line in _read_lines(src):
            rid: Any = None
            try:
                rid, text = _parse_line(n, line)
                row = {"id": rid, **worker(text)}
                ok += 1
            except CareerReadyError as exc:
                failed += 1
                row = {"id": rid, "line": n, "error": {"code": exc.code, "message": exc.message}}
                print(f"line {n} (id={rid!r}): {exc.code}: {exc.message}", file=sys.stderr)
            dst.write(json.dumps(row, ensure_ascii=False) + "\n")
    secs = time.perf_counter() - t0
    print(f"{label}: {ok} ok, {failed} failed, {secs:.2f} s -> {out}", file=sys.stderr)
    return _EXIT_FAILED if failed else _EXIT_OK


def _cmd_extract(args: argparse.Namespace) -> int:
    from careerready.schemas.extraction import ExtractRequest
    from careerready.services import stages

    models = _client().models("extract")  # once per batch

    def worker(text: str) -> dict[str, Any]:
        resp = stages.extract(ExtractRequest(text=text), models)
        return {"skills": [{k: getattr(s, k) for k in EXTRACT_FIELDS} for s in resp.skills]}

    return _run_batch(args, worker, "extract")


def _cmd_rank_roles(args: argparse.Namespace) -> int:
    from careerready.schemas.analysis import MAX_MATCH_TEXT_CHARS, MatchRequest
    from careerready.schemas.extraction import ExtractRequest
    from careerready.services import stages
    from careerready.services.analysis import ranked_role

    client = _client()
    extract_models, match_models = client.models("extract"), client.models("match")
    role_ids = sorted(match_models.catalog.roles)
    if not role_ids:
        print("error: the catalog has no roles", file=sys.stderr)
        return _EXIT_FAILED

    def worker(text: str) -> dict[str, Any]:
        extracted = stages.extract(ExtractRequest(text=text), extract_models)
        req = MatchRequest(
            skills=extracted.skills,
            role_ids=role_ids,
            years_experience=extracted.years_experience,
            text=text[:MAX_MATCH_TEXT_CHARS],
        )
        # every role is ranked; only the best --top get the full match (with ~1,000 occupations that is the cost)
        matches = stages.match(req, match_models, top_n=args.top).matches
        return {"roles": [ranked_role(m).model_dump(mode="json") for m in matches[: args.top]]}

    return _run_batch(args, worker, "rank-roles")


def _date_arg(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="careerready", description="Career Readiness Analyzer command line.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("analyze", help="analyse one resume file (.txt, .pdf, .docx), or a JSONL batch")
    p.add_argument("file", nargs="?", default=None, help="resume file (omit with --input/--output)")
    p.add_argument("--input", default=None, help="batch: input JSONL ({id, text, roles} per line)")
    p.add_argument("--output", default=None, help="batch: output JSONL (the analyze response + id per line)")
    p.add_argument("--role", action="append", help="target role id or title (repeat to compare; none = rank all)")
    p.add_argument(
        "--posting", help="a job posting file (.txt, .pdf, .docx) to analyse against (alone or beside --role)"
    )
    p.add_argument("--years", type=float, default=None, help="years of experience (default: inferred)")
    p.add_argument(
        "--as-of",
        type=_date_arg,
        default=None,
        help="YYYY-MM-DD the resume is read as of: a job dated '2021 - Present' ends there (default: today, UTC)",
    )
    p.add_argument("--hours-per-week", type=float, default=10.0, help="study hours per week for the roadmap")
    p.add_argument("--resources", type=int, default=5, help="learning resources per role")
    p.add_argument("--json", action="store_true", help="print the full JSON response")
    p.set_defaults(func=_cmd_analyze)

    p = sub.add_parser("extract", help="extract skills from each {id, text} line of a JSONL file")
    p.add_argument("--input", required=True, help="input JSONL ({id, text} per line)")
    p.add_argument("--output", required=True, help="output JSONL ({id, skills} per line)")
    p.set_defaults(func=_cmd_extract)

    p = sub.add_parser("rank-roles", help="rank every catalog role for each {id, text} line")
    p.add_argument("--input", required=True, help="input JSONL ({id, text} per line)")
    p.add_argument("--output", required=True, help="output JSONL ({id, roles} per line, best first)")
    p.add_argument("--top", type=int, default=5, help="roles per line, best first (default 5; up to every role)")
    p.set_defaults(func=_cmd_rank_roles)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    # a person reads this output: model-loading INFO logs (JSON) stay off unless the level is set explicitly
    os.environ.setdefault(env_var_name("log_level"), "WARNING")
    args = _parser().parse_args(argv)
    if getattr(args, "top", 1) < 1:
        print("error: --top must be >= 1", file=sys.stderr)
        return _EXIT_USAGE
    try:
        return int(args.func(args))
    except CareerReadyError as exc:  # e.g. models missing at start-up
        print(f"error: {exc.message}", file=sys.stderr)
        return _EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
