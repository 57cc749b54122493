"""Rule-based skill extractor v1: a compiled gazetteer of catalog aliases + context rules.

Matching works on tokens (maximal runs of letters/digits, plus the one-character tokens
``+ # . / & '``) so that ``C++``, ``C#``, ``.NET``, ``Node.js`` and ``CI/CD`` match as written and
``Java`` never fires inside ``JavaScript``. At each token the longest alias wins. Every span
indexes the input exactly: ``text[start:end] == surface``.

Ambiguous aliases (one-letter names, ordinary words such as ``Go``, ``Swift`` or ``Spark``) are
case-sensitive (authored form or ALL CAPS) and, for the worst ones, need context: a skills
section, a neighbouring skill in the same list, or a cue word ("in Go", "Go developer", "R
programming"). Each mention gets its section, evidence sentence, stated years of experience and a
negation flag ("no Kubernetes experience"). Mentions are deduplicated per skill (see
:mod:`careerready.schemas.extraction`).
"""

from __future__ import annotations

import bisect
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from careerready.core.errors import ArtifactIntegrityError, ArtifactNotFoundError
from careerready.schemas.extraction import ExtractedSkill, SkillMention, stated_years
from careerready.sections import Section, detect_sections, section_starts
from careerready.text import NUMBER_WORDS, finditer_at

__all__ = [
    "GAZETTEER_FILE",
    "GAZETTEER_FORMAT",
    "GazetteerExtractor",
    "Mention",
    "SECTION_BONUS",
    "load",
    "find_years",
    "in_organisation_name",
    "tokenize",
]

GAZETTEER_FILE = "gazetteer.json"
GAZETTEER_FORMAT = "careerready-gazetteer/1"

_TOKEN_RE = re.compile(r"[^\W_]+|[+#./&']")
_PUNCT = frozenset("+#./&'")
# punctuation that must be glued exactly as in the alias ("c++" never matches "c + +")
_STRICT_GLUE = frozenset("+#.'")
# what may separate two words of a multi-word alias in the text ("machine-learning", "machine\nlearning")
_SOFT_SEP = frozenset(" \t\r\n-_\u00a0\u2010\u2011\u2013")

# ---- context cues for ambiguous aliases -------------------------------------------------------
_CUES_BEFORE = frozenset(
    "in using with language languages programming proficient proficiency knowledge experience experienced "
    "written coded code coding developer developed develop scripting scripts fluent expert skilled lang "
    "learned learning learnt".split()
)
_CUES_AFTER = frozenset(
    "developer developers programming programmer programmers language lang code coding engineer engineers "
    "services service microservices modules module scripts scripting script packages package libraries library "
    "api apis backend backends routines studio shiny markdown tidyverse ggplot2 dplyr goroutines compiler "
    "stack applications application app apps projects project".split()
)
# URLs and e-mail addresses are never skills ("https://github.com/..." is not HTTP or GitHub)
_URL_RE = re.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b[\w-]+\.(?:com|org|net|io)/\S*", re.IGNORECASE
)
# Every URL match holds one of these (its "://", "www.", "@" or ".com/"), preceded within the match only by characters
# of _URL_LEAD: the match starts in the run of those characters that ends there (see _url_spans)
_URL_HOT_RE = re.compile(r"(?=://|www\.|@|\.(?:com|org|net|io)/)", re.IGNORECASE)
_URL_LEAD_RE = re.compile(r"[\w.+-]")
# an ambiguous word followed by one of these is prose, even in a skills list ("Less than 1 year")
_NOT_AFTER = frozenset("than the to of a an is are was were be been".split())
# "Operating Systems: Linux, Windows" - a generic skill used as a list label is not a claim
_LABEL_TYPES = frozenset({"hard", "soft"})
_LABEL_AFTER_RE = re.compile(r"[ \t]*:")
_LABEL_BEFORE_RE = re.compile(r"(?:^|\n)[ \t•·*\-▪●■>]*$")
_LIST_SEP_RE = re.compile(r"^[\s,;/|&()\[\]•·*\-]*(?:(?:and|or|&)\s*)?[\s,;/|&()\[\]•·*\-]*$", re.IGNORECASE)

