"""The sample job postings (``data/samples/postings/``) analysed with a sample resume from the same field.

    PYTHONPATH=layers:. python -m training.eval.eval_postings [--runs 6]

Prints two markdown tables (docs/postings.md): per posting, the skills found by level, the unlinked ones kept, the
years asked, the closest catalog role with its calibrated confidence, and the resume's fit and readiness; then the
warm latency of ``analyze`` for one resume with a catalog role, the posting alone, and both (median of ``runs - 1``
runs after one warm-up). Uses the trained artifacts through the in-process transport.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from careerready.core.paths import DATA_DIR
from careerready.services.analysis import analyze
from careerready.services.transport import InProcessTransport

#: (sample resume, sample posting) from the same field
PAIRS: tuple[tuple[str, str], ...] = (
    ("priya-data-scientist", "data-engineer"),
    ("grace-registered-nurse", "registered-nurse"),
    ("maria-paralegal", "paralegal"),
    ("keisha-hr-generalist", "hr-generalist"),
)


def _read(name: str) -> str:
    return (DATA_DIR / "samples" / f"{name}.txt").read_text(encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.eval.eval_postings", description=__doc__)
    ap.add_argument("--runs", type=int, default=6, help="timed runs per request (the first is a warm-up)")
    args = ap.parse_args(argv)
    client = InProcessTransport()
    catalog = client.models("match").catalog
    print(
        "| posting | skills found | required (critical) | duties | nice to have | context | unlinked kept | "
        "years asked | closest catalog role (confidence) | resume | fit | readiness |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for resume, posting in PAIRS:
        result = analyze(_read(resume), None, client, catalog=catalog, posting=_read(f"postings/{posting}"))
        p = result.posting
        assert p is not None
        skills = p.skills

        def count(level: str, skills: Any = skills) -> int:
            return sum(s.level == level for s in skills)

        unlinked = ", ".join(s.name for s in skills if s.used and not s.linked)
        a = result.analyses[0]
        closest = f"{p.closest_roles[0].title} ({p.closest_confidence})" if p.closest_roles else "-"
        print(
            f"| {posting} | {len(skills)} | {count('required')} ({sum(s.critical for s in skills)}) | "
            f"{count('mentioned')} | {count('preferred')} | {count('context')} | {p.unlinked_count}"
            f"{f' ({unlinked})' if unlinked else ''} | {p.min_years} | {closest} | {resume} | {a.match.score:.2f} | "
            f"{a.readiness.label} |"
        )
    resume, posting = PAIRS[0]
    text, job = _read(resume), _read(f"postings/{posting}")
    print("\n| request | median | range |\n|---|---|---|")
    requests: tuple[tuple[str, list[str] | None, str | None], ...] = (
        ("role 'Data Engineer'", ["Data Engineer"], None),
        ("posting alone", None, job),
        ("posting + 'Data Engineer'", ["Data Engineer"], job),
    )
    for label, refs, posted in requests:
        ms = []
        for _ in range(max(args.runs, 2)):
            t0 = time.perf_counter()
            analyze(text, refs, client, catalog=catalog, posting=posted)
            ms.append((time.perf_counter() - t0) * 1000)
        warm = ms[1:]
        print(f"| {label} | {statistics.median(warm):.0f} ms | {min(warm):.0f}-{max(warm):.0f} ms |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
