"""Parity check: the serving ONNX embedder against sentence-transformers on the same texts.

    python -m training.embeddings.verify --model artifacts/embeddings/v1

Both sides normalise; the serving side is ``careerready.models.embedder.OnnxEmbedder`` exactly as deployed.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import numpy as np

from training.embeddings.artifact import model_source_dir
from training.embeddings.texts import parity_texts

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

MIN_COSINE = 0.9999


def reference_embeddings(texts: list[str], *, threads: int = 1, batch_size: int = 16) -> np.ndarray:
    """sentence-transformers embeddings (normalised, max_seq_length 256) of the packaged MiniLM."""
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(threads)
    model = SentenceTransformer(str(model_source_dir()), device="cpu")
    model.max_seq_length = 256
    vectors = model.encode(texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True)
    return np.asarray(vectors, dtype=np.float32)


def compare(a: np.ndarray, b: np.ndarray) -> dict[str, float | int]:
    """Row-wise cosine and element-wise difference between two embedding matrices of equal shape."""
    if a.shape != b.shape:
        raise ValueError(f"shape mismatch {a.shape} vs {b.shape}")
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    cos = (a64 * b64).sum(1) / (np.linalg.norm(a64, axis=1) * np.linalg.norm(b64, axis=1))
    return {
        "n_texts": int(a.shape[0]),
        "min_cosine": float(cos.min()),
        "mean_cosine": float(cos.mean()),
        "argmin": int(cos.argmin()),
        "max_abs_diff": float(np.abs(a64 - b64).max()),
    }


def parity_report(model_dir: Path, *, threads: int = 1, texts: list[str] | None = None) -> dict[str, Any]:
    """Compare ``OnnxEmbedder.from_dir(model_dir)`` with sentence-transformers on ``texts`` (default: 220+ set).

    Returns:
        ``n_texts, min_cosine, mean_cosine, max_abs_diff, n_truncated, worst_text, threshold, passed``.
    """
    from careerready.models.embedder import OnnxEmbedder

    texts = parity_texts() if texts is None else texts
    embedder = OnnxEmbedder.from_dir(model_dir, intra_op_threads=threads, cache_size=0)
    onnx_vecs = embedder.embed(texts, batch_size=16)
    ref_vecs = reference_embeddings(texts, threads=threads)
    stats = compare(onnx_vecs, ref_vecs)
    worst = texts[int(stats.pop("argmin"))]
    return {
        **stats,
        "n_truncated": sum(embedder.count_tokens(t) >= embedder.max_length for t in texts),
        "worst_text": worst[:80],
        "threshold": MIN_COSINE,
        "passed": bool(stats["min_cosine"] >= MIN_COSINE),
    }


def main(argv: list[str] | None = None) -> int:
    """CLI entry point: prints the report, exits 1 when min cosine < 0.9999."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=Path("artifacts/embeddings/v1"))
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    report = parity_report(args.model, threads=args.threads)
    for key, value in report.items():
        print(f"{key}: {value}")
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
