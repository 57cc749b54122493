"""Resolve a role reference (an id or a free-text job title) to a catalog role.

Order, first hit wins:

1. ``id``: the reference is a role id.
2. ``title`` / ``alt_title``: equal to a title or alternative title after :func:`normalize_alias`. Titles are
   tried in tiers: curated role titles, curated alternative titles, occupation titles, O*NET alternate titles,
   ESCO labels (docs/occupations.md: where a curated role and an occupation both claim a title, the curated role
   wins). An alternative title that several roles of one tier share ("Teacher" is an O*NET alternate title of
   many occupations) goes to the role whose own title is closest to the reference (ties: the role with more
   alternative titles naming it, so "CNA" is Nursing Assistants); the next one is the runner-up. An occupation's
   own title in other words ("Physician Assistant", singular) beats another occupation's alternate title (O*NET
   lists it for Medical Assistants), unless a curated role claims it. An alternative title written in two forms
   ("Automotive Technician (Auto Tech)") is indexed by each form too (:func:`alt_title_forms`).
   A one-word title that is no role's whole title but heads the own titles of at least :data:`GENERIC_MIN_ROLES`
   roles ("Director", "Administrator", "Supervisor") is shared by all of them (``shared_by``: the exact claimants
   first): "Director" is the O*NET alternate title of Producers and Directors only, yet Art Directors, Emergency
   Management Directors and five more are directors too. With a resume, ``analyze`` picks the one it reads most
   like (docs/role-matching.md, "One-word generic titles"). A one-word alternative title whose word heads no role's
   own title and is not in its claimant's own title is shared by the roles whose alternative titles it heads
   ("Owner", an O*NET alternate title of Urologists alone: Chief Executives' "Agency Owner", ...), claimant first.
3. ``normalized``: equal after expanding abbreviations (``sr``, ``dev``, ``ml``, ``swe``...),
   splitting compounds (``backend`` -> ``back end``), singular forms (``nurses`` -> ``nurse``) and dropping
   seniority words (``senior``, ``lead``, ``ii``...): "Sr. ML Eng" -> "machine learning engineer",
   "Registered Nurse" -> the occupation "Registered Nurses".
4. ``fuzzy``: the best blend of token Dice and character-trigram cosine over all titles of a role
   (0.5 each); accepted at ``threshold`` (default 0.76, :data:`DEFAULT_THRESHOLD`; 0.55 let "Marketing manager"
   resolve to a data analyst, docs/role-matching.md) or above. Scored for every title of every role at once through inverted
   indexes (numpy), so ~70,000 titles cost a few ms per query.
5. ``generic``: a one-word reference no role claims, that heads the own titles of at least
   :data:`GENERIC_MIN_ROLES` roles ("Manager", "Coordinator", "Specialist", "Worker"): all of them share it
   (``shared_by``, most alternative titles it heads first) and the first is the title-only answer; with a resume,
   ``analyze`` picks the one it reads most like, as for the one-word titles of step 2. A word that heads no role's
   own title but the ALTERNATIVE titles of at least that many roles ("Consultant": "Management Consultant", "Nurse
   Consultant", ... in 152 occupations) is shared by those. Tried before ``fuzzy``, which sent "Manager" to
   Registered Nurses (docs/role-matching.md, "One-word generic titles").
6. ``embedding``: when an embedder and role vectors are available and the fuzzy score is below the
   threshold, the cosine between the reference and each role vector; accepted at ``embedding_threshold``.

Below both thresholds :class:`RoleNotFoundError` (404) lists the three nearest roles.
"""

from __future__ import annotations

import io
import math
import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from careerready.core.errors import InvalidInputError, RoleNotFoundError
from careerready.features import built_once
from careerready.features.packed import pack_strings as _pack
from careerready.features.packed import unpack_strings as _unpack
from careerready.services.catalog import Catalog, Role
from careerready.text import normalize_alias

__all__ = [
    "DEFAULT_EMBEDDING_THRESHOLD",
    "CURATED_THRESHOLD",
    "DEFAULT_THRESHOLD",
    "GENERIC_MIN_ROLES",
    "NEAREST_FLOOR",
    "RoleCandidate",
    "RoleResolution",
    "RoleResolver",
    "alt_title_forms",
    "best_fitting",
    "canonical_title",
    "resolver_for",
]

