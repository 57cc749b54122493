"""Deterministic benchmark resumes in three sizes (~150, ~500 and ~1,500 words).

Built with the synthetic generator (``training.synth``) from the compiled catalog (the ``catalog``
artifact or ``build/catalog``), same seed -> same texts. The generator writes at most ~1,400 words, so
a long resume is a long synthetic resume followed by the experience of same-role resumes until it
reaches the size, cut at a line end. Without a catalog the samples in ``data/samples/`` are used
(concatenated for the larger sizes) and the source says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.common import REPO_ROOT

__all__ = ["SIZES", "BenchResume", "find_catalog_dir", "make_resumes"]

SIZES: dict[str, int] = {"short": 150, "medium": 500, "long": 1500}
"""Size class -> target word count."""
SEED = 20261126
_TOLERANCE = 0.2


@dataclass(frozen=True)
class BenchResume:
    """One benchmark resume."""

    id: str
    size: str
    text: str
    role_id: str | None
    words: int


def find_catalog_dir() -> Path | None:
    """The compiled catalog to generate from (artifact first, then build/catalog), or None."""
    for cand in (REPO_ROOT / "artifacts" / "catalog" / "v1", REPO_ROOT / "build" / "catalog"):
        if (cand / "skills.jsonl").is_file() and (cand / "roles.json").is_file():
            return cand
    return None


def _cut(text: str, words: int) -> str:
    """Cut ``text`` at the first line end after ``words`` words."""
    out: list[str] = []
    count = 0
    for line in text.splitlines():
        out.append(line)
        count += len(line.split())
        if count >= words:
            break
    return "\n".join(out).strip() + "\n"


def _experience_part(text: str) -> str:
    lower = text.lower()
    for header in ("experience", "work history", "employment"):
        i = lower.find(header)
        if i >= 0:
            return text[i:]
    return text


def _from_synth(per_size: int, seed: int) -> tuple[list[BenchResume], str] | None:
    cat_dir = find_catalog_dir()
    if cat_dir is None:
        return None
    from training.synth.common import load_catalog
    from training.synth.generate import generate_people

    cat = load_catalog(cat_dir)
    people = generate_people(cat, seed, 400)
    records = [(p.record["id"], p.record["text"], p.record["role_id"]) for p in people]
    out: list[BenchResume] = []
    for size, target in SIZES.items():
        if size == "long":
            continue
        lo, hi = target * (1 - _TOLERANCE), target * (1 + _TOLERANCE)
        picked = [r for r in records if lo <= len(r[1].split()) <= hi][:per_size]
        out += [BenchResume(f"{rid}-{size}", size, text, role, len(text.split())) for rid, text, role in picked]
    longest = sorted(records, key=lambda r: (-len(r[1].split()), r[0]))[:per_size]
    by_role: dict[str, list[str]] = {}
    for _, text, role in records:
        by_role.setdefault(role, []).append(text)
    for rid, text, role in longest:
        body = text
        donors = [t for t in by_role.get(role, []) if t != text] + [t for _, t, _ in records if t != text]
        for donor in donors:
            if len(body.split()) >= SIZES["long"]:
                break
            body = body.rstrip() + "\n\n" + _experience_part(donor)
        body = _cut(body, SIZES["long"])
        out.append(BenchResume(f"{rid}-long", "long", body, role, len(body.split())))
    return out, f"training.synth seed={seed} catalog={cat_dir.relative_to(REPO_ROOT)}"


def _from_samples(per_size: int) -> tuple[list[BenchResume], str]:
    samples = sorted((REPO_ROOT / "data" / "samples").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in samples]
    if not texts:
        raise FileNotFoundError("no catalog to generate resumes from and no data/samples/*.txt")
    out: list[BenchResume] = []
    for size, target in SIZES.items():
        for i in range(min(per_size, len(texts))):
            body = ""
            j = i
            while len(body.split()) < target * (1 - _TOLERANCE):
                body += texts[j % len(texts)] + "\n"
                j += 1
            body = _cut(body, target)
            out.append(BenchResume(f"sample{i}-{size}", size, body, None, len(body.split())))
    return out, "data/samples (concatenated)"


def make_resumes(per_size: int = 10, seed: int = SEED) -> tuple[list[BenchResume], str]:
    """``per_size`` resumes of each size class and a description of their source."""
    got = _from_synth(per_size, seed)
    if got is not None and all(any(r.size == s for r in got[0]) for s in SIZES):
        return got
    return _from_samples(per_size)
