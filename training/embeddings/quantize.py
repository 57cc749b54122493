"""Evaluate dynamic int8 variants of the exported model against fp32 and pick what serving uses.

    python -m training.embeddings.quantize --model artifacts/embeddings/v1 [--catalog build/catalog]

Variants: ``quantize_dynamic`` default (per-tensor) and ``per_channel=True``. Measured per variant over the
taxonomy skill names (``<catalog>/skills.jsonl``, else ``FALLBACK_SKILLS``): top-1 nearest-neighbour agreement
with fp32 among the skills, mean/min cosine to fp32, batch-composition drift, file size, load time and
throughput. Decision rule (``choose``): int8 only if NN agreement >= 0.98 and mean cosine >= 0.995, then the
smallest such; otherwise fp32. Only the chosen variant stays in the artifact as ``model.onnx``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from careerready.models.embedder import MODEL_FILE, TOKENIZER_FILE, OnnxEmbedder

from training.embeddings.artifact import read_metrics, update_metrics, write_manifest_if_available
from training.embeddings.texts import FALLBACK_SKILLS, long_texts

MIN_NN_AGREEMENT = 0.98
MIN_MEAN_COSINE = 0.995
VARIANTS: dict[str, dict[str, Any]] = {
    "int8_default": {"per_channel": False},
    "int8_per_channel": {"per_channel": True},
}

__all__ = ["FALLBACK_SKILLS", "choose", "evaluate", "load_skill_names", "main"]


def load_skill_names(catalog: Path | None) -> tuple[list[str], str]:
    """Skill names from ``<catalog>/skills.jsonl`` when present, else the fallback list; returns (names, source)."""
    path = catalog / "skills.jsonl" if catalog else None
    if path and path.is_file():
        names = [json.loads(line)["name"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        return list(dict.fromkeys(names)), str(path)
    return list(FALLBACK_SKILLS), "fallback"


def nn_top1(vectors: np.ndarray) -> np.ndarray:
    """Index of each row's nearest other row (cosine, self excluded)."""
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    return np.asarray(sims.argmax(axis=1))


def _throughput(embedder: OnnxEmbedder, texts: list[str], batch_size: int, repeats: int = 2) -> float:
    embedder.embed(texts[: min(len(texts), batch_size)], batch_size=batch_size)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        embedder.embed(texts, batch_size=batch_size)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


def _long_256(n: int = 16) -> list[str]:
    words = " ".join(long_texts()[:2]).split()
    rng = np.random.default_rng(0)
    return [" ".join(rng.choice(words, 320)) for _ in range(n)]


def measure(
    model_dir: Path, names: list[str], ref: np.ndarray | None, *, threads: int
) -> tuple[dict[str, Any], np.ndarray]:
    """Quality and speed of one model directory (``ref``: fp32 vectors of ``names``); returns (metrics, vectors)."""
    start = time.perf_counter()
    embedder = OnnxEmbedder.from_dir(model_dir, intra_op_threads=threads, cache_size=0)
    load_s = time.perf_counter() - start
    vectors = embedder.embed(names, batch_size=32)
    alone = np.stack([embedder.embed([n])[0] for n in names[:64]])
    out: dict[str, Any] = {
        "bytes": (model_dir / MODEL_FILE).stat().st_size,
        "load_seconds": round(load_s, 3),
        "skills_per_s_batch32": round(_throughput(embedder, names, 32), 1),
        "long256_per_s_batch16": round(_throughput(embedder, _long_256(), 16, repeats=1), 2),
        "batch_drift_max_abs": float(np.abs(alone - vectors[:64]).max()),
    }
    if ref is not None:
        cos = (vectors * ref).sum(axis=1)
        top_ref, top_var = nn_top1(ref), nn_top1(vectors)
        out |= {
            "mean_cosine_to_fp32": float(cos.mean()),
            "min_cosine_to_fp32": float(cos.min()),
            "nn_top1_agreement": float((top_ref == top_var).mean()),
        }
    return out, vectors


def choose(results: dict[str, dict[str, Any]]) -> str:
    """Pick ``fp32`` or the smallest int8 variant that meets both quality bars."""
    ok = [
        name
        for name, r in results.items()
        if name != "fp32" and r["nn_top1_agreement"] >= MIN_NN_AGREEMENT and r["mean_cosine_to_fp32"] >= MIN_MEAN_COSINE
    ]
    return min(ok, key=lambda n: results[n]["bytes"]) if ok else "fp32"


def evaluate(model_dir: Path, catalog: Path | None, *, threads: int = 1, apply: bool = True) -> dict[str, Any]:
    """Quantize, measure, decide; with ``apply`` replace ``model.onnx`` by the chosen int8 file (if any).

    Raises:
        SystemExit: the artifact's model is not fp32 (re-export first).
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    prior = read_metrics(model_dir).get("export", {})
    if prior.get("precision", "fp32") != "fp32":
        raise SystemExit("model.onnx is already quantized: re-run export_onnx first")
    names, source = load_skill_names(catalog)
    results: dict[str, dict[str, Any]] = {}
    fp32, ref = measure(model_dir, names, None, threads=threads)
    results["fp32"] = fp32 | {"mean_cosine_to_fp32": 1.0, "min_cosine_to_fp32": 1.0, "nn_top1_agreement": 1.0}
    with tempfile.TemporaryDirectory(prefix="emb-int8-") as tmp:
        for variant, opts in VARIANTS.items():
            vdir = Path(tmp) / variant
            vdir.mkdir()
            shutil.copyfile(model_dir / TOKENIZER_FILE, vdir / TOKENIZER_FILE)
            quantize_dynamic(model_dir / MODEL_FILE, vdir / MODEL_FILE, weight_type=QuantType.QInt8, **opts)
            results[variant], _ = measure(vdir, names, ref, threads=threads)
        chosen = choose(results)
        if apply and chosen != "fp32":
            shutil.copyfile(Path(tmp) / chosen / MODEL_FILE, model_dir / MODEL_FILE)
            update_metrics(model_dir, "export", prior | {"precision": chosen, "onnx_bytes": results[chosen]["bytes"]})
    report = {
        "skills_source": source,
        "n_skills": len(names),
        "threads": threads,
        "rule": f"int8 iff nn_top1_agreement >= {MIN_NN_AGREEMENT} and mean_cosine_to_fp32 >= {MIN_MEAN_COSINE}",
        "variants": results,
        "chosen": chosen,
    }
    if apply:
        update_metrics(model_dir, "quantization", report)
    return report


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=Path("artifacts/embeddings/v1"))
    parser.add_argument("--catalog", type=Path, default=Path("build/catalog"))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--dry-run", action="store_true", help="measure only; leave the artifact untouched")
    args = parser.parse_args(argv)
    report = evaluate(args.model, args.catalog, threads=args.threads, apply=not args.dry_run)
    print(f"skills: {report['n_skills']} from {report['skills_source']}; threads {report['threads']}")
    cols = ["bytes", "mean_cosine_to_fp32", "min_cosine_to_fp32", "nn_top1_agreement", "batch_drift_max_abs"]
    cols += ["load_seconds", "skills_per_s_batch32", "long256_per_s_batch16"]
    print("variant           " + " ".join(f"{c:>22}" for c in cols))
    for name, r in report["variants"].items():
        print(f"{name:<18}" + " ".join(f"{r[c]:>22.6g}" for c in cols))
    print(f"chosen: {report['chosen']} ({report['rule']})")
    if not args.dry_run:
        print(f"manifest: {write_manifest_if_available(args.model)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
