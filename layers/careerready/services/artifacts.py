"""Versioned model artifacts: manifests, sha256 verification, local/S3 sources, /tmp cache, publish.

Layout: ``<root>/<model>/<version>/{manifest.json, files...}`` locally and
``s3://<bucket>/<prefix>/<model>/<version>/<file>`` in S3. A published version is immutable.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal, Protocol

from careerready.core import paths
from careerready.core.errors import ArtifactImmutableError, ArtifactIntegrityError, ArtifactNotFoundError
from careerready.core.observability import logger
from careerready.services.s3 import get_bytes, is_missing, make_s3_client

if TYPE_CHECKING:
    from careerready.core.config import Settings

__all__ = [
    "MANIFEST_NAME",
    "ArtifactStore",
    "FetchResult",
    "LocalSource",
    "PublishResult",
    "S3Source",
    "hash_files",
    "iter_local_artifacts",
    "latest_local_version",
    "list_local_versions",
    "next_version",
    "parse_manifest",
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


# ---- verification -----------------------------------------------------------------------------
_VERSION_RE = re.compile(r"^v([0-9]+)$")


def _version_key(version: str) -> tuple[int, str]:
    m = _VERSION_RE.match(version)
    return (int(m.group(1)) if m else -1, version)


def _safe_relpath(rel: str) -> str:
    """Reject manifest paths that could escape the artifact dir (absolute, ``..``, backslashes)."""
    pure = PurePosixPath(rel)
    if not rel or "\\" in rel or pure.is_absolute() or any(part in ("..", "") for part in rel.split("/")):
        raise ArtifactIntegrityError(f"manifest lists an unsafe path: {rel!r}", file=rel)
    return pure.as_posix()


def parse_manifest(data: bytes, model: str, version: str, *, pinned_sha256: str | None = None) -> dict[str, Any]:
    """Parse manifest bytes and check them against the request and an optional pinned sha256.

    Raises:
        ArtifactIntegrityError: pin mismatch, unreadable JSON, wrong model/version or bad file list.
    """
    if pinned_sha256 is not None and sha256_bytes(data) != pinned_sha256.lower():
        raise ArtifactIntegrityError(
            f"{model}/{version}: manifest.json sha256 {sha256_bytes(data)} does not match the pinned {pinned_sha256}",
            model=model,
            version=version,
            file=MANIFEST_NAME,
        )
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArtifactIntegrityError(
            f"{model}/{version}: manifest.json is not valid JSON", model=model, version=version, file=MANIFEST_NAME
        ) from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise ArtifactIntegrityError(f"{model}/{version}: manifest.json has no files map", model=model, version=version)
    if manifest.get("model") != model or manifest.get("version") != version:
        raise ArtifactIntegrityError(
            f"manifest says {manifest.get('model')}/{manifest.get('version')}, expected {model}/{version}",
            model=model,
            version=version,
            file=MANIFEST_NAME,
        )
    for rel, meta in manifest["files"].items():
        _safe_relpath(rel)
        if (
            not isinstance(meta, dict)
            or not isinstance(meta.get("sha256"), str)
            or not isinstance(meta.get("size"), int)
        ):
            raise ArtifactIntegrityError(f"{model}/{version}: bad manifest entry for {rel!r}", file=rel)
    return manifest


def verify_dir(directory: Path, manifest: dict[str, Any], *, exclude: Collection[str] = ()) -> None:
    """Check every file listed in ``manifest`` exists under ``directory`` with the right size and sha256.

    Args:
        directory: The artifact directory.
        manifest: Its parsed manifest.
        exclude: Listed files not checked here (deferred files, fetched and verified on first use).

    Raises:
        ArtifactIntegrityError: naming the first file that is missing or differs.
    """
    model, version = manifest.get("model"), manifest.get("version")
    for rel, meta in sorted(manifest["files"].items()):
        if rel in exclude:
            continue
        path = Path(directory) / _safe_relpath(rel)
        if not path.is_file():
            raise ArtifactIntegrityError(f"{model}/{version}: file {rel} is missing", model=model, file=rel)
        size = path.stat().st_size
        if size != meta["size"]:
            raise ArtifactIntegrityError(
                f"{model}/{version}: file {rel} has {size} bytes, manifest says {meta['size']}", model=model, file=rel
            )
        digest = sha256_file(path)
        if digest != meta["sha256"]:
            raise ArtifactIntegrityError(
                f"{model}/{version}: sha256 mismatch for {rel} (got {digest}, manifest {meta['sha256']})",
                model=model,
                file=rel,
            )


# ---- sources ----------------------------------------------------------------------------------
class ArtifactSource(Protocol):
    """Where published artifacts live."""

    def describe(self) -> str:
        """Human-readable location (for logs and errors)."""
        ...

    def list_versions(self, model: str) -> list[str]:
        """Versions of ``model`` that have a manifest, oldest first."""
        ...


@dataclass(frozen=True)
class LocalSource:
    """Artifacts in a local directory tree ``<root>/<model>/<version>/``."""

    root: Path

    def describe(self) -> str:
        """Human-readable location."""
        return str(self.root)

    def version_dir(self, model: str, version: str) -> Path:
        """Directory of one model version."""
        return Path(self.root) / model / version

    def list_versions(self, model: str) -> list[str]:
        """Versions with a manifest, oldest first."""
        return list_local_versions(model, self.root)


@dataclass(frozen=True)
class S3Source:
    """Artifacts under ``s3://<bucket>/<prefix>/<model>/<version>/``; the boto3 client is injected."""

    bucket: str
    prefix: str
    client: Any

    def describe(self) -> str:
        """Human-readable location."""
        return f"s3://{self.bucket}/{self.prefix.strip('/')}"

    def key(self, model: str, version: str, rel: str = "") -> str:
        """The object key of a file (or the version's key prefix when ``rel`` is empty)."""
        parts = [p for p in (self.prefix.strip("/"), model, version) if p]
        base = "/".join(parts) + "/"
        return base + rel

    def get_bytes(self, model: str, version: str, rel: str) -> bytes | None:
        """Read a small object (the manifest); None when the key does not exist."""
        return get_bytes(self.client, self.bucket, self.key(model, version, rel))

    def download(self, model: str, version: str, rel: str, dest: Path) -> None:
        """Download one file of a version to ``dest``."""
        from botocore.exceptions import ClientError

        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.client.download_file(self.bucket, self.key(model, version, rel), str(dest))
        except ClientError as exc:
            if is_missing(exc):
                raise ArtifactNotFoundError(
                    f"{model}/{version}: {rel} listed in the manifest is missing from {self.describe()}",
                    model=model,
                    version=version,
                    file=rel,
                ) from exc
            raise

    def list_versions(self, model: str) -> list[str]:
        """Versions with a manifest in the bucket, oldest first."""
        prefix = self.key(model, "").rstrip("/") + "/"
        prefix = prefix.replace("//", "/")
        found: set[str] = set()
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix, Delimiter="/"):
            for common in page.get("CommonPrefixes", []):
                version = common["Prefix"][len(prefix) :].strip("/")
                if _VERSION_RE.match(version) and self.get_bytes(model, version, MANIFEST_NAME) is not None:
                    found.add(version)
        return sorted(found, key=_version_key)


