import shutil
import subprocess

import pytest

from .pdf_checks import tool_or_skip


@pytest.fixture
def zxing():
    """zxing-cpp, once pdftoppm is there to render the pages it reads."""
    try:
        import zxingcpp
    except ImportError:
        zxingcpp = None
    tool_or_skip(zxingcpp is not None, "zxing-cpp")
    tool_or_skip(shutil.which("pdftoppm") is not None, "pdftoppm (poppler-utils)")
    return zxingcpp


@pytest.fixture
def pdftotext():
    """A function: pdftotext's output for a PDF's bytes (with extra pdftotext options)."""
    tool_or_skip(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")

    def run(pdf: bytes, *args: str) -> str:
        done = subprocess.run(["pdftotext", *args, "-", "-"], input=pdf, capture_output=True, check=True)
        return done.stdout.decode()

    return run
