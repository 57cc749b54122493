"""Ranking roles by resume TEXT: TF-IDF cosine between a text and each role's profile document (IDF over the
role documents only)."""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import cached_property
from pathlib import Path

import numpy as np

from careerready.features.cache import built_once
from careerready.features.packed import pack_strings, unpack_strings
from careerready.services.catalog import Catalog, Role

# ---------------------------------------------------------------------------------------------
# resume text -> role profile similarity (role ranking)
# ---------------------------------------------------------------------------------------------
#: File name of the saved index beside the compiled catalog, and its format version (part of its recipe).
TEXT_INDEX_FILE = "text_index.npz"
TEXT_INDEX_FORMAT = 1
#: Function words dropped before counting terms (a short fixed list: the IDF does the rest).
_STOP_WORDS: frozenset[str] = frozenset(
    "a an the and or of to in for on with by at from as is are be this that it its your our their you we i my "
    "me was were will has have had not no but into over under about more most other such than then so can may".split()
)
# words of letters/digits that may contain + # . inside or + # at the end (c++, c#, node.js, asp.net)
_TERM_RE = re.compile(r"[a-z0-9][a-z0-9+#.]*[a-z0-9+#]|[a-z0-9]")


def _terms(text: str) -> list[str]:
    """Lower-cased words minus stop words, plus the bigrams of consecutive kept words."""
    words = [w for w in _TERM_RE.findall(text.lower()) if w not in _STOP_WORDS]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def role_document(role: Role, catalog: Catalog) -> str:
    """A role's profile text: title, alternative titles, description and the names of its skills."""
    names = [catalog.skills[s.skill_id].name if s.skill_id in catalog.skills else s.skill_id for s in role.skills]
    return "\n".join([role.title, *role.alt_titles, role.description, *names])


#: Weight of a role's O*NET ``profile`` lines in its :class:`RoleTextIndex` row, relative to the authored
#: document. 0 = profiles unused: every variant measured on the selection half of the dotin evaluation
#: (docs/role-matching.md, "O*NET role profiles") lowered or did not reliably raise top-1.
PROFILE_WEIGHT = 0.0


