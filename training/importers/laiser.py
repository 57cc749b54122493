"""LAiSER skill taxonomy (``laiser-skill-taxonomy/faiss_skills.csv``) -> extra aliases.

A row is linked to one of OUR skills only when its preferred label (``skill_name``), normalised,
equals a name or alias we already have; its comma-separated ``aliases`` then become candidates.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Set
from pathlib import Path

from careerready.text import normalize_alias

from training.importers.common import collect_aliases

RELPATH = Path("laiser-skill-taxonomy") / "faiss_skills.csv"


def aliases_from_laiser(
    path: Path, index: Mapping[str, str], strict_ids: Set[str] = frozenset()
) -> dict[str, list[str]]:
    """Return {skill_id: new aliases} from a faiss_skills.csv file (``strict_ids``: see collect_aliases)."""
    matches: list[tuple[str, list[str]]] = []
    csv.field_size_limit(10_000_000)
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            sid = index.get(normalize_alias(row.get("skill_name") or ""))
            if sid is None:
                continue
            raw = row.get("aliases") or ""
            matches.append((sid, [a.strip() for a in raw.split(",") if a.strip()]))
    return collect_aliases(matches, index, strict_ids=strict_ids)
