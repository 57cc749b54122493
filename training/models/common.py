"""Shared plumbing for the four classical model trainers: CLI, data loading, held-out splits, features.

Training features are computed FROM THE RESUME TEXT through the extractor (the serving code path),
never from the generator's latent profiles. Until an extractor artifact exists the gold spans are
used instead (and the report says so).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from careerready.features import HeldSkill, RoleFeatures, SkillSpace, compute_role_features, held_skills_from_extracted
from careerready.services.catalog import Catalog

SEED = 20261126
TEST_FRACTION = 0.2
DEFAULT_EMBEDDINGS = Path("artifacts/embeddings/v1")
DEFAULT_EXTRACTOR = Path("artifacts/extractor/v1")


def base_parser(description: str, default_out: str) -> argparse.ArgumentParser:
    """The common CLI: --catalog --datasets --out --embeddings --extractor --seed."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--catalog", type=Path, default=Path("build/catalog"))
    p.add_argument("--datasets", type=Path, default=Path("build/datasets"))
    p.add_argument("--out", type=Path, default=Path(default_out))
    p.add_argument(
        "--embeddings", type=Path, default=DEFAULT_EMBEDDINGS, help="dir with skill_vectors.npy/skill_ids.json"
    )
    p.add_argument(
        "--extractor", type=Path, default=DEFAULT_EXTRACTOR, help="extractor artifact (gold spans if absent)"
    )
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--version", default=None, help="artifact version (default: name of --out)")
    return p


class Progress:
    """Timestamped progress lines on stdout."""

    def __init__(self, name: str) -> None:
        self.name, self.t0 = name, time.perf_counter()

    def __call__(self, msg: str) -> None:
        print(f"[{self.name} {time.perf_counter() - self.t0:6.1f}s] {msg}", flush=True)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Read a JSON-lines file."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def is_test(key: str, seed: int, fraction: float = TEST_FRACTION) -> bool:
    """Deterministic hash split: the same id always lands on the same side for a given seed."""
    h = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return int.from_bytes(h[:8], "big") / 2**64 < fraction


def dataset_refs(datasets: Path, names: Iterable[str]) -> dict[str, dict[str, str]]:
    """``{name: {version, sha256 of its manifest.json}}`` for the manifest's datasets section."""
    out: dict[str, dict[str, str]] = {}
    for name in names:
        m = datasets / name / "v1" / "manifest.json"
        if m.is_file():
            out[name] = {"version": "v1", "sha256": hashlib.sha256(m.read_bytes()).hexdigest()}
    return out


def load_space(catalog: Catalog, embeddings: Path | None) -> SkillSpace:
    """SkillSpace from the embeddings artifact dir (catalog relations only if absent)."""
    if embeddings is not None and (embeddings / "skill_vectors.npy").is_file():
        return SkillSpace.from_dir(catalog, embeddings)
    return SkillSpace(catalog)


def _section_of(resume: dict[str, Any], start: int) -> str | None:
    best = None
    for s in resume.get("sections") or []:
        if s.get("start", 0) <= start:
            best = s.get("section") or s.get("header")
    return best


class ResumeSkills:
    """Held skills of a synthetic resume: through the extractor artifact if present, else gold spans."""

    def __init__(self, catalog: Catalog, extractor_dir: Path | None) -> None:
        self.catalog = catalog
        self.extractor: Any = None
        self.source = "gold_spans"
        if extractor_dir is not None and (extractor_dir / "manifest.json").is_file():
            from careerready.models import extractor as extractor_mod  # type: ignore[attr-defined]

            self.extractor = extractor_mod.load(extractor_dir)
            self.source = f"extractor:{extractor_dir}"

    def held(self, resume: dict[str, Any]) -> dict[str, HeldSkill]:
        """``skill_id -> HeldSkill`` for one resume record."""
        if self.extractor is not None:
            return held_skills_from_extracted(self.extractor.extract(resume["text"]), self.catalog)
        mentions = [
            {
                "skill_id": sp.get("skill_id"),
                "section": _section_of(resume, sp["start"]),
                "text": sp.get("text"),
                "negated": sp.get("negated", False),
                "years": sp.get("years"),
            }
            for sp in resume.get("spans", [])
            if sp.get("skill_id") in self.catalog.skills
        ]
        return held_skills_from_extracted(mentions, self.catalog)


@dataclass
class PairFeatures:
    """Features of all requested (resume, role) pairs."""

    keys: list[tuple[str, str]]
    features: dict[tuple[str, str], RoleFeatures] = field(default_factory=dict)
    held: dict[str, dict[str, HeldSkill]] = field(default_factory=dict)

    def matrix(self, names: Sequence[str], keys: Sequence[tuple[str, str]] | None = None) -> np.ndarray:
        """Feature matrix in ``keys`` order."""
        ks = self.keys if keys is None else keys
        return np.array([[self.features[k].values[n] for n in names] for k in ks], dtype=np.float64)


def pair_features(
    pairs: Sequence[tuple[str, str]],
    resumes: dict[str, dict[str, Any]],
    catalog: Catalog,
    space: SkillSpace,
    skills: ResumeSkills,
    log: Progress | None = None,
) -> PairFeatures:
    """Compute RoleFeatures for every (resume_id, role_id) pair (held skills extracted once per resume)."""
    out = PairFeatures(keys=list(pairs))
    for i, (rid, role_id) in enumerate(pairs):
        if rid not in out.held:
            out.held[rid] = skills.held(resumes[rid])
        res = resumes[rid]
        years = res.get("years_experience")
        out.features[(rid, role_id)] = compute_role_features(
            out.held[rid], catalog.roles[role_id], space, None if years is None else float(years)
        )
        if log is not None and (i + 1) % 2000 == 0:
            log(f"features {i + 1}/{len(pairs)}")
    return out