#: Fuzzy acceptance bar. 0.76 since the full catalog (~69k titles): on the hand-labelled dotin designations
#: (data/labels, selection half, embedding fallback on) it keeps every right SOC minor group 0.58 gave but one
#: (51 vs 53) and cuts wrong ones 17 -> 12 (fuzzy/embedding answers: 7 -> 2 wrong); ties between 0.75 and 0.76
#: go to the higher bar, because a wrong role is worse than a 404 listing the nearest titles (docs/occupations.md).
DEFAULT_THRESHOLD = 0.76
#: The bar when the best fuzzy match is a curated role (its title and a handful of alternative titles): the 0.58
#: chosen for them before the occupations came (docs/role-matching.md), so "data enginer" -> Data Engineer.
CURATED_THRESHOLD = 0.58
DEFAULT_EMBEDDING_THRESHOLD = 0.6
#: A 404 lists only titles at least this close (fuzzy score). Gibberish scores <= 0.13 against all ~69k titles
#: while a misspelt or partly known title scores >= 0.36 (probe in docs/occupations.md), so a floor of 0.2 keeps
#: "nearest" honest: no unrelated titles offered for a string the catalog knows nothing like.
NEAREST_FLOOR = 0.2
#: A one-word title heads the titles of at least this many roles -> a generic title that all of them share.
GENERIC_MIN_ROLES = 3
Method = Literal["id", "title", "alt_title", "normalized", "generic", "fuzzy", "embedding"]

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
    "admin": "administrator",
    "asst": "assistant",
    "rep": "representative",
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


def singular(token: str) -> str:
    """A crude singular form, applied to titles and references alike ("nurses" -> "nurse", "secretaries" ->
    "secretary"); words in -ss, -us, -is are kept ("business", "analysis")."""
    if len(token) <= 3 or not token.endswith("s") or token.endswith(("ss", "us", "is")):
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith(("ches", "shes", "xes", "sses")):
        return token[:-2]
    return token[:-1]


def title_heads(text: str) -> set[str]:
    """The head words of a job title, singular: the last word of each coordinated part before "of"/"for"/"in"
    and before a comma ("First-Line Supervisors of Retail Sales Workers" -> supervisor; "Producers and Directors" ->
    producer, director; "Cooks, Fast Food" -> cook; "Paralegals and Legal Assistants" -> paralegal, assistant)."""
    tokens = _tokens(text.split(",", 1)[0], singulars=True)  # "Cooks, Fast Food": what follows qualifies
    for i, tok in enumerate(tokens):
        if tok in ("of", "for", "in", "at", "to") and i:
            tokens = tokens[:i]
            break
    heads: set[str] = set()
    part: list[str] = []
    for tok in [*tokens, "and"]:
        if tok in ("and", "or", "&", "/"):
            if part and part[-1] not in _SENIORITY:
                heads.add(part[-1])
            part = []
        else:
            part.append(tok)
    return heads


def _tokens(text: str, singulars: bool = False) -> list[str]:
    out: list[str] = []
    for tok in _TOKEN_RE.findall(normalize_alias(text)):
        parts = _ABBREVIATIONS.get(tok, tok).split()
        out.extend([singular(p) for p in parts] if singulars else parts)
    return out


def canonical_title(text: str, singulars: bool = False) -> str:
    """Normal form used for the ``normalized`` exact match (with ``singulars``) and the fuzzy scores (without).

    ``"Sr. Back-End Dev"`` -> ``"back end developer"``; seniority words are dropped unless nothing
    else is left. ``singulars`` also reduces plurals (``"Registered Nurses"`` -> ``"registered nurse"``); the fuzzy
    scores leave them (trigrams absorb a plural, and "operations" -> "operation" made "Operations manager" look
    like "Iteration manager").
    """
    tokens = _tokens(text, singulars)
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
        shared_by: every role that claims the title exactly, in the resolver's order (``role_id`` first), when
            several do ("Teacher" is an alternate title of 22 occupations); empty otherwise. A caller with the
            person's resume picks among them with :func:`best_fitting` (``services.analysis.analyze`` does).
    """

    role_id: str
    title: str
    confidence: float
    runner_up: RoleCandidate | None
    method: Method
    query: str
    shared_by: tuple[str, ...] = ()

    def choose(self, role: RoleCandidate, runner_up: RoleCandidate | None) -> RoleResolution:
        """The same resolution with another of the roles sharing the title chosen."""
        if role.role_id not in self.shared_by:
            raise ValueError(f"{role.role_id!r} does not share the title {self.query!r}")
        return replace(self, role_id=role.role_id, title=role.title, runner_up=runner_up)

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


#: File name of the saved index beside the compiled catalog, and its format version.
TITLE_INDEX_FILE = "title_index.npz"
INDEX_FORMAT = 2  # 2: alternative titles indexed by each of their forms too (alt_title_forms)
_METHODS: tuple[Method, ...] = ("id", "title", "alt_title", "normalized", "fuzzy", "embedding")
#: Exact-title tiers, most trusted first (the method reported for each).
_TIERS: tuple[Method, ...] = ("title", "alt_title", "title", "alt_title", "alt_title")


def _grams_of(text: str) -> list[str]:
    padded = f"  {text} "
    return [padded[i : i + 3] for i in range(len(padded) - 2)]


class _Postings:
    """Inverted index over (entry, feature, weight) triples in CSR form (numpy only)."""

    def __init__(self, entry: np.ndarray, feature: np.ndarray, weight: np.ndarray, n_features: int) -> None:
        order = np.lexsort((entry, feature))
        self.entry = entry[order]
        self.weight = weight[order]
        self.indptr = np.zeros(n_features + 1, dtype=np.int64)
        np.cumsum(np.bincount(feature, minlength=n_features), out=self.indptr[1:])

    @classmethod
    def from_arrays(cls, entry: np.ndarray, weight: np.ndarray, indptr: np.ndarray) -> _Postings:
        """Rebuild from :meth:`_FuzzyIndex.to_arrays` output (already in CSR order)."""
        obj = cls.__new__(cls)
        obj.entry, obj.weight, obj.indptr = entry, weight, indptr
        return obj

    def add_into(self, out: np.ndarray, feature: int, scale: float) -> None:
        lo, hi = self.indptr[feature], self.indptr[feature + 1]
        out[self.entry[lo:hi]] += scale * self.weight[lo:hi]


def _features(
    entry_role: np.ndarray, items: list[list[str]], n_roles: int
) -> tuple[dict[str, int], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Vocabulary, per-feature IDF (document = one role) and the (entry, feature, count) triples of ``items``."""
    vocab: dict[str, int] = {}
    lengths = np.fromiter((len(x) for x in items), dtype=np.int64, count=len(items))
    flat = np.fromiter((vocab.setdefault(f, len(vocab)) for x in items for f in x), dtype=np.int64)
    entries = np.repeat(np.arange(len(items), dtype=np.int64), lengths)
    v = max(len(vocab), 1)
    pairs, counts = np.unique(entries * v + flat, return_counts=True)
    entry, feature = pairs // v, pairs % v
    role_pairs = np.unique(entry_role[entry] * v + feature)
    df = np.bincount(role_pairs % v, minlength=v)
    idf = np.log((1 + n_roles) / (1 + df)) + 1.0
    return vocab, idf, entry, feature, counts.astype(np.float64)


