"""Runtime settings (environment variables ``CAREERREADY_*``), validated once at start-up.

``get_settings()`` is cached per process. A bad value raises :class:`ConfigError` whose message
names the environment variable, e.g. ``CAREERREADY_ARTIFACT_SOURCE: Input should be 'local' or 's3'``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from careerready.core import paths
from careerready.core.errors import ConfigError
from careerready.core.observability import logger

__all__ = ["ENV_PREFIX", "LIMITS", "MODEL_NAMES", "Limits", "Settings", "env_var_name", "get_settings", "load_settings"]

ENV_PREFIX = "CAREERREADY_"
MODEL_NAMES: tuple[str, ...] = (
    "catalog",
    "embeddings",
    "extractor",
    "ner",
    "matching",
    "readiness",
    "gap_ranker",
    "recommender",
)


@dataclass(frozen=True)
class Limits:
    """Every size limit of the service, in one table (the defaults; a ``Settings`` field overrides the first three).

    Request schemas validate against these at import time; documents, the API, the stages and
    ingest read them here or through :class:`Settings`.
    """

    #: a document (API upload or ``s3_key`` object): API Gateway's 6 MB sync payload is ~4.5 MB of file in base64
    max_upload_bytes: int = 4_500_000
    #: extracted resume text; a long resume is ~15k characters, more is not a resume and only burns CPU
    max_text_chars: int = 100_000
    #: a resume arriving through S3 -> SQS (no API Gateway in front, so larger files go this way)
    max_ingest_object_bytes: int = 10 * 1024 * 1024
    #: room for multipart framing and form fields on top of the largest file (the request body limit)
    multipart_overhead_bytes: int = 64 * 1024
    #: resume text sent to the match stage for ranking (callers truncate; the ranking needs no more)
    max_match_text_chars: int = 200_000
    #: roles compared in one /analyze call
    max_roles_per_analysis: int = 5
    #: roles matched in one match-stage call (the whole catalog is a few hundred)
    max_roles_per_match: int = 2000  # every catalog role in one request (55 curated + ~930 O*NET occupations)
    #: a pasted job posting (analyze ``posting``); long postings are ~8k characters
    max_posting_chars: int = 30_000
    #: skills of an inline (ad-hoc) role sent to the match / recommend stages, e.g. one built from a posting
    max_inline_role_skills: int = 100
    #: title / skill name of an inline role
    max_inline_name_chars: int = 200
    #: pages read from a PDF (later pages are ignored; resumes are short)
    max_pdf_pages: int = 30
    #: entries in a DOCX zip
    max_zip_members: int = 2_000
    #: sum of the declared uncompressed sizes of a DOCX's entries
    max_zip_uncompressed: int = 64 * 1024 * 1024
    #: uncompressed/compressed ratio allowed for any DOCX entry larger than 1 MiB (zip bombs)
    max_zip_ratio: float = 100.0


LIMITS = Limits()

_VERSION_PATTERN = r"^v[0-9]+$"
_SHA256_PATTERN = r"^[0-9a-f]{64}$"

# fields whose variable is not simply PREFIX + NAME (first choice is the project's own name)
_ALIASES: dict[str, tuple[str, ...]] = {
    "s3_endpoint_url": ("CAREERREADY_S3_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"),
    "lambda_endpoint_url": ("CAREERREADY_LAMBDA_ENDPOINT_URL", "AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL"),
    "aws_region": ("CAREERREADY_AWS_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"),
}


def _alias(field: str) -> AliasChoices:
    return AliasChoices(*_ALIASES[field], field)


def env_var_name(field: str) -> str:
    """Environment variable that sets a settings field (``artifact_source`` -> ``CAREERREADY_ARTIFACT_SOURCE``)."""
    if field in _ALIASES:
        return _ALIASES[field][0]
    return f"{ENV_PREFIX}{field.upper()}"


class Settings(BaseSettings):
    """All runtime configuration of the serving package."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        # local runs may keep overrides in ./.env (see .env.example); real environment variables win
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        frozen=True,
        case_sensitive=False,
    )

    # ---- artifacts ------------------------------------------------------------------------
    artifact_source: Literal["local", "s3"] = Field("local", description="Where models are read from.")
    artifacts_dir: Path = Field(paths.ARTIFACTS_DIR, description="Local artifacts root (artifact_source=local).")
    artifact_bucket: str | None = Field(None, min_length=3, description="S3 bucket (artifact_source=s3).")
    artifact_prefix: str = Field("models", description="Key prefix under the bucket.")
    s3_endpoint_url: str | None = Field(
        None,
        validation_alias=_alias("s3_endpoint_url"),
        description="S3 endpoint (moto/localstack); honours AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL.",
    )
    aws_region: str = Field("us-east-1", validation_alias=_alias("aws_region"))
    cache_dir: Path = Field(paths.CACHE_DIR, description="Download cache for S3 artifacts (Lambda: /tmp).")
    registry_path: Path = Field(paths.REGISTRY_PATH, description="stage -> {model: version} JSON file.")

    # per-model version overrides: CAREERREADY_MODEL_VERSION_<MODEL>=v2
    model_version_catalog: str | None = Field(None, pattern=_VERSION_PATTERN)
    model_version_embeddings: str | None = Field(None, pattern=_VERSION_PATTERN)
    model_version_extractor: str | None = Field(None, pattern=_VERSION_PATTERN)
    model_version_ner: str | None = Field(None, pattern=_VERSION_PATTERN)
    model_version_matching: str | None = Field(None, pattern=_VERSION_PATTERN)
    model_version_readiness: str | None = Field(None, pattern=_VERSION_PATTERN)
    model_version_gap_ranker: str | None = Field(None, pattern=_VERSION_PATTERN)
    model_version_recommender: str | None = Field(None, pattern=_VERSION_PATTERN)
    # optional pins of a version's manifest.json sha256: CAREERREADY_MODEL_SHA256_<MODEL>=<hex>
    model_sha256_catalog: str | None = Field(None, pattern=_SHA256_PATTERN)
    model_sha256_embeddings: str | None = Field(None, pattern=_SHA256_PATTERN)
    model_sha256_extractor: str | None = Field(None, pattern=_SHA256_PATTERN)
    model_sha256_ner: str | None = Field(None, pattern=_SHA256_PATTERN)
    model_sha256_matching: str | None = Field(None, pattern=_SHA256_PATTERN)
    model_sha256_readiness: str | None = Field(None, pattern=_SHA256_PATTERN)
    model_sha256_gap_ranker: str | None = Field(None, pattern=_SHA256_PATTERN)
    model_sha256_recommender: str | None = Field(None, pattern=_SHA256_PATTERN)

    # ---- request limits (defaults: the LIMITS table) -----------------------------------------
    max_upload_bytes: int = Field(LIMITS.max_upload_bytes, gt=0, description="Largest accepted document (bytes).")
    max_text_chars: int = Field(LIMITS.max_text_chars, gt=0, description="Longest accepted resume text (characters).")
    max_ingest_object_bytes: int = Field(
        LIMITS.max_ingest_object_bytes, gt=0, description="Largest resume accepted through S3 -> SQS (bytes)."
    )
    resume_bucket: str | None = Field(
        None, min_length=3, description="Bucket that s3_key inputs are read from (the ingest upload bucket)."
    )

    defer_large_files: bool = Field(
        True,
        description=(
            "Leave files only some requests need (the embeddings artifact's 90 MB ONNX encoder) out of the "
            "cold start; each is fetched, sha256-verified and loaded on first use. False = load everything at start."
        ),
    )

    # ---- observability --------------------------------------------------------------------
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field(
        "INFO", description="Level of the one logger; applied by get_settings()."
    )

    # ---- stage transport ------------------------------------------------------------------
    transport: Literal["inprocess", "lambda"] = Field("inprocess", description="How /analyze calls the stages.")
    extract_function_name: str = Field("careerready-extract", min_length=1)
    match_function_name: str = Field("careerready-match", min_length=1)
    readiness_function_name: str = Field("careerready-readiness", min_length=1)
    recommend_function_name: str = Field("careerready-recommend", min_length=1)
    lambda_endpoint_url: str | None = Field(None, validation_alias=_alias("lambda_endpoint_url"))
    stage_timeout_s: float = Field(25.0, gt=0, le=900)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check_source(self) -> Settings:
        if self.artifact_source == "s3" and not self.artifact_bucket:
            raise ValueError("artifact_bucket is required when artifact_source is 's3'")
        return self

    # ---- helpers --------------------------------------------------------------------------
    @property
    def max_body_bytes(self) -> int:
        """Whole HTTP request body: the largest file plus multipart framing and form fields."""
        return self.max_upload_bytes + LIMITS.multipart_overhead_bytes

    def version_overrides(self) -> dict[str, str]:
        """``{model: version}`` for every model whose version is overridden."""
        out: dict[str, str] = {}
        for model in MODEL_NAMES:
            value = getattr(self, f"model_version_{model}")
            if value:
                out[model] = str(value)
        return out

    def pinned_manifest_sha256(self, model: str) -> str | None:
        """The pinned manifest sha256 for ``model`` (None when not pinned)."""
        value = getattr(self, f"model_sha256_{model}", None)
        return str(value) if value else None

    def function_name(self, stage: str) -> str:
        """Lambda function name of a remote stage (``extract``, ``match``, ``readiness``, ``recommend``)."""
        value = getattr(self, f"{stage}_function_name", None)
        if value is None:
            raise ConfigError(f"no function name setting for stage {stage!r}", stage=stage)
        return str(value)


