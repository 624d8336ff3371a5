"""The printed pick list and manifest scan back to the numbers they carry."""

import os
import shutil
import subprocess

import pytest
from PIL import Image

from apps.fulfillment.handover import manifest_add, manifest_open
from apps.fulfillment.picking import wave_create

from .outbound_pages import pack, pick_all, url

pytestmark = pytest.mark.usefixtures("staff_side")


# --- Printed documents ----------------------------------------------------------------------------


def _tool_or_skip(available: bool, what: str) -> None:
    if not available:
        if os.environ.get("CI"):
            pytest.fail(f"{what} is missing on CI")
        pytest.skip(f"{what} is not installed")


def decode(pdf: bytes, tmp_path) -> list[list[str]]:
    """Per page, every Code 128 zxing-cpp reads on the page printed at 300 dpi."""
    try:
        import zxingcpp
    except ImportError:
        zxingcpp = None
    _tool_or_skip(zxingcpp is not None, "zxing-cpp")
    _tool_or_skip(shutil.which("pdftoppm") is not None, "pdftoppm (poppler-utils)")
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "doc.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "300", "-png", str(tmp_path / "doc.pdf"), str(tmp_path / "page")], check=True)
    pages = []
    for page in sorted(tmp_path.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1])):
        with Image.open(page) as image:
            pages.append(sorted(c.text for c in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)))
    return pages


def text(pdf: bytes) -> str:
    _tool_or_skip(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode()


def test_the_printed_pick_list_and_manifest_scan_back_to_their_numbers(clerk, floor, submitted, tmp_path):
    first, second = submitted(lines=[("TEE", 7)]), submitted(lines=[("MUG", 1)])
    wave = wave_create(actor=floor.clerk, warehouse=floor.warehouse)

    pick_list = clerk.get(url("wave-pdf", wave.number))

    assert pick_list["Content-Type"] == "application/pdf"
    assert decode(pick_list.content, tmp_path / "wave") == [[wave.number]]
    words = text(pick_list.content)
    for expected in ("A-01-01", "A-01-02", "B-01-01", "TEE", "MUG", first.number, second.number, "Page 1 of 1"):
        assert expected in words
    pick_all(floor, wave)
    parcels = [pack(floor, first, weight=1250), pack(floor, second)]
    manifest = manifest_open(actor=floor.clerk, warehouse=floor.warehouse, carrier=floor.ground.carrier)
    for parcel in parcels:
        manifest_add(actor=floor.clerk, manifest=manifest, code=parcel.tracking_number)

    printed = clerk.get(url("manifest-pdf", manifest.number))

    assert printed["Content-Type"] == "application/pdf"
    assert decode(printed.content, tmp_path / "manifest") == [[manifest.number]]
    words = text(printed.content)
    for expected in (
        parcels[0].tracking_number,
        parcels[1].tracking_number,
        first.number,
        "1.25 kg",
        "UPS Ground",
        "Signature",
        "2 parcels",
    ):
        assert expected in words