# ---- years of experience ------------------------------------------------------------------------
_NUM_WORDS = {"a": 1, "an": 1, **NUMBER_WORDS}
# found unit-first ("years" is rare, digits are not), then the number is read backwards
_YEARS_UNIT_RE = re.compile(r"\b(?P<unit>years?|yrs?\.?|yoe|months?|mos?\.?)(?![a-z])\s*(?P<plus2>\+)?", re.IGNORECASE)
_YEARS_NUM_RE = re.compile(
    r"(?P<qual>\b(?:over|more\s+than|less\s+than|under|nearly|almost|about|around|approximately|approx\.?|"
    r"at\s+least)\s*|~\s*)?"
    r"(?P<num>\b\d{1,2}(?:\.\d{1,2})?|\b(?:" + "|".join(sorted(_NUM_WORDS, key=len, reverse=True)) + r"))"
    r"(?:\s*(?:-|–|to)\s*(?P<num2>\d{1,2}(?:\.\d)?))?"
    r"\s*(?P<plus>\+)?\s*$",
    re.IGNORECASE,
)
_AFTER_YEARS_RE = re.compile(r"^\s*[(\[:\-–—,]?\s*(?:for\s+|with\s+)?$", re.IGNORECASE)
_GAP_WORDS = frozenset(
    "of experience exp expertise hands on professional industry industrial relevant commercial working work "
    "worked programming development developing coding in with using building writing designing and or as a an "
    "the solid strong extensive practical production plus total overall hand".split()
)
_GAP_BLOCK_RE = re.compile(r"[.;!?\n]")

# ---- negation ------------------------------------------------------------------------------------
_NEG_RE = re.compile(
    r"\b(?:no|not|never|without|lacks?|lacking|unfamiliar|none|zero)\b|n't\b",
    re.IGNORECASE,
)
_NOT_NEG_RE = re.compile(r"\bnot\s+only\b|\bno\s+(?:\.|\d)|\bno\s+longer\b", re.IGNORECASE)
_CLAUSE_RE = re.compile(
    r"[\n.;:!?]|\b(?:but|however|although|though|whereas|while)\b", re.IGNORECASE
)  # not "yet": "not yet used X"
_AFTER_NEG_RE = re.compile(r"^\s*[:(\-–]\s*(?:none|no\s+experience|not\s+yet|n/?a)\b", re.IGNORECASE)