def _describe(exc: ValidationError) -> str:
    parts: list[str] = []
    for err in exc.errors():
        loc = [str(x) for x in err.get("loc", ())]
        msg = str(err.get("msg", "invalid value"))
        if loc:
            field = loc[0]
            # AliasChoices report the alias they matched; map every spelling back to the field
            for name, aliases in _ALIASES.items():
                if field in aliases:
                    field = name
            parts.append(f"{env_var_name(field)}: {msg} (got {err.get('input')!r})")
        else:
            # model-level validator: the message names the field
            text = msg.removeprefix("Value error, ")
            field = text.split(" ", 1)[0]
            parts.append(f"{env_var_name(field)}: {text}" if field in Settings.model_fields else text)
    return "; ".join(parts)


def load_settings(**overrides: Any) -> Settings:
    """Read and validate settings from the environment (plus explicit overrides).

    Raises:
        ConfigError: a variable is invalid; the message names it.
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(f"invalid configuration: {_describe(exc)}") from exc


@cache
def get_settings() -> Settings:
    """Process-wide settings, validated on first use (call at module import in handlers).

    Also sets the level of the one logger (:data:`careerready.core.observability.logger`) to ``log_level``.
    """
    settings = load_settings()
    logger.setLevel(settings.log_level)
    return settings
