"""Repository-relative default paths (one place; settings and CLIs take their defaults from here).

In a Lambda image the package is installed into site-packages, so these point nowhere useful;
serving then reads artifacts from S3 (``CAREERREADY_ARTIFACT_SOURCE=s3``) into ``CACHE_DIR``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ARTIFACTS_DIR",
    "BUILD_DIR",
    "CACHE_DIR",
    "CATALOG_BUILD_DIR",
    "DATA_DIR",
    "DATASETS_DIR",
    "PACKAGE_DIR",
    "REGISTRY_PATH",
    "REPO_ROOT",
    "SHARED_DATA_DIR",
    "STATE_DIR",
]

PACKAGE_DIR = Path(__file__).resolve().parents[1]
"""``layers/careerready``."""
REPO_ROOT = PACKAGE_DIR.parents[1]
"""The checkout root (``layers/..``) when running from source."""

DATA_DIR = REPO_ROOT / "data"
BUILD_DIR = REPO_ROOT / "build"
CATALOG_BUILD_DIR = BUILD_DIR / "catalog"
DATASETS_DIR = BUILD_DIR / "datasets"
ARTIFACTS_DIR = REPO_ROOT / "artifacts"
STATE_DIR = BUILD_DIR / "state"
"""Runtime state of local helper servers (e.g. the moto server URL for ``make serve``)."""
SHARED_DATA_DIR = REPO_ROOT.parent / "shared" / "data"
"""Read-only external datasets beside the checkout (never copied into the repo)."""
REGISTRY_PATH = PACKAGE_DIR / "registry.json"
CACHE_DIR = Path("/tmp/careerready-artifacts")  # noqa: S108 - Lambda's only writable dir