# ---- the store --------------------------------------------------------------------------------
@dataclass(frozen=True)
class FetchResult:
    """Where a fetched version lives and what it cost."""

    path: Path
    manifest: dict[str, Any]
    download_ms: float
    verify_ms: float
    cached: bool


@dataclass
class ArtifactStore:
    """Fetch verified model versions from a local tree or from S3 through a ``/tmp`` cache."""

    source: LocalSource | S3Source
    cache_dir: Path = field(default=paths.CACHE_DIR)

    @classmethod
    def from_settings(cls, settings: Settings, client: Any | None = None) -> ArtifactStore:
        """Build the store the settings describe (``artifact_source`` local or s3)."""
        if settings.artifact_source == "local":
            return cls(LocalSource(Path(settings.artifacts_dir)), cache_dir=Path(settings.cache_dir))
        if client is None:
            client = make_s3_client(settings.s3_endpoint_url, settings.aws_region)
        assert settings.artifact_bucket is not None  # guaranteed by the Settings validator
        return cls(
            S3Source(settings.artifact_bucket, settings.artifact_prefix, client),
            cache_dir=Path(settings.cache_dir),
        )

    def list_versions(self, model: str) -> list[str]:
        """Published versions of ``model``, oldest first."""
        return self.source.list_versions(model)

    def fetch(self, model: str, version: str, *, manifest_sha256: str | None = None) -> Path:
        """Return a local directory holding ``model``/``version`` with every file verified.

        Args:
            model: Model name.
            version: ``v<N>``.
            manifest_sha256: Optional pin: the expected sha256 of the version's ``manifest.json``.

        Raises:
            ArtifactNotFoundError: the version (or a listed file) does not exist.
            ArtifactIntegrityError: a file's size/sha256 differs from the manifest (names the file).
        """
        return self.fetch_with_info(model, version, manifest_sha256=manifest_sha256).path

    def fetch_with_info(
        self, model: str, version: str, *, manifest_sha256: str | None = None, defer: Collection[str] = ()
    ) -> FetchResult:
        """Like :meth:`fetch`, also returning the manifest, timings and whether the cache was reused.

        ``defer``: manifest files left out of this fetch (not downloaded, not verified); get each one
        later with :meth:`fetch_deferred`, which verifies it against the same manifest.
        """
        if not _VERSION_RE.match(version) or not re.match(r"^[a-z0-9_]+$", model):
            raise ArtifactNotFoundError(f"invalid artifact reference {model!r}/{version!r}", model=model)
        if isinstance(self.source, LocalSource):
            return self._fetch_local(self.source, model, version, manifest_sha256, frozenset(defer))
        return self._fetch_s3(self.source, model, version, manifest_sha256, frozenset(defer))

    def fetch_deferred(self, fetched: FetchResult, rel: str) -> Path:
        """Fetch and verify one file that :meth:`fetch_with_info` deferred; returns its local path.

        The file is checked against ``fetched.manifest`` (size + sha256), downloaded to a temporary
        name first and moved into place only once verified; a valid cached copy is reused.

        Raises:
            ArtifactNotFoundError: ``rel`` is not in the manifest, or missing at the source.
            ArtifactIntegrityError: the file differs from the manifest.
        """
        manifest = fetched.manifest
        model, version = str(manifest.get("model")), str(manifest.get("version"))
        meta = manifest["files"].get(rel)
        if meta is None:
            raise ArtifactNotFoundError(f"{model}/{version}: {rel} is not in the manifest", model=model, file=rel)
        one = {**manifest, "files": {rel: meta}}
        path = Path(fetched.path) / _safe_relpath(rel)
        if isinstance(self.source, LocalSource):
            verify_dir(fetched.path, one)
            return path
        if path.is_file():
            try:
                verify_dir(fetched.path, one)
                return path
            except ArtifactIntegrityError:
                path.unlink(missing_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".deferred-", dir=fetched.path))
        try:
            self.source.download(model, version, rel, tmp / rel)
            verify_dir(tmp, one)
            path.parent.mkdir(parents=True, exist_ok=True)
            (tmp / rel).replace(path)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        logger.info("deferred artifact file downloaded", model=model, version=version, file=rel)
        return path

    # ---- local ----
    def _fetch_local(
        self, source: LocalSource, model: str, version: str, pin: str | None, defer: frozenset[str]
    ) -> FetchResult:
        directory = source.version_dir(model, version)
        manifest_path = directory / MANIFEST_NAME
        if not manifest_path.is_file():
            raise ArtifactNotFoundError(
                f"{model}/{version} not found under {source.describe()} (available: {self.list_versions(model)})",
                model=model,
                version=version,
            )
        t0 = time.perf_counter()
        manifest = parse_manifest(manifest_path.read_bytes(), model, version, pinned_sha256=pin)
        verify_dir(directory, manifest, exclude=defer)
        return FetchResult(directory, manifest, 0.0, (time.perf_counter() - t0) * 1000, cached=True)

    # ---- s3 ----
    def _fetch_s3(
        self, source: S3Source, model: str, version: str, pin: str | None, defer: frozenset[str]
    ) -> FetchResult:
        target = Path(self.cache_dir) / model / version
        cached = self._try_cache(target, model, version, pin, defer)
        if cached is not None:
            return cached
        t0 = time.perf_counter()
        raw = source.get_bytes(model, version, MANIFEST_NAME)
        if raw is None:
            raise ArtifactNotFoundError(
                f"{model}/{version} not found in {source.describe()} (available: {self.list_versions(model)})",
                model=model,
                version=version,
            )
        manifest = parse_manifest(raw, model, version, pinned_sha256=pin)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{version}.tmp-", dir=target.parent))
        try:
            for rel in sorted(manifest["files"]):
                if rel not in defer:
                    source.download(model, version, rel, tmp / rel)
            download_ms = (time.perf_counter() - t0) * 1000
            t1 = time.perf_counter()
            verify_dir(tmp, manifest, exclude=defer)
            verify_ms = (time.perf_counter() - t1) * 1000
            (tmp / MANIFEST_NAME).write_bytes(raw)
            try:
                tmp.rename(target)
            except OSError:
                # another process finished first: keep its copy if it verifies
                shutil.rmtree(tmp, ignore_errors=True)
                verify_dir(target, manifest, exclude=defer)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        logger.info("artifact downloaded", model=model, version=version, files=len(manifest["files"]))
        return FetchResult(target, manifest, download_ms, verify_ms, cached=False)

    def _try_cache(
        self, target: Path, model: str, version: str, pin: str | None, defer: frozenset[str] = frozenset()
    ) -> FetchResult | None:
        manifest_path = target / MANIFEST_NAME
        if not manifest_path.is_file():
            if target.exists():
                shutil.rmtree(target, ignore_errors=True)
            return None
        t0 = time.perf_counter()
        try:
            manifest = parse_manifest(manifest_path.read_bytes(), model, version, pinned_sha256=pin)
            verify_dir(target, manifest, exclude=defer)
        except ArtifactIntegrityError as exc:
            # a corrupt or stale cache is dropped and downloaded again, never used
            logger.warning(
                "artifact cache failed verification; re-downloading",
                model=model,
                version=version,
                file=exc.details.get("file"),
            )
            shutil.rmtree(target, ignore_errors=True)
            return None
        return FetchResult(target, manifest, 0.0, (time.perf_counter() - t0) * 1000, cached=True)


# ---- local helpers ------------------------------------------------------------------------------
def list_local_versions(model: str, root: Path | str = paths.ARTIFACTS_DIR) -> list[str]:
    """Versions ``v<N>`` of ``model`` under ``root`` that have a manifest, oldest first."""
    base = Path(root) / model
    if not base.is_dir():
        return []
    found = [p.name for p in base.iterdir() if _VERSION_RE.match(p.name) and (p / MANIFEST_NAME).is_file()]
    return sorted(found, key=_version_key)


def latest_local_version(model: str, root: Path | str = paths.ARTIFACTS_DIR) -> str | None:
    """Highest ``v<N>`` of ``model`` under ``root`` with a manifest (None if there is none)."""
    versions = list_local_versions(model, root)
    return versions[-1] if versions else None


def next_version(model: str, root: Path | str = paths.ARTIFACTS_DIR) -> str:
    """The version after the latest local one (``v1`` when there is none)."""
    latest = latest_local_version(model, root)
    return f"v{_version_key(latest)[0] + 1}" if latest else "v1"


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
            f"bump the version (e.g. {model}/v{_version_key(version)[0] + 1}) instead of overwriting",
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
