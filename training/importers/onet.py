"""O*NET 29.2 technology skills -> demand scores (and product-name aliases).

``technology_skills.txt`` lists, per occupation, products ("Example") with Hot Technology and In
Demand flags. For each of OUR skills matched by product name (exactly, or after dropping a vendor
prefix such as "Microsoft " or "Oracle "), over the union of occupations that list it:

    occ_share   = log(1 + n_occupations) / log(1 + max n_occupations of any product)
    hot_share   = occupations where it is a Hot Technology / n_occupations
    demand_share= occupations where it is In Demand      / n_occupations
    onet_score  = 0.5 * occ_share + 0.3 * hot_share + 0.2 * demand_share
    demand      = round(0.6 * authored_prior + 0.4 * onet_score, 4)

O*NET is (c) USDOL/ETA, CC BY 4.0.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from collections.abc import Mapping, Set
from dataclasses import dataclass
from pathlib import Path

from careerready.text import normalize_alias

from training.importers.common import clean_alias

RELPATH = Path("onet-29.2") / "technology_skills.txt"
VENDORS = tuple(
    "microsoft|oracle|amazon|amazon web services|aws|google|ibm|adobe|apple|atlassian|sap|apache|autodesk|"
    "salesforce|cisco|red hat|hashicorp|vmware|intuit|sas|the mathworks|mathworks|meta|facebook|github|gitlab|"
    "jetbrains|elastic|mongodb|docker|nvidia|unity technologies|tableau|qlik|splunk|servicenow|workday|linux".split("|")
)
W_OCC, W_HOT, W_DEMAND = 0.5, 0.3, 0.2
W_PRIOR = 0.6


@dataclass(frozen=True)
class OnetEvidence:
    """What O*NET says about one of our skills."""

    products: tuple[str, ...]
    n_occupations: int
    hot_share: float
    demand_share: float
    onet_score: float


def _match(product: str, index: Mapping[str, str]) -> tuple[str | None, bool]:
    key = normalize_alias(product)
    if key in index:
        return index[key], False
    for vendor in VENDORS:
        if key.startswith(vendor + " "):
            rest = key[len(vendor) + 1 :]
            if len(rest) >= 2 and rest in index:
                return index[rest], True
    return None, False


def demand_from_onet(
    path: Path, index: Mapping[str, str], allowed_ids: Set[str] | None = None
) -> tuple[dict[str, OnetEvidence], dict[str, list[str]]]:
    """Return ({skill_id: evidence}, {skill_id: product-name aliases}) from technology_skills.txt.

    ``allowed_ids`` limits matching to technical skills (a product called "Persuasion" must not
    score the soft skill).
    """
    occ_by_product: dict[str, set[str]] = defaultdict(set)
    hot: dict[str, set[str]] = defaultdict(set)
    demand: dict[str, set[str]] = defaultdict(set)
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            product = (row.get("Example") or "").strip()
            occ = (row.get("O*NET-SOC Code") or "").strip()
            if not product or not occ:
                continue
            occ_by_product[product].add(occ)
            if row.get("Hot Technology") == "Y":
                hot[product].add(occ)
            if row.get("In Demand") == "Y":
                demand[product].add(occ)
    max_occ = max((len(v) for v in occ_by_product.values()), default=1)
    occ_by_skill: dict[str, set[str]] = defaultdict(set)
    hot_by_skill: dict[str, set[str]] = defaultdict(set)
    demand_by_skill: dict[str, set[str]] = defaultdict(set)
    products_by_skill: dict[str, list[str]] = defaultdict(list)
    aliases: dict[str, list[str]] = defaultdict(list)
    claimed: dict[str, str] = {}
    for product in sorted(occ_by_product):
        sid, via_vendor = _match(product, index)
        if sid is None or (allowed_ids is not None and sid not in allowed_ids):
            continue
        occ_by_skill[sid] |= occ_by_product[product]
        hot_by_skill[sid] |= hot[product]
        demand_by_skill[sid] |= demand[product]
        products_by_skill[sid].append(product)
        alias = clean_alias(product) if via_vendor else None
        if alias is not None:
            key = normalize_alias(alias)
            if key not in index and claimed.setdefault(key, sid) == sid and alias not in aliases[sid]:
                aliases[sid].append(alias)
    evidence: dict[str, OnetEvidence] = {}
    for sid, occs in occ_by_skill.items():
        n = len(occs)
        occ_share = math.log1p(n) / math.log1p(max_occ)
        hot_share = len(hot_by_skill[sid]) / n
        demand_share = len(demand_by_skill[sid]) / n
        score = W_OCC * occ_share + W_HOT * hot_share + W_DEMAND * demand_share
        evidence[sid] = OnetEvidence(
            tuple(products_by_skill[sid]), n, round(hot_share, 4), round(demand_share, 4), round(score, 4)
        )
    return evidence, {k: v for k, v in aliases.items() if v}


def blend_demand(prior: float, onet_score: float) -> float:
    """Authored prior blended with the O*NET score (see module docstring)."""
    return round(min(1.0, max(0.0, W_PRIOR * prior + (1 - W_PRIOR) * onet_score)), 4)
