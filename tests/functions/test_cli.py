"""The ``careerready`` command with fixture models: analyze a file, batch extract and rank-roles on JSONL."""

from __future__ import annotations

import io
import json
from pathlib import Path

import careerready.cli as cli
import docx
import pytest
from careerready.services.transport import InProcessTransport
from serving_models import RESUME, fixture_models, fixture_models_for


@pytest.fixture(autouse=True)
def _fixture_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_client", lambda: InProcessTransport(fixture_models_for))


def _write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_extract_jsonl_reports_bad_lines_without_dropping_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _write_jsonl(
        tmp_path / "in.jsonl",
        [
            json.dumps({"id": "a", "text": RESUME}),
            json.dumps({"id": 2, "text": "Skills: React, TypeScript and CSS. No Docker experience."}),
            "",
            json.dumps({"id": "blank", "text": "   "}),
            "{broken",
            json.dumps({"text": "no id"}),
        ],
    )
    out = tmp_path / "out" / "skills.jsonl"
    code = cli.main(["extract", "--input", str(src), "--output", str(out)])
    assert code == 1
    rows = _read_jsonl(out)
    assert [r.get("id") for r in rows] == ["a", 2, "blank", None, None]
    a = rows[0]["skills"]
    assert set(a[0]) == set(cli.EXTRACT_FIELDS)
    assert {"python", "django", "postgresql", "docker"} <= {s["skill_id"] for s in a}
    for s in a:
        assert RESUME[s["start"] : s["end"]] == s["text"]
    second = {s["skill_id"]: s for s in rows[1]["skills"]}
    assert {"react", "typescript", "css"} <= set(second)
    assert second["docker"]["negated"] is True
    assert rows[2]["error"]["code"] == "no_extractable_text" and rows[2]["line"] == 4
    assert rows[3]["error"]["code"] == "invalid_input" and rows[3]["line"] == 5
    assert rows[4]["error"]["message"] == "line 6: missing 'id'"
    err = capsys.readouterr().err
    assert "extract: 2 ok, 3 failed" in err and "line 5" in err


def test_extract_all_good_exits_zero(tmp_path: Path) -> None:
    src = _write_jsonl(tmp_path / "in.jsonl", [json.dumps({"id": "x", "text": "Python and SQL"})])
    out = tmp_path / "out.jsonl"
    assert cli.main(["extract", "--input", str(src), "--output", str(out)]) == 0
    assert [s["skill_id"] for s in _read_jsonl(out)[0]["skills"]] == ["python", "sql"]


def test_rank_roles_best_first(tmp_path: Path) -> None:
    src = _write_jsonl(
        tmp_path / "in.jsonl",
        [
            json.dumps({"id": "backend", "text": RESUME}),
            json.dumps({"id": "front", "text": "JavaScript, TypeScript, React, HTML, CSS, Webpack, Jest, Git"}),
        ],
    )
    out = tmp_path / "roles.jsonl"
    assert cli.main(["rank-roles", "--input", str(src), "--output", str(out), "--top", "3"]) == 0
    rows = _read_jsonl(out)
    for row in rows:
        # ranked by how close the text is to each role (rank_score), then by skill fit (score), then id
        keys = [(-r["rank_score"], -r["score"], r["role_id"]) for r in row["roles"]]
        assert len(keys) == 3 and keys == sorted(keys)
        assert all(0.0 <= r["rank_score"] <= 1.0 for r in row["roles"])
        assert set(row["roles"][0]) == {"role_id", "title", "score", "rank_score", "reasons"}
        assert row["roles"][0]["reasons"]
    assert rows[0]["roles"][0]["role_id"] == "backend_engineer"
    assert rows[1]["roles"][0]["role_id"] == "frontend_engineer"


