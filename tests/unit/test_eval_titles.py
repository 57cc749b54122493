"""training/eval/eval_titles.py on a tiny hand-made catalog (no external data)."""

from __future__ import annotations

from pathlib import Path

from careerready.services.catalog import Catalog, Role, RoleSkill
from careerready.services.roles import RoleResolver

from training.eval.eval_titles import DEFAULT_LABELS, LabelRow, evaluate_titles, field_of, read_labels


def _role(rid: str, title: str, soc: str, kind: str = "occupation", alts: tuple[str, ...] = ()) -> Role:
    return Role(rid, title, alts, "f", "", 1.0, (RoleSkill("python", 0.5),), kind=kind, soc_code=soc)


def test_figures_count_resolution_occupation_and_minor_group() -> None:
    roles = [
        _role("onet-29-1141-00", "Registered Nurses", "29-1141.00", alts=("Staff Nurse",)),
        _role("onet-29-1171-00", "Nurse Practitioners", "29-1171.00"),
        _role("software-engineer", "Software Engineer", "15-1252.00", kind="curated"),
    ]
    catalog = Catalog(skills={}, roles={r.id: r for r in roles})
    rows = [
        {"id": 1, "spans": [{"label": "Designation", "start": 0, "end": 5, "text": "Staff Nurse"}]},
        {"id": 2, "spans": [{"label": "Designation", "start": 0, "end": 5, "text": "Nurse Practitioner"}]},
        {"id": 3, "spans": [{"label": "Designation", "start": 0, "end": 5, "text": "Zookeeper of dragons"}]},
        {"id": 4, "spans": []},
    ]
    labels = [
        LabelRow("1", "Staff Nurse", "29-1141.00", ""),
        LabelRow("2", "Nurse Practitioner", "29-1141.00", ""),  # wrong occupation, right minor group
        LabelRow("3", "Zookeeper of dragons", "", "39-2000"),  # unresolved: wrong
        LabelRow("5", "Senior Executive", "", ""),  # not an occupation: not counted
    ]
    out = evaluate_titles(rows, labels, catalog, RoleResolver(catalog.roles))
    assert out["spans"] == {
        "n": 3,
        "resolved": 2,
        "exact": 2,
        "by_method": {"alt_title": 1, "normalized": 1, "unresolved": 1},
    }
    assert out["first_designation"] == {"resumes": 4, "with_designation": 3, "resolved": 2, "label_rule_ok": 2}
    assert out["labelled"]["all"]["occupation"] == {"n": 2, "ok": 1, "share": 0.5}
    assert out["labelled"]["all"]["minor_group"] == {"n": 3, "ok": 2, "share": 0.6667}
    assert out["labelled"]["non-tech"]["resolved"] == 2 and "tech" not in out["labelled"]
    assert field_of("15-1252.00") == "tech" and field_of("29-1141.00") == "non-tech"


def test_shipped_labels_are_well_formed() -> None:
    labels = read_labels(DEFAULT_LABELS)
    assert len(labels) >= 100 and len({lab.resume_id for lab in labels}) == len(labels)
    labelled = [lab for lab in labels if lab.minor]
    assert len(labelled) >= 100
    for lab in labels:
        assert lab.designation and not (lab.soc and lab.group)
        if lab.soc:
            assert len(lab.soc) == 10 and lab.soc[2] == "-" and lab.soc[7] == "."
    assert Path(DEFAULT_LABELS).parent.name == "labels"
