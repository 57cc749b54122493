"""ESCO 1.2.0 skill collections -> extra aliases (alt labels of skills whose preferred label we have).

Reads the digital, transversal and digComp collections (``altLabels`` separated by ``|`` or
newlines). ESCO is (c) European Union, reused with attribution (Decision 2011/833/EU).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Set
from pathlib import Path

from careerready.text import normalize_alias

from training.importers.common import collect_aliases

RELDIR = Path("esco-1.2.0")
COLLECTIONS = ("digitalSkillsCollection_en.csv", "transversalSkillsCollection_en.csv", "digCompSkillsCollection_en.csv")
_SPLIT_RE = re.compile(r"\s*(?:\||\n)\s*")


def is_brand(label: str) -> bool:
    """One capitalised word that is not an acronym ("Google", "Yahoo", "HyperTalk"): a product or company name."""
    words = label.split()
    return len(words) == 1 and label[:1].isupper() and not label.isupper()


def aliases_from_esco(
    directory: Path, index: Mapping[str, str], strict_ids: Set[str] = frozenset(), concept_ids: Set[str] = frozenset()
) -> tuple[dict[str, list[str]], list[Path]]:
    """Return ({skill_id: new aliases}, files read) from an ESCO CSV folder.

    ``concept_ids``: skills that name a concept, not a product (type ``hard``); a brand among their ESCO alt labels
    is an example of the concept, not a synonym ("search engines" lists Google and Yahoo: a resume naming Google
    as an employer is not Full-Text Search), so :func:`is_brand` labels are left out for them.
    """
    matches: list[tuple[str, list[str]]] = []
    used: list[Path] = []
    for name in COLLECTIONS:
        path = directory / name
        if not path.is_file():
            continue
        used.append(path)
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                sid = index.get(normalize_alias(row.get("preferredLabel") or ""))
                if sid is None:
                    continue
                labels = [
                    a
                    for a in _SPLIT_RE.split(row.get("altLabels") or "")
                    if a and not (sid in concept_ids and is_brand(a))
                ]
                matches.append((sid, labels))
    return collect_aliases(matches, index, strict_ids=strict_ids), used
