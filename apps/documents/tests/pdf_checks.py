"""Helpers the documents tests share to look at a PDF the way a printer or a reader would.

Rendering (pdftoppm) and text extraction (pdftotext) come from poppler-utils, decoding from
zxing-cpp; the `zxing` and `pdftotext` fixtures in conftest.py skip where they are missing, and fail
instead on CI.
"""

import base64
import os
import re
import subprocess
import zlib
from html import unescape

import pytest


def tool_or_skip(available: bool, what: str) -> None:
    if not available:
        if os.environ.get("CI"):
            pytest.fail(f"{what} is missing on CI")
        pytest.skip(f"{what} is not installed")


def render_pages(pdf: bytes, tmp_path, dpi: int = 300) -> list:
    """The PDF's pages as PNG files at `dpi`, in page order."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), str(tmp_path / "page")], check=True)
    return sorted(tmp_path.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def words_with_boxes(pdftotext, pdf: bytes) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page, every word pdftotext finds with its box (xMin, yMin, xMax, yMax) in points from the top left."""
    html = pdftotext(pdf, "-bbox")
    pages = []
    for page in re.findall(r"<page [^>]*>(.*?)</page>", html, re.DOTALL):
        words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page)
        pages.append([(float(a), float(b), float(c), float(d), unescape(w)) for a, b, c, d, w in words])
    return pages


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def pdf_streams(pdf: bytes) -> list[bytes]:
    """Every stream in the PDF, decoded where it is compressed (reportlab writes ASCII85 over Flate)."""
    return [_decode_stream(m.group(1)) for m in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.DOTALL)]


def _decode_stream(data: bytes) -> bytes:
    data = data.strip()
    if data.endswith(b"~>"):
        data = base64.a85decode(data[:-2], ignorechars=b" \t\r\n")
    try:
        return zlib.decompress(data)
    except zlib.error:
        return data
