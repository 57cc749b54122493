"""Writing and publishing model artifacts (training side): manifests, local versions, immutable S3 upload.

Serving only reads what this writes (:mod:`careerready.services.artifacts`: manifest parsing, sha256
verification, the local/S3 sources and the ``/tmp`` cache); a Lambda image never writes a manifest,
asks git for a commit, or uploads a version.
"""

from __future__ import annotations

import datetime as _dt
import json
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from careerready.core import paths
from careerready.core.errors import ArtifactImmutableError, ArtifactNotFoundError
from careerready.core.observability import logger
from careerready.services.artifacts import (
    MANIFEST_NAME,
    S3Source,
    list_local_versions,
    parse_manifest,
    sha256_file,
    verify_dir,
    version_key,
)

__all__ = [
    "PublishResult",
    "git_commit",
    "hash_files",
    "iter_local_artifacts",
    "latest_local_version",
    "manifest_bytes",
    "next_version",
    "publish",
    "write_manifest",
]


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


def git_commit() -> str:
    """The checkout's HEAD commit (``unknown`` outside git)."""
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


def _utc_now() -> str:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


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
        "created_at": _utc_now(),
        "git_commit": git_commit(),
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


# ---- local versions ------------------------------------------------------------------------------
def latest_local_version(model: str, root: Path | str = paths.ARTIFACTS_DIR) -> str | None:
    """Highest ``v<N>`` of ``model`` under ``root`` with a manifest (None if there is none)."""
    versions = list_local_versions(model, root)
    return versions[-1] if versions else None


def next_version(model: str, root: Path | str = paths.ARTIFACTS_DIR) -> str:
    """The version after the latest local one (``v1`` when there is none)."""
    latest = latest_local_version(model, root)
    return f"v{version_key(latest)[0] + 1}" if latest else "v1"


# ---- publish ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PublishResult:
    """Outcome of :func:`publish`."""

    model: str
    version: str
    status: Literal["published", "already_published"]
    files: int
    bytes: int
    uri: str


def _files_signature(files: dict[str, Any]) -> dict[str, tuple[str, int]]:
    return {rel: (meta["sha256"], int(meta["size"])) for rel, meta in files.items()}


def publish(
    local_dir: Path,
    model: str,
    version: str,
    client: Any,
    bucket: str,
    prefix: str = "models",
) -> PublishResult:
    """Upload a verified local artifact version to S3; the manifest goes last.

    A version that already exists is never overwritten: identical file hashes make this a no-op
    (``status="already_published"``); different bytes raise :class:`ArtifactImmutableError`.

    Args:
        local_dir: ``artifacts/<model>/<version>`` with its ``manifest.json``.
        model: Model name.
        version: ``v<N>``.
        client: boto3 S3 client.
        bucket: Target bucket (must exist).
        prefix: Key prefix (``models``).

    Raises:
        ArtifactNotFoundError: no local manifest.
        ArtifactIntegrityError: the local files do not match their own manifest.
        ArtifactImmutableError: the version exists in S3 with different content.
    """
    local_dir = Path(local_dir)
    manifest_path = local_dir / MANIFEST_NAME
    if not manifest_path.is_file():
        raise ArtifactNotFoundError(f"no {MANIFEST_NAME} in {local_dir}", model=model, version=version)
    raw = manifest_path.read_bytes()
    manifest = parse_manifest(raw, model, version)
    verify_dir(local_dir, manifest)
    source = S3Source(bucket, prefix, client)
    uri = f"s3://{bucket}/{source.key(model, version)}"

    remote_raw = source.get_bytes(model, version, MANIFEST_NAME)
    if remote_raw is not None:
        try:
            remote = json.loads(remote_raw.decode("utf-8"))
            remote_files = _files_signature(remote.get("files", {}))
        except (UnicodeDecodeError, json.JSONDecodeError, AttributeError, KeyError, TypeError, ValueError):
            remote_files = {}
        local_files = _files_signature(manifest["files"])
        if remote_files == local_files:
            logger.info("artifact already published", model=model, version=version, uri=uri)
            return PublishResult(model, version, "already_published", len(local_files), 0, uri)
        changed = sorted(
            rel for rel in set(remote_files) | set(local_files) if remote_files.get(rel) != local_files.get(rel)
        )
        raise ArtifactImmutableError(
            f"{model}/{version} is already published at {uri} with different content "
            f"({len(changed)} file(s) differ, e.g. {changed[:3]}); published versions are immutable: "
            f"bump the version (e.g. {model}/v{version_key(version)[0] + 1}) instead of overwriting",
            model=model,
            version=version,
            changed=changed,
        )

    total = 0
    for rel in sorted(manifest["files"]):
        client.upload_file(str(local_dir / rel), bucket, source.key(model, version, rel))
        total += int(manifest["files"][rel]["size"])
    # the manifest is the commit marker: a version without one is not published
    client.put_object(
        Bucket=bucket, Key=source.key(model, version, MANIFEST_NAME), Body=raw, ContentType="application/json"
    )
    logger.info("artifact published", model=model, version=version, uri=uri, files=len(manifest["files"]))
    return PublishResult(model, version, "published", len(manifest["files"]), total + len(raw), uri)


def iter_local_artifacts(root: Path | str = paths.ARTIFACTS_DIR) -> Iterable[tuple[str, str, Path]]:
    """Yield ``(model, version, dir)`` for every ``<root>/<model>/<version>/manifest.json``, sorted."""
    base = Path(root)
    if not base.is_dir():
        return
    for model_dir in sorted(p for p in base.iterdir() if p.is_dir()):
        for version in list_local_versions(model_dir.name, base):
            yield model_dir.name, version, model_dir / version
