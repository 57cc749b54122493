"""Shared filters for importer aliases: only clean, unambiguous, unclaimed strings get through."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Set
from pathlib import Path

from careerready.text import is_common_word, normalize_alias

MAX_ALIASES_PER_SOURCE = 8
MAX_ALIAS_WORDS = 6
MAX_ALIAS_CHARS = 60
MIN_ALIAS_CHARS = 3
_BAD_CHARS = set('()[]{}:;,|?!*=<>"')


def clean_alias(candidate: str) -> str | None:
    """Return the trimmed candidate if it may become an alias, else None.

    Rejects: shorter than 3 or longer than 60 characters after normalisation, more than six words,
    brackets/punctuation that signal a description rather than a name, pure numbers, and ordinary
    English words (:func:`careerready.text.is_common_word`).
    """
    text = " ".join(candidate.split())
    key = normalize_alias(text)
    if len(key) < MIN_ALIAS_CHARS or len(key) > MAX_ALIAS_CHARS:
        return None
    if len(key.split()) > MAX_ALIAS_WORDS or any(ch in _BAD_CHARS for ch in text):
        return None
    if is_common_word(text) or key.replace(" ", "").replace(".", "").isdigit():
        return None
    return text


def collect_aliases(
    matches: Iterable[tuple[str, Iterable[str]]],
    index: Mapping[str, str],
    cap: int = MAX_ALIASES_PER_SOURCE,
    strict_ids: Set[str] = frozenset(),
) -> dict[str, list[str]]:
    """Turn (skill_id, candidate strings) pairs into {skill_id: new aliases}.

    A candidate is kept only if it passes :func:`clean_alias`, is not already a key of ``index``
    (for any skill), is plausible (three or more words, or any candidate for a skill in
    ``strict_ids``, must share a content word with the skill's existing names) and is not proposed for two different skills by this source. At most ``cap``
    aliases per skill, in first-seen order.
    """
    tokens = _tokens_by_skill(index)
    proposed: dict[str, tuple[str, str]] = {}
    clashes: set[str] = set()
    order: list[str] = []
    for sid, candidates in matches:
        for cand in candidates:
            alias = clean_alias(cand)
            if alias is None:
                continue
            key = normalize_alias(alias)
            if key in index or not _plausible(key, tokens.get(sid, set()), sid in strict_ids):
                continue
            prev = proposed.get(key)
            if prev is not None and prev[0] != sid:
                clashes.add(key)
                continue
            if prev is None:
                proposed[key] = (sid, alias)
                order.append(key)
    out: dict[str, list[str]] = {}
    for key in order:
        if key in clashes:
            continue
        sid, alias = proposed[key]
        bucket = out.setdefault(sid, [])
        if len(bucket) < cap:
            bucket.append(alias)
    return out


_STOP = frozenset(
    "and the for with from into use using work works working computer computers self skill skills business "
    "system systems other others general basic".split()
)


def _content_tokens(key: str) -> set[str]:
    return {t for t in key.split() if len(t) >= 3 and t not in _STOP}


def _tokens_by_skill(index: Mapping[str, str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for key, sid in index.items():
        out.setdefault(sid, set()).update(_content_tokens(key))
    return out


def _plausible(key: str, skill_tokens: set[str], strict: bool = False) -> bool:
    """Short candidates pass; longer ones (any length when ``strict``) must share a content word
    with the skill's known names.

    External alias lists carry slips (an ESCO "pay-per-click" entry lists "disseminate corporate
    information"); requiring lexical overlap for 3+ word candidates removes most of them.
    """
    if not strict and len(key.split()) <= 2:
        return True
    return bool(_content_tokens(key) & skill_tokens)


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file (streamed)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