class RoleTextIndex:
    """TF-IDF cosine between a text and every role's profile document (numpy + stdlib only).

    The vocabulary and the IDF come from the role documents alone (never from resumes): term
    weight = (1 + ln tf) x (ln((1 + n_roles) / (1 + df)) + 1), rows L2-normalised. A resume term that
    no role document contains adds nothing. Built once per catalog (:func:`role_text_index`).

    With ``profiles`` and ``profile_weight > 0`` a role's row is the authored document's weights plus
    ``profile_weight`` x the profile's (same tf and IDF form; IDF over document + profile), then
    L2-normalised. With ``profile_weight == 0`` profiles are ignored entirely (not even in the IDF).

    Args:
        documents: ``{role_id: authored text}`` (:func:`role_document`).
        profiles: ``{role_id: extra profile text}`` (O*NET description and tasks); optional.
        profile_weight: Weight of the profile terms, >= 0.
    """

    def __init__(
        self, documents: Mapping[str, str], profiles: Mapping[str, str] | None = None, profile_weight: float = 0.0
    ) -> None:
        if profile_weight < 0:
            raise ValueError(f"profile_weight must be >= 0, got {profile_weight}")
        self.role_ids: tuple[str, ...] = tuple(sorted(documents))
        counts = [Counter(_terms(documents[r])) for r in self.role_ids]
        use_profiles = bool(profiles) and profile_weight > 0
        extra = [
            Counter(_terms(profiles.get(r, ""))) if profiles and use_profiles else Counter() for r in self.role_ids
        ]
        # Built with flat arrays (a cold start of the event path pays for this: ~1 s as per-term dicts and lists,
        # ~0.2 s so), every float computed exactly as the per-term formula does: math.log per distinct df / tf,
        # IEEE products and quotients (numpy's equal Python's), each row's squared sum added in the row's own
        # term order (Python's sum over the row, as before), so similarities are identical to the last bit.
        vocab: dict[str, int] = {}
        row_terms: list[int] = []
        row_tf: list[int] = []
        row_len: list[int] = []
        for c, e in zip(counts, extra, strict=True):
            row_terms.extend(vocab.setdefault(t, len(vocab)) for t in c)
            row_tf.extend(c.values())
            row_len.append(len(c))
            for t in e:
                vocab.setdefault(t, len(vocab))
        terms = list(vocab)
        n = len(self.role_ids)
        term_ids = np.asarray(row_terms, dtype=np.int64)
        doc_of = np.repeat(np.arange(n, dtype=np.int64), row_len)
        if use_profiles:
            df = np.zeros(len(terms), dtype=np.int64)
            for c, e in zip(counts, extra, strict=True):
                for t in set(c) | set(e):
                    df[vocab[t]] += 1
        else:
            df = np.bincount(term_ids, minlength=len(terms))
        idf_of_df = {int(d): math.log((1 + n) / (1 + int(d))) + 1.0 for d in np.unique(df)}
        idf = np.asarray([idf_of_df[int(d)] for d in df], dtype=np.float64)
        if use_profiles:
            assert profiles is not None
            idf_of = dict(zip(terms, idf.tolist(), strict=True))
            rows_py: list[dict[int, float]] = []
            for c, e in zip(counts, extra, strict=True):
                w = {vocab[t]: (1.0 + math.log(k)) * idf_of[t] for t, k in c.items()}
                for t, k in e.items():
                    j = vocab[t]
                    w[j] = w.get(j, 0.0) + profile_weight * (1.0 + math.log(k)) * idf_of[t]
                rows_py.append(w)
            row_len = [len(w) for w in rows_py]
            term_ids = np.asarray([j for w in rows_py for j in w], dtype=np.int64)
            weights = np.asarray([v for w in rows_py for v in w.values()], dtype=np.float64)
            doc_of = np.repeat(np.arange(n, dtype=np.int64), row_len)
        else:
            tf = np.asarray(row_tf, dtype=np.int64)
            log_tf = {int(k): 1.0 + math.log(int(k)) for k in np.unique(tf)} if tf.size else {}
            weights = np.asarray([log_tf[k] for k in row_tf], dtype=np.float64) * idf[term_ids]
        squares = (weights * weights).tolist()
        bounds = np.concatenate(([0], np.cumsum(row_len))).tolist()
        norms = [math.sqrt(sum(squares[a:b])) or 1.0 for a, b in zip(bounds, bounds[1:], strict=False)]
        values = weights / np.repeat(np.asarray(norms, dtype=np.float64), row_len)
        # postings as one term-major (CSC) array: term j's roles (ascending) are post_rows[ptr[j]:ptr[j + 1]]
        order = np.argsort(term_ids, kind="stable")
        self._adopt(
            terms,
            vocab,
            idf.tolist(),
            bounds,
            term_ids,
            values,
            doc_of[order],
            values[order],
            np.concatenate(([0], np.cumsum(np.bincount(term_ids, minlength=len(terms))))).tolist(),
        )

    def _adopt(
        self,
        terms: list[str],
        vocab: dict[str, int],
        idf: list[float],
        row_bounds: list[int],
        row_terms: np.ndarray,
        row_values: np.ndarray,
        post_rows: np.ndarray,
        post_values: np.ndarray,
        post_ptr: list[int],
    ) -> None:
        self._idf = idf
        self._terms = terms
        self._vocab = vocab
        self._row_bounds: list[int] = row_bounds
        self._row_terms = row_terms
        self._row_values = row_values
        self._role_row = {r: i for i, r in enumerate(self.role_ids)}
        self._role_weights: dict[str, dict[str, float]] = {}
        self._post_rows = post_rows
        self._post_values = post_values
        self._post_ptr = post_ptr

    @cached_property
    def idf(self) -> dict[str, float]:
        """``term -> IDF`` over the role documents."""
        return dict(zip(self._terms, self._idf, strict=True))

    # ---- saved beside the catalog (text_index.npz): building it took 0.6-0.7 s of a cold start, reading it 0.1-0.25 s
    def save(self, path: Path, documents_sha256: str) -> None:
        """Write the index to ``path`` (``.npz``, no pickles), for the documents whose digest is ``documents_sha256``."""
        arrays = {
            "recipe": pack_strings([_recipe(), documents_sha256]),
            "role_ids": pack_strings(self.role_ids),
            "terms": pack_strings(self._terms),
            "idf": np.asarray(self._idf, dtype=np.float64),
            "row_bounds": np.asarray(self._row_bounds, dtype=np.int64),
            "row_terms": self._row_terms.astype(np.int32),
            "row_values": self._row_values,
            "post_rows": self._post_rows.astype(np.int32),
            "post_values": self._post_values,
            "post_ptr": np.asarray(self._post_ptr, dtype=np.int64),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            np.savez(fh, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: Path, documents_sha256: str) -> RoleTextIndex | None:
        """The index saved at ``path`` when it was built by this code for these documents (else None)."""
        with np.load(path, allow_pickle=False) as data:
            if unpack_strings(data["recipe"]) != [_recipe(), documents_sha256]:
                return None
            a = {k: data[k] for k in data.files}
        obj = cls.__new__(cls)
        obj.role_ids = tuple(unpack_strings(a["role_ids"]))
        terms = unpack_strings(a["terms"])
        obj._adopt(
            terms,
            {t: j for j, t in enumerate(terms)},
            a["idf"].tolist(),
            a["row_bounds"].tolist(),
            a["row_terms"],
            a["row_values"],
            a["post_rows"],
            a["post_values"],
            a["post_ptr"].tolist(),
        )
        return obj

    @classmethod
    def from_catalog(cls, catalog: Catalog, profile_weight: float = PROFILE_WEIGHT) -> RoleTextIndex:
        """Index every catalog role's :func:`role_document`, plus its O*NET profile at ``profile_weight``."""
        profiles = {r.id: "\n".join(r.profile) for r in catalog.roles.values() if r.profile}
        return cls({r.id: role_document(r, catalog) for r in catalog.roles.values()}, profiles, profile_weight)

    def text_vector(self, text: str) -> dict[str, float]:
        """The text's unit TF-IDF vector over the role vocabulary (empty if it shares no term)."""
        vocab, idf = self._vocab, self._idf
        counts = Counter(t for t in _terms(text) if t in vocab)
        w = {t: (1.0 + math.log(k)) * idf[vocab[t]] for t, k in sorted(counts.items())}
        norm = math.sqrt(sum(v * v for v in w.values()))
        return {t: v / norm for t, v in w.items()} if norm > 0 else {}

    def similarities(self, text: str) -> dict[str, float]:
        """``role_id -> cosine`` in [0, 1] for every indexed role, rounded to 6 decimals."""
        sims = np.zeros(len(self.role_ids), dtype=np.float64)
        ptr = self._post_ptr
        for t, v in self.text_vector(text).items():
            j = self._vocab[t]
            a, b = ptr[j], ptr[j + 1]
            sims[self._post_rows[a:b]] += v * self._post_values[a:b]
        return {r: round(float(s), 6) for r, s in zip(self.role_ids, sims, strict=True)}

    def _row_weights(self, role_id: str) -> dict[str, float]:
        """``term -> weight`` of one role's unit row (empty for an unknown role), built on first use."""
        row = self._role_weights.get(role_id)
        if row is None:
            i = self._role_row.get(role_id)
            if i is None:
                return {}
            a, b = self._row_bounds[i], self._row_bounds[i + 1]
            row = {
                self._terms[j]: v
                for j, v in zip(self._row_terms[a:b].tolist(), self._row_values[a:b].tolist(), strict=True)
            }
            self._role_weights[role_id] = row
        return row

    def shared_terms(self, text: str, role_id: str, k: int = 5) -> list[str]:
        """The ``k`` terms that add most to the text's similarity with ``role_id`` (ties by term)."""
        row = self._row_weights(role_id)
        contrib = [(v * row[t], t) for t, v in self.text_vector(text).items() if t in row]
        return [t for _, t in sorted(contrib, key=lambda c: (-c[0], c[1]))[:k]]


def documents_sha256(catalog: Catalog, profile_weight: float = PROFILE_WEIGHT) -> str:
    """Digest of what :meth:`RoleTextIndex.from_catalog` indexes (documents, and profiles when weighted)."""
    h = hashlib.sha256(repr(profile_weight).encode())
    for r in sorted(catalog.roles.values(), key=lambda r: r.id):
        profile = "\n".join(r.profile) if profile_weight > 0 else ""
        for part in (r.id, role_document(r, catalog), profile):
            h.update(b"\0" + part.encode("utf-8"))
    return h.hexdigest()


def _recipe() -> str:
    """What the index's numbers depend on besides the documents: the format and the term rules."""
    rules = f"{TEXT_INDEX_FORMAT}|{_TERM_RE.pattern}|{' '.join(sorted(_STOP_WORDS))}"
    return hashlib.sha256(rules.encode("utf-8")).hexdigest()


def _index_for(catalog: Catalog) -> RoleTextIndex:
    path = catalog.directory / TEXT_INDEX_FILE if catalog.directory is not None else None
    if path is not None and path.is_file():
        saved = RoleTextIndex.load(path, documents_sha256(catalog))
        if saved is not None:
            return saved
    return RoleTextIndex.from_catalog(catalog)


def role_text_index(catalog: Catalog) -> RoleTextIndex:
    """The :class:`RoleTextIndex` over ``catalog``'s roles, once per catalog object.

    Read from the catalog's ``text_index.npz`` (written by ``training.catalog.build``) when that file was built
    by this code for these exact role documents, else built here.
    """
    return built_once("role_text_index", lambda: _index_for(catalog), catalog)


def text_fits(
    text: str, roles: Iterable[Role], catalog: Catalog, similarities: Mapping[str, float] | None = None
) -> dict[str, float]:
    """``role_id -> text_fit`` in [0, 1]: how closely ``text`` reads like each role, among every catalog role.

    A role's fit is its percentile by TF-IDF cosine (:class:`RoleTextIndex`) among the catalog's roles: the share of
    the other roles the text is less similar to, ties counting half. A role outside the index (an inline role, e.g.
    from a job posting) is placed by the cosine of its :func:`role_document` among the same catalog cosines. 0 when
    the text shares no term with the role. Role-agnostic by construction (a rank, not a raw cosine), TF-IDF only
    (well under a millisecond per text), so every request with a resume text can afford it. ``similarities``:
    :meth:`RoleTextIndex.similarities` of ``text`` when the caller already has them (the ranking computes them).
    """
    index = role_text_index(catalog)
    sims = similarities if similarities is not None else index.similarities(text)
    ordered = np.sort(np.fromiter(sims.values(), dtype=np.float64, count=len(sims)))
    vector: dict[str, float] | None = None
    out: dict[str, float] = {}
    for role in roles:
        if role.id in sims:
            cos, others = sims[role.id], len(ordered) - 1
        else:
            if vector is None:
                vector = index.text_vector(text)
            doc = index.text_vector(role_document(role, catalog))
            cos, others = round(sum(v * doc.get(t, 0.0) for t, v in vector.items()), 6), len(ordered)
        if cos <= 0.0 or others <= 0:
            out[role.id] = 0.0
            continue
        below = int(np.searchsorted(ordered, cos, side="left"))
        ties = int(np.searchsorted(ordered, cos, side="right")) - below - (1 if role.id in sims else 0)
        out[role.id] = round((below + 0.5 * ties) / others, 6)
    return out
