"""Versioned model artifacts: manifests, sha256 verification, local/S3 sources, /tmp cache, publish.

Layout: ``<root>/<model>/<version>/{manifest.json, files...}`` locally and
``s3://<bucket>/<prefix>/<model>/<version>/<file>`` in S3. A published version is immutable.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

__all__ = [
    "MANIFEST_NAME",
    "ArtifactStore",
    "FetchResult",
    "LocalSource",
    "PublishResult",
    "S3Source",
    "hash_files",
    "latest_local_version",
    "list_local_versions",
    "make_s3_client",
    "manifest_bytes",
    "publish",
    "sha256_bytes",
    "sha256_file",
    "verify_dir",
    "write_manifest",
]
MANIFEST_NAME = "manifest.json"
_CHUNK = 1 << 20


def sha256_file(path: Path | str) -> str:
    """Return the hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    """Return the hex sha256 of a byte string."""
    return hashlib.sha256(data).hexdigest()


def hash_files(artifact_dir: Path) -> dict[str, dict[str, Any]]:
    """Hash every file under ``artifact_dir`` except ``manifest.json`` at its root.

    Returns:
        ``{relative posix path: {"sha256": hex, "size": bytes}}`` sorted by path.
    """
    root = Path(artifact_dir)
    files: dict[str, dict[str, Any]] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if rel == MANIFEST_NAME:
            continue
        files[rel] = {"sha256": sha256_file(path), "size": path.stat().st_size}
    return dict(sorted(files.items()))


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],  # noqa: S607 - git from PATH is intended
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
            cwd=Path(__file__).resolve().parent,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    commit = out.stdout.strip()
    return commit if out.returncode == 0 and commit else "unknown"


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """Serialise a manifest deterministically (sorted keys, indent 2, trailing newline)."""
    return (json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_manifest(
    artifact_dir: Path,
    model: str,
    version: str,
    *,
    metrics: dict[str, Any],
    datasets: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Hash every file in an artifact dir and write its ``manifest.json``.

    Args:
        artifact_dir: The version directory (``artifacts/<model>/<version>``).
        model: Model name (``extractor``, ``matching``, ...).
        version: Version string (``v1``).
        metrics: Evaluation figures to record.
        datasets: ``{name: {version, sha256}}`` of the training data used.
        extra: Additional top-level keys (must not clash with the standard ones).

    Returns:
        The manifest dict that was written.
    """
    root = Path(artifact_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"artifact dir does not exist: {root}")
    manifest: dict[str, Any] = {
        "model": model,
        "version": version,
        "created_at": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "git_commit": _git_commit(),
        "datasets": dict(datasets or {}),
        "metrics": dict(metrics),
        "files": hash_files(root),
    }
    for key, value in (extra or {}).items():
        if key in manifest:
            raise ValueError(f"extra key {key!r} clashes with a standard manifest key")
        manifest[key] = value
    (root / MANIFEST_NAME).write_bytes(manifest_bytes(manifest))
    return manifest