_SENTENCE_BREAK_RE = re.compile(r"\n|[.!?](?=\s)|[•▪●■]")
_MAX_SENTENCE = 240
SECTION_BONUS = {
    "skills": 0.05,
    "experience": 0.05,
    "projects": 0.05,
    "summary": 0.0,
    "certifications": 0.0,
    "education": 0.0,
    "other": -0.05,
}


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """Split text into ``(token, start, end)`` triples (letters/digits runs and ``+#./&'``)."""
    return [(m.group(0), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


def _folded_tokens(text: str, tokens: list[tuple[str, int, int]]) -> list[str]:
    """``_fold`` of every token; for ASCII text, the tokens of the lower-cased text (same boundaries, one call)."""
    if text.isascii():
        return _TOKEN_RE.findall(text.lower())
    return [_fold(t) for t, _, _ in tokens]


def _url_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every ``_URL_RE`` match (the same as its ``finditer``, tried only where one can start)."""
    starts: set[int] = set()
    for m in _URL_HOT_RE.finditer(text):
        k = m.start()
        while k > 0 and _URL_LEAD_RE.match(text, k - 1):
            k -= 1
        starts.update(range(k, m.start() + 1))
    return [(m.start(), m.end()) for m in finditer_at(_URL_RE, text, sorted(starts))]


def _fold(token: str) -> str:
    if token.isascii():
        return token.lower()
    return unicodedata.normalize("NFKC", token).lower()


def find_years(text: str) -> list[tuple[int, int, float]]:
    """Every years-of-experience expression as ``(start, end, years)``, in text order.

    Understands ``5 years``, ``3+ yrs``, ``3-5 years`` (upper bound), ``two years``, ``18 months``,
    ``over 4 years``, ``less than 1 year`` (0.5).
    """
    out: list[tuple[int, int, float]] = []
    for unit in _YEARS_UNIT_RE.finditer(text):
        lo = max(0, unit.start() - 40)
        m = _YEARS_NUM_RE.search(text, lo, unit.start())
        if m is None:
            continue
        out.append((m.start(), unit.end(), _years_value(m, unit.group("unit"))))
    return out


def _years_value(match: re.Match[str], unit: str) -> float:
    raw = match.group("num").lower()
    value = float(_NUM_WORDS[raw]) if raw in _NUM_WORDS else float(raw)
    if match.group("num2"):
        value = max(value, float(match.group("num2")))
    if unit.lower().startswith("mo"):
        value = value / 12.0
    qual = (match.group("qual") or "").lower()
    if "less" in qual or "under" in qual:
        value = max(value - 0.5, value / 2.0)
    return round(value, 2)


class _Entry(NamedTuple):
    """One alias of the gazetteer (a named tuple: ~10,000 are built per load, a frozen dataclass took 2x as long)."""

    key: str
    tokens: tuple[str, ...]
    glue: tuple[bool, ...]
    skill_id: str
    case_sensitive: bool
    needs_context: bool
    forms: frozenset[str]
    shared: bool


@dataclass(slots=True)
class Mention:
    """One raw match before deduplication."""

    skill_id: str
    start: int
    end: int
    text: str
    section: str
    entry_key: str
    base_confidence: float
    years: float | None = None
    negated: bool = False
    sentence: str = ""


@dataclass
class GazetteerExtractor:
    """Longest-match alias extractor over ``gazetteer.json`` (compiled from the catalog by ``training/models/gazetteer.py``)."""

    skills: dict[str, dict[str, Any]]
    entries: list[_Entry]
    meta: dict[str, Any] = field(default_factory=dict)
    _index: dict[str, list[_Entry]] = field(default_factory=dict, init=False, repr=False)
    _keys: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False)
    _words: dict[str, frozenset[str]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        index: dict[str, list[_Entry]] = {}
        keys: dict[str, list[str]] = {}
        for entry in self.entries:
            index.setdefault(entry.tokens[0], []).append(entry)
            keys.setdefault(entry.skill_id, []).append(entry.key)
        for cands in index.values():
            cands.sort(key=lambda e: (-len(e.tokens), e.key))
        self._index = index
        self._keys = keys
        self._words = {}  # per skill, on first use (_skill_words): most skills never need theirs

    def _skill_words(self, skill_id: str) -> frozenset[str]:
        """Content words of a skill's aliases and name (what an acronym's expansion may share with it)."""
        words = self._words.get(skill_id)
        if words is None:
            found: set[str] = set()
            for key in self._keys.get(skill_id, ()):
                found |= _content_words(key)
            info = self.skills.get(skill_id)
            if info is not None:
                found |= _content_words(str(info.get("name") or ""))
            words = self._words[skill_id] = frozenset(found)
        return words

    @classmethod
    def from_gazetteer(cls, data: dict[str, Any]) -> GazetteerExtractor:
        """Build from the parsed ``gazetteer.json`` structure."""
        if data.get("format") != GAZETTEER_FORMAT:
            raise ArtifactIntegrityError(f"unsupported gazetteer format {data.get('format')!r}", file=GAZETTEER_FILE)
        entries = [
            _Entry(
                key=e["key"],
                tokens=tuple(e["tokens"]),
                glue=tuple(map(bool, e["glue"])),
                skill_id=e["skill_id"],
                case_sensitive=bool(e["case_sensitive"]),
                needs_context=bool(e["needs_context"]),
                forms=frozenset(e.get("forms", ())),
                shared=bool(e.get("shared", False)),
            )
            for e in data["entries"]
        ]
        meta = {k: v for k, v in data.items() if k not in ("entries", "skills")}
        return cls(skills=dict(data["skills"]), entries=entries, meta=meta)

    # ---- public API --------------------------------------------------------------------------
    def extract(self, text: str) -> list[ExtractedSkill]:
        """Extract deduplicated skills from resume text (never raises on odd input)."""
        return self.analyze(text)[0]

    def analyze(self, text: str) -> tuple[list[ExtractedSkill], list[Section]]:
        """Extract skills and return them with the detected sections."""
        if not text or not text.strip():
            return [], []
        sections = detect_sections(text)
        mentions = self.find_mentions(text, sections)
        return self._dedupe(mentions), sections

    def find_mentions(
        self, text: str, sections: list[Section] | None = None, *, annotate: bool = True
    ) -> list[Mention]:
        """All skill mentions in text order, with section, years, negation and sentence filled in.

        Args:
            text: The resume text.
            sections: Its sections (default: ``detect_sections(text)``).
            annotate: Fill sentence, years and negation (:meth:`annotate`); a caller that merges these
                mentions with others annotates the merged list once instead.
        """
        if sections is None:
            sections = detect_sections(text)
        starts = section_starts(sections)
        tokens = tokenize(text)
        folded = _folded_tokens(text, tokens)
        n = len(tokens)
        blocked = _url_spans(text)
        b = 0
        accepted: list[Mention] = []
        pending: list[tuple[int, int, Mention, _Entry]] = []
        i = 0
        while i < n:
            cands = self._index.get(folded[i])
            if not cands:
                i += 1
                continue
            while b < len(blocked) and blocked[b][1] <= tokens[i][1]:
                b += 1
            if b < len(blocked) and blocked[b][0] <= tokens[i][1]:
                i += 1
                continue
            hit: tuple[_Entry, int] | None = None
            nxt = folded[i + 1] if i + 1 < n else None
            for entry in cands:
                if len(entry.tokens) > 1 and entry.tokens[1] != nxt:
                    continue  # what _match_at checks first, without the call
                j = self._match_at(entry, tokens, folded, text, i)
                if j is not None:
                    hit = (entry, j)
                    break
            if hit is None:
                i += 1
                continue
            entry, j = hit
            start, end = tokens[i][1], tokens[j - 1][2]
            surface = text[start:end]
            if entry.case_sensitive and not self._case_ok(entry, surface):
                i += 1
                continue
            k_sec = bisect.bisect_right(starts, start) - 1
            if k_sec >= 0 and start < sections[k_sec].header_end:
                i = j  # the header itself ("TECHNICAL SKILLS", "Computer Skills:") is not a skill
                continue
            if self._is_label(entry, text, start, end):
                i = j
                continue
            section = sections[k_sec].name if k_sec >= 0 else "other"
            mention = Mention(
                skill_id=entry.skill_id,
                start=start,
                end=end,
                text=surface,
                section=section,
                entry_key=entry.key,
                base_confidence=self._base_confidence(entry),
            )
            if entry.needs_context:
                pending.append((i, j, mention, entry))
            else:
                accepted.append(mention)
            i = j
        hits = [(m.start, m.end) for m in accepted] + [(p[2].start, p[2].end) for p in pending]
        if pending:
            accepted.extend(self._resolve_context(text, tokens, folded, accepted, pending))
            accepted.sort(key=lambda m: m.start)
        accepted = [
            m for m in accepted if not self._acronym_of_a_name(text, m, hits) and not self._employer_credential(text, m)
        ]
        if annotate:
            self.annotate(text, accepted)
        return accepted

    def _employer_credential(self, text: str, m: Mention) -> bool:
        """A certification named inside an employer's name ("Lakeview CPA Group") is not one the person holds."""
        skill = self.skills.get(m.skill_id) or {}
        return skill.get("type") == "certification" and in_organisation_name(text, m.start, m.end)

    def _acronym_of_a_name(self, text: str, m: Mention, hits: list[tuple[int, int]]) -> bool:
        """True for an acronym that a name defines in place when the name is not the skill's.

        "Canada Pacific Railways (CPR)" is a company, not CPR. Kept: a skill in the name ("Java Messaging Service
        (JMS)": a gazetteer hit, even one rejected for lack of context, sits in it) or a word of the skill's name or
        aliases ("Microsoft Certified Systems Engineer (MCSE)", "extract, transform and load (ETL)").
        """
        span = acronym_expansion(text, m.start, m.end)
        if span is None or any(a < span[1] and b > span[0] for a, b in hits):
            return False
        return not (_content_words(text[span[0] : span[1]]) & self._skill_words(m.skill_id))

    # ---- matching ----------------------------------------------------------------------------
    @staticmethod
    def _match_at(
        entry: _Entry, tokens: list[tuple[str, int, int]], folded: list[str], text: str, i: int
    ) -> int | None:
        k = len(entry.tokens)
        if i + k > len(tokens):
            return None
        for off in range(1, k):
            tok = entry.tokens[off]
            if folded[i + off] != tok:
                return None
            glued = tokens[i + off][1] == tokens[i + off - 1][2]
            prev_tok = entry.tokens[off - 1]
            if tok in _STRICT_GLUE or prev_tok in _STRICT_GLUE:
                if glued != entry.glue[off]:
                    return None
            elif not glued and not (tok in _PUNCT or prev_tok in _PUNCT):
                gap = text[tokens[i + off - 1][2] : tokens[i + off][1]]
                if not all(ch in _SOFT_SEP for ch in gap) or gap.count("\n") > 1:
                    return None
        j = i + k
        # boundaries: "C" must not fire on "C++"/"C#" or "R" on "R&D", nor "node" on "Node.js"
        if j < len(tokens) and tokens[j][1] == tokens[j - 1][2]:
            nxt = tokens[j][0]
            if nxt in "+#&'":
                return None
            if (
                nxt == "."
                and j + 1 < len(tokens)
                and tokens[j + 1][1] == tokens[j][2]
                and tokens[j + 1][0] not in _PUNCT
            ):
                return None
            if nxt == "/" and entry.tokens[-1] in _PUNCT:
                return None
            if len(entry.key) == 1 and (
                text[tokens[i][1] : tokens[i][1] + 3].lower() == "c/o"
                or (nxt == "." and _is_initial(text, tokens[i][1]))
            ):
                return None  # "C/o" (care of) and initials ("F. C. Blumberg")
        if i > 0 and tokens[i][1] == tokens[i - 1][2]:
            prev = tokens[i - 1][0]
            if prev in ".#+&" and entry.tokens[0] not in _PUNCT:
                return None
            if prev == "'":
                return None
        return j

    def _is_label(self, entry: _Entry, text: str, start: int, end: int) -> bool:
        if (self.skills.get(entry.skill_id) or {}).get("type") not in _LABEL_TYPES:
            return False
        lo = max(0, start - 8)
        before = text[lo:start] if lo > 0 else "\n" + text[:start]
        return bool(_LABEL_AFTER_RE.match(text, end)) and bool(_LABEL_BEFORE_RE.search(before))

    @staticmethod
    def _case_ok(entry: _Entry, surface: str) -> bool:
        # authored spelling ("Go", "R", "Swift") or all caps as in skills lists ("GO", "SWIFT")
        return surface in entry.forms or surface.isupper()

    @staticmethod
    def _base_confidence(entry: _Entry) -> float:
        if entry.needs_context:
            conf = 0.65
        elif entry.case_sensitive:
            conf = 0.8
        else:
            conf = 0.9
        if entry.shared:
            conf -= 0.15
        return conf

    def _resolve_context(
        self,
        text: str,
        tokens: list[tuple[str, int, int]],
        folded: list[str],
        accepted: list[Mention],
        pending: list[tuple[int, int, Mention, _Entry]],
    ) -> list[Mention]:
        anchors = sorted((m.start, m.end) for m in accepted)
        anchor_starts = [a[0] for a in anchors]
        out: list[Mention] = []
        for i, j, mention, entry in pending:
            if j < len(tokens) and folded[j] in _NOT_AFTER and "\n" not in text[mention.end : tokens[j][1]]:
                continue
            if mention.section == "skills" or self._list_neighbour(text, anchors, anchor_starts, mention):
                out.append(mention)
                continue
            if self._has_cue(text, tokens, folded, i, j):
                out.append(mention)
                continue
            if (
                len(entry.key) >= 4
                and mention.text[:1].isupper()
                and not _at_sentence_start(text, mention.start)
                and not _in_proper_name(text, tokens, i, j)
            ):
                out.append(mention)
        return out

    @staticmethod
    def _list_neighbour(text: str, anchors: list[tuple[int, int]], anchor_starts: list[int], m: Mention) -> bool:
        """True when an accepted skill sits next to ``m`` in the same list ("Python, R, SQL")."""
        k = bisect.bisect_left(anchor_starts, m.start)
        gaps = []
        if k > 0:
            gaps.append(text[anchors[k - 1][1] : m.start])
        if k < len(anchors):
            gaps.append(text[m.end : anchors[k][0]])
        return any(len(g) <= 8 and g.strip() and "\n" not in g and _LIST_SEP_RE.match(g) for g in gaps)

    @staticmethod
    def _has_cue(text: str, tokens: list[tuple[str, int, int]], folded: list[str], i: int, j: int) -> bool:
        line_start = text.rfind("\n", 0, tokens[i][1]) + 1
        line_end = text.find("\n", tokens[j - 1][2])
        line_end = len(text) if line_end < 0 else line_end
        for b in range(i - 1, max(-1, i - 4), -1):
            if tokens[b][1] < line_start:
                break
            if folded[b] in _CUES_BEFORE:
                return True
            if folded[b] in (",", ";"):
                break
        for a in range(j, min(len(tokens), j + 2)):
            if tokens[a][1] >= line_end:
                break
            if folded[a] in _CUES_AFTER:
                return True
        return False

    # ---- annotation ----------------------------------------------------------------------------
    def annotate(self, text: str, mentions: list[Mention]) -> None:
        """Fill ``sentence``, ``years`` and ``negated`` of mentions (in text order) in place.

        Years and negation look at neighbouring mentions ("Python and Java (5 years)"), so pass every
        mention of the text together, sorted by start.
        """
        if not mentions:
            return
        breaks = [m.end() for m in _SENTENCE_BREAK_RE.finditer(text)]
        years_spans = find_years(text)
        years_starts = [y[0] for y in years_spans]
        years_ends = [y[1] for y in years_spans]
        spans = [(m.start, m.end) for m in mentions]
        after = [_years_after(text, m, years_spans, years_starts) if years_spans else -1 for m in mentions]
        claimed = {k for k in after if k >= 0}
        for idx, m in enumerate(mentions):
            b = bisect.bisect_right(breaks, m.start)
            s0 = breaks[b - 1] if b else 0
            k = bisect.bisect_left(breaks, m.end)
            s1 = breaks[k] if k < len(breaks) else len(text)
            m.sentence = _clip_sentence(text, s0, s1, m.start, m.end)
            y = after[idx]
            if y < 0 and years_spans:
                y = _years_before(text, m, idx, spans, years_spans, years_ends, claimed)
            m.years = years_spans[y][2] if y >= 0 else None
            m.negated = _is_negated(text, m, spans, idx)

    # ---- dedupe -----------------------------------------------------------------------------------
    def _dedupe(self, mentions: Iterable[Mention]) -> list[ExtractedSkill]:
        groups: dict[str, list[Mention]] = {}
        for m in mentions:
            groups.setdefault(m.skill_id, []).append(m)
        out: list[ExtractedSkill] = []
        for skill_id, ms in groups.items():
            primary = next((m for m in ms if not m.negated), ms[0])
            info = self.skills.get(skill_id, {})
            best = max(m.base_confidence + SECTION_BONUS.get(m.section, 0.0) for m in ms)
            confidence = best + min(0.09, 0.03 * (len(ms) - 1))
            out.append(
                ExtractedSkill(
                    text=primary.text,
                    start=primary.start,
                    end=primary.end,
                    skill_id=skill_id,
                    name=info.get("name"),
                    type=info.get("type"),
                    category=info.get("category"),
                    confidence=round(min(0.99, max(0.05, confidence)), 3),
                    section=primary.section,  # type: ignore[arg-type]
                    sentence=primary.sentence,
                    years=stated_years(ms),
                    negated=all(m.negated for m in ms),
                    source="gazetteer",
                    mention_count=len(ms),
                    mentions=[
                        SkillMention(
                            text=m.text,
                            start=m.start,
                            end=m.end,
                            section=m.section,  # type: ignore[arg-type]
                            years=m.years,
                            negated=m.negated,
                        )
                        for m in ms
                    ],
                )
            )
        out.sort(key=lambda s: (s.mentions[0].start, s.skill_id or ""))
        return out


# ---- annotation helpers ---------------------------------------------------------------------------
_NAME_WORD_RE = re.compile(r"[A-Za-z][\w'&.-]*")
_NAME_GLUE = frozenset({"of", "and", "for", "the", "in", "on", "at", "de", "&"})


def acronym_expansion(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``(start, end)`` of the words an acronym in parentheses abbreviates, else None.

    ``text[start:end]`` must be 2-8 capitals between ``(`` and ``)`` right after words, on the same line, whose
    initials spell it, glue words (of, and, for, the, ...) aside: "Canada Pacific Railways (CPR)" ->
    "Canada Pacific Railways".
    """
    surface = text[start:end]
    if not (2 <= len(surface) <= 8 and surface.isalpha() and surface.isupper()):
        return None
    if start < 2 or text[start - 1] != "(" or text[end : end + 1] != ")":
        return None
    open_at = start - 1
    line_start = text.rfind("\n", 0, open_at) + 1
    words = [w for w in _NAME_WORD_RE.finditer(text, line_start, open_at) if w.group().lower() not in _NAME_GLUE]
    if len(words) < len(surface) or text[words[-1].end() : open_at].strip():
        return None
    tail = words[-len(surface) :]
    if "".join(w.group()[0] for w in tail).upper() != surface:
        return None
    return tail[0].start(), tail[-1].end()


_CONTENT_WORD_RE = re.compile(r"[a-z0-9]+")


def _content_words(s: str) -> set[str]:
    return {w for w in _CONTENT_WORD_RE.findall(s.lower()) if len(w) > 2 and w not in _NAME_GLUE}


#: Last words of an organisation's name: a credential inside one ("Lakeview CPA Group", "RN Staffing Solutions Inc.")
#: names the employer's trade, not what the person holds.
ORG_SUFFIXES = frozenset(
    "group inc incorporated llc llp ltd limited pc pllc corp corporation company associates partners firm agency "
    "staffing".split()
)
_NAME_WORD_RE = re.compile(r"[A-Z][\w'&.-]*|&|and|of")
_ORG_MAX_WORDS = 3
# Words that make what follows a credential's own name, not an employer's ("ACLS Certified Group Fitness Instructor").
_CREDENTIAL_WORDS = frozenset("certified certification certificate licensed license licence registered".split())


def in_organisation_name(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` is followed, on its line and through at most :data:`_ORG_MAX_WORDS` capitalised
    name words, by a word of :data:`ORG_SUFFIXES` ("Lakeview CPA Group", "CPA Associates of Ohio, LLC"): the words of
    an employer's name. A comma, bracket or full stop after the match ends the name ("CPA, PMP")."""
    line_end = text.find("\n", end)
    rest = text[end : len(text) if line_end < 0 else line_end]
    if rest[:1] not in (" ", "\t"):
        return False
    for word in rest.split()[: _ORG_MAX_WORDS + 1]:
        bare = word.rstrip(".,;:)").lower()
        if bare in _CREDENTIAL_WORDS:
            return False
        if bare in ORG_SUFFIXES:
            return True
        if not _NAME_WORD_RE.fullmatch(word) or word[-1:] in ",;:)":
            return False
    return False


def _at_sentence_start(text: str, start: int) -> bool:
    k = start - 1
    while k >= 0 and text[k] in " \t\r":
        k -= 1
    return k < 0 or text[k] in "\n.!?:•*-–—>#|("


_INITIAL_BEFORE_RE = re.compile(r"\b[A-Z]\.\s?$")
_INITIAL_AFTER_RE = re.compile(r"\.\s?[A-Z]\.")


def _is_initial(text: str, start: int) -> bool:
    """True for a letter in a run of initials ("F. C." or "C. F.")."""
    return bool(_INITIAL_BEFORE_RE.search(text[max(0, start - 4) : start]) or _INITIAL_AFTER_RE.match(text, start + 1))


def _in_proper_name(text: str, tokens: list[tuple[str, int, int]], i: int, j: int) -> bool:
    """True when the match sits in a Title Case name or a date ("Silver Spring", "Spring 2006")."""
    line_start = text.rfind("\n", 0, tokens[i][1]) + 1
    line_end = text.find("\n", tokens[j - 1][2])
    line_end = len(text) if line_end < 0 else line_end
    if i > 0 and tokens[i - 1][1] >= line_start:
        prev = tokens[i - 1][0]
        if prev[:1].isupper() and prev.isalpha() and len(prev) > 1:
            return True
    if j < len(tokens) and tokens[j][1] < line_end:
        nxt = tokens[j][0]
        if nxt.isdigit() or (nxt[:1].isupper() and nxt.isalpha() and len(nxt) > 1):
            return True
    return False


def _clip_sentence(text: str, s0: int, s1: int, start: int, end: int) -> str:
    raw = text[s0:s1]
    lead = len(raw) - len(raw.lstrip(" \t\r\n•▪●■*-·"))
    s0 += lead
    raw = text[s0:s1].rstrip()
    if len(raw) <= _MAX_SENTENCE:
        return raw
    half = (_MAX_SENTENCE - (end - start)) // 2
    lo = max(s0, start - max(half, 0))
    hi = min(s0 + len(raw), lo + _MAX_SENTENCE)
    return text[lo:hi].strip()


def _mask(text: str, lo: int, hi: int, spans: list[tuple[int, int]], skip: int) -> str:
    """``text[lo:hi]`` with other mentions replaced by ``§`` (so lists of skills read as one slot)."""
    parts: list[str] = []
    pos = lo
    k = bisect.bisect_left(spans, (lo, -1))
    while k > 0 and spans[k - 1][1] > lo:
        k -= 1
    while k < len(spans) and spans[k][0] < hi:
        s, e = spans[k]
        if k != skip and e > lo:
            parts.append(text[pos : max(pos, s)])
            parts.append(" § ")
            pos = max(pos, e)
        k += 1
    parts.append(text[pos:hi])
    return "".join(parts)


def _years_after(text: str, m: Mention, years_spans: list[tuple[int, int, float]], years_starts: list[int]) -> int:
    """Index of the years expression written right after the mention ("Python (3 years)"), else -1."""
    k = bisect.bisect_left(years_starts, m.end)
    if (
        k < len(years_spans)
        and years_spans[k][0] - m.end <= 12
        and _AFTER_YEARS_RE.match(text[m.end : years_spans[k][0]])
    ):
        return k
    return -1


def _years_before(
    text: str,
    m: Mention,
    idx: int,
    spans: list[tuple[int, int]],
    years_spans: list[tuple[int, int, float]],
    years_ends: list[int],
    claimed: set[int],
) -> int:
    """Index of a years expression that governs the mention ("5 years of Python"), else -1."""
    k = bisect.bisect_right(years_ends, m.start) - 1
    if k < 0 or k in claimed:
        return -1
    _, ye, _ = years_spans[k]
    if m.start - ye > 80:
        return -1
    gap = _mask(text, ye, m.start, spans, idx)
    # "Python (3 years), Go": the figure closes the previous item, it does not open this one
    if _GAP_BLOCK_RE.search(gap) or re.search(r"[()\[\]:]", gap) or gap.lstrip().startswith(","):
        return -1
    words = re.findall(r"[a-z§]+", gap.lower())
    if len(words) <= 8 and all(w in _GAP_WORDS or w == "§" for w in words):
        return k
    return -1


def _is_negated(text: str, m: Mention, spans: list[tuple[int, int]], idx: int) -> bool:
    if _AFTER_NEG_RE.match(text[m.end : m.end + 24]):
        return True
    lo = max(0, m.start - 120)
    window = text[lo : m.start]
    cut = 0
    for c in _CLAUSE_RE.finditer(window):
        cut = c.end()
    clause = _mask(text, lo + cut, m.start, spans, idx)
    chunks = clause.split(",")
    for chunk in reversed(chunks):
        if _NEG_RE.search(chunk) and not _NOT_NEG_RE.search(chunk):
            return True
        rest = re.sub(r"§|\band\b|\bor\b|\bnor\b|[\s/&()]", "", chunk, flags=re.IGNORECASE)
        if rest:
            return False
    return False


def load(artifact_dir: Path | str) -> GazetteerExtractor:
    """Load the extractor from an artifact dir holding ``gazetteer.json``.

    Raises:
        ArtifactNotFoundError: ``gazetteer.json`` is missing.
    """
    path = Path(artifact_dir) / GAZETTEER_FILE
    if not path.is_file():
        raise ArtifactNotFoundError(f"extractor artifact has no {GAZETTEER_FILE}", path=str(artifact_dir))
    return GazetteerExtractor.from_gazetteer(json.loads(path.read_text(encoding="utf-8")))
