"""Resume documents (plain text, PDF, DOCX) -> text, with bounded work on hostile input.

One entry point, :func:`document_to_text`. It never returns empty text: a document with nothing to
analyse raises :class:`NoExtractableTextError` (422). Every other failure maps to a domain error:

* too many bytes (or too many extracted characters) -> :class:`PayloadTooLargeError` (413)
* a type we cannot read -> :class:`UnsupportedMediaTypeError` (415)
* invalid UTF-8, an encrypted, corrupt or truncated PDF, a corrupt DOCX or a zip bomb ->
  :class:`InvalidInputError` (422, ``field="file"``)

The type is decided from the declared content type, then the file name, then the leading bytes
(``%PDF-`` / a zip holding ``word/document.xml``). A declared type that contradicts the bytes is
rejected rather than guessed around.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Literal

from careerready.core.config import LIMITS
from careerready.core.errors import (
    InvalidInputError,
    NoExtractableTextError,
    PayloadTooLargeError,
    UnsupportedMediaTypeError,
)

if TYPE_CHECKING:
    from docx.table import Table

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_CHARS",
    "DocumentKind",
    "DocumentLimits",
    "detect_kind",
    "document_to_text",
]

DocumentKind = Literal["txt", "pdf", "docx"]

DEFAULT_MAX_BYTES = LIMITS.max_upload_bytes
DEFAULT_MAX_CHARS = LIMITS.max_text_chars

PDF_MIME = "application/pdf"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_MIME_KIND: dict[str, DocumentKind] = {
    "text/plain": "txt",
    "text/markdown": "txt",
    PDF_MIME: "pdf",
    "application/x-pdf": "pdf",
    DOCX_MIME: "docx",
}
_GENERIC_MIME = {"", "application/octet-stream", "binary/octet-stream", "application/x-www-form-urlencoded"}
_EXT_KIND: dict[str, DocumentKind] = {".txt": "txt", ".text": "txt", ".md": "txt", ".pdf": "pdf", ".docx": "docx"}
_REJECTED_EXT = {".doc": "legacy Word .doc", ".rtf": "RTF", ".odt": "OpenDocument", ".pages": "Apple Pages"}

_ZIP_MAGIC = b"PK\x03\x04"
_PDF_MAGIC = b"%PDF-"
_DOCX_MAIN_PART = "word/document.xml"
_WS_LINE_RE = re.compile(r"[ \t\f\v]+\n")
_BLANK_LINES_RE = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class DocumentLimits:
    """Bounds on the work one document may cause (defaults: :data:`careerready.core.config.LIMITS`).

    Attributes:
        max_bytes: upload size (413 above it).
        max_chars: extracted text length (413 above it).
        max_pdf_pages: pages read from a PDF (later pages are ignored; resumes are short).
        max_zip_members: entries in a DOCX zip.
        max_zip_uncompressed: sum of the declared uncompressed sizes of a DOCX's entries.
        max_zip_ratio: uncompressed/compressed ratio allowed for any entry larger than 1 MiB.
    """

    max_bytes: int = DEFAULT_MAX_BYTES
    max_chars: int = DEFAULT_MAX_CHARS
    max_pdf_pages: int = LIMITS.max_pdf_pages
    max_zip_members: int = LIMITS.max_zip_members
    max_zip_uncompressed: int = LIMITS.max_zip_uncompressed
    max_zip_ratio: float = LIMITS.max_zip_ratio


def _split_content_type(content_type: str | None) -> tuple[str, str | None]:
    if not content_type:
        return "", None
    parts = [p.strip() for p in content_type.split(";")]
    mime = parts[0].lower()
    charset = None
    for p in parts[1:]:
        key, _, value = p.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"').lower()
    return mime, charset


def _sniff(data: bytes) -> DocumentKind | None:
    head = data[:1024]
    if _PDF_MAGIC in head:  # the spec allows junk before the header within the first 1 KiB
        return "pdf"
    if data.startswith(_ZIP_MAGIC):
        return "docx"
    return None


def detect_kind(data: bytes, content_type: str | None = None, filename: str | None = None) -> DocumentKind:
    """Decide how to read a document.

    Args:
        data: the raw bytes.
        content_type: declared MIME type (may carry ``; charset=...``); generic types are ignored.
        filename: the uploaded file name (its extension is used when the type is generic).

    Returns:
        ``"txt"``, ``"pdf"`` or ``"docx"``.

    Raises:
        UnsupportedMediaTypeError: a type we do not read (e.g. ``image/png``, ``.doc``).
        InvalidInputError: the declared type contradicts the bytes (e.g. "PDF" that is not one).
    """
    mime, _ = _split_content_type(content_type)
    sniffed = _sniff(data)
    declared: DocumentKind | None = None
    if mime and mime not in _GENERIC_MIME:
        declared = _MIME_KIND.get(mime)
        if declared is None and mime.startswith("text/"):
            declared = "txt"
        if declared is None:
            raise UnsupportedMediaTypeError(
                f"unsupported content type {mime!r}; send text/plain, application/pdf or a .docx",
                content_type=mime,
                supported=sorted(_MIME_KIND),
            )
    if declared is None and filename:
        ext = PurePath(filename).suffix.lower()
        if ext in _REJECTED_EXT:
            raise UnsupportedMediaTypeError(
                f"{_REJECTED_EXT[ext]} files are not supported; save the resume as PDF, DOCX or TXT",
                filename=filename,
            )
        declared = _EXT_KIND.get(ext)
        if declared is None and ext:
            raise UnsupportedMediaTypeError(
                f"unsupported file extension {ext!r}; send .pdf, .docx or .txt", filename=filename
            )
    if declared is None:
        return sniffed or "txt"
    if declared in ("pdf", "docx") and sniffed != declared:
        raise InvalidInputError(f"the file is not a valid {declared.upper()} (its bytes say otherwise)", field="file")
    if declared == "txt" and sniffed is not None:
        raise InvalidInputError(f"declared as text but the bytes are a {sniffed.upper()}", field="file")
    return declared


def document_to_text(
    data: bytes,
    content_type: str | None = None,
    filename: str | None = None,
    limits: DocumentLimits | None = None,
) -> str:
    """Extract the text of a resume document.

    Args:
        data: the raw file bytes.
        content_type: declared MIME type, e.g. ``application/pdf`` or ``text/plain; charset=latin-1``.
        filename: original file name (used when the content type is missing or generic).
        limits: size and work bounds (defaults: :class:`DocumentLimits`).

    Returns:
        Non-empty text with normalised line endings.

    Raises:
        PayloadTooLargeError: more than ``limits.max_bytes`` bytes or ``limits.max_chars`` characters.
        UnsupportedMediaTypeError: not a txt/pdf/docx document.
        InvalidInputError: undecodable text, encrypted/corrupt PDF, corrupt DOCX, zip bomb.
        NoExtractableTextError: nothing to analyse (empty file, scanned/image-only PDF, empty DOCX).
    """
    lim = limits or DocumentLimits()
    if len(data) > lim.max_bytes:
        raise PayloadTooLargeError(
            f"document is {len(data)} bytes; the limit is {lim.max_bytes}", size=len(data), limit=lim.max_bytes
        )
    if not data:
        raise NoExtractableTextError("the document is empty: no extractable text", field="file")
    kind = detect_kind(data, content_type, filename)
    if kind == "pdf":
        text = _pdf_text(data, lim)
    elif kind == "docx":
        text = _docx_text(data, lim)
    else:
        text = _plain_text(data, _split_content_type(content_type)[1])
    text = _normalise(text)
    if not any(ch.isalnum() for ch in text):
        raise NoExtractableTextError(
            f"no extractable text in the {kind.upper()} document"
            + (" (a scanned or image-only PDF needs OCR first)" if kind == "pdf" else ""),
            field="file",
            kind=kind,
        )
    if len(text) > lim.max_chars:
        raise PayloadTooLargeError(
            f"document text is {len(text)} characters; the limit is {lim.max_chars}",
            size=len(text),
            limit=lim.max_chars,
        )
    return text


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = _WS_LINE_RE.sub("\n", text)
    return _BLANK_LINES_RE.sub("\n\n", text).strip()


def _plain_text(data: bytes, charset: str | None) -> str:
    if charset:
        try:
            codecs.lookup(charset)
        except LookupError as exc:
            raise UnsupportedMediaTypeError(f"unknown charset {charset!r}", charset=charset) from exc
        try:
            return data.decode(charset)
        except UnicodeDecodeError as exc:
            raise InvalidInputError(
                f"the text is not valid {charset} (byte {exc.start})", field="file", position=exc.start
            ) from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InvalidInputError("the text is not valid UTF-16", field="file", position=exc.start) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Guessing a legacy code page silently corrupts skills ("C#" etc.); ask for a charset instead.
        raise InvalidInputError(
            f"the text is not valid UTF-8 (byte {exc.start}); re-save as UTF-8 or declare the charset "
            "(Content-Type: text/plain; charset=...)",
            field="file",
            position=exc.start,
        ) from exc
    if "\x00" in text:
        raise InvalidInputError("the text contains NUL bytes: this looks like a binary file", field="file")
    return text


def _pdf_text(data: bytes, lim: DocumentLimits) -> str:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError, PdfStreamError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # an empty user password (owner-restricted PDFs) still opens; anything else is locked
            try:
                opened = reader.decrypt("")
            except (DependencyError, NotImplementedError, FileNotDecryptedError) as exc:
                raise InvalidInputError("the PDF is encrypted; upload an unprotected copy", field="file") from exc
            if not opened:
                raise InvalidInputError("the PDF is password-protected; upload an unprotected copy", field="file")
        n_pages = len(reader.pages)
        if n_pages == 0:
            raise NoExtractableTextError("the PDF has no pages: no extractable text", field="file", kind="pdf")
        texts = [reader.pages[i].extract_text() or "" for i in range(min(n_pages, lim.max_pdf_pages))]
    except (InvalidInputError, NoExtractableTextError):
        raise
    except FileNotDecryptedError as exc:
        raise InvalidInputError("the PDF is encrypted; upload an unprotected copy", field="file") from exc
    except (PdfReadError, PdfStreamError) as exc:
        raise InvalidInputError(f"the PDF is corrupt or truncated: {exc}", field="file") from exc
    except Exception as exc:  # noqa: BLE001 - pypdf raises arbitrary errors (KeyError, ValueError...) on junk
        raise InvalidInputError(f"the PDF is corrupt or truncated ({type(exc).__name__})", field="file") from exc
    return "\n\n".join(t.strip() for t in texts if t and t.strip())


def _check_zip(zf: zipfile.ZipFile, lim: DocumentLimits) -> None:
    infos = zf.infolist()
    if len(infos) > lim.max_zip_members:
        raise InvalidInputError(f"the DOCX has {len(infos)} entries (limit {lim.max_zip_members})", field="file")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > lim.max_zip_ratio * max(info.compress_size, 1):
            raise InvalidInputError(
                f"the DOCX entry {info.filename!r} expands {info.file_size / max(info.compress_size, 1):.0f}x: "
                "refusing a possible zip bomb",
                field="file",
            )
    if total > lim.max_zip_uncompressed:
        raise InvalidInputError(
            f"the DOCX expands to {total} bytes (limit {lim.max_zip_uncompressed}): refusing a possible zip bomb",
            field="file",
        )
    names = {i.filename for i in infos}
    if _DOCX_MAIN_PART not in names:
        raise InvalidInputError("the zip is not a Word document (no word/document.xml)", field="file")


def _docx_text(data: bytes, lim: DocumentLimits) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            _check_zip(zf, lim)
    except zipfile.BadZipFile as exc:
        raise InvalidInputError(f"the DOCX is corrupt or truncated: {exc}", field="file") from exc

    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                lines.append(block.text)
            elif isinstance(block, Table):
                lines.extend(_table_lines(block))
    except InvalidInputError:
        raise
    except Exception as exc:  # noqa: BLE001 - python-docx/lxml raise many types on malformed parts
        raise InvalidInputError(f"the DOCX is corrupt ({type(exc).__name__})", field="file") from exc
    return "\n".join(lines)


def _table_lines(table: Table) -> list[str]:
    lines: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = cell.text.strip()
            if text and (not cells or cells[-1] != text):  # merged cells repeat their text
                cells.append(text)
        if cells:
            lines.append(" | ".join(cells))
    return lines
