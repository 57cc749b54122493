"""ESCO 1.2.0 occupations -> extra titles and skills for O*NET roles, through Nesta's ESCO -> O*NET crosswalk.

The crosswalk (``esco-onet-crosswalk/esco_onet_crosswalk_Nov2020.csv``, MIT, Kanders et al. 2020) names the best
O*NET occupation for each of 1,680 ESCO occupations with a confidence of 0.5, 1 or 2. How a link is decided:

* **confident**: confidence >= :data:`MIN_CONFIDENCE` (1.0). The 0.5 rows are the crosswalk's own weak matches
  (semantic similarity only, no shared job title) and are never used.
* **code mapping**: the crosswalk uses O*NET-SOC **2010** codes; O*NET 29.2 uses the 2019 taxonomy. A 2010 code
  that exists in 29.2 is kept; otherwise the crosswalk's O*NET title is looked up among the 29.2 titles (after
  :func:`normalize_alias`); if neither matches, the row is dropped (counted).
* what a confident link adds to the O*NET role: the ESCO occupation's preferred label and alternative labels
  (as ``esco_titles``, a separate, lower-priority title list) and its **essential** skills that are a name or alias
  in our taxonomy (exactly, after :func:`normalize_alias`), as requirements of importance :data:`ESSENTIAL_IMPORTANCE`.
  Optional skills are not used.

ESCO is (c) European Union, reused with attribution (Decision 2011/833/EU).
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from careerready.text import normalize_alias

__all__ = ["CROSSWALK_RELPATH", "ESCO_OCCUPATIONS_RELPATH", "EscoLinks", "MIN_CONFIDENCE", "link_esco"]

CROSSWALK_RELPATH = Path("esco-onet-crosswalk") / "esco_onet_crosswalk_Nov2020.csv"
ESCO_OCCUPATIONS_RELPATH = Path("esco-1.2.0") / "esco_occupation_skills.jsonl"
MIN_CONFIDENCE = 1.0
ESSENTIAL_IMPORTANCE = 0.6


@dataclass
class EscoLinks:
    """Per O*NET 29.2 code: ESCO titles and our skill ids from ESCO essential skills."""

    titles: dict[str, list[str]] = field(default_factory=dict)
    skills: dict[str, list[str]] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)


def link_esco(
    crosswalk: Path, esco_occupations: Path, onet_titles: Mapping[str, str], alias_index: Mapping[str, str]
) -> EscoLinks:
    """Join ESCO occupations to O*NET 29.2 codes (see the module docstring for the rules).

    Args:
        crosswalk: The crosswalk CSV.
        esco_occupations: ``esco_occupation_skills.jsonl`` (uri, name, alt_names, essential_skills, ...).
        onet_titles: O*NET 29.2 ``{code: title}``.
        alias_index: Our catalog's normalised alias -> skill id.
    """
    by_title = {normalize_alias(t): c for c, t in sorted(onet_titles.items())}
    esco: dict[str, dict[str, Any]] = {}
    with esco_occupations.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                d = json.loads(line)
                esco[d["uri"]] = d
    counts: Counter[str] = Counter()
    titles: dict[str, list[str]] = {}
    skills: dict[str, list[str]] = {}
    with crosswalk.open(encoding="utf-8", newline="") as fh:
        rows = sorted(csv.DictReader(fh), key=lambda r: (r["onet_code"], r["concept_uri"]))
    for row in rows:
        counts["crosswalk_rows"] += 1
        if float(row["confidence"] or 0) < MIN_CONFIDENCE:
            counts["below_confidence"] += 1
            continue
        code = row["onet_code"].strip()
        if code not in onet_titles:
            code = by_title.get(normalize_alias(row["onet_occupation"]), "")
            if not code:
                counts["no_2019_code"] += 1
                continue
            counts["mapped_by_title"] += 1
        occ = esco.get(row["concept_uri"].strip())
        if occ is None:
            counts["esco_occupation_missing"] += 1
            continue
        counts["linked"] += 1
        labels = titles.setdefault(code, [])
        for label in [occ["name"], *occ.get("alt_names", [])]:
            if label not in labels:
                labels.append(label)
        ids = skills.setdefault(code, [])
        for name in occ.get("essential_skills", []):
            sid = alias_index.get(normalize_alias(name))
            if sid is not None and sid not in ids:
                ids.append(sid)
    stats = {
        **dict(sorted(counts.items())),
        "min_confidence": MIN_CONFIDENCE,
        "onet_codes_enriched": len(titles),
        "esco_titles": sum(len(v) for v in titles.values()),
        "essential_skills_linked": sum(len(v) for v in skills.values()),
        "attribution": "ESCO (c) European Union; crosswalk: Nesta, Mapping Career Causeways (MIT)",
    }
    return EscoLinks(titles, skills, stats)
