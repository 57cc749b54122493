"""Hostile uploads: each gets a specific 4xx with a useful message, in bounded time and memory."""

from __future__ import annotations

import time
import tracemalloc
from typing import Any

import pytest
from careerready.core.errors import InvalidInputError
from careerready.services.documents import DocumentLimits, document_to_text

from tests.hardening.hostile import (
    encrypted_pdf,
    image_only_pdf,
    many_entries_docx,
    text_pdf,
    zip_bomb_docx,
)

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LINES = ["Jane Doe", "Skills", "Python, Docker, PostgreSQL, Git"]


def _upload(client: Any, name: str, data: bytes, mime: str) -> tuple[Any, float]:
    t0 = time.perf_counter()
    resp = client.post("/v1/analyze", files={"file": (name, data, mime)})
    return resp, time.perf_counter() - t0


def _detail(resp: Any) -> dict[str, Any]:
    detail: dict[str, Any] = resp.json()["detail"]
    assert detail["request_id"], "every error carries the request id"
    return detail


@pytest.mark.parametrize(
    ("name", "data", "mime", "status", "code", "needle"),
    [
        ("empty.pdf", b"", "application/pdf", 422, "no_extractable_text", "empty"),
        ("empty.txt", b"", "text/plain", 422, "no_extractable_text", "empty"),
        ("scan.pdf", image_only_pdf(), "application/pdf", 422, "no_extractable_text", "OCR"),
        ("locked.pdf", encrypted_pdf(LINES), "application/pdf", 422, "invalid_input", "password"),
        ("cut.pdf", text_pdf(LINES)[: len(text_pdf(LINES)) // 2], "application/pdf", 422, "invalid_input", "corrupt"),
        ("bomb.docx", zip_bomb_docx(200), DOCX_MIME, 422, "invalid_input", "zip bomb"),
        ("many.docx", many_entries_docx(5_000), DOCX_MIME, 422, "invalid_input", "entries"),
        ("latin1.txt", "Développeur Python à Paris".encode("latin-1"), "text/plain", 422, "invalid_input", "UTF-8"),
        ("bin.txt", b"Python\x00\x00\x00", "text/plain", 422, "invalid_input", "NUL"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png", 415, "unsupported_media_type", ""),
        ("resume.doc", b"\xd0\xcf\x11\xe0" + b"\0" * 64, "application/msword", 415, "unsupported_media_type", ""),
    ],
    ids=[
        "empty-pdf",
        "empty-txt",
        "image-only-pdf",
        "encrypted-pdf",
        "truncated-pdf",
        "zip-bomb-docx",
        "5000-entry-docx",
        "invalid-utf8",
        "nul-bytes",
        "png",
        "legacy-doc",
    ],
)
def test_hostile_upload_gets_specific_4xx(
    hostile_client: Any, name: str, data: bytes, mime: str, status: int, code: str, needle: str
) -> None:
    # Given a hostile document / When it is uploaded
    resp, seconds = _upload(hostile_client, name, data, mime)
    # Then a specific 4xx with a message that says what is wrong, quickly
    assert resp.status_code == status, resp.text
    detail = _detail(resp)
    assert detail["code"] == code
    assert needle.lower() in detail["message"].lower()
    assert seconds < 10.0, f"{name} took {seconds:.1f} s"


def test_invalid_utf8_names_the_byte_offset(hostile_client: Any) -> None:
    data = b"Python developer " + b"\xff" + b" more"
    resp, _ = _upload(hostile_client, "cv.txt", data, "text/plain")
    assert resp.status_code == 422
    assert _detail(resp)["position"] == 17


def test_declared_charset_is_honoured(hostile_client: Any) -> None:
    # the same latin-1 bytes that were refused above are fine once the charset is declared
    data = "Développeur Python, Docker, Git".encode("latin-1")
    resp, _ = _upload(hostile_client, "cv.txt", data, "text/plain; charset=latin-1")
    assert resp.status_code == 200, resp.text
    assert {"python", "docker", "git"} <= {s["skill_id"] for s in resp.json()["skills"]}


def test_zip_bomb_is_rejected_without_inflating() -> None:
    bomb = zip_bomb_docx(200)  # ~200 KB on disk, 200 MiB inflated
    assert len(bomb) < 1_000_000
    tracemalloc.start()
    try:
        with pytest.raises(InvalidInputError, match="zip bomb"):
            document_to_text(bomb, DOCX_MIME, "cv.docx", DocumentLimits())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # inflating would allocate >= 200 MiB; the check reads only the central directory
    assert peak < 8 * 1024 * 1024, f"peak Python allocation {peak / 1e6:.1f} MB"


def test_lying_zip_header_is_bounded_by_declared_size() -> None:
    # A bomb whose central directory declares a tiny size: zipfile never returns more than the
    # declared size (it then fails the CRC), so memory stays bounded and the answer is a 422.
    import io
    import struct
    import zipfile

    bomb = bytearray(zip_bomb_docx(50))
    # rewrite the declared uncompressed size of word/document.xml in the zip64 extra fields and headers
    with zipfile.ZipFile(io.BytesIO(bytes(bomb))) as zf:
        info = zf.getinfo("word/document.xml")
    real = struct.pack("<Q", info.file_size)
    assert bomb.count(real) >= 1
    bomb = bytearray(bytes(bomb).replace(real, struct.pack("<Q", 4096)))
    tracemalloc.start()
    try:
        with pytest.raises(InvalidInputError):
            document_to_text(bytes(bomb), DOCX_MIME, "cv.docx", DocumentLimits())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024, f"peak Python allocation {peak / 1e6:.1f} MB"


def test_50mb_upload_refused_before_reading(hostile_client: Any) -> None:
    data = b"a" * (50 * 1024 * 1024)
    resp, seconds = _upload(hostile_client, "big.txt", data, "text/plain")
    assert resp.status_code == 413
    detail = _detail(resp)
    assert detail["code"] == "payload_too_large" and detail["size"] > 50 * 1024 * 1024
    assert "s3_key" in detail["message"]
    assert seconds < 10.0


def test_50mb_chunked_upload_without_content_length_refused(hostile_client: Any) -> None:
    def chunks() -> Any:
        for _ in range(50):
            yield b"b" * (1024 * 1024)

    resp = hostile_client.post("/v1/analyze", content=chunks(), headers={"content-type": "text/plain"})
    assert resp.status_code == 413
    assert _detail(resp)["code"] == "payload_too_large"


def test_5000_page_text_refused_with_413(hostile_client: Any) -> None:
    # 5,000 pages of ~860 bytes: under the 4.5 MB body limit, so the document's text limit answers
    page = ("Python developer building Docker services. " * 20 + "\f").encode()
    data = page * 5_000
    assert len(data) < 4_500_000
    resp, seconds = _upload(hostile_client, "book.txt", data, "text/plain")
    assert resp.status_code == 413, resp.text
    detail = _detail(resp)
    assert "characters; the limit is 100000" in detail["message"]
    assert detail["size"] > 4_000_000
    assert seconds < 10.0


def test_5000_page_text_json_refused_with_413(hostile_client: Any) -> None:
    text = "Python developer building Docker services.\n" * 3_000  # 129k chars > 100k default
    resp = hostile_client.post("/v1/analyze", json={"text": text})
    assert resp.status_code == 413, resp.text
    assert _detail(resp)["code"] == "payload_too_large"


def test_5000_page_pdf_reads_first_30_pages_in_bounded_time(hostile_client: Any) -> None:
    data = text_pdf(LINES, pages=5_000)
    assert data.count(b"/Type /Page ") == 5_000
    resp, seconds = _upload(hostile_client, "book.pdf", data, "application/pdf")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["source"]["chars"] < 30 * 200  # only max_pdf_pages (30) pages were read
    assert seconds < 20.0, f"5,000-page PDF took {seconds:.1f} s"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # German: tool names are language-independent and still found
        ("Lebenslauf\nKenntnisse\nPython, Docker, PostgreSQL und Git\nBerufserfahrung\n5 Jahre Python", {"python"}),
        # Japanese with no Latin skill names: analysed, nothing found (no crash, no guessing)
        ("履歴書\n技能\nデータ分析と機械学習の経験があります。", set()),
    ],
    ids=["german", "japanese"],
)
def test_resume_in_another_language_is_analysed(hostile_client: Any, text: str, expected: set[str]) -> None:
    resp = hostile_client.post("/v1/analyze", json={"text": text})
    assert resp.status_code == 200, resp.text
    found = {s["skill_id"] for s in resp.json()["skills"]}
    assert expected <= found
    if not expected:
        assert found == set()
