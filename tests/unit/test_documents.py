"""Resume documents -> text: formats, limits and every rejection path."""

from __future__ import annotations

import io
import zipfile

import pytest
from careerready.core.errors import (
    InvalidInputError,
    NoExtractableTextError,
    PayloadTooLargeError,
    UnsupportedMediaTypeError,
)
from careerready.services.documents import DOCX_MIME, DocumentLimits, detect_kind, document_to_text
from pypdf import PdfWriter


def make_blank_pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


from tests.documents import docx_bytes as make_docx  # noqa: E402
from tests.documents import text_pdf as make_text_pdf  # noqa: E402

RESUME_LINES = ["Jane Doe - Data Engineer", "Skills: Python, SQL, Apache Spark", "5 years at Acme (Airflow, dbt)"]


# ---- plain text ---------------------------------------------------------------------------------


def test_utf8_text_is_decoded_and_normalised() -> None:
    data = "Héllo  \r\nC# and C++\r\n\r\n\r\n\r\nDocker\n".encode()
    assert document_to_text(data, "text/plain") == "Héllo\nC# and C++\n\nDocker"


def test_utf8_bom_is_dropped() -> None:
    assert document_to_text(b"\xef\xbb\xbfPython", "text/plain; charset=") == "Python"


def test_invalid_utf8_is_422_with_byte_position() -> None:
    with pytest.raises(InvalidInputError) as info:
        document_to_text(b"Python and caf\xe9", "text/plain")
    assert info.value.http_status == 422
    assert info.value.details == {"field": "file", "position": 14}
    assert "not valid UTF-8" in info.value.message


def test_declared_charset_is_honoured() -> None:
    assert document_to_text(b"caf\xe9 Python", "text/plain; charset=latin-1") == "café Python"


def test_unknown_charset_is_415() -> None:
    with pytest.raises(UnsupportedMediaTypeError):
        document_to_text(b"Python", "text/plain; charset=klingon-8")


def test_utf16_with_bom() -> None:
    assert document_to_text("Kubernetes".encode("utf-16"), None, "cv.txt") == "Kubernetes"


@pytest.mark.parametrize("data", [b"", b"   \n\t  ", b"--- ***\n"])
def test_blank_text_is_no_extractable_text(data: bytes) -> None:
    with pytest.raises(NoExtractableTextError) as info:
        document_to_text(data, "text/plain")
    assert info.value.http_status == 422
    assert "no extractable text" in info.value.message


def test_nul_bytes_in_text_are_rejected() -> None:
    with pytest.raises(InvalidInputError, match="binary"):
        document_to_text(b"abc\x00\x01def", "text/plain")


# ---- PDF --------------------------------------------------------------------------------------


def test_pdf_text_layer_is_extracted() -> None:
    text = document_to_text(make_text_pdf(RESUME_LINES), "application/pdf", "cv.pdf")
    assert text.splitlines() == RESUME_LINES  # parentheses survive the PDF string escaping


def test_blank_pdf_has_no_extractable_text() -> None:
    with pytest.raises(NoExtractableTextError) as info:
        document_to_text(make_blank_pdf(2), "application/pdf")
    assert info.value.code == "no_extractable_text"
    assert "no extractable text" in info.value.message
    assert info.value.details["kind"] == "pdf"


def test_encrypted_pdf_is_422() -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(InvalidInputError, match="password-protected|encrypted") as info:
        document_to_text(buf.getvalue(), "application/pdf")
    assert not isinstance(info.value, NoExtractableTextError)


@pytest.mark.parametrize("cut", [0.3, 0.6])
def test_truncated_pdf_is_422(cut: float) -> None:
    data = make_text_pdf(RESUME_LINES)
    with pytest.raises(InvalidInputError) as info:
        document_to_text(data[: int(len(data) * cut)], "application/pdf")
    assert info.value.http_status == 422


def test_declared_pdf_that_is_not_a_pdf_is_422() -> None:
    with pytest.raises(InvalidInputError, match="not a valid PDF"):
        document_to_text(b"Python, SQL", "application/pdf")


# ---- DOCX -------------------------------------------------------------------------------------


def test_docx_paragraphs_and_tables_in_order() -> None:
    data = make_docx(["Jane Doe", "Skills"], table=[["Languages", "Python, Go"], ["Cloud", "AWS"]])
    assert document_to_text(data, DOCX_MIME) == "Jane Doe\nSkills\nLanguages | Python, Go\nCloud | AWS"


def test_docx_detected_from_filename_and_bytes() -> None:
    data = make_docx(["Kubernetes"])
    assert document_to_text(data, "application/octet-stream", "resume.DOCX") == "Kubernetes"
    assert detect_kind(data) == "docx"


def test_empty_docx_has_no_extractable_text() -> None:
    with pytest.raises(NoExtractableTextError):
        document_to_text(make_docx(["", "  "]), DOCX_MIME)


def test_docx_zip_bomb_is_refused_before_parsing() -> None:
    good = make_docx(["Python"])
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("word/media/bomb.bin", b"\0" * (4 * 1024 * 1024))  # ~4 KB compressed
    with pytest.raises(InvalidInputError, match="zip bomb"):
        document_to_text(buf.getvalue(), DOCX_MIME)
    # total-size guard, independent of the ratio
    with pytest.raises(InvalidInputError, match="zip bomb"):
        document_to_text(
            buf.getvalue(), DOCX_MIME, limits=DocumentLimits(max_zip_ratio=1e9, max_zip_uncompressed=10**6)
        )


def test_zip_that_is_not_a_word_document_is_422() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "Python")
    with pytest.raises(InvalidInputError, match="not a Word document"):
        document_to_text(buf.getvalue(), DOCX_MIME)


def test_truncated_docx_is_422() -> None:
    data = make_docx(["Python developer"] * 50)
    with pytest.raises(InvalidInputError, match="corrupt"):
        document_to_text(data[: len(data) // 2], DOCX_MIME)


# ---- limits and types -------------------------------------------------------------------------


def test_oversized_document_is_413() -> None:
    with pytest.raises(PayloadTooLargeError) as info:
        document_to_text(b"x" * 2001, "text/plain", limits=DocumentLimits(max_bytes=2000))
    assert info.value.http_status == 413
    assert info.value.details == {"size": 2001, "limit": 2000}


def test_too_much_extracted_text_is_413() -> None:
    with pytest.raises(PayloadTooLargeError):
        document_to_text(b"python " * 100, "text/plain", limits=DocumentLimits(max_chars=500))


@pytest.mark.parametrize(
    ("content_type", "filename"),
    [("image/png", None), ("application/msword", None), (None, "resume.doc"), (None, "cv.jpg")],
)
def test_unsupported_types_are_415(content_type: str | None, filename: str | None) -> None:
    with pytest.raises(UnsupportedMediaTypeError) as info:
        document_to_text(b"\x89PNG....", content_type, filename)
    assert info.value.http_status == 415


def test_sniffing_without_any_declaration() -> None:
    assert detect_kind(make_text_pdf(["x"])) == "pdf"
    assert detect_kind(b"plain words") == "txt"
    assert document_to_text(make_text_pdf(["Terraform"])) == "Terraform"
