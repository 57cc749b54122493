"""O*NET task statements -> per-role text profiles for the compiled catalog (role ranking).

Each authored role may name the O*NET-SOC occupation(s) it corresponds to (``onet: ["15-1252.00"]``
in ``data/roles/*.yaml``). At catalog build time this module reads, for every named code, from the
O*NET folder given on the command line (never copied into the repository):

* the occupation description (``occupation_data.txt``), and
* its task statements (``task_statements.txt``): Core tasks first, then Supplemental, each group in
  file order (ascending Task ID).

A role's ``profile`` is the list of those lines, code by code in the authored order, with exact
duplicates (a task shared by two codes) dropped. :class:`careerready.features.RoleTextIndex` adds it to
the role's text document. O*NET 29.2 is (c) USDOL/ETA, CC BY 4.0.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "OCCUPATIONS_FILE",
    "RELDIR",
    "TASKS_FILE",
    "OnetProfileTables",
    "build_profiles",
    "load_profile_tables",
]

#: Where the O*NET release sits under an ``--external`` folder.
RELDIR = Path("onet-29.2")
OCCUPATIONS_FILE = "occupation_data.txt"
TASKS_FILE = "task_statements.txt"
_TASK_TYPE_ORDER = {"Core": 0, "Supplemental": 1}


@dataclass
class OnetProfileTables:
    """The O*NET rows profiles are made of, keyed by O*NET-SOC code."""

    occupations: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (title, description)
    tasks: dict[str, list[str]] = field(default_factory=dict)  # code -> task statements, Core first


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def load_profile_tables(onet_dir: Path) -> OnetProfileTables:
    """Read the occupation and task tables of an O*NET release folder.

    Raises:
        FileNotFoundError: ``occupation_data.txt`` or ``task_statements.txt`` is missing.
    """
    tables = OnetProfileTables()
    for row in _rows(onet_dir / OCCUPATIONS_FILE):
        tables.occupations[row["O*NET-SOC Code"]] = (row["Title"].strip(), " ".join(row["Description"].split()))
    ranked: dict[str, list[tuple[int, int, str]]] = {}
    for row in _rows(onet_dir / TASKS_FILE):
        task = " ".join(row["Task"].split())
        if not task:
            continue
        order = _TASK_TYPE_ORDER.get(row.get("Task Type", ""), 2)
        ranked.setdefault(row["O*NET-SOC Code"], []).append((order, int(row["Task ID"]), task))
    tables.tasks = {code: [t for _, _, t in sorted(items)] for code, items in ranked.items()}
    return tables


def build_profiles(
    codes_by_role: Mapping[str, Sequence[str]], tables: OnetProfileTables
) -> tuple[dict[str, list[str]], list[str]]:
    """Profile lines for every role that names O*NET codes.

    Args:
        codes_by_role: ``{role_id: [O*NET-SOC code, ...]}`` (authored order).
        tables: From :func:`load_profile_tables`.

    Returns:
        ``({role_id: [description, task, ...]}, problems)``; a problem is a code absent from the release.
    """
    profiles: dict[str, list[str]] = {}
    problems: list[str] = []
    for rid in sorted(codes_by_role):
        lines: list[str] = []
        for code in codes_by_role[rid]:
            occupation = tables.occupations.get(code)
            if occupation is None:
                problems.append(f"role {rid!r}: O*NET-SOC code {code!r} is not in {OCCUPATIONS_FILE}")
                continue
            for line in (occupation[1], *tables.tasks.get(code, [])):
                if line and line not in lines:
                    lines.append(line)
        if lines:
            profiles[rid] = lines
    return profiles, problems