class _FuzzyIndex:
    """Every (role, canonical title) pair with inverted token and trigram indexes, for vectorised scoring.

    Scores equal the per-title blend 0.5 x IDF-weighted token Dice + 0.5 x IDF-weighted trigram cosine, IDF over
    roles (a role = all its titles: words shared by many roles, such as "engineer", weigh little).
    """

    def __init__(self, titles: Mapping[str, list[str]]) -> None:
        self.role_ids = sorted(titles)
        texts = [canon for rid in self.role_ids for canon in titles[rid]]
        self.entry_role = np.repeat(
            np.arange(len(self.role_ids), dtype=np.int64), [len(titles[r]) for r in self.role_ids]
        )
        n_roles = max(len(self.role_ids), 1)
        n = len(texts)
        self.starts = np.flatnonzero(np.r_[True, self.entry_role[1:] != self.entry_role[:-1]]) if n else None
        self.token_vocab, self.token_idf, te, tf, _ = _features(self.entry_role, [t.split() for t in texts], n_roles)
        # a title's token weights are binary x IDF (a word counts once)
        tw = self.token_idf[tf]
        self.tokens = _Postings(te, tf, tw, len(self.token_vocab))
        self.token_sum = np.bincount(te, weights=tw, minlength=n)
        self.gram_vocab, self.gram_idf, ge, gf, gc = _features(self.entry_role, [_grams_of(t) for t in texts], n_roles)
        gw = gc * self.gram_idf[gf]
        self.grams = _Postings(ge, gf, gw, len(self.gram_vocab))
        norm = np.sqrt(np.bincount(ge, weights=gw * gw, minlength=n))
        self.gram_norm = np.where(norm > 0, norm, 1.0)
        self.unseen_token = float(self.token_idf.max()) if len(self.token_idf) else 1.0
        self.unseen_gram = float(self.gram_idf.max()) if len(self.gram_idf) else 1.0

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Everything as numpy arrays (saved with the catalog, :meth:`RoleResolver.save_index`)."""
        return {
            "fz_role_ids": _pack(self.role_ids),
            "fz_entry_role": self.entry_role.astype(np.int32),
            "fz_token_vocab": _pack(sorted(self.token_vocab, key=self.token_vocab.__getitem__)),
            "fz_token_idf": self.token_idf,
            "fz_token_entry": self.tokens.entry.astype(np.int32),
            "fz_token_weight": self.tokens.weight,
            "fz_token_indptr": self.tokens.indptr,
            "fz_token_sum": self.token_sum,
            "fz_gram_vocab": _pack(sorted(self.gram_vocab, key=self.gram_vocab.__getitem__)),
            "fz_gram_idf": self.gram_idf,
            "fz_gram_entry": self.grams.entry.astype(np.int32),
            "fz_gram_weight": self.grams.weight,
            "fz_gram_indptr": self.grams.indptr,
            "fz_gram_norm": self.gram_norm,
        }

    @classmethod
    def from_arrays(cls, a: Mapping[str, np.ndarray]) -> _FuzzyIndex:
        """Inverse of :meth:`to_arrays`."""
        obj = cls.__new__(cls)
        obj.role_ids = _unpack(a["fz_role_ids"])
        obj.entry_role = a["fz_entry_role"].astype(np.int64)
        n = len(obj.entry_role)
        obj.starts = np.flatnonzero(np.r_[True, obj.entry_role[1:] != obj.entry_role[:-1]]) if n else None
        obj.token_vocab = {k: i for i, k in enumerate(_unpack(a["fz_token_vocab"]))}
        obj.token_idf = a["fz_token_idf"]
        obj.tokens = _Postings.from_arrays(a["fz_token_entry"], a["fz_token_weight"], a["fz_token_indptr"])
        obj.token_sum = a["fz_token_sum"]
        obj.gram_vocab = {k: i for i, k in enumerate(_unpack(a["fz_gram_vocab"]))}
        obj.gram_idf = a["fz_gram_idf"]
        obj.grams = _Postings.from_arrays(a["fz_gram_entry"], a["fz_gram_weight"], a["fz_gram_indptr"])
        obj.gram_norm = a["fz_gram_norm"]
        obj.unseen_token = float(obj.token_idf.max()) if len(obj.token_idf) else 1.0
        obj.unseen_gram = float(obj.gram_idf.max()) if len(obj.gram_idf) else 1.0
        return obj

    def scores(self, canon: str) -> np.ndarray:
        """Best fuzzy score per role (``self.role_ids`` order) for one canonical reference."""
        n = len(self.entry_role)
        if not n or self.starts is None:
            return np.zeros(len(self.role_ids))
        shared = np.zeros(n, dtype=np.float64)
        q_sum = 0.0
        for tok in set(canon.split()):
            fid = self.token_vocab.get(tok)
            w = self.unseen_token if fid is None else float(self.token_idf[fid])
            q_sum += w
            if fid is not None:
                self.tokens.add_into(shared, fid, 1.0)  # shared weight = the entry's IDF of the shared token
        dot = np.zeros(n, dtype=np.float64)
        q_sq = 0.0
        for g, c in Counter(_grams_of(canon)).items():
            fid = self.gram_vocab.get(g)
            w = c * (self.unseen_gram if fid is None else float(self.gram_idf[fid]))
            q_sq += w * w
            if fid is not None:
                self.grams.add_into(dot, fid, w)
        total = q_sum + self.token_sum
        dice = np.divide(2.0 * shared, total, out=np.zeros(n), where=total > 0)
        score = 0.5 * dice + 0.5 * dot / ((math.sqrt(q_sq) or 1.0) * self.gram_norm)
        best: np.ndarray = np.maximum.reduceat(score, self.starts)
        return best


class _SavedTable(Mapping[str, Any]):
    """A saved title table (key -> role ids, or (role ids, method) for the exact table), decoded per lookup.

    Only the key -> row dict is built when it is first needed (one C-level ``dict(zip(...))`` over ~60,000 keys);
    each value is assembled from the CSR arrays when it is looked up.
    """

    def __init__(
        self, saved: Mapping[str, np.ndarray], name: str, role_ids: list[str], methods: list[int] | None = None
    ) -> None:
        keys = _unpack(saved[f"{name}_keys"])
        self._row = dict(zip(keys, range(len(keys)), strict=True))
        self._ids = saved[f"{name}_ids"]
        self._off = saved[f"{name}_offsets"]
        self._role_ids = role_ids
        self._methods = methods

    def __getitem__(self, key: str) -> Any:
        i = self._row[key]
        ids = tuple(self._role_ids[j] for j in self._ids[self._off[i] : self._off[i + 1]].tolist())
        return ids if self._methods is None else (ids, _METHODS[self._methods[i]])

    def __iter__(self) -> Iterator[str]:
        return iter(self._row)

    def __len__(self) -> int:
        return len(self._row)


class RoleResolver:
    """Title -> role resolution over a fixed set of roles (build once, reuse per request)."""

    def __init__(
        self,
        roles: Mapping[str, Role] | Iterable[Role],
        *,
        vectors: RoleVectors | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        embedding_threshold: float = DEFAULT_EMBEDDING_THRESHOLD,
        index: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        """Index the roles.

        Args:
            roles: ``{id: Role}`` (e.g. ``catalog.roles``) or an iterable of roles.
            vectors: optional role vectors + query embedder for the embedding fallback.
            threshold: minimum fuzzy score to accept a match.
            embedding_threshold: minimum cosine to accept an embedding match.
            index: arrays written by :meth:`save_index` for these same roles (ignored if built for other roles).
        """
        items = roles.values() if isinstance(roles, Mapping) else roles
        self.roles: dict[str, Role] = {r.id: r for r in sorted(items, key=lambda r: r.id)}
        self.vectors = vectors
        self.threshold = threshold
        self.embedding_threshold = embedding_threshold
        self._saved: Mapping[str, np.ndarray] | None = None
        if index is not None:
            self._load_index(index)

    # ---- precomputed index (saved beside the catalog: ~70,000 titles take seconds to index) ------------------
    def save_index(self, path: Path) -> None:
        """Write the exact, normalised and fuzzy indexes to ``path`` (``.npz``, no pickles)."""
        role_ids = list(self.roles)
        pos = {rid: i for i, rid in enumerate(role_ids)}
        arrays: dict[str, np.ndarray] = {
            "format": np.asarray([INDEX_FORMAT]),
            "role_ids": _pack(role_ids),
        }
        groups: dict[str, tuple[list[str], list[tuple[str, ...]]]] = {
            "exact": (list(self._exact), [ids for ids, _ in self._exact.values()]),
            "canonical": (list(self._canonical), list(self._canonical.values())),
            "heads": (list(self._heads), list(self._heads.values())),
        }
        for name, (keys, ids) in groups.items():
            arrays[f"{name}_keys"] = _pack(keys)
            arrays[f"{name}_ids"] = np.asarray([pos[r] for group in ids for r in group], dtype=np.int32)
            arrays[f"{name}_offsets"] = np.cumsum([0, *(len(g) for g in ids)]).astype(np.int64)
        arrays["exact_methods"] = np.asarray([_METHODS.index(m) for _, m in self._exact.values()], dtype=np.int8)
        arrays.update(self._fuzzy.to_arrays())
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]

    def _load_index(self, index: Mapping[str, np.ndarray]) -> None:
        """Adopt a saved index when it was built for exactly these role ids (else build lazily as usual).

        Each part (exact titles, normalised titles, fuzzy index) is decoded on its first use: a request that names
        a role by id never pays for the ~70,000 titles.
        """
        if int(index["format"][0]) != INDEX_FORMAT or _unpack(index["role_ids"]) != list(self.roles):
            return
        self._saved = index

    def _saved_table(self, name: str) -> _SavedTable:
        assert self._saved is not None
        return _SavedTable(self._saved, name, list(self.roles))

    @classmethod
    def for_catalog(cls, catalog: Catalog, *, vectors: RoleVectors | None = None, **kwargs: float) -> RoleResolver:
        """The resolver over ``catalog.roles``, adopting the catalog's saved ``title_index.npz`` when it matches."""
        hit = _PRELOADED.pop(id(catalog), None)
        index = hit[1] if hit is not None and hit[0] is catalog else read_title_index(catalog)
        return cls(catalog.roles, vectors=vectors, index=index, **kwargs)

    def _tiers(self) -> list[list[tuple[str, str]]]:
        """(role id, title) per exact tier, in :data:`_TIERS` order."""
        curated = [r for r in self.roles.values() if r.kind == "curated"]
        others = [r for r in self.roles.values() if r.kind != "curated"]
        return [
            [(r.id, r.title) for r in curated],
            [(r.id, f) for r in curated for a in r.alt_titles for f in alt_title_forms(a)],
            [(r.id, r.title) for r in others],
            [(r.id, f) for r in others for a in r.alt_titles for f in alt_title_forms(a)],
            [(r.id, a) for r in self.roles.values() for a in r.esco_titles],
        ]

    @cached_property
    def _exact(self) -> Mapping[str, tuple[tuple[str, ...], Method]]:
        if self._saved is not None:
            return _SavedTable(self._saved, "exact", list(self.roles), methods=self._saved["exact_methods"].tolist())
        index: dict[str, tuple[tuple[str, ...], Method]] = {}
        for tier, method in zip(self._tiers(), _TIERS, strict=True):
            claims: dict[str, list[str]] = {}
            for rid, text in tier:
                key = normalize_alias(text)
                if key and key not in index:
                    ids = claims.setdefault(key, [])
                    if rid not in ids:
                        ids.append(rid)
            for key, ids in claims.items():
                index[key] = (tuple(ids), method)
        return index

    @cached_property
    def _canonical(self) -> Mapping[str, tuple[str, ...]]:
        if self._saved is not None:
            return self._saved_table("canonical")
        index: dict[str, tuple[str, ...]] = {}
        tiers = self._tiers()
        tiers.insert(
            0, [(r.id, r.id.replace("_", " ").replace("-", " ")) for r in self.roles.values() if r.kind == "curated"]
        )
        for tier in tiers:
            claims: dict[str, list[str]] = {}
            for rid, text in tier:
                key = canonical_title(text, singulars=True)
                if key and key not in index:
                    ids = claims.setdefault(key, [])
                    if rid not in ids:
                        ids.append(rid)
            for key, ids in claims.items():
                index[key] = tuple(ids)
        return index

    @cached_property
    def _heads(self) -> Mapping[str, tuple[str, ...]]:
        """Head word -> the roles whose own title it heads (at least :data:`GENERIC_MIN_ROLES` of them), those with
        most alternative titles it heads first (then by id); only words that are no role's whole title. Alternative
        titles alone do not count: "Rehabilitation Engineer" is an alternate title of Occupational Therapists, yet
        a nurse who asks for "Engineer" means an engineering occupation."""
        if self._saved is not None and "heads_keys" in self._saved:
            return self._saved_table("heads")
        counts: dict[str, Counter[str]] = {}
        for role in self.roles.values():
            for head in title_heads(role.title):
                counts.setdefault(head, Counter())[role.id] = sum(head in title_heads(a) for a in role.alt_titles)
        own = {canonical_title(r.title, singulars=True) for r in self.roles.values()}
        return {
            head: tuple(sorted(c, key=lambda rid: (-c[rid], rid)))
            for head, c in sorted(counts.items())
            if len(c) >= GENERIC_MIN_ROLES and head not in own
        }

    def _widen(self, query: str, res: RoleResolution) -> RoleResolution:
        """A one-word generic title ("Director"): every role it heads shares it, the exact claimants first. A word
        that heads no role's own title is shared by the roles whose ALTERNATIVE titles it heads, unless the
        claimant's own title has it: "Owner" is an O*NET alternate title of Urologists alone, yet Chief Executives
        ("Agency Owner") and Funeral Home Managers ("Funeral Home Owner") are owners too; "Police" is one of
        Secretaries (only) and heads Police and Sheriff's Patrol Officers' alternate titles; "Electrician" stays
        with Electricians."""
        words = canonical_title(query, singulars=True).split()
        if (
            len(words) != 1
            or res.method not in ("alt_title", "normalized")
            or self.roles[res.role_id].kind == "curated"
        ):
            return res  # a curated role's alternative title is its authors' choice ("Programmer": Software Engineer)
        heads = self._heads.get(words[0])
        if not heads and words[0] not in canonical_title(self.roles[res.role_id].title, singulars=True).split():
            heads = self._alt_heads(words[0])
        if not heads:
            return res
        first = res.shared_by or (res.role_id,)
        shared = (*first, *(rid for rid in heads if rid not in first))
        if len(shared) == len(first):
            return res
        runner = res.runner_up or RoleCandidate(shared[1], self.roles[shared[1]].title, 0.0)
        return replace(res, runner_up=runner, shared_by=shared)

    def _generic(self, query: str, ref: str) -> RoleResolution | None:
        """A one-word title no role claims that heads several roles' own titles ("Manager"), or, when it heads no
        role's own title, several roles' alternative titles ("Consultant"): shared by all of them."""
        words = canonical_title(query, singulars=True).split()
        if len(words) != 1:
            return None
        heads = self._heads.get(words[0]) or self._alt_heads(words[0])
        if not heads:
            return None
        top, second = heads[0], heads[1]
        runner = RoleCandidate(second, self.roles[second].title, 1.0)
        return RoleResolution(top, self.roles[top].title, 1.0, runner, "generic", ref, heads)

    def _alt_heads(self, word: str) -> tuple[str, ...]:
        """The roles whose ALTERNATIVE titles ``word`` heads, when at least :data:`GENERIC_MIN_ROLES` do, most such
        titles first (then by id); for a word that heads no role's own title ("Consultant": "Management
        Consultant", "Nurse Consultant", ... across 152 occupations). Computed per word on first use (a substring
        prefilter keeps it to the titles that contain the word) and cached."""
        cached = self._alt_heads_cache.get(word)
        if cached is not None:
            return cached
        counts: Counter[str] = Counter()
        for role in self.roles.values():
            n = sum(word in title_heads(a) for a in role.alt_titles if word in a.lower())
            if n:
                counts[role.id] = n
        out = tuple(sorted(counts, key=lambda rid: (-counts[rid], rid))) if len(counts) >= GENERIC_MIN_ROLES else ()
        self._alt_heads_cache[word] = out
        return out

    @cached_property
    def _alt_heads_cache(self) -> dict[str, tuple[str, ...]]:
        return {}

    @cached_property
    def _titles(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for role in self.roles.values():
            alts = (f for a in role.alt_titles for f in alt_title_forms(a))
            canon = [canonical_title(t) for t in (role.title, *alts, *role.esco_titles)]
            out[role.id] = list(dict.fromkeys(c for c in canon if c))
        return out

    @cached_property
    def _fuzzy(self) -> _FuzzyIndex:
        return _FuzzyIndex.from_arrays(self._saved) if self._saved is not None else _FuzzyIndex(self._titles)

    def scores(self, ref: str) -> list[RoleCandidate]:
        """Fuzzy score of every role for ``ref``, best first (ties by role id)."""
        index = self._fuzzy
        best = np.round(index.scores(canonical_title(ref)), 4)
        order = np.lexsort((np.arange(len(best)), -best))
        return [RoleCandidate(index.role_ids[i], self.roles[index.role_ids[i]].title, float(best[i])) for i in order]

    def _title_similarity(self, ref: str, role_id: str) -> float:
        """Fuzzy similarity of ``ref`` to one role's own title (for titles several roles share)."""
        a, b = canonical_title(ref), canonical_title(self.roles[role_id].title)
        ta, tb = set(a.split()), set(b.split())
        dice = 2 * len(ta & tb) / (len(ta) + len(tb)) if ta or tb else 0.0
        return 0.5 * dice + 0.5 * _cosine(_trigrams(a), _trigrams(b))

    def _pick(self, ref: str, ids: tuple[str, ...]) -> tuple[str, RoleCandidate | None, tuple[str, ...]]:
        """The role among ``ids`` (several roles claim one title) closest to ``ref`` by own title; the runner-up;
        all of ``ids`` in that order (empty for one role)."""
        if len(ids) == 1:
            return ids[0], None, ()
        # ties (no own title resembles "CNA"): the role with more alternative titles naming the reference ("Certified
        # Nursing Assistant (CNA)", "Certified Nurse Aide (CNA)", ...: Nursing Assistants 5, Surgical Assistants 1)
        key = normalize_alias(ref)
        votes = {rid: sum(_names(normalize_alias(a), key) for a in self.roles[rid].alt_titles) for rid in ids}
        ranked = sorted(
            ((round(self._title_similarity(ref, rid), 4), rid) for rid in ids),
            key=lambda p: (-p[0], -votes[p[1]], p[1]),
        )
        (_, top), (s2, second) = ranked[0], ranked[1]
        return top, RoleCandidate(second, self.roles[second].title, s2), tuple(rid for _, rid in ranked)

    def _own_title(self, ref: str, alt_claimants: tuple[str, ...]) -> bool:
        """``ref`` is another occupation's own title in other words (singular, abbreviations expanded): that
        occupation, not the ones naming ``ref`` among their alternative titles (never over a curated role's)."""
        if any(self.roles[rid].kind == "curated" for rid in alt_claimants):
            return False
        canon = canonical_title(ref, singulars=True)
        return any(
            rid not in alt_claimants and canonical_title(self.roles[rid].title, singulars=True) == canon
            for rid in self._canonical.get(canon, ())
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

    def _bar(self, role_id: str) -> float:
        """The fuzzy acceptance bar for a role: :data:`CURATED_THRESHOLD` for a curated role (few, precisely named
        titles: a typo of one is still that role), ``threshold`` for an occupation (~69,000 alternate titles)."""
        return min(self.threshold, CURATED_THRESHOLD) if self.roles[role_id].kind == "curated" else self.threshold

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
            RoleNotFoundError: nothing close enough; ``details['nearest']`` lists up to 3 roles scoring at least
                :data:`NEAREST_FLOOR` (none for a string nothing in the catalog resembles).
        """
        query = ref.strip()
        if not normalize_alias(query):
            raise InvalidInputError("role must not be blank", field="role")
        if query in self.roles:
            return RoleResolution(query, self.roles[query].title, 1.0, None, "id", ref)
        hit = self._exact.get(normalize_alias(query))
        if hit is not None and hit[1] == "alt_title" and self._own_title(query, hit[0]):
            hit = None  # "Cashier": the occupation Cashiers (its own title, singular) beats Tellers' alternate title
        if hit is not None:
            rid, runner, shared = self._pick(query, hit[0])
            return self._widen(query, RoleResolution(rid, self.roles[rid].title, 1.0, runner, hit[1], ref, shared))
        canon_hit = self._canonical.get(canonical_title(query, singulars=True))
        if canon_hit is not None:
            rid, runner, shared = self._pick(query, canon_hit)
            return self._widen(
                query, RoleResolution(rid, self.roles[rid].title, 1.0, runner, "normalized", ref, shared)
            )
        generic = self._generic(query, ref)
        if generic is not None:
            return generic

        ranked = self.scores(query)
        if ranked and ranked[0].score >= self._bar(ranked[0].role_id):
            top = ranked[0]
            runner = ranked[1] if len(ranked) > 1 else None
            return RoleResolution(top.role_id, top.title, top.score, runner, "fuzzy", ref)
        by_vector = self._embedding_scores(query)
        if by_vector and by_vector[0].score >= self.embedding_threshold:
            top = by_vector[0]
            runner = by_vector[1] if len(by_vector) > 1 else None
            return RoleResolution(top.role_id, top.title, top.score, runner, "embedding", ref)
        nearest = [c for c in ranked[:3] if c.score >= NEAREST_FLOOR]
        raise RoleNotFoundError(
            f"no role matches {query!r}; closest: " + ", ".join(c.title for c in nearest)
            if nearest
            else f"no role matches {query!r} and no catalog title is close; try another title, or give no role "
            "to rank every role for the resume",
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


_TWO_FORMS_RE = re.compile(r"(?P<title>[^()]*[^()\s])\s*\((?P<other>[^()]*[^()\s])\s*\)")


def alt_title_forms(title: str) -> tuple[str, ...]:
    """An alternative title as written, then each of its two forms alone when it names both: O*NET writes
    "Automotive Technician (Auto Tech)", "MRI Tech (Magnetic Resonance Imaging Technician)", "Lab Manager
    (Laboratory Manager)" (3,543 of its 56,560 alternate titles), and a person types one form. A title without a
    trailing parenthesis, or with nested ones ("Registered Radiologic Technologist (RT (R))"), is only itself.
    docs/role-matching.md, "Alternate titles written in two forms"."""
    m = _TWO_FORMS_RE.fullmatch(title.strip())
    return (title, m["title"], m["other"]) if m else (title,)


def _names(title: str, key: str) -> bool:
    """Normalised ``title`` is ``key`` or has it as one of its words ("certified nursing assistant (cna)", "cna")."""
    return title == key or key in title.split()


def best_fitting(shared_by: Sequence[str], fit: Mapping[str, float]) -> str:
    """Among the roles sharing a title, the one the person's resume reads most like (highest ``fit``, the
    ``text_fit`` feature); ties keep the resolver's order. docs/role-matching.md, "Titles several roles share"."""
    if not shared_by:
        raise ValueError("no roles to choose from")
    return max(shared_by, key=lambda rid: (fit.get(rid, 0.0), -shared_by.index(rid)))


# ---- one resolver per catalog ------------------------------------------------------------------------


class _EmbeddingRoleVectors:
    """Adapts the embeddings artifact to :class:`careerready.services.roles.RoleVectors`."""

    def __init__(self, embedder: Any, role_ids: Any, role_vectors: Any) -> None:
        self._embedder = embedder
        self.role_ids = list(role_ids)
        self.role_vectors = role_vectors

    def embed_query(self, text: str) -> Any:
        return self._embedder.embed([text])[0]


def _role_vectors(embeddings: Any) -> _EmbeddingRoleVectors | None:
    if embeddings is None:
        return None
    # the embeddings artifact itself embeds (a deferred encoder is fetched on the first title that needs it);
    # a bare embedder object works too
    embedder = embeddings if callable(getattr(embeddings, "embed", None)) else None
    role_index = getattr(embeddings, "roles", None)
    role_ids = getattr(embeddings, "role_ids", None) or getattr(role_index, "ids", None)
    role_vectors = getattr(embeddings, "role_vectors", None)
    if role_vectors is None and role_index is not None:
        role_vectors = getattr(role_index, "vectors", None)
    if embedder is None or role_ids is None or role_vectors is None:
        return None
    return _EmbeddingRoleVectors(embedder, role_ids, role_vectors)


class _NpzArrays(Mapping[str, np.ndarray]):
    """The arrays of an ``.npz`` file held in memory, each decompressed on its first lookup (thread-safe).

    A title named by role id or exact title reads 6 of the 23 arrays (~2 MB of ~26 MB): the fuzzy index and the
    normalised titles are decompressed only when a lookup falls through to them.
    """

    def __init__(self, raw: bytes) -> None:
        self._npz = np.load(io.BytesIO(raw), allow_pickle=False)
        self._read: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def __getitem__(self, key: str) -> np.ndarray:
        hit = self._read.get(key)
        if hit is None:
            with self._lock:
                hit = self._read.get(key)
                if hit is None:
                    hit = self._read[key] = self._npz[key]
        return hit

    def __iter__(self) -> Iterator[str]:
        return iter(self._npz.files)

    def __len__(self) -> int:
        return len(self._npz.files)


#: The arrays a lookup by role id or exact title reads (preloaded; the rest are read on first use).
_EXACT_ARRAYS = ("format", "role_ids", "exact_keys", "exact_ids", "exact_offsets", "exact_methods")


def read_title_index(catalog: Catalog) -> Mapping[str, np.ndarray] | None:
    """The arrays of the catalog's saved ``title_index.npz``, each read on first use (None when it has none)."""
    if catalog.directory is None or not (catalog.directory / TITLE_INDEX_FILE).is_file():
        return None
    return _NpzArrays((catalog.directory / TITLE_INDEX_FILE).read_bytes())


# id(catalog) -> (catalog, arrays) read ahead by preload_title_index, taken by the first RoleResolver.for_catalog
_PRELOADED: dict[int, tuple[Catalog, Mapping[str, np.ndarray] | None]] = {}


def preload_title_index(catalog: Catalog) -> None:
    """Read the catalog's ``title_index.npz`` now, for the resolver the first request builds.

    Called where the catalog is loaded in a background thread during a cold start (``startup.prefetch``): the
    arrays that lookups by role id and exact title read are decompressed here; the fuzzy index and the normalised
    titles (~90 % of the file) when a title first needs them.
    """
    arrays = read_title_index(catalog)
    if arrays is not None:
        for key in _EXACT_ARRAYS:
            arrays[key]  # noqa: B018 - decompressed now, in the background
    _PRELOADED[id(catalog)] = (catalog, arrays)


def resolver_for(catalog: Catalog, embeddings: Any = None) -> RoleResolver:
    """THE role resolver of a process: one per (catalog, embeddings), with the embedding fallback when vectors exist.

    The API, the CLI, the match/recommend stages and ingest all resolve titles through it (same titles, same answers),
    and it adopts the catalog's precomputed ``title_index.npz`` (tens of ms instead of seconds for ~70,000 titles).
    """
    return built_once(
        "role_resolver",
        lambda: RoleResolver.for_catalog(catalog, vectors=_role_vectors(embeddings)),
        catalog,
        embeddings,
    )
