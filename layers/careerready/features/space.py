"""Skill relatedness: embedding cosine plus catalog relations (same category, prerequisites), and partial credit."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from careerready.features.cache import built_once
from careerready.features.definitions import (
    NO_VECTOR_SIMILARITY,
    PARTIAL_MAX_CREDIT,
    PARTIAL_MIN_CREDIT,
    PARTIAL_THRESHOLD,
    PREREQUISITE_BONUS,
    SAME_CATEGORY_BONUS,
)
from careerready.features.held import HeldSkill
from careerready.services.catalog import Catalog, Role


# ---------------------------------------------------------------------------------------------
# skill space: vectors + catalog relations
# ---------------------------------------------------------------------------------------------
class SkillSpace:
    """Skill relatedness from embedding cosine plus catalog relations (category, prerequisites).

    Args:
        catalog: The compiled catalog.
        skill_ids: Ids for the rows of ``skill_vectors`` (L2-normalised float32); optional.
        skill_vectors: ``(n, d)`` matrix.
        role_ids: Ids for the rows of ``role_vectors``; optional.
        role_vectors: ``(m, d)`` matrix.
    """

    def __init__(
        self,
        catalog: Catalog,
        skill_ids: Sequence[str] | None = None,
        skill_vectors: np.ndarray | None = None,
        role_ids: Sequence[str] | None = None,
        role_vectors: np.ndarray | None = None,
    ) -> None:
        self.catalog = catalog
        self._skill_row: dict[str, int] = {s: i for i, s in enumerate(skill_ids or ())}
        self._vectors = _normalise(skill_vectors) if skill_vectors is not None else None
        self._role_row: dict[str, int] = {r: i for i, r in enumerate(role_ids or ())}
        self._role_vectors = _normalise(role_vectors) if role_vectors is not None else None
        self._closure: dict[str, frozenset[str]] = {}

    @classmethod
    def from_dir(cls, catalog: Catalog, directory: Path | str | None) -> SkillSpace:
        """Load ``skill_vectors.npy``/``skill_ids.json`` (and role vectors if present) from an embeddings dir."""
        if directory is None:
            return cls(catalog)
        root = Path(directory)
        kwargs: dict[str, Any] = {}
        if (root / "skill_vectors.npy").is_file() and (root / "skill_ids.json").is_file():
            kwargs["skill_vectors"] = np.load(root / "skill_vectors.npy")
            kwargs["skill_ids"] = json.loads((root / "skill_ids.json").read_text(encoding="utf-8"))
        if (root / "role_vectors.npy").is_file() and (root / "role_ids.json").is_file():
            kwargs["role_vectors"] = np.load(root / "role_vectors.npy")
            kwargs["role_ids"] = json.loads((root / "role_ids.json").read_text(encoding="utf-8"))
        return cls(catalog, **kwargs)

    @classmethod
    def from_embeddings(cls, catalog: Catalog, embeddings: Any) -> SkillSpace:
        """Build from a loaded embeddings wrapper (duck-typed) or return an existing SkillSpace.

        Accepts an object with ``skill_ids``/``skill_vectors`` (and optionally ``role_ids``/
        ``role_vectors``) attributes, an embeddings directory path, or None (catalog relations only).
        """
        if isinstance(embeddings, SkillSpace):
            return embeddings
        if embeddings is None or isinstance(embeddings, str | Path):
            return cls.from_dir(catalog, embeddings)
        cached = getattr(embeddings, "_careerready_skill_space", None)
        if isinstance(cached, SkillSpace) and cached.catalog is catalog:
            return cached
        space = cls(
            catalog,
            skill_ids=_opt_list(getattr(embeddings, "skill_ids", None)),
            skill_vectors=getattr(embeddings, "skill_vectors", None),
            role_ids=_opt_list(getattr(embeddings, "role_ids", None)),
            role_vectors=getattr(embeddings, "role_vectors", None),
        )
        try:
            embeddings._careerready_skill_space = space
        except (AttributeError, TypeError):  # slots / frozen wrappers: just don't cache
            pass
        return space

    @property
    def has_vectors(self) -> bool:
        """True if skill vectors are loaded."""
        return self._vectors is not None

    def vector(self, skill_id: str) -> np.ndarray | None:
        """The unit vector of a skill (None if unknown)."""
        if self._vectors is None or skill_id not in self._skill_row:
            return None
        vec: np.ndarray = self._vectors[self._skill_row[skill_id]]
        return vec

    def closure(self, skill_id: str) -> frozenset[str]:
        """Direct and indirect prerequisites of a skill (memoised; empty for unknown ids)."""
        if skill_id not in self._closure:
            if skill_id in self.catalog.skills:
                self._closure[skill_id] = frozenset(self.catalog.prerequisite_closure(skill_id))
            else:
                self._closure[skill_id] = frozenset()
        return self._closure[skill_id]

    def relatedness(self, target: str, others: Sequence[str]) -> np.ndarray:
        """Relatedness in [0, 0.99] of ``target`` to each of ``others`` (cosine + catalog bonuses)."""
        n = len(others)
        if n == 0:
            return np.zeros(0, dtype=np.float64)
        base = np.full(n, NO_VECTOR_SIMILARITY, dtype=np.float64)
        tv = self.vector(target)
        if tv is not None and self._vectors is not None:
            rows = [self._skill_row.get(o, -1) for o in others]
            idx = np.array([r for r in rows if r >= 0], dtype=np.int64)
            if idx.size:
                sims = self._vectors[idx] @ tv
                mask = np.array([r >= 0 for r in rows])
                base[mask] = sims.astype(np.float64)
        t_skill = self.catalog.skills.get(target)
        t_closure = self.closure(target)
        for i, o in enumerate(others):
            if o == target:
                base[i] = 1.0
                continue
            o_skill = self.catalog.skills.get(o)
            if t_skill is not None and o_skill is not None and t_skill.category == o_skill.category:
                base[i] += SAME_CATEGORY_BONUS
            if o in t_closure or target in self.closure(o):
                base[i] += PREREQUISITE_BONUS
        out = np.clip(base, 0.0, 0.99)
        for i, o in enumerate(others):
            if o == target:
                out[i] = 1.0
        return out

    def best_related(self, target: str, held_ids: Sequence[str]) -> tuple[str | None, float]:
        """The held skill most related to ``target`` and its relatedness (ties: first by id)."""
        candidates = sorted(h for h in held_ids if h != target)
        if not candidates:
            return None, 0.0
        rel = self.relatedness(target, candidates)
        i = int(np.argmax(rel))
        return candidates[i], float(rel[i])

    def role_vector(self, role: Role) -> np.ndarray | None:
        """The role's vector: from role_vectors if present, else importance-weighted skill centroid."""
        if self._role_vectors is not None and role.id in self._role_row:
            rvec: np.ndarray = self._role_vectors[self._role_row[role.id]]
            return rvec
        vecs, weights = [], []
        for rs in role.skills:
            v = self.vector(rs.skill_id)
            if v is not None:
                vecs.append(v)
                weights.append(rs.importance)
        if not vecs:
            return None
        c = np.average(np.stack(vecs), axis=0, weights=np.asarray(weights))
        nrm = float(np.linalg.norm(c))
        return c / nrm if nrm > 0 else None

    def centroid(self, held: Mapping[str, HeldSkill]) -> np.ndarray | None:
        """Evidence-weighted unit centroid of the held skills' vectors (None without vectors)."""
        vecs, weights = [], []
        for sid in sorted(held):
            v = self.vector(sid)
            if v is not None:
                vecs.append(v)
                weights.append(held[sid].weight)
        if not vecs:
            return None
        c = np.average(np.stack(vecs), axis=0, weights=np.asarray(weights))
        nrm = float(np.linalg.norm(c))
        return c / nrm if nrm > 0 else None


def _opt_list(x: Any) -> list[str] | None:
    return None if x is None else [str(v) for v in x]


def _normalise(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float32)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: np.ndarray = m / norms
    return out


def partial_credit(similarity: float) -> float:
    """Credit in [PARTIAL_MIN_CREDIT, PARTIAL_MAX_CREDIT] for a related skill (0 below the threshold)."""
    if similarity < PARTIAL_THRESHOLD:
        return 0.0
    frac = (similarity - PARTIAL_THRESHOLD) / (1.0 - PARTIAL_THRESHOLD)
    return round(PARTIAL_MIN_CREDIT + (PARTIAL_MAX_CREDIT - PARTIAL_MIN_CREDIT) * min(frac, 1.0), 6)


def skill_space_for(catalog: Catalog, embeddings: Any) -> SkillSpace:
    """The :class:`SkillSpace` over ``catalog`` + ``embeddings``, built once per pair.

    Building one normalises every skill and role vector (a few ms); the stages reuse it across requests.
    """
    return built_once("skill_space", lambda: SkillSpace.from_embeddings(catalog, embeddings), catalog, embeddings)
