"""Text normalisation shared by the catalog build, the importers and the extractor.

One definition of "the same alias": :func:`normalize_alias` is applied to every name and alias
when the alias index is built AND to every lookup, so both sides always agree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

__all__ = [
    "COMMON_WORDS",
    "NORMALIZER_VERSION",
    "SLUG_RE",
    "finditer_at",
    "is_common_word",
    "normalize_alias",
    "slugify",
]

# Bump whenever normalize_alias changes behaviour: compiled catalogs store normalised keys and
# are only trusted by a loader with the same version.
NORMALIZER_VERSION = 1

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

_DASHES = str.maketrans(
    {
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00a0": " ",
    }
)
# characters that carry meaning inside skill names: c++, c#, .net, node.js, ci/cd, r&d
_KEEP = set("+#./&'")
_WS_RE = re.compile(r"\s+")
_ASCII_SEP_RE = re.compile(r"[^0-9a-z+#./&']+")
_ALNUM_RE = re.compile(r"[^\W_]")


def normalize_alias(s: str) -> str:
    """Normalise a skill name or alias for exact lookup.

    Lower-cases (NFKC), unifies dashes and quotes, turns ``-``/``_`` and other separators into
    spaces, keeps the characters that distinguish skills (``+ # . / & '``), trims trailing dots
    and outer quotes, and collapses whitespace. ``"Scikit-Learn"`` and ``"scikit learn"`` both
    give ``"scikit learn"``; ``"C++"`` stays ``"c++"``; ``".NET"`` stays ``".net"``.

    Args:
        s: Raw text.

    Returns:
        The normalised key ("" for blank input).
    """
    if s.isascii():
        text = _ASCII_SEP_RE.sub(" ", s.lower())
    else:
        text = unicodedata.normalize("NFKC", s).translate(_DASHES).lower()
        text = "".join(ch if (ch.isalnum() or ch in _KEEP) else " " for ch in text)
        text = _WS_RE.sub(" ", text)
    # "node.js." at the end of a sentence, quotes around a term
    text = text.strip(" '\"").rstrip(".").strip()
    # a lone separator left over ("/", "&") is not a key
    if text and _ALNUM_RE.search(text) is None:
        return ""
    return text


def slugify(s: str) -> str:
    """Make a stable, URL-safe id from a display name.

    ``"C++"`` -> ``"c-plus-plus"``, ``"C#"`` -> ``"c-sharp"``, ``".NET"`` -> ``"dotnet"``,
    ``"Node.js"`` -> ``"node-js"``, ``"CI/CD"`` -> ``"ci-cd"``.

    Args:
        s: Display name.

    Returns:
        A slug matching :data:`SLUG_RE` ("" if nothing alphanumeric is left).
    """
    text = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii").lower().strip()
    if text.startswith("."):
        text = "dot" + text[1:]
    text = text.replace("+", "-plus").replace("#", "-sharp").replace("&", "-and-")
    text = re.sub(r"[^a-z0-9]+", "-", text)
    return text.strip("-")


# Ordinary English words that must never be a skill alias: matching them in prose would fire on
# almost every resume. A canonical skill NAME may be one of these only if the skill is flagged
# ``ambiguous: true`` (the extractor then requires technical context).
COMMON_WORDS: frozenset[str] = frozenset(
    """
    a an the and or but if of in on at to for from by with without as is are was were be been being
    it its this that these those there here he she they we you i me my our your their them his her
    go going gone went run running ran make made do did done get got set put take took give gave
    use used using work works working worked build built ship shipped test tested deploy deployed
    can could will would should may might must shall not no yes all any each every some many much
    more most less least few other another such same new old good great best better high low big small
    one two three four five six seven eight nine ten first second third last next up down out over under
    about above after again against before below between both during into off once only own so than
    too very just also well back even still way where when why how what which who whom while
    time year years day days week month team teams project projects plan plans data code system systems
    service services process processes product products report reports support lead led manage managed
    spring summer autumn fall winter swift rust ruby pearl chef puppet salt ant crystal
    express bottle torch spark storm beam flux harness drone buddy helm vault consul nomad boundary kind
    envoy dash shiny react angular ember backbone meteor remix solid elm dart julia
    notion slack zoom word access outlook publisher paint photos pages numbers keynote office windows
    edge opera safari brave snowflake delta iceberg atlas aurora lambda glue athena neptune cosmos
    elastic pulse sentry tempo fish shell script scripts cloud server client host network security
    sales marketing finance design programming development engineering analysis management testing
    """.split()
)


def is_common_word(s: str) -> bool:
    """Return True if the normalised text is an ordinary word that must not be an alias.

    Single-character keys and pure numbers are also treated as common.
    """
    key = normalize_alias(s)
    if len(key) < 2 or key.replace(".", "").isdigit():
        return True
    return key in COMMON_WORDS


NUMBER_WORDS: dict[str, int] = {
    w: i
    for i, w in enumerate(
        "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split(),
        start=1,
    )
}
"""Spelled-out numbers one..twenty (years of experience: "five years of Python")."""


def finditer_at(pattern: re.Pattern[str], text: str, starts: Iterable[int]) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``, trying the pattern only at ``starts`` (sorted ascending).

    For a pattern that never matches the empty string, given every position where a match can start (a superset
    is fine), this yields the same matches: the leftmost match at or after the previous match's end, each as
    ``pattern.match`` finds it there (``match`` sees the text before its position, so ``\\b`` and look-behinds
    behave as in a search). Python's ``re`` otherwise tries a pattern at every position, which is most of the cost
    of patterns that open with a long alternation.
    """
    pos = 0
    for p in starts:
        if p < pos:
            continue
        m = pattern.match(text, p)
        if m is not None:
            yield m
            pos = m.end()
