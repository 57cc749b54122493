"""What the routes share: the stage client, the role catalog, the resume bucket, limits."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Annotated, Any

from fastapi import Depends, Request

from careerready.core.config import Settings, env_var_name
from careerready.core.errors import InvalidInputError
from careerready.services.catalog import Catalog
from careerready.services.documents import DocumentLimits
from careerready.services.roles import RoleResolver
from careerready.services.transport import InProcessTransport, StageClient

__all__ = ["RESUME_BUCKET_ENV", "ApiContext", "CatalogBundle", "Context", "default_catalog_provider", "get_context"]

RESUME_BUCKET_ENV = env_var_name("resume_bucket")
"""The variable that sets ``Settings.resume_bucket``, the bucket ``s3_key`` inputs are read from."""


@dataclass(frozen=True)
class CatalogBundle:
    """The catalog the API resolves roles against, its version(s), and optional embeddings."""

    catalog: Catalog
    versions: dict[str, str]
    embeddings: Any = None


def default_catalog_provider(client: StageClient, settings: Settings) -> Callable[[], CatalogBundle]:
    """In-process: share the match stage's catalog + embeddings. Remote: fetch only the catalog artifact."""

    def from_stage() -> CatalogBundle:
        assert isinstance(client, InProcessTransport)
        models = client.models("match")
        versions = {k: v for k, v in models.versions.items() if k in ("catalog", "embeddings")}
        match = models.for_match()
        return CatalogBundle(match.catalog, versions, match.embeddings)

    def from_store() -> CatalogBundle:
        from careerready.services.artifacts import ArtifactStore
        from careerready.services.registry import load_registry

        registry = load_registry(settings.registry_path, settings.version_overrides())
        version = registry.models_for("match")["catalog"]
        path = ArtifactStore.from_settings(settings).fetch(
            "catalog", version, manifest_sha256=settings.pinned_manifest_sha256("catalog")
        )
        return CatalogBundle(Catalog.load(path), {"catalog": version})

    return from_stage if isinstance(client, InProcessTransport) else from_store


@dataclass
class ApiContext:
    """Per-app state (one per process); catalog and S3 client are created on first use."""

    client: StageClient
    settings: Settings
    catalog_provider: Callable[[], CatalogBundle]
    s3_client: Any | None = None
    resume_bucket: str | None = None
    _bundle: CatalogBundle | None = field(default=None, init=False, repr=False)
    _resolver: RoleResolver | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.resume_bucket is None:
            self.resume_bucket = self.settings.resume_bucket

    @property
    def document_limits(self) -> DocumentLimits:
        """Upload limits from the settings."""
        return DocumentLimits(max_bytes=self.settings.max_upload_bytes, max_chars=self.settings.max_text_chars)

    @property
    def max_body_bytes(self) -> int:
        """Whole request body (``Settings.max_body_bytes``)."""
        return self.settings.max_body_bytes

    def bundle(self) -> CatalogBundle:
        """The catalog bundle (loaded once)."""
        if self._bundle is None:
            with self._lock:
                if self._bundle is None:
                    self._bundle = self.catalog_provider()
        return self._bundle

    @property
    def catalog(self) -> Catalog:
        """The role/skill catalog."""
        return self.bundle().catalog

    @property
    def resolver(self) -> RoleResolver:
        """Role resolver over the catalog (embedding fallback when the bundle has vectors)."""
        if self._resolver is None:
            from careerready.services.stages import resolver_for

            bundle = self.bundle()
            self._resolver = resolver_for(bundle.catalog, bundle.embeddings)
        return self._resolver

    def read_resume_object(self, key: str) -> tuple[bytes, str | None]:
        """Read an uploaded resume from the resume bucket.

        Returns:
            ``(bytes, content type)``.

        Raises:
            InvalidInputError: no resume bucket configured, or an unsafe key.
            NotFoundError: no such object.
            PayloadTooLargeError: the object is larger than the upload limit.
        """
        from careerready.services.s3 import make_s3_client, read_object

        if not self.resume_bucket:
            raise InvalidInputError(
                f"s3_key input is not enabled here (no {RESUME_BUCKET_ENV}); send text or a file", field="s3_key"
            )
        if key.startswith("/") or ".." in PurePosixPath(key).parts:
            raise InvalidInputError("s3_key must be a relative object key", field="s3_key")
        if self.s3_client is None:
            self.s3_client = make_s3_client(self.settings.s3_endpoint_url, self.settings.aws_region, transfers=False)
        return read_object(self.s3_client, self.resume_bucket, key, int(self.settings.max_upload_bytes))


def get_context(request: Request) -> ApiContext:
    """FastAPI dependency: the app's :class:`ApiContext`."""
    ctx: ApiContext = request.app.state.ctx
    return ctx


Context = Annotated[ApiContext, Depends(get_context)]
"""Route parameter type that injects the :class:`ApiContext`."""
