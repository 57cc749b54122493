"""Shared plumbing for the four classical model trainers: CLI, data loading, held-out splits, features.

Training features are computed FROM THE RESUME TEXT through the extraction serving runs, never from the
generator's latent profiles: the hybrid extractor (learned tagger + gazetteer linking,
``pipelines/hybrid_extraction.extract_hybrid``, exactly what the extract stage calls) when a ``ner``
artifact exists, else the gazetteer extractor, else (no extractor artifact at all) the gold spans; the
report says which (``metrics.features_from``).

The hybrid pass costs ~0.1 s per resume, so its output (skills + years per resume) is cached under
``build/cache/extracted/<key>.jsonl``; the key hashes the resumes file, the catalog, the extractor and ner
manifests and the extraction source files, so any change to them recomputes it. The three trainers share it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from careerready.features import (
    HeldSkill,
    RoleFeatures,
    SkillSpace,
    compute_role_features,
    held_skills_from_extracted,
    text_fits,
)
from careerready.pipelines.experience import estimate_years
from careerready.services.catalog import Catalog, Role

SEED = 20261126
TEST_FRACTION = 0.2
DEFAULT_EMBEDDINGS = Path("artifacts/embeddings/v1")
DEFAULT_EXTRACTOR = Path("artifacts/extractor/v1")
DEFAULT_NER = Path("artifacts/ner/v1")
DEFAULT_CACHE = Path("build/cache/extracted")
#: Fewer uncached texts than this are extracted in-process: below it, starting workers costs more than it saves.
PARALLEL_MIN_TEXTS = 64
#: The fitted training estimator (sklearn / xgboost) published beside the small serving export; serving never
#: reads it (``careerready.services.startup.NOT_SERVED``).
FITTED_FILE = "estimator.joblib"
#: Serving sources whose behaviour decides the extracted skills and years (part of the cache key).
_EXTRACTION_SOURCES = (
    "pipelines/hybrid_extraction.py",
    "pipelines/extraction.py",
    "pipelines/experience.py",
    "pipelines/sections.py",
    "models/ner.py",
    "models/extractor.py",
    "features.py",
    "text.py",
)


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
    p.add_argument(
        "--ner",
        type=Path,
        default=DEFAULT_NER,
        help="learned tagger artifact: features from the hybrid extraction as served (gazetteer alone if absent)",
    )
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="cache of the hybrid extraction per resume")
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


def _served_ner_manifest(path: Path) -> bytes:
    """A ner manifest's bytes without its Hugging Face checkpoint (``hf/`` files, ``hf_folder`` note): the folder
    changes nothing serving extracts, so publishing it in an artifact keeps the extraction cache (the bytes are the
    manifest's own when it has no ``hf/``)."""
    from training.artifacts import manifest_bytes

    manifest = json.loads(path.read_text(encoding="utf-8"))
    files = manifest.get("files", {})
    if "hf_folder" not in manifest and not any(rel.startswith("hf/") for rel in files):
        return path.read_bytes()
    manifest.pop("hf_folder", None)
    manifest["files"] = {rel: meta for rel, meta in files.items() if not rel.startswith("hf/")}
    return manifest_bytes(manifest)


class ResumeSkills:
    """Held skills of a synthetic resume, as serving extracts them (see the module docstring)."""

    def __init__(
        self,
        catalog: Catalog,
        extractor_dir: Path | None,
        ner_dir: Path | None = None,
        cache_dir: Path | None = None,
        catalog_dir: Path | None = None,
    ) -> None:
        """Load the extraction artifacts (and the cache) once.

        Args:
            catalog_dir: the folder ``catalog`` was loaded from: lets :meth:`prefill` start worker processes that
                load the same catalog (without it, prefill extracts in this process).
        """
        self.catalog = catalog
        self._dirs = (catalog_dir, extractor_dir, ner_dir)
        self.extractor: Any = None
        self.ner: Any = None
        self.source = "gold_spans"
        self._cache: dict[str, dict[str, Any]] = {}
        self._cache_file: Path | None = None
        self._new: list[dict[str, Any]] = []
        if extractor_dir is not None and (extractor_dir / "manifest.json").is_file():
            from careerready.models import extractor as extractor_mod  # type: ignore[attr-defined]

            self.extractor = extractor_mod.load(extractor_dir)
            self.source = f"extractor:{extractor_dir}"
            if ner_dir is not None and (ner_dir / "manifest.json").is_file():
                from careerready.models import ner as ner_mod

                self.ner = ner_mod.load(ner_dir)
                self.source = f"hybrid:{extractor_dir}+{ner_dir}"
                if cache_dir is not None:
                    self._cache_file = cache_dir / f"{self._cache_key(extractor_dir, ner_dir)}.jsonl"
                    if self._cache_file.is_file():
                        self._cache = {r["text_sha256"]: r for r in _complete_rows(self._cache_file)}

    def _cache_key(self, extractor_dir: Path, ner_dir: Path) -> str:
        from careerready.core.paths import PACKAGE_DIR

        h = hashlib.sha256()
        h.update((extractor_dir / "manifest.json").read_bytes())
        h.update(_served_ner_manifest(ner_dir / "manifest.json"))
        h.update(json.dumps(sorted(self.catalog.skills)).encode())
        h.update(json.dumps(sorted(self.catalog.alias_index.items())).encode())
        for rel in _EXTRACTION_SOURCES:
            src = PACKAGE_DIR / rel
            if src.is_file():
                h.update(src.read_bytes())
        return h.hexdigest()[:24]

    def held(self, resume: dict[str, Any]) -> dict[str, HeldSkill]:
        """``skill_id -> HeldSkill`` for one resume record."""
        return self.analyze(resume)[0]

    def flush(self) -> None:
        """Append the hybrid extractions computed since the last flush to the cache file."""
        if self._cache_file is None or not self._new:
            return
        self._cache_file.parent.mkdir(parents=True, exist_ok=True)
        with self._cache_file.open("a", encoding="utf-8") as fh:
            for row in self._new:
                fh.write(json.dumps(row, sort_keys=True) + "\n")
        self._new = []

    def _hybrid(self, text: str) -> tuple[list[dict[str, Any]], float | None]:
        key = hashlib.sha256(text.encode("utf-8")).hexdigest()
        row = self._cache.get(key)
        if row is None:
            row = self._extract_row(text, key)
            self._cache[key] = row
            self._new.append(row)
        return row["skills"], row["years"]

    def _extract_row(self, text: str, key: str) -> dict[str, Any]:
        """One cache row: the extract stage's call (no embeddings: the stage does not load them)."""
        from careerready.pipelines.hybrid_extraction import extract_hybrid

        resp = extract_hybrid(text, self.extractor, self.ner, self.catalog)
        return {
            "text_sha256": key,
            "skills": [s.model_dump(mode="json") for s in resp.skills if s.skill_id],
            "years": resp.years_experience,
        }

    def prefill(
        self,
        texts: Sequence[str],
        workers: int | None = None,
        log: Progress | None = None,
        min_texts: int = PARALLEL_MIN_TEXTS,
    ) -> int:
        """Extract every uncached text of ``texts`` (hybrid source only) in ``workers`` processes; returns how many.

        Each worker loads the same artifacts and runs the same single-threaded session on whole texts, so a row is
        the one :meth:`analyze` would compute in this process; rows are added in ``texts`` order, as a sequential
        pass would append them. ``workers`` defaults to the CPUs this process may use; fewer than ``min_texts``
        uncached texts are extracted in this process.
        """
        if self.ner is None:
            return 0
        todo: dict[str, str] = {}
        for text in texts:
            key = hashlib.sha256(text.encode("utf-8")).hexdigest()
            if key not in self._cache:
                todo.setdefault(key, text)
        n = workers if workers is not None else len(os.sched_getaffinity(0))
        catalog_dir, extractor_dir, ner_dir = self._dirs
        if n < 2 or len(todo) < min_texts or catalog_dir is None:
            rows = (self._extract_row(text, key) for key, text in todo.items())
            self._add(rows, len(todo), log)
            return len(todo)
        if log is not None:
            log(f"hybrid extraction of {len(todo)} uncached texts in {n} processes")
        ctx = multiprocessing.get_context("spawn")  # fresh interpreters: no forked onnxruntime state
        with ctx.Pool(n, initializer=_worker_init, initargs=(catalog_dir, extractor_dir, ner_dir)) as pool:
            self._add(pool.imap(_worker_row, list(todo.items()), chunksize=4), len(todo), log)
        return len(todo)

    def _add(self, rows: Iterable[dict[str, Any]], total: int, log: Progress | None) -> None:
        for i, row in enumerate(rows, 1):
            self._cache[row["text_sha256"]] = row
            self._new.append(row)
            if log is not None and i % 500 == 0:
                log(f"extracted {i}/{total}")
        self.flush()

    def analyze(self, resume: dict[str, Any]) -> tuple[dict[str, HeldSkill], float | None]:
        """Held skills and the total years of experience ESTIMATED FROM THE TEXT (as the extract stage does).

        The years come from :func:`careerready.pipelines.experience.estimate_years` over the extractor's
        sections and skill mentions (gold sections/spans without an extractor), never from the record's
        ``years_experience`` label, so training features equal serving features.
        """
        text = resume["text"]
        if self.ner is not None:
            skills, years = self._hybrid(text)
            return held_skills_from_extracted(skills, self.catalog), years
        if self.extractor is not None:
            extracted, sections = self.extractor.analyze(text)
            spans = [(m.start, m.end) for s in extracted for m in (s.mentions or [s])]
            years, _ = estimate_years(
                text, [{"name": s.name, "start": s.start, "end": s.end} for s in sections], skill_spans=spans
            )
            return held_skills_from_extracted(extracted, self.catalog), years
        gold_sections = _gold_sections(resume)
        years, _ = estimate_years(
            text, gold_sections, skill_spans=[(sp["start"], sp["end"]) for sp in resume.get("spans", [])]
        )
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
        return held_skills_from_extracted(mentions, self.catalog), years


def _complete_rows(path: Path) -> list[dict[str, Any]]:
    """The cache file's rows up to the first incomplete one (a trainer running beside this one may be appending)."""
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                break
    return rows


_WORKER: ResumeSkills | None = None


def _worker_init(catalog_dir: Path, extractor_dir: Path, ner_dir: Path) -> None:
    global _WORKER
    _WORKER = ResumeSkills(Catalog.load(catalog_dir), extractor_dir, ner_dir)


def _worker_row(item: tuple[str, str]) -> dict[str, Any]:
    assert _WORKER is not None, "prefill worker not initialised"
    key, text = item
    return _WORKER._extract_row(text, key)


_SECTION_NAMES = ("summary", "skills", "experience", "education", "projects", "certifications")


def _gold_sections(resume: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The generator's section records as tiling ``{name, start, end}`` dicts (None if it has none)."""
    recs = sorted(resume.get("sections") or [], key=lambda r: r.get("start", 0))
    if not recs:
        return None
    n = len(resume["text"])
    out = [{"name": "other", "start": 0, "end": recs[0].get("start", 0)}] if recs[0].get("start", 0) > 0 else []
    for i, r in enumerate(recs):
        name = r.get("section") if r.get("section") in _SECTION_NAMES else "other"
        end = recs[i + 1].get("start", n) if i + 1 < len(recs) else n
        out.append({"name": name, "start": r.get("start", 0), "end": end})
    return out


@dataclass
class PairFeatures:
    """Features of all requested (resume, role) pairs."""

    keys: list[tuple[str, str]]
    features: dict[tuple[str, str], RoleFeatures] = field(default_factory=dict)
    held: dict[str, dict[str, HeldSkill]] = field(default_factory=dict)
    years: dict[str, float | None] = field(default_factory=dict)  # per resume, estimated from its text

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
    roles_of: dict[str, list[Role]] = {}
    for rid, role_id in pairs:
        roles_of.setdefault(rid, []).append(catalog.roles[role_id])
    fits: dict[str, dict[str, float]] = {}
    skills.prefill([resumes[rid]["text"] for rid in roles_of], log=log)  # dict order = first appearance in pairs
    for i, (rid, role_id) in enumerate(pairs):
        if rid not in out.held:
            out.held[rid], out.years[rid] = skills.analyze(resumes[rid])
            # the resume text's fit to its paired roles (TF-IDF percentile), as the match stage computes it
            fits[rid] = text_fits(resumes[rid]["text"], roles_of[rid], catalog)
        # years estimated from the text (None -> the per-skill fallback in compute_role_features), as served
        out.features[(rid, role_id)] = compute_role_features(
            out.held[rid], catalog.roles[role_id], space, out.years[rid], fits[rid][role_id]
        )
        if log is not None and (i + 1) % 2000 == 0:
            log(f"features {i + 1}/{len(pairs)}")
            skills.flush()
    skills.flush()
    return out


def save_fitted(out: Path, estimator: Any, predict: Any, served: Any, x: np.ndarray, tol: float = 1e-6) -> Path:
    """Write the fitted estimator as joblib and check the serving export reproduces it after a reload.

    Args:
        out: artifact directory.
        estimator: the fitted sklearn / xgboost object the serving export was derived from.
        predict: ``(reloaded estimator, x) -> array`` of the library's prediction.
        served: ``x -> array`` of the numpy serving wrapper's prediction.
        x: feature rows to compare on.
        tol: largest allowed absolute difference.

    Raises:
        SystemExit: the reloaded estimator and the serving export disagree.
    """
    import joblib

    path = out / FITTED_FILE
    joblib.dump(estimator, path, compress=3)
    reloaded = joblib.load(path)
    diff = float(np.max(np.abs(np.asarray(predict(reloaded, x), dtype=np.float64) - np.asarray(served(x)))))
    if diff > tol:
        raise SystemExit(f"{path}: the serving export differs from the fitted estimator by {diff}")
    print(f"[fitted] {path} reloaded: serving export max abs diff {diff:.3g} over {len(x)} rows", flush=True)
    return path