def test_analyze_text_file_readable_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cv.txt"
    path.write_text(RESUME, encoding="utf-8")
    assert cli.main(["analyze", str(path), "--role", "Backend Engineer", "--role", "DevOps Engineer"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Skills found (")
    assert "=== Backend Engineer (backend_engineer) ===" in out and "=== DevOps Engineer (devops_engineer) ===" in out
    assert out.index("Backend Engineer (backend_engineer)") < out.index("DevOps Engineer (devops_engineer)")
    for heading in ("Match: ", "Readiness: ", "Top gaps:", "Top resources:", "Roadmap ("):
        assert heading in out
    readiness_version = fixture_models().versions["readiness"]  # the trained v1 when artifacts exist
    assert f"models: catalog fixture, extractor fixture, readiness {readiness_version}" in out


def test_analyze_docx_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = docx.Document()
    document.add_paragraph("Skills: JavaScript, React, CSS, HTML")
    buf = io.BytesIO()
    document.save(buf)
    path = tmp_path / "cv.docx"
    path.write_bytes(buf.getvalue())
    assert cli.main(["analyze", str(path), "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["best_role_id"] == "frontend_engineer" and len(body["closest_roles"]) == 4


def test_analyze_as_of_dates_present_and_the_report_says_how_years_were_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cv.txt"
    path.write_text("Experience\nBackend Developer, Acme (Jan 2019 - Present)\nPython, Django, SQL\n", encoding="utf-8")
    assert cli.main(["analyze", str(path), "--role", "backend_engineer", "--as-of", "2025-07-15"]) == 0
    out = capsys.readouterr().out
    assert "Experience: 6.5 years (from Jan 2019 - Present; present = 2025-07-15)" in out
    with pytest.raises(SystemExit) as exc:
        cli.main(["analyze", str(path), "--as-of", "July"])
    assert exc.value.code == 2 and "not a date (YYYY-MM-DD): 'July'" in capsys.readouterr().err


def test_analyze_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cv.txt"
    path.write_text(RESUME, encoding="utf-8")
    assert cli.main(["analyze", str(path), "--role", "astronaut engineer"]) == 1
    err = capsys.readouterr().err
    assert "no role matches 'astronaut engineer'" in err and "nearest roles:" in err
    assert cli.main(["analyze", str(tmp_path / "missing.pdf")]) == 2
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert cli.main(["analyze", str(tmp_path / "scan.pdf")]) == 1
    assert cli.main(["analyze"]) == 2  # neither a file nor --input/--output
    assert cli.main(["analyze", str(path), "--input", str(path), "--output", str(tmp_path / "o.jsonl")]) == 2
    assert cli.main(["analyze", "--input", str(path)]) == 2


def test_analyze_batch_n_in_n_out_in_given_role_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [
        json.dumps({"id": "a", "text": RESUME, "roles": ["DevOps Engineer", "backend_engineer"]}),
        json.dumps({"id": "b", "text": RESUME, "roles": ["backend_engineer", "DevOps Engineer"]}),
        json.dumps({"id": "none", "text": "JavaScript, TypeScript, React, HTML, CSS"}),
        json.dumps({"id": "astro", "text": RESUME, "roles": ["astronaut engineer"]}),
        json.dumps({"id": "bad-roles", "text": RESUME, "roles": "Backend Engineer"}),
        "",
        "{broken",
        json.dumps({"id": "empty", "text": "  ", "roles": ["Backend Engineer"]}),
        json.dumps({"id": 7, "text": RESUME, "roles": ["Backend Engineer"] * 2 + ["a", "b", "c", "d"]}),
    ]
    src = _write_jsonl(tmp_path / "in.jsonl", lines)
    out = tmp_path / "out.jsonl"
    assert cli.main(["analyze", "--input", str(src), "--output", str(out)]) == 1
    rows = _read_jsonl(out)
    assert len(rows) == len(lines)  # N in, N out
    assert [r["id"] for r in rows] == ["a", "b", "none", "astro", "bad-roles", None, None, "empty", 7]
    a, b = rows[0], rows[1]
    assert [x["match"]["role_id"] for x in a["analyses"]] == ["devops_engineer", "backend_engineer"]
    assert [x["match"]["role_id"] for x in b["analyses"]] == ["backend_engineer", "devops_engineer"]
    assert a["best_role_id"] == b["best_role_id"] == "backend_engineer"  # the best is named either way
    for row in (a, b):
        for analysis in row["analyses"]:
            assert len(analysis["readiness"]["reasons"]) >= 2
    assert rows[2]["best_role_id"] == "frontend_engineer" and rows[2]["closest_roles"]
    assert rows[3]["error"]["code"] == "role_not_found" and rows[3]["error"]["nearest"]
    assert rows[4]["error"]["code"] == "invalid_input" and rows[4]["line"] == 5
    assert rows[5]["line"] == 6 and rows[6]["line"] == 7
    assert rows[7]["error"]["code"] == "no_extractable_text"
    assert rows[8]["error"]["code"] == "invalid_input"  # more than 5 roles
    assert "analyze: 9 in, 9 out (3 ok, 6 failed)" in capsys.readouterr().err
