"""Fill the trainers' hybrid-extraction cache for every synthetic resume, one worker process per CPU.

    python -m training.models.extract_cache --catalog build/catalog --datasets build/datasets \
        [--dotin ../shared/data/dotin-resume-ner]

``make train`` runs it before the four classical trainers, so that they find every resume (and, with ``--dotin``,
the readiness step's real people) extracted and can run side by side (``training.scripts.train_all``) without
writing to the cache. Each trainer would otherwise fill it itself, in the same order with the same rows
(``ResumeSkills.prefill``). Does nothing without a ``ner`` artifact (the trainers then use the gazetteer, which is
not cached).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from careerready.services.catalog import Catalog

from training.models.common import DEFAULT_CACHE, DEFAULT_EXTRACTOR, DEFAULT_NER, Progress, ResumeSkills, read_jsonl


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--catalog", type=Path, default=Path("build/catalog"))
    p.add_argument("--datasets", type=Path, default=Path("build/datasets"))
    p.add_argument("--extractor", type=Path, default=DEFAULT_EXTRACTOR)
    p.add_argument("--ner", type=Path, default=DEFAULT_NER)
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    p.add_argument("--dotin", type=Path, default=None, help="dotin-resume-ner: also the readiness step's real people")
    p.add_argument("--workers", type=int, default=None, help="processes (default: the CPUs this process may use)")
    args = p.parse_args(argv)
    log = Progress("extraction cache")
    skills = ResumeSkills(Catalog.load(args.catalog), args.extractor, args.ner, args.cache, catalog_dir=args.catalog)
    if skills.ner is None:
        log(f"no learned tagger at {args.ner}: the trainers use {skills.source}, which is not cached")
        return 0
    texts = [r["text"] for r in read_jsonl(args.datasets / "resumes" / "v1" / "resumes.jsonl")]
    if args.dotin is not None and (args.dotin / "train.jsonl").is_file():
        from training.eval.eval_matching import load_dotin
        from training.eval.eval_readiness import subjects

        texts += [sub.text for sub in subjects(load_dotin(args.dotin), skills.catalog)]  # as train_readiness does
    done = skills.prefill(texts, workers=args.workers, log=log)
    log(f"{len(texts)} resumes: {done} extracted now, {len(set(texts)) - done} were cached")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
