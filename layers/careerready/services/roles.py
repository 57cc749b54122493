"""Resolve a role reference (an id or a free-text job title) to a catalog role.

Order, first hit wins:

1. ``id``: the reference is a role id.
2. ``title`` / ``alt_title``: equal to a title or alternative title after :func:`normalize_alias`.
3. ``normalized``: equal after expanding abbreviations (``sr``, ``dev``, ``ml``, ``swe``...),
   splitting compounds (``backend`` -> ``back end``) and dropping seniority words
   (``senior``, ``lead``, ``ii``...): "Sr. ML Eng" -> "machine learning engineer".
4. ``fuzzy``: the best blend of token Dice and character-trigram cosine over all titles of a role
   (0.5 each); accepted at ``threshold`` (default 0.58; 0.55 let "Marketing manager" resolve to a data
   analyst, docs/role-matching.md) or above.
5. ``embedding``: when an embedder and role vectors are available and the fuzzy score is below the
   threshold, the cosine between the reference and each role vector; accepted at ``embedding_threshold``.

Below both thresholds :class:`RoleNotFoundError` (404) lists the three nearest roles.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Any, Literal, Protocol

import numpy as np

from careerready.core.errors import InvalidInputError, RoleNotFoundError
from careerready.services.catalog import Role
from careerready.text import normalize_alias

__all__ = [
    "DEFAULT_EMBEDDING_THRESHOLD",
    "DEFAULT_THRESHOLD",
    "RoleCandidate",
    "RoleResolution",
    "RoleResolver",
    "canonical_title",
]

DEFAULT_THRESHOLD = 0.58
DEFAULT_EMBEDDING_THRESHOLD = 0.6
Method = Literal["id", "title", "alt_title", "normalized", "fuzzy", "embedding"]

_ABBREVIATIONS: dict[str, str] = {
    "sr": "senior",
    "snr": "senior",
    "jr": "junior",
    "jnr": "junior",
    "eng": "engineer",
    "engr": "engineer",
    "dev": "developer",
    "devs": "developer",
    "developers": "developer",
    "engineers": "engineer",
    "scientists": "scientist",
    "analysts": "analyst",
    "mgr": "manager",
    "swe": "software engineer",
    "sde": "software development engineer",
    "ml": "machine learning",
    "ai": "artificial intelligence",
    "sre": "site reliability engineer",
    "qa": "quality assurance",
    "ux": "user experience",
    "ui": "user interface",
    "bi": "business intelligence",
    "frontend": "front end",
    "backend": "back end",
    "fullstack": "full stack",
    "devops": "dev ops",
}
# Words that say how senior a post is, not which role it is.
_SENIORITY: frozenset[str] = frozenset(
    "senior junior lead staff principal associate chief head intern trainee entry level mid i ii iii iv "
    "graduate experienced expert".split()
)
_TOKEN_RE = re.compile(r"[a-z0-9+#]+")


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    for tok in _TOKEN_RE.findall(normalize_alias(text)):
        out.extend(_ABBREVIATIONS.get(tok, tok).split())
    return out


def canonical_title(text: str) -> str:
    """Normal form used for the ``normalized`` exact match and the fuzzy scores.

    ``"Sr. Back-End Dev"`` -> ``"back end developer"``; seniority words are dropped unless nothing
    else is left.
    """
    tokens = _tokens(text)
    core = [t for t in tokens if t not in _SENIORITY]
    return " ".join(core or tokens)


def _trigrams(text: str) -> Counter[str]:
    padded = f"  {text} "
    return Counter(padded[i : i + 3] for i in range(len(padded) - 2))


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def _dice(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Weighted Dice: shared weight over total weight (weights are IDF, so "engineer" counts little)."""
    total = sum(a.values()) + sum(b.values())
    if not total:
        return 0.0
    return 2.0 * sum(w for k, w in a.items() if k in b) / total


