"""O*NET 29.2 occupations -> role requirements in the ``roles.json`` contract (docs/architecture.md).

Usage (from the repo root)::

    python -m training.importers.onet_roles --onet ../shared/data/onet-29.2 --catalog build/catalog \\
        --out build/onet_roles/roles.json [--occupations 15-1252.00,15-2051.00] [--min-importance 0.5]

Per occupation (``occupation_data.txt``):

* ``id`` ``onet-<code>`` (``15-1252.00`` -> ``onet-15-1252-00``), ``title``, ``description``,
  ``family`` ``onet-<SOC major group>`` (``onet-15``).
* ``alt_titles``: ``alternate_titles.txt`` alternate and short titles, de-duplicated after
  :func:`normalize_alias`, file order, the title itself left out.
* ``min_years`` from the job zone: 1 -> 0, 2 -> 1, 3 -> 2, 4 -> 4, 5 -> 5 (O*NET's "little or no",
  "some", "medium", "considerable", "extensive" preparation).
* ``skills``: technology skills (``technology_skills.txt``): importance 0.4, + 0.2 when In Demand, never
  ``critical`` (O*NET lists products as examples); the requirement's ``demand`` is 0.8 x In Demand + 0.2 x Hot
  (In Demand: frequent in THIS occupation's job postings; Hot Technology: frequent across all postings, so it says
  little about this occupation; docs/occupations.md, "Hot Technology is not this occupation's demand"); tools
  (``tools_used.txt``) that name one of our skills: 0.5; skills and knowledge
  (``skills.txt``, ``knowledge.txt``, scale IM 1..5): importance ``(IM - 1) / 4``, kept when at least
  ``--min-importance``, never ``critical`` (:data:`CRITICAL_IM`), ``level`` = LV / 7; element names map to our
  skills through :data:`ELEMENT_SKILLS` when not a taxonomy name themselves; rows flagged Recommend Suppress or Not
  Relevant are skipped. Names resolve to OUR taxonomy ids through the catalog alias index (exactly,
  or a technology product after dropping a vendor prefix such as "Microsoft "); a name that does not
  resolve is counted in the stats, never invented. A skill reached twice keeps the higher importance.

Writes ``roles.json`` (a list sorted by id) and ``stats.json`` beside it. Refuses to write into the
repository's ``data/``: O*NET data stays outside the repo. O*NET is (c) USDOL/ETA, CC BY 4.0.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from careerready.core.errors import InvalidInputError
from careerready.services.catalog import Catalog
from careerready.text import normalize_alias

from training.importers.onet import VENDORS

__all__ = [
    "DEMAND_HOT",
    "DEMAND_IN_DEMAND",
    "JOB_ZONE_YEARS",
    "TECH_BASE",
    "TECH_IN_DEMAND",
    "OnetTables",
    "build_roles",
    "load_tables",
    "main",
    "generic_links",
    "resolve_name",
    "resolve_product",
    "role_id_for",
]

JOB_ZONE_YEARS: dict[int, float] = {1: 0.0, 2: 1.0, 3: 2.0, 4: 4.0, 5: 5.0}
#: A technology product is an example of what the occupation uses, not a requirement: a modest importance, never
#: critical; In Demand (frequent in this occupation's postings) raises it. O*NET's Hot Technology flag
#: marks products frequent across ALL employers' postings (onetcenter.org/reports/Hot_Technologies_Demand.html):
#: it adds nothing to the importance and a fifth of the requirement's market ``demand``.
TECH_BASE = 0.4
TECH_IN_DEMAND = 0.2
DEMAND_IN_DEMAND = 0.8
DEMAND_HOT = 0.2
#: Importance at which an O*NET Skills / Knowledge element would be ``critical``; None = never. O*NET rates how
#: important an element is, not whether its absence disqualifies, and the elements rated IM >= 4 (Psychology,
#: Medicine, Customer Service, Active Listening, Critical Thinking, ...) are exactly what resumes do not state: as
#: critical requirements they labelled experienced people Needs Upskilling for their own occupation. Measured with
#: `make eval-readiness` (selection half decides; docs/readiness.md, "Critical requirements of occupations"): IM >= 4
#: -> soft elements excluded -> never. Elements stay requirements with their importance (coverage, gaps, roadmap).
CRITICAL_IM: float | None = None
DEFAULT_MIN_IMPORTANCE = 0.5
_REPO_DATA = Path(__file__).resolve().parents[2] / "data"


@dataclass
class OnetTables:
    """The O*NET rows this importer reads, keyed by O*NET-SOC code."""

    occupations: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (title, description)
    alt_titles: dict[str, list[str]] = field(default_factory=dict)
    job_zones: dict[str, int] = field(default_factory=dict)
    tech: dict[str, list[tuple[str, bool, bool]]] = field(default_factory=dict)  # (product, hot, in_demand)
    elements: dict[str, list[tuple[str, str, float]]] = field(default_factory=dict)  # (source, name, IM 1..5)
    levels: dict[tuple[str, str, str], float] = field(default_factory=dict)  # (code, source, name) -> LV 0..7
    tools: dict[str, list[str]] = field(default_factory=dict)  # code -> tool names (tools_used.txt)
    tasks: dict[str, list[str]] = field(default_factory=dict)  # code -> task statements, Core first
    related: dict[str, list[str]] = field(default_factory=dict)  # code -> related codes, by O*NET's index


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise InvalidInputError(f"O*NET file missing: {path}", field="onet")
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def load_tables(onet_dir: Path) -> OnetTables:
    """Read the O*NET tab-separated files the importer needs.

    Raises:
        InvalidInputError: a required file is missing.
    """
    t = OnetTables()
    for r in _rows(onet_dir / "occupation_data.txt"):
        t.occupations[r["O*NET-SOC Code"]] = (r["Title"].strip(), r["Description"].strip())
    for r in _rows(onet_dir / "alternate_titles.txt"):
        titles = t.alt_titles.setdefault(r["O*NET-SOC Code"], [])
        titles.append(r["Alternate Title"].strip())
        short = (r.get("Short Title") or "").strip()
        if short and short.lower() != "n/a":
            titles.append(short)
    for r in _rows(onet_dir / "job_zones.txt"):
        t.job_zones[r["O*NET-SOC Code"]] = int(r["Job Zone"])
    for r in _rows(onet_dir / "technology_skills.txt"):
        t.tech.setdefault(r["O*NET-SOC Code"], []).append(
            (r["Example"].strip(), r["Hot Technology"] == "Y", r.get("In Demand") == "Y")
        )
    for source in ("skills", "knowledge"):
        for r in _rows(onet_dir / f"{source}.txt"):
            if r["Scale ID"] == "LV" and r.get("Recommend Suppress") != "Y" and r.get("Not Relevant") != "Y":
                t.levels[(r["O*NET-SOC Code"], source, r["Element Name"].strip())] = float(r["Data Value"])
            if r["Scale ID"] != "IM" or r.get("Recommend Suppress") == "Y" or r.get("Not Relevant") == "Y":
                continue
            t.elements.setdefault(r["O*NET-SOC Code"], []).append(
                (source, r["Element Name"].strip(), float(r["Data Value"]))
            )
    # optional tables (older test fixtures lack them): tools, tasks, related occupations
    if (onet_dir / "tools_used.txt").is_file():
        for r in _rows(onet_dir / "tools_used.txt"):
            t.tools.setdefault(r["O*NET-SOC Code"], []).append(r["Example"].strip())
    if (onet_dir / "task_statements.txt").is_file():
        ranked: dict[str, list[tuple[int, int, str]]] = {}
        for i, r in enumerate(_rows(onet_dir / "task_statements.txt")):
            order = {"Core": 0, "Supplemental": 1}.get(r.get("Task Type", ""), 2)
            ranked.setdefault(r["O*NET-SOC Code"], []).append((order, i, " ".join(r["Task"].split())))
        t.tasks = {code: [task for _, _, task in sorted(rows)] for code, rows in ranked.items()}
    if (onet_dir / "related_occupations.txt").is_file():
        rel: dict[str, list[tuple[int, str]]] = {}
        for r in _rows(onet_dir / "related_occupations.txt"):
            rel.setdefault(r["O*NET-SOC Code"], []).append((int(r["Index"]), r["Related O*NET-SOC Code"]))
        t.related = {code: [c for _, c in sorted(rows)] for code, rows in rel.items()}
    return t


def role_id_for(code: str) -> str:
    """Role id of an O*NET-SOC code: ``15-1252.00`` -> ``onet-15-1252-00``."""
    return "onet-" + code.replace(".", "-")


def _product_variants(name: str) -> list[str]:
    """O*NET product spellings worth trying: as is, without " software", and a trailing acronym.

    ``"MEDITECH software"`` -> ``MEDITECH``; ``"Structured query language SQL"`` -> ``SQL``;
    ``"Geographic information system GIS software"`` -> ``GIS``.
    """
    out = [name]
    base = re.sub(r"\s+software$", "", name.strip(), flags=re.IGNORECASE)
    if base != name:
        out.append(base)
    last = base.split()[-1] if base.split() else ""
    if len(base.split()) > 1 and 2 <= len(last) <= 6 and last.isupper():
        out.append(last)
    return out


def resolve_name(name: str, alias_index: Mapping[str, str], *, vendors: bool = False) -> str | None:
    """Our skill id for an O*NET name, or None.

    Exact alias; with ``vendors`` (technology products) also after a vendor prefix such as "Microsoft ", without a
    trailing " software", or by a trailing acronym (:func:`_product_variants`).
    """
    for variant in _product_variants(name) if vendors else [name]:
        key = normalize_alias(variant)
        if key in alias_index:
            return alias_index[key]
        if vendors:
            for vendor in VENDORS:
                if key.startswith(vendor + " "):
                    rest = key[len(vendor) + 1 :]
                    if len(rest) >= 2 and rest in alias_index:
                        return alias_index[rest]
    return None


def _alt_titles(title: str, candidates: Sequence[str]) -> list[str]:
    seen = {normalize_alias(title)}
    out: list[str] = []
    for cand in candidates:
        key = normalize_alias(cand)
        if key and key not in seen:
            seen.add(key)
            out.append(" ".join(cand.split()))
    return out


#: O*NET Skills / Knowledge element names that are not themselves a name or alias in our taxonomy, mapped to the
#: taxonomy skill (id, name or alias) that stands for them. Authored; every target must resolve in the catalog the
#: importer runs with, or the element stays unresolved (counted, never invented).
ELEMENT_SKILLS: dict[str, str] = {
    "Active Learning": "active-learning",
    "Complex Problem Solving": "problem-solving",
    "Coordination": "coordination",
    "Equipment Maintenance": "preventive-maintenance",
    "Equipment Selection": "equipment-operation",
    "Installation": "equipment-operation",
    "Instructing": "instructing",
    "Judgment and Decision Making": "decision-making",
    "Learning Strategies": "active-learning",
    "Management of Financial Resources": "budgeting",
    "Management of Material Resources": "resource-management",
    "Management of Personnel Resources": "people-management",
    "Mathematics": "mathematics",
    "Operation and Control": "equipment-operation",
    "Operations Analysis": "systems-evaluation",
    "Operations Monitoring": "equipment-operation",
    "Programming": "software-development",
    "Quality Control Analysis": "quality-control-analysis",
    "Reading Comprehension": "reading-comprehension",
    "Repairing": "repairing",
    "Science": "research-skills",
    "Social Perceptiveness": "social-perceptiveness",
    "Speaking": "verbal-communication",
    "Systems Analysis": "systems-evaluation",
    "Systems Evaluation": "systems-evaluation",
    "Technology Design": "engineering-principles",
    "Writing": "written-communication",
    "Administration and Management": "administration-and-management",
    "Administrative": "clerical-procedures",
    "Biology": "biology",
    "Building and Construction": "building-and-construction",
    "Chemistry": "chemistry",
    "Communications and Media": "communications-and-media",
    "Computers and Electronics": "computer-literacy",
    "Customer and Personal Service": "customer-service",
    "Design": "engineering-principles",
    "Economics and Accounting": "accounting",
    "Education and Training": "teaching",
    "Engineering and Technology": "engineering-principles",
    "Fine Arts": "fine-arts",
    "Food Production": "food-production",
    "Geography": "geography",
    "History and Archeology": "history",
    "Law and Government": "law",
    "Mechanical": "mechanical-knowledge",
    "Medicine and Dentistry": "medicine",
    "Personnel and Human Resources": "human-resources",
    "Philosophy and Theology": "philosophy-and-theology",
    "Physics": "physics",
    "Production and Processing": "production-and-processing",
    "Psychology": "psychology",
    "Public Safety and Security": "public-safety-and-security",
    "Sales and Marketing": "sales",
    "Sociology and Anthropology": "sociology",
    "Telecommunications": "telecommunications",
    "Therapy and Counseling": "therapy-and-counseling",
    "Transportation": "transportation",
}
#: O*NET technology products whose generic resolution (a trailing acronym, a vendor prefix) lands on a different
#: thing: "Siemens NX" is CAD, not the JavaScript build tool Nx; "Pathogen Modeling Program PMP" is not the PMP
#: certification. Authored from an audit of every product that resolved other than by its own name (docs/occupations.md,
#: "Products that resolved to the wrong skill"); None = no skill of ours stands for it (counted as unresolved).
PRODUCT_OVERRIDES: dict[str, str | None] = {
    "Siemens NX": "cad",
    "Siemens UGS NX": "cad",
    "Apache Hadoop YARN": "hadoop",
    "Husky Injection Molding Systems Shotscope NX": None,
    "Electronic design automation EDA software": None,
    "Anadigm Designer2 EDA": None,
    "En route descent advisor EDA": None,
    "Pathogen Modeling Program PMP": None,
    "Real estate application contract transmission REACT software": None,
    "ELM Resources ELM": None,
    "Automate the Schools ATS": None,
    "Automated Targeting System ATS": None,
    "Keffer Development Services Athletic Trainer System ATS": None,
    "Fixed income alternative trading systems ATS": None,
    "Airline Pilots Daily Aviation Log PPC": None,
    "Watershed modeling system WMS software": None,
    "e-on VUE": None,
    "Adobe Persuasion": None,
    "NuView EBS": None,
    "MTI Systems Costimator JS": None,
    "Leading Market Technologies EXPO": None,
    "RPIS Silent CMA": None,
    "National Instruments NI Vision Builder for Automated Inspection AI": None,
    "Windent SQL": None,
}
#: O*NET elements never turned into requirements: "English Language" (knowledge of English grammar and composition)
#: would otherwise become the human language English, the top "gap" of anyone whose resume does not name it.
ELEMENT_SKIP: frozenset[str] = frozenset({"English Language"})
#: Importance of a tool a role uses (``tools_used.txt`` has no importance scale): a plain, non-critical requirement.
TOOL_IMPORTANCE = 0.5
#: Task statements kept per occupation (Core first): enough for the role page and the text profile.
MAX_TASKS = 12
#: Related occupations kept per occupation (O*NET's own order).
MAX_RELATED = 10


def resolve_element(name: str, alias_index: Mapping[str, str], skill_ids: Set[str]) -> str | None:
    """Our skill id for an O*NET Skills/Knowledge element: its own name, else :data:`ELEMENT_SKILLS`
    (None for :data:`ELEMENT_SKIP`)."""
    if name in ELEMENT_SKIP:
        return None
    sid = resolve_name(name, alias_index)
    if sid is not None:
        return sid
    target = ELEMENT_SKILLS.get(name)
    if target is None:
        return None
    return target if target in skill_ids else alias_index.get(normalize_alias(target))


def resolve_product(name: str, alias_index: Mapping[str, str]) -> str | None:
    """Our skill id for an O*NET technology product: :data:`PRODUCT_OVERRIDES` first, else :func:`resolve_name`
    with vendor prefixes, " software" and trailing acronyms. An override target that is not in the catalog
    resolves to None (never invented)."""
    if name in PRODUCT_OVERRIDES:
        target = PRODUCT_OVERRIDES[name]
        return target if target is not None and resolve_name(target, alias_index) == target else None
    return resolve_name(name, alias_index, vendors=True)


def generic_links(tables: OnetTables, alias_index: Mapping[str, str]) -> list[tuple[str, str, int]]:
    """(product, skill id, occupations listing it) for every technology product that resolves by a generic rule
    (vendor prefix, " software", trailing acronym) rather than by its own name, most listed first: the list to read
    for wrong links (``--audit``; :data:`PRODUCT_OVERRIDES`)."""
    listed: Counter[str] = Counter(p for rows in tables.tech.values() for p, _, _ in rows)
    out = []
    for product, n in listed.items():
        sid = resolve_product(product, alias_index)
        if sid is not None and normalize_alias(product) not in alias_index:
            out.append((product, sid, n))
    return sorted(out, key=lambda x: (-x[2], x[0]))


def resolve_tool(name: str, alias_index: Mapping[str, str]) -> str | None:
    """Our skill id for an O*NET tool ("Forklifts", "Stethoscopes"): exact, vendor-stripped, or singular."""
    sid = resolve_name(name, alias_index, vendors=True)
    if sid is None and name.lower().endswith("s") and len(name) > 4:
        sid = resolve_name(name[:-1], alias_index, vendors=True)
    return sid


def _add(skills: dict[str, dict[str, Any]], skill_id: str, importance: float, critical: bool, **extra: float) -> None:
    """Record a requirement; a skill reached twice keeps the higher importance and any critical flag.

    ``extra`` (``level`` 0..1 from O*NET's LV scale, ``demand`` 0..1 from Hot Technology / In Demand) keeps the
    larger value seen.
    """
    cur = skills.get(skill_id)
    if cur is None or importance > cur["importance"]:
        kept = {k: v for k, v in (cur or {}).items() if k in ("level", "demand")}
        skills[skill_id] = {"skill_id": skill_id, "importance": round(importance, 4), "critical": critical, **kept}
    if cur is not None and critical:
        skills[skill_id]["critical"] = True
    for key, value in extra.items():
        skills[skill_id][key] = round(max(value, skills[skill_id].get(key, 0.0)), 4)


def build_roles(
    tables: OnetTables,
    alias_index: Mapping[str, str],
    occupations: Sequence[str] | None = None,
    *,
    min_importance: float = DEFAULT_MIN_IMPORTANCE,
    skill_ids: Set[str] = frozenset(),
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Build role records (``roles.json`` shape) and stats for ``occupations`` (default: all).

    Args:
        tables: The O*NET tables (:func:`load_tables`).
        alias_index: Our catalog's normalised alias -> skill id.
        occupations: O*NET-SOC codes to build (default: every occupation).
        min_importance: Skills/Knowledge importance floor in [0, 1].
        skill_ids: Our catalog's skill ids (targets of :data:`ELEMENT_SKILLS` given as ids).

    Raises:
        InvalidInputError: an occupation code is not in ``occupation_data.txt``.
    """
    codes = sorted(tables.occupations) if not occupations else list(dict.fromkeys(occupations))
    unknown = [c for c in codes if c not in tables.occupations]
    if unknown:
        raise InvalidInputError(f"unknown O*NET-SOC codes: {', '.join(unknown[:5])}", field="occupations")
    roles: list[dict[str, Any]] = []
    unresolved: Counter[str] = Counter()
    resolved: Counter[str] = Counter()
    below: Counter[str] = Counter()
    unresolved_names: Counter[str] = Counter()
    for code in codes:
        title, description = tables.occupations[code]
        skills: dict[str, dict[str, Any]] = {}

        for product, hot, in_demand in tables.tech.get(code, []):
            sid = resolve_product(product, alias_index)
            if sid is None:
                unresolved["technology"] += 1
                unresolved_names[product] += 1
                continue
            resolved["technology"] += 1
            extra = {"demand": DEMAND_IN_DEMAND * in_demand + DEMAND_HOT * hot} if (hot or in_demand) else {}
            _add(skills, sid, TECH_BASE + TECH_IN_DEMAND * in_demand, False, **extra)
        for source, name, im in tables.elements.get(code, []):
            importance = min(max((im - 1.0) / 4.0, 0.0), 1.0)
            if importance < min_importance:
                below[source] += 1
                continue
            sid = resolve_element(name, alias_index, skill_ids)
            if sid is None:
                unresolved[source] += 1
                unresolved_names[name] += 1
                continue
            resolved[source] += 1
            level = tables.levels.get((code, source, name))
            critical = CRITICAL_IM is not None and importance >= CRITICAL_IM
            _add(skills, sid, importance, critical, **({} if level is None else {"level": level / 7.0}))
        for tool in tables.tools.get(code, []):
            sid = resolve_tool(tool, alias_index)
            if sid is None:
                unresolved["tools"] += 1
                continue
            resolved["tools"] += 1
            _add(skills, sid, TOOL_IMPORTANCE, False)
        zone = tables.job_zones.get(code)
        record: dict[str, Any] = {
            "id": role_id_for(code),
            "title": title,
            "alt_titles": _alt_titles(title, tables.alt_titles.get(code, [])),
            "family": f"onet-{code[:2]}",
            "description": description,
            "min_years": JOB_ZONE_YEARS.get(zone, 0.0) if zone is not None else 0.0,
            "skills": sorted(skills.values(), key=lambda s: (-s["importance"], s["skill_id"])),
            "source": {"onet_soc_code": code, "job_zone": zone},
        }
        if code in tables.tasks:
            record["tasks"] = tables.tasks[code][:MAX_TASKS]
        if code in tables.related:
            record["related"] = [role_id_for(c) for c in tables.related[code][:MAX_RELATED]]
        roles.append(record)
    n = len(roles)
    stats = {
        "occupations_built": n,
        "roles_with_skills": sum(1 for r in roles if r["skills"]),
        "mean_skills_per_role": round(sum(len(r["skills"]) for r in roles) / n, 2) if n else 0.0,
        "mean_critical_per_role": round(sum(sum(s["critical"] for s in r["skills"]) for r in roles) / n, 2)
        if n
        else 0.0,
        "alt_titles_total": sum(len(r["alt_titles"]) for r in roles),
        "mean_alt_titles_per_role": round(sum(len(r["alt_titles"]) for r in roles) / n, 2) if n else 0.0,
        "resolved_rows": dict(sorted(resolved.items())),
        "unresolved_rows": dict(sorted(unresolved.items())),
        "below_min_importance_rows": dict(sorted(below.items())),
        "top_unresolved": [[k, v] for k, v in sorted(unresolved_names.items(), key=lambda kv: (-kv[1], kv[0]))[:20]],
        "params": {"min_importance": min_importance, "job_zone_years": {str(k): v for k, v in JOB_ZONE_YEARS.items()}},
        "attribution": "O*NET 29.2 Database by USDOL/ETA, CC BY 4.0",
    }
    return roles, stats


def _check_out(out: Path) -> None:
    target = out.resolve()
    if target == _REPO_DATA or _REPO_DATA in target.parents:
        raise InvalidInputError("O*NET-derived roles must not be written into the repository's data/", field="out")


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    p = argparse.ArgumentParser(prog="python -m training.importers.onet_roles", description=__doc__.split("\n\n")[0])
    p.add_argument("--onet", type=Path, required=True, help="onet-29.2 folder")
    p.add_argument("--catalog", type=Path, default=Path("build/catalog"), help="compiled catalog (alias index)")
    p.add_argument("--out", type=Path, default=Path("build/onet_roles/roles.json"), help="output roles.json")
    p.add_argument("--occupations", default="", help="comma-separated O*NET-SOC codes (default: all)")
    p.add_argument("--min-importance", type=float, default=DEFAULT_MIN_IMPORTANCE, help="skills/knowledge IM floor")
    p.add_argument("--audit", action="store_true", help="only list products linked by a generic rule, and to what")
    args = p.parse_args(argv)
    try:
        catalog = Catalog.load(args.catalog)
        tables = load_tables(args.onet)
        if args.audit:
            for product, sid, n in generic_links(tables, catalog.alias_index):
                print(f"{n:4d}  {product!r} -> {sid} ({catalog.skills[sid].category})")
            return 0
        _check_out(args.out)
        codes = [c.strip() for c in args.occupations.split(",") if c.strip()]
        roles, stats = build_roles(
            tables,
            catalog.alias_index,
            codes or None,
            min_importance=args.min_importance,
            skill_ids=set(catalog.skills),
        )
    except InvalidInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(roles, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    stats_path = args.out.with_name("stats.json")
    stats_path.write_text(json.dumps(stats, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    summary = {
        k: stats[k]
        for k in (
            "occupations_built",
            "roles_with_skills",
            "mean_skills_per_role",
            "alt_titles_total",
            "mean_alt_titles_per_role",
            "resolved_rows",
            "unresolved_rows",
        )
    }
    print(json.dumps(summary, indent=2))
    print(f"wrote {args.out} and {stats_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
