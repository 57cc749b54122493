"""Recommender wrapper: truncated-SVD collaborative filtering blended with content match.

A new user is known only by skills. We fold them in with a pseudo-interaction vector built from
the resources that teach their gap skills (weighted by gap weight) plus, at a smaller weight, the
resources teaching skills they already hold; projecting it through the SVD components gives CF
scores for resources co-consumed with those. The final score blends CF with content match (the
resource teaches a gap skill, its level fits the years of experience).

A trained artifact may instead carry learned ``weights`` over ``LINEAR_FEATURES`` (a logistic
regression fitted on the training users): then the score is ``weights . features + alpha x CF``
(``alpha_warm`` when the user's own interactions are folded in). Without weights the original
``alpha x CF + beta x popularity + (1 - alpha - beta) x content`` blend applies.

Artifact: ``params.npz`` (``components``, ``popularity``; read with ``allow_pickle=False``) and
``params.json`` (resource ids, skills, levels, free flags, blend weights). Serving needs numpy only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from careerready.core.errors import ArtifactError, ArtifactNotFoundError

__all__ = [
    "ARRAYS_FILE",
    "LEVELS",
    "LINEAR_FEATURES",
    "MODEL_FILE",
    "Recommender",
    "level_fit",
    "load",
    "save",
    "target_level",
]

MODEL_FILE = "params.json"
ARRAYS_FILE = "params.npz"
FORMAT = "careerready.recommender/1"
LEVELS: tuple[str, ...] = ("beginner", "intermediate", "advanced")
LINEAR_FEATURES: tuple[str, ...] = ("need", "level_fit", "log_popularity", "side_skills", "free")
POPULARITY_FEATURES = frozenset({"log_popularity"})


def target_level(years_experience: float | None) -> int:
    """Index into LEVELS that fits the experience: <1 y beginner, <4 y intermediate, else advanced."""
    y = 0.0 if years_experience is None else float(years_experience)
    return 0 if y < 1.0 else (1 if y < 4.0 else 2)


def level_fit(level: str, years_experience: float | None) -> float:
    """1.0 for the fitting level, 0.75 one level off, 0.5 two levels off."""
    idx = LEVELS.index(level) if level in LEVELS else 0
    return 1.0 - 0.25 * abs(idx - target_level(years_experience))


@dataclass(frozen=True)
class Recommender:
    """SVD item factors + resource metadata + blend weights."""

    resource_ids: tuple[str, ...]
    components: np.ndarray  # (k, n_items)
    popularity: np.ndarray  # (n_items,) in [0, 1]
    resource_skills: tuple[tuple[str, ...], ...]
    resource_levels: tuple[str, ...]
    alpha: float = 0.3  # CF share of the blend
    held_weight: float = 0.3  # weight of held-skill resources in the fold-in vector
    beta: float = 0.0  # popularity share of the blend
    weights: tuple[float, ...] = ()  # learned weights over LINEAR_FEATURES (empty: fixed blend)
    alpha_warm: float | None = None  # CF weight when the user's interactions are folded in
    resource_free: tuple[bool, ...] = ()
    _index: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update({r: i for i, r in enumerate(self.resource_ids)})

    @property
    def n_items(self) -> int:
        """Number of resources the model knows."""
        return len(self.resource_ids)

    def teaches(self, gap_weights: Mapping[str, float]) -> np.ndarray:
        """Per resource: sum of the gap weights of the skills it teaches."""
        out = np.zeros(self.n_items, dtype=np.float64)
        for i, skills in enumerate(self.resource_skills):
            out[i] = sum(gap_weights.get(s, 0.0) for s in skills)
        return out

    def content_scores(self, gap_weights: Mapping[str, float], years_experience: float | None) -> np.ndarray:
        """Share of the total gap weight a resource teaches, times its level fit, in [0, 1]."""
        total = sum(w for w in gap_weights.values() if w > 0) or 1.0
        fit = np.array([level_fit(lv, years_experience) for lv in self.resource_levels], dtype=np.float64)
        return np.clip(self.teaches(gap_weights) / total, 0.0, 1.0) * fit

    def linear_features(
        self, gap_weights: Mapping[str, float], years_experience: float | None, held_skill_ids: Iterable[str] = ()
    ) -> np.ndarray:
        """``(n_items, len(LINEAR_FEATURES))``: gap need / sqrt(#skills), level fit, log popularity,
        count of skills taught that are neither held nor gaps, free flag."""
        held = set(held_skill_ids)
        n_sk = np.array([max(1, len(s)) for s in self.resource_skills], dtype=np.float64)
        need = self.teaches(gap_weights) / np.sqrt(n_sk)
        fit = np.array([level_fit(lv, years_experience) for lv in self.resource_levels], dtype=np.float64)
        side = np.array(
            [sum(1 for s in skills if s not in held and s not in gap_weights) for skills in self.resource_skills],
            dtype=np.float64,
        )
        free = (
            np.array(self.resource_free, dtype=np.float64)
            if len(self.resource_free) == self.n_items
            else np.zeros(self.n_items)
        )
        return np.stack([need, fit, self.popularity, side, free], axis=1)

    def fold_in(
        self,
        gap_weights: Mapping[str, float],
        held_skill_ids: Iterable[str] = (),
        interactions: Mapping[str, float] | None = None,
    ) -> np.ndarray:
        """Pseudo-interaction vector for a user known by gaps, held skills and optional interactions."""
        x = self.teaches(gap_weights)
        if x.max() > 0:
            x = x / x.max()
        held = dict.fromkeys(held_skill_ids, 1.0)
        if held and self.held_weight > 0:
            h = self.teaches(held)
            if h.max() > 0:
                x = x + self.held_weight * h / h.max()
        for rid, r in (interactions or {}).items():
            if rid in self._index:
                x[self._index[rid]] += float(r)
        return x

    def cf_scores(self, x: np.ndarray) -> np.ndarray:
        """Reconstruct a user vector through the SVD factors, scaled to [0, 1]."""
        s: np.ndarray = (np.asarray(x, dtype=np.float64) @ self.components.T) @ self.components
        s = np.clip(s, 0.0, None)
        m = float(s.max()) if s.size else 0.0
        return s / m if m > 0 else s

    def score(
        self,
        gap_weights: Mapping[str, float],
        years_experience: float | None,
        held_skill_ids: Iterable[str] = (),
        interactions: Mapping[str, float] | None = None,
        alpha: float | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(blend, cf, content)`` score arrays over ``resource_ids``.

        blend = alpha x CF + beta x popularity + (1 - alpha - beta) x content.

        With learned ``weights``: blend = weights . linear_features + alpha x CF, and ``content`` is the
        non-popularity part of the linear term.
        """
        held = list(held_skill_ids)
        cf = self.cf_scores(self.fold_in(gap_weights, held, interactions))
        if self.weights:
            a = (
                alpha
                if alpha is not None
                else (self.alpha_warm if interactions and self.alpha_warm is not None else self.alpha)
            )
            feats = self.linear_features(gap_weights, years_experience, held)
            w = np.asarray(self.weights, dtype=np.float64)
            content_mask = np.array([n not in POPULARITY_FEATURES for n in LINEAR_FEATURES])
            content = feats[:, content_mask] @ w[content_mask]
            return feats @ w + a * cf, cf, content
        a = self.alpha if alpha is None else alpha
        b = min(self.beta, 1.0 - a)
        content = self.content_scores(gap_weights, years_experience)
        return a * cf + b * self.popularity + (1.0 - a - b) * content, cf, content

    def cf_share(self, i: int, cf: np.ndarray, content: np.ndarray) -> float:
        """Share of resource ``i``'s score that comes from other learners (CF + popularity), in [0, 1]."""
        if self.weights:
            pop_w = sum(w for n, w in zip(LINEAR_FEATURES, self.weights, strict=True) if n in POPULARITY_FEATURES)
            crowd = max(0.0, self.alpha * float(cf[i])) + max(0.0, pop_w * float(self.popularity[i]))
            own = max(0.0, float(content[i]))
        else:
            a, b = self.alpha, min(self.beta, 1.0 - self.alpha)
            crowd, own = a * float(cf[i]) + b * float(self.popularity[i]), (1 - a - b) * float(content[i])
        return crowd / (crowd + own) if (crowd + own) > 0 else 0.0

    def top_k(self, scores: np.ndarray, k: int, exclude: Iterable[str] = ()) -> list[int]:
        """Indices of the k best scores (ties by resource id), skipping excluded ids."""
        ex = {self._index[r] for r in exclude if r in self._index}
        order = sorted(
            (i for i in range(self.n_items) if i not in ex), key=lambda i: (-scores[i], self.resource_ids[i])
        )
        return order[:k]


def save(artifact_dir: Path, rec: Recommender, extra: dict[str, Any] | None = None) -> Path:
    """Write ``params.npz`` (components, popularity) and ``params.json`` (the rest, plus ``extra``)."""
    artifact_dir.mkdir(parents=True, exist_ok=True)
    with (artifact_dir / ARRAYS_FILE).open("wb") as fh:
        np.savez(
            fh,
            components=np.asarray(rec.components, dtype=np.float64),
            popularity=np.asarray(rec.popularity, dtype=np.float64),
        )
    path = artifact_dir / MODEL_FILE
    payload = {
        "format": FORMAT,
        "resource_ids": list(rec.resource_ids),
        "resource_skills": [list(s) for s in rec.resource_skills],
        "resource_levels": list(rec.resource_levels),
        "alpha": float(rec.alpha),
        "held_weight": float(rec.held_weight),
        "beta": float(rec.beta),
        "weights": [float(w) for w in rec.weights],
        "alpha_warm": None if rec.alpha_warm is None else float(rec.alpha_warm),
        "resource_free": [bool(f) for f in rec.resource_free],
        **(extra or {}),
    }
    path.write_text(json.dumps(payload) + "\n", encoding="utf-8")
    return path


def load(artifact_dir: Path | str) -> Recommender:
    """Load a recommender artifact directory (``params.json`` + ``params.npz``)."""
    root = Path(artifact_dir)
    path, arrays_path = root / MODEL_FILE, root / ARRAYS_FILE
    for p in (path, arrays_path):
        if not p.is_file():
            raise ArtifactNotFoundError("recommender model file missing", path=str(p))
    d = json.loads(path.read_text(encoding="utf-8"))
    with np.load(arrays_path, allow_pickle=False) as z:
        components = np.asarray(z["components"], dtype=np.float64)
        popularity = np.asarray(z["popularity"], dtype=np.float64)
    n = len(d["resource_ids"])
    if popularity.shape != (n,) or components.ndim != 2 or components.shape[1] != n:
        raise ArtifactError("recommender arrays do not match its resource ids", path=str(arrays_path))
    return Recommender(
        resource_ids=tuple(d["resource_ids"]),
        components=components,
        popularity=popularity,
        resource_skills=tuple(tuple(s) for s in d["resource_skills"]),
        resource_levels=tuple(d["resource_levels"]),
        alpha=float(d["alpha"]),
        held_weight=float(d["held_weight"]),
        beta=float(d.get("beta", 0.0)),
        weights=tuple(float(w) for w in d.get("weights", ())),
        alpha_warm=None if d.get("alpha_warm") is None else float(d["alpha_warm"]),
        resource_free=tuple(bool(f) for f in d.get("resource_free", ())),
    )
