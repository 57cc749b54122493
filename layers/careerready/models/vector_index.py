"""Embedding helpers: skill/role vector indexes and exact numpy top-k search.

Used by extraction (linking a phrase to the nearest taxonomy skill) and matching (partial credit for a
related skill). Vectors are L2-normalised float32, so the dot product is the cosine similarity.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Protocol

import numpy as np

from careerready.core.errors import ArtifactIntegrityError, ArtifactNotFoundError, InvalidInputError

SKILL_VECTORS_FILE = "skill_vectors.npy"
SKILL_IDS_FILE = "skill_ids.json"
ROLE_VECTORS_FILE = "role_vectors.npy"
ROLE_IDS_FILE = "role_ids.json"


class Embedder(Protocol):
    """What the helpers need from an embedder (``OnnxEmbedder`` satisfies it)."""

    def embed(self, texts: Sequence[str], batch_size: int = 16) -> np.ndarray: ...


def embed_skills(embedder: Embedder, names: Sequence[str], batch_size: int = 32) -> np.ndarray:
    """Embed skill names (or short skill phrases) with surrounding whitespace removed.

    Args:
        embedder: the serving embedder.
        names: skill names or phrases.
        batch_size: texts per model call (short texts: 32 is fine).

    Returns:
        float32 array ``(len(names), dim)`` of unit vectors.
    """
    return embedder.embed([n.strip() for n in names], batch_size=batch_size)


def nearest(vectors: np.ndarray, matrix: np.ndarray, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-k by dot product (cosine for unit vectors), ties broken by the lower row index.

    Args:
        vectors: one query ``(dim,)`` or a batch ``(n, dim)``.
        matrix: the index ``(m, dim)``.
        k: neighbours per query; clipped to ``m``.

    Returns:
        ``(indices, scores)``, best first: shapes ``(k,)`` for one query, ``(n, k)`` for a batch.

    Raises:
        InvalidInputError: dimensions differ or ``k`` < 1.
    """
    if k < 1:
        raise InvalidInputError("k must be >= 1", field="k")
    single = np.ndim(vectors) == 1
    queries = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    index = np.asarray(matrix, dtype=np.float32)
    if index.ndim != 2 or queries.shape[1] != index.shape[1]:
        raise InvalidInputError(f"dimension mismatch: queries {queries.shape} vs index {index.shape}", field="vectors")
    m = index.shape[0]
    k = min(k, m)
    if m == 0:
        empty_i = np.empty((queries.shape[0], 0), dtype=np.int64)
        empty_s = np.empty((queries.shape[0], 0), dtype=np.float32)
        return (empty_i[0], empty_s[0]) if single else (empty_i, empty_s)
    scores = queries @ index.T
    top_i = np.empty((queries.shape[0], k), dtype=np.int64)
    for r, row in enumerate(scores):
        threshold = np.partition(row, m - k)[m - k]
        cand = np.flatnonzero(row >= threshold)
        order = np.lexsort((cand, -row[cand]))[:k]
        top_i[r] = cand[order]
    top_s = np.take_along_axis(scores, top_i, axis=1).astype(np.float32)
    return (top_i[0], top_s[0]) if single else (top_i, top_s)


@dataclass(frozen=True, eq=False)
class VectorIndex:
    """Row-aligned ids and unit vectors (skills or roles) with top-k lookup."""

    ids: tuple[str, ...]
    matrix: np.ndarray

    def __post_init__(self) -> None:
        if self.matrix.ndim != 2 or self.matrix.shape[0] != len(self.ids):
            raise ArtifactIntegrityError(
                "vector index rows do not match ids", rows=int(self.matrix.shape[0]), ids=len(self.ids)
            )

    @classmethod
    def from_dir(cls, path: str | Path, kind: str = "skill") -> VectorIndex:
        """Load ``<kind>_vectors.npy`` + ``<kind>_ids.json`` (kind: ``skill`` or ``role``) from an artifact dir.

        Raises:
            ArtifactNotFoundError: a file is missing.
            ArtifactIntegrityError: rows and ids disagree.
        """
        if kind not in ("skill", "role"):
            raise InvalidInputError("kind must be 'skill' or 'role'", field="kind")
        root = Path(path)
        vec_path, ids_path = root / f"{kind}_vectors.npy", root / f"{kind}_ids.json"
        for p in (vec_path, ids_path):
            if not p.is_file():
                raise ArtifactNotFoundError(f"vector index file missing: {p.name}", path=str(p))
        matrix = np.load(vec_path, allow_pickle=False).astype(np.float32, copy=False)
        ids = tuple(json.loads(ids_path.read_text(encoding="utf-8")))
        return cls(ids=ids, matrix=matrix)

    @property
    def vectors(self) -> np.ndarray:
        """Alias of ``matrix``."""
        return self.matrix

    @cached_property
    def position(self) -> dict[str, int]:
        """Map id -> row number."""
        return {sid: i for i, sid in enumerate(self.ids)}

    def vector(self, item_id: str) -> np.ndarray:
        """The stored vector of one id (raises ``KeyError`` for an unknown id)."""
        return np.asarray(self.matrix[self.position[item_id]])

    def search(self, vectors: np.ndarray, k: int = 5) -> list[list[tuple[str, float]]]:
        """Top-k ``(id, cosine)`` per query vector, best first (a 1-D query gives a one-element list)."""
        idx, scores = nearest(np.atleast_2d(vectors), self.matrix, k)
        return [
            [(self.ids[int(i)], float(s)) for i, s in zip(row_i, row_s, strict=True)]
            for row_i, row_s in zip(idx, scores, strict=True)
        ]

    def lookup(self, embedder: Embedder, texts: Sequence[str], k: int = 5) -> list[list[tuple[str, float]]]:
        """Embed texts and return their top-k ``(id, cosine)``."""
        if not texts:
            return []
        return self.search(embed_skills(embedder, texts), k)
