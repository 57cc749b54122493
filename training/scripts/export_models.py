"""Move a trained model into the artifact tree: copy (and trim) a model dir to
``artifacts/<model>/v<N>/`` and write its manifest.

    python -m training.scripts.export_models --src build/models/matching --model matching \
        [--version v2] [--artifacts artifacts] [--exclude 'checkpoint*' ...] [--metrics metrics.json]

The version defaults to the next free ``v<N>``. An existing version dir is never overwritten
(versions are immutable). Training leftovers (checkpoints, optimizer state, caches, event logs)
are dropped; a ``manifest.json`` in the source donates its metrics and datasets.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from careerready.core import paths
from careerready.core.config import MODEL_NAMES
from careerready.services.artifacts import MANIFEST_NAME

from training.artifacts import next_version, write_manifest

DEFAULT_EXCLUDES: tuple[str, ...] = (
    "__pycache__/*",
    "*.pyc",
    ".DS_Store",
    "checkpoint*",
    "*/checkpoint*",
    "*.ckpt",
    "optimizer.pt",
    "scheduler.pt",
    "rng_state*.pth",
    "training_args.bin",
    "trainer_state.json",
    "events.out.tfevents*",
    "*/events.out.tfevents*",
    ".ipynb_checkpoints/*",
)
# files a serving loader needs, per model (architecture.md "Artifacts")
REQUIRED_FILES: dict[str, tuple[str, ...]] = {
    "catalog": ("skills.jsonl",),
    "embeddings": ("model.onnx", "tokenizer.json", "skill_vectors.npy", "skill_ids.json"),
    "extractor": ("gazetteer.json",),
    "matching": ("params.json",),
    "readiness": ("params.json",),
    "recommender": ("params.json", "params.npz"),
}


def _excluded(rel: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(Path(rel).name, p) for p in patterns)


def export_model(
    src: Path,
    model: str,
    artifacts_dir: Path = paths.ARTIFACTS_DIR,
    version: str | None = None,
    excludes: tuple[str, ...] = DEFAULT_EXCLUDES,
    metrics: dict[str, Any] | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Copy ``src`` (trimmed) to ``artifacts_dir/model/version`` and write the manifest.

    Returns:
        ``(target dir, manifest)``.

    Raises:
        FileExistsError: the version already exists.
        FileNotFoundError: ``src`` is not a dir, or a file the loader needs is missing.
    """
    if not src.is_dir():
        raise FileNotFoundError(f"source model dir not found: {src}")
    version = version or next_version(model, artifacts_dir)
    target = artifacts_dir / model / version
    if target.exists():
        raise FileExistsError(f"{target} already exists; versions are immutable, use a new --version")
    donor: dict[str, Any] = {}
    if (src / MANIFEST_NAME).is_file():
        donor = json.loads((src / MANIFEST_NAME).read_text(encoding="utf-8"))
    copied = []
    for path in sorted(p for p in src.rglob("*") if p.is_file()):
        rel = path.relative_to(src).as_posix()
        if rel == MANIFEST_NAME or _excluded(rel, excludes):
            continue
        copied.append(rel)
    missing = [f for f in REQUIRED_FILES.get(model, ()) if f not in copied]
    if missing:
        raise FileNotFoundError(f"{model} needs {missing} but {src} does not have them")
    tmp = target.with_name(f".{version}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    for rel in copied:
        (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src / rel, tmp / rel)
    tmp.rename(target)
    manifest = write_manifest(
        target,
        model,
        version,
        metrics=metrics if metrics is not None else dict(donor.get("metrics", {})),
        datasets=dict(donor.get("datasets", {})),
        extra={"exported_from": str(src)},
    )
    return target, manifest


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    ap = argparse.ArgumentParser(
        prog="python -m training.scripts.export_models",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--src", type=Path, required=True, help="trained model dir")
    ap.add_argument("--model", required=True, help=f"one of {', '.join(MODEL_NAMES)}")
    ap.add_argument("--version", default=None, help="vN (default: next free)")
    ap.add_argument("--artifacts", type=Path, default=paths.ARTIFACTS_DIR)
    ap.add_argument("--exclude", action="append", default=[], help="extra glob to drop (repeatable)")
    ap.add_argument("--metrics", type=Path, default=None, help="JSON file with metrics for the manifest")
    args = ap.parse_args(argv)
    if args.model not in MODEL_NAMES:
        print(f"error: unknown model {args.model!r}; expected one of {MODEL_NAMES}", file=sys.stderr)
        return 2
    metrics = json.loads(args.metrics.read_text(encoding="utf-8")) if args.metrics else None
    try:
        target, manifest = export_model(
            args.src, args.model, args.artifacts, args.version, DEFAULT_EXCLUDES + tuple(args.exclude), metrics
        )
    except (FileExistsError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    size = sum(f["size"] for f in manifest["files"].values())
    print(f"exported {args.model}/{manifest['version']} -> {target} ({len(manifest['files'])} files, {size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
