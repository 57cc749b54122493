"""Seeded, versioned synthetic datasets built from the compiled catalog (see docs/synthetic-data.md)."""

from __future__ import annotations

GENERATOR_VERSION = "1.1.0"
DATASET_VERSION = "v1"
DEFAULT_SEED = 20261126
