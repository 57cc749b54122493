"""Versioned model artifacts as serving reads them: manifests, sha256 verification, local/S3 sources, /tmp cache.

Writing manifests and publishing versions is training's job (``training/artifacts.py``).

Layout: ``<root>/<model>/<version>/{manifest.json, files...}`` locally and
``s3://<bucket>/<prefix>/<model>/<version>/<file>`` in S3. A published version is immutable.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
import time
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Protocol

from careerready.core import paths
from careerready.core.errors import ArtifactIntegrityError, ArtifactNotFoundError
from careerready.core.observability import logger
from careerready.services.s3 import get_bytes, is_missing, make_s3_client

if TYPE_CHECKING:
    from careerready.core.config import Settings

__all__ = [
    "MANIFEST_NAME",
    "ArtifactStore",
    "check_file",
    "FetchResult",
    "LocalSource",
    "S3Source",
    "left_out",
    "list_local_versions",
    "version_key",
    "parse_manifest",
    "sha256_bytes",
    "sha256_file",
    "verify_dir",
]
MANIFEST_NAME = "manifest.json"
_CHUNK = 1 << 20
#: files of one artifact version downloaded at once
_FILE_THREADS = 4


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


# ---- verification -----------------------------------------------------------------------------
_VERSION_RE = re.compile(r"^v([0-9]+)$")


def version_key(version: str) -> tuple[int, str]:
    """Sort key of a version string: ``v10`` after ``v9``; anything not ``v<N>`` first."""
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


def left_out(rel: str, names: Collection[str]) -> bool:
    """True when manifest path ``rel`` is one of ``names``, or lies under one of them that ends with ``/`` (a
    folder: ``hf/`` leaves out ``hf/config.json``, ``hf/model.safetensors``, ...)."""
    return rel in names or any(name.endswith("/") and rel.startswith(name) for name in names)


def verify_dir(directory: Path, manifest: dict[str, Any], *, exclude: Collection[str] = ()) -> None:
    """Check every file listed in ``manifest`` exists under ``directory`` with the right size and sha256.

    Args:
        directory: The artifact directory.
        manifest: Its parsed manifest.
        exclude: Listed files not checked here (deferred files, fetched and verified on first use; files serving
            never reads). A name ending with ``/`` leaves out every file under that folder.

    Raises:
        ArtifactIntegrityError: naming the first file that is missing or differs.
    """
    model, version = manifest.get("model"), manifest.get("version")
    for rel, meta in sorted(manifest["files"].items()):
        if left_out(rel, exclude):
            continue
        path = Path(directory) / _safe_relpath(rel)
        if not path.is_file():
            raise ArtifactIntegrityError(f"{model}/{version}: file {rel} is missing", model=model, file=rel)
        size = path.stat().st_size
        check_file(manifest, rel, size, sha256_file(path) if size == meta["size"] else "")


def check_file(manifest: dict[str, Any], rel: str, size: int, digest: str) -> None:
    """Check one file's ``size`` and sha256 ``digest`` against its ``manifest`` entry.

    Raises:
        ArtifactIntegrityError: naming the file, when either differs.
    """
    model, version = manifest.get("model"), manifest.get("version")
    meta = manifest["files"][rel]
    if size != meta["size"]:
        raise ArtifactIntegrityError(
            f"{model}/{version}: file {rel} has {size} bytes, manifest says {meta['size']}", model=model, file=rel
        )
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

    def download(self, model: str, version: str, rel: str, dest: Path) -> tuple[int, str]:
        """Download one file of a version to ``dest``; returns its size and sha256, computed while streaming.

        One streamed GET per file. boto3's ``download_file`` adds a HEAD request and a transfer manager per
        file and splits files of 8 MB or more into parallel ranged GETs: against the local moto S3 that took
        0.9-1.1 s for the 90 MB encoder, one stream 0.1-0.3 s with hashing (docs/benchmarks.md). Real S3 can
        serve ranged GETs faster than one stream; that is the lever if the encoder download ever dominates.
        """
        from botocore.exceptions import ClientError

        dest.parent.mkdir(parents=True, exist_ok=True)
        key = self.key(model, version, rel)
        digest = hashlib.sha256()
        size = 0
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
            with dest.open("wb") as fh:
                for chunk in body.iter_chunks(_CHUNK):
                    fh.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
        except ClientError as exc:
            if is_missing(exc):
                raise ArtifactNotFoundError(
                    f"{model}/{version}: {rel} listed in the manifest is missing from {self.describe()}",
                    model=model,
                    version=version,
                    file=rel,
                ) from exc
            raise
        return size, digest.hexdigest()

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
        return sorted(found, key=version_key)


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
            client = make_s3_client(settings.s3_endpoint_url, settings.aws_region, transfers=False)
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
        later with :meth:`fetch_deferred`, which verifies it against the same manifest. A name ending with
        ``/`` leaves out a whole folder (``hf/``: the tagger's Hugging Face checkpoint, which serving never reads).
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
            size, digest = self.source.download(model, version, rel, tmp / rel)
            check_file(one, rel, size, digest)
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
            wanted = [rel for rel in sorted(manifest["files"]) if not left_out(rel, defer)]
            # largest first, several at once (an artifact is ready when its largest file is), each hashed as it
            # streams in, so verifying is a comparison instead of a second read of every file
            wanted.sort(key=lambda rel: -int(manifest["files"][rel]["size"]))
            with ThreadPoolExecutor(max_workers=max(1, min(len(wanted), _FILE_THREADS))) as pool:
                jobs = [pool.submit(source.download, model, version, rel, tmp / _safe_relpath(rel)) for rel in wanted]
                got = [job.result() for job in jobs]
            download_ms = (time.perf_counter() - t0) * 1000
            t1 = time.perf_counter()
            for rel, (size, digest) in sorted(zip(wanted, got, strict=True)):
                check_file(manifest, rel, size, digest)
            verify_ms = (time.perf_counter() - t1) * 1000
            (tmp / MANIFEST_NAME).write_bytes(raw)
            try:
                tmp.rename(target)
            except OSError:
                # another process finished first: keep its copy if it verifies, with the files it left out that this
                # fetch wants (a stage that reads fewer files, startup.STAGE_NOT_READ) moved in from ours
                for rel in wanted:
                    if not (target / rel).is_file():
                        (target / rel).parent.mkdir(parents=True, exist_ok=True)
                        (tmp / rel).replace(target / rel)
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
            # a copy fetched for a stage that reads fewer files (startup.STAGE_NOT_READ; /tmp shared by several
            # functions, as in the local Lambda emulation): the files this fetch wants too are added, each verified
            done = FetchResult(target, manifest, 0.0, 0.0, cached=True)
            for rel in manifest["files"]:
                if not left_out(rel, defer) and not (target / _safe_relpath(rel)).is_file():
                    self.fetch_deferred(done, rel)
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
    return sorted(found, key=version_key)