@dataclass(frozen=True)
class RoleCandidate:
    """A role and how close a reference came to it."""

    role_id: str
    title: str
    score: float


@dataclass(frozen=True)
class RoleResolution:
    """The role a reference resolved to.

    Attributes:
        role_id: catalog role id.
        title: the role's display title.
        confidence: 1.0 for exact matches, else the fuzzy/embedding score in [0, 1].
        runner_up: the next-best role (None for exact matches or a one-role catalog).
        method: how it was resolved (see the module docstring).
        query: the reference as given.
    """

    role_id: str
    title: str
    confidence: float
    runner_up: RoleCandidate | None
    method: Method
    query: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


class RoleVectors(Protocol):
    """What the resolver needs from the embeddings artifact (optional)."""

    def embed_query(self, text: str) -> np.ndarray:
        """Unit vector of a free-text query."""
        ...

    @property
    def role_ids(self) -> Sequence[str]: ...

    @property
    def role_vectors(self) -> np.ndarray: ...


@dataclass(frozen=True)
class _Entry:
    role_id: str
    text: str
    tokens: dict[str, float]
    grams: dict[str, float]


class RoleResolver:
    """Title -> role resolution over a fixed set of roles (build once, reuse per request)."""

    def __init__(
        self,
        roles: Mapping[str, Role] | Iterable[Role],
        *,
        vectors: RoleVectors | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        embedding_threshold: float = DEFAULT_EMBEDDING_THRESHOLD,
    ) -> None:
        """Index the roles.

        Args:
            roles: ``{id: Role}`` (e.g. ``catalog.roles``) or an iterable of roles.
            vectors: optional role vectors + query embedder for the embedding fallback.
            threshold: minimum fuzzy score to accept a match.
            embedding_threshold: minimum cosine to accept an embedding match.
        """
        items = roles.values() if isinstance(roles, Mapping) else roles
        self.roles: dict[str, Role] = {r.id: r for r in sorted(items, key=lambda r: r.id)}
        self.vectors = vectors
        self.threshold = threshold
        self.embedding_threshold = embedding_threshold

    @cached_property
    def _exact(self) -> dict[str, tuple[str, Method]]:
        index: dict[str, tuple[str, Method]] = {}
        for role in self.roles.values():
            index.setdefault(normalize_alias(role.title), (role.id, "title"))
        for role in self.roles.values():
            for alt in role.alt_titles:
                index.setdefault(normalize_alias(alt), (role.id, "alt_title"))
        return index

    @cached_property
    def _canonical(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for role in self.roles.values():
            for text in (role.title, *role.alt_titles, role.id.replace("_", " ").replace("-", " ")):
                index.setdefault(canonical_title(text), role.id)
        return index

    @cached_property
    def _titles(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for role in self.roles.values():
            canon = [canonical_title(t) for t in (role.title, *role.alt_titles)]
            out[role.id] = [c for i, c in enumerate(canon) if c and c not in canon[:i]]
        return out

    @cached_property
    def _idf(self) -> tuple[dict[str, float], dict[str, float]]:
        # document = one role (all its titles): words shared by many roles ("engineer") weigh little
        token_df: Counter[str] = Counter()
        gram_df: Counter[str] = Counter()
        for titles in self._titles.values():
            token_df.update({t for title in titles for t in title.split()})
            gram_df.update({g for title in titles for g in _trigrams(title)})
        n = max(len(self._titles), 1)
        return (
            {t: math.log((1 + n) / (1 + df)) + 1.0 for t, df in token_df.items()},
            {g: math.log((1 + n) / (1 + df)) + 1.0 for g, df in gram_df.items()},
        )

    def _weights(self, canon: str) -> tuple[dict[str, float], dict[str, float]]:
        token_idf, gram_idf = self._idf
        unseen_token, unseen_gram = (max(d.values(), default=1.0) for d in self._idf)
        tokens = {t: token_idf.get(t, unseen_token) for t in set(canon.split())}
        grams = {g: c * gram_idf.get(g, unseen_gram) for g, c in _trigrams(canon).items()}
        return tokens, grams

    @cached_property
    def _entries(self) -> list[_Entry]:
        return [
            _Entry(role_id, canon, *self._weights(canon))
            for role_id, titles in self._titles.items()
            for canon in titles
        ]

    def scores(self, ref: str) -> list[RoleCandidate]:
        """Fuzzy score of every role for ``ref``, best first (ties by role id)."""
        tokens, grams = self._weights(canonical_title(ref))
        best: dict[str, float] = {}
        for e in self._entries:
            s = 0.5 * _dice(tokens, e.tokens) + 0.5 * _cosine(grams, e.grams)
            if s > best.get(e.role_id, -1.0):
                best[e.role_id] = s
        return sorted(
            (RoleCandidate(rid, self.roles[rid].title, round(s, 4)) for rid, s in best.items()),
            key=lambda c: (-c.score, c.role_id),
        )

    def _embedding_scores(self, ref: str) -> list[RoleCandidate]:
        if self.vectors is None:
            return []
        query = np.asarray(self.vectors.embed_query(ref), dtype=np.float32)
        sims = np.asarray(self.vectors.role_vectors, dtype=np.float32) @ query
        out = [
            RoleCandidate(rid, self.roles[rid].title, round(float(s), 4))
            for rid, s in zip(self.vectors.role_ids, sims, strict=True)
            if rid in self.roles
        ]
        return sorted(out, key=lambda c: (-c.score, c.role_id))

    def nearest(self, ref: str, k: int = 3) -> list[RoleCandidate]:
        """The ``k`` closest roles by fuzzy score."""
        return self.scores(ref)[:k]

    def resolve(self, ref: str) -> RoleResolution:
        """Resolve one reference.

        Args:
            ref: a role id or a job title (any case, abbreviations allowed).

        Returns:
            The resolution with its method and confidence.

        Raises:
            InvalidInputError: blank reference.
            RoleNotFoundError: nothing close enough; ``details['nearest']`` lists 3 roles.
        """
        query = ref.strip()
        if not normalize_alias(query):
            raise InvalidInputError("role must not be blank", field="role")
        if query in self.roles:
            return RoleResolution(query, self.roles[query].title, 1.0, None, "id", ref)
        hit = self._exact.get(normalize_alias(query))
        if hit is not None:
            return RoleResolution(hit[0], self.roles[hit[0]].title, 1.0, None, hit[1], ref)
        canon_hit = self._canonical.get(canonical_title(query))
        if canon_hit is not None:
            return RoleResolution(canon_hit, self.roles[canon_hit].title, 1.0, None, "normalized", ref)

        ranked = self.scores(query)
        if ranked and ranked[0].score >= self.threshold:
            top = ranked[0]
            runner = ranked[1] if len(ranked) > 1 else None
            return RoleResolution(top.role_id, top.title, top.score, runner, "fuzzy", ref)
        by_vector = self._embedding_scores(query)
        if by_vector and by_vector[0].score >= self.embedding_threshold:
            top = by_vector[0]
            runner = by_vector[1] if len(by_vector) > 1 else None
            return RoleResolution(top.role_id, top.title, top.score, runner, "embedding", ref)
        nearest = ranked[:3]
        raise RoleNotFoundError(
            f"no role matches {query!r}; closest: " + ", ".join(c.title for c in nearest),
            field="role",
            role=query,
            nearest=[asdict(c) for c in nearest],
        )

    def resolve_many(self, refs: Sequence[str]) -> list[RoleResolution]:
        """Resolve several references, dropping repeats of the same role (first wins, order kept)."""
        out: list[RoleResolution] = []
        seen: set[str] = set()
        for ref in refs:
            res = self.resolve(ref)
            if res.role_id not in seen:
                seen.add(res.role_id)
                out.append(res)
        return out
