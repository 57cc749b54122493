"""Builders of hostile documents (generated in memory, deterministic)."""

from __future__ import annotations

import io
import zipfile

from tests.documents import pdf_from_objects as _pdf
from tests.documents import text_pdf


def image_only_pdf() -> bytes:
    """One page that paints an 8x8 grey image and has no text layer (a 'scanned' resume)."""
    pixels = bytes(range(0, 256, 4))
    content = b"q 200 0 0 200 72 500 cm /Im1 Do Q"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /XObject << /Im1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray /BitsPerComponent 8"
        b" /Length %d >>\nstream\n" % len(pixels) + pixels + b"\nendstream",
    ]
    return _pdf(objs)


def encrypted_pdf(lines: list[str]) -> bytes:
    """``text_pdf(lines)`` encrypted with a user password (RC4-128, no extra crypto package needed)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(lines))))
    writer.encrypt(user_password="s3cret", owner_password="owner", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def zip_bomb_docx(expanded_mb: int = 200) -> bytes:
    """A zip named like a DOCX whose ``word/document.xml`` inflates to ``expanded_mb`` MiB of zeros."""
    buf = io.BytesIO()
    chunk = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(expanded_mb):
                member.write(chunk)
    return buf.getvalue()


def many_entries_docx(entries: int = 5_000) -> bytes:
    """A zip with ``entries`` tiny members (inode/CPU exhaustion variant of a zip bomb)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("word/document.xml", "<w:document/>")
        for i in range(entries):
            zf.writestr(f"word/media/x{i}.bin", b"x")
    return buf.getvalue()
