"""Benchmark: 1,000 barcode labels in one PDF, for each label format.

Run with `.venv/bin/python bench/labels.py`. Target (issue): under 1.5 s and under 5 KB per label,
barcodes as vector paths (no embedded images). Prints the best of three runs per format, and the
first run (cold encoder caches) beside it.
"""

from __future__ import annotations

import base64
import contextlib
import random
import re
import sys
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from apps.documents.layouts.barcode_labels import LABEL_FORMATS, Label, render_labels  # noqa: E402
from apps.documents.toolkit.barcodes import upca_check_digit  # noqa: E402

COUNT = 1_000
RUNS = 3
TARGET_SECONDS = 1.5
TARGET_BYTES_PER_LABEL = 5 * 1024

BRANDS = ["ACME", "NORD", "BLUW", "KITE", "ORBT", "PINE", "ZEN"]
PRODUCTS = [
    ("TSHIRT", "Organic cotton T-shirt"),
    ("HOODIE", "Heavyweight zip hoodie"),
    ("MUG", "Ceramic mug 330 ml"),
    ("BOTTLE", "Insulated steel bottle 750 ml"),
    ("SOCKS", "Merino hiking socks, pack of 3"),
    ("CABLE", "USB-C to USB-C cable, braided, 2 m"),
    ("CASE", "Shockproof phone case with card slot"),
    ("CANDLE", "Soy wax candle — cedar & vanilla"),
]
COLOURS = [("RED", "red"), ("BLU", "blue"), ("BLK", "black"), ("WHT", "white"), ("OLV", "olive"), ("SND", "sand")]
SIZES = ["XS", "S", "M", "L", "XL", "XXL"]
CHINESE = ["有机棉T恤 红色", "保温不锈钢水杯 750毫升", "陶瓷马克杯", "美利奴羊毛袜 三双装"]


def sample_labels(count: int = COUNT, seed: int = 42) -> list[Label]:
    """A realistic mix: about a third UPC-A, the rest Code 128 SKUs of up to 19 characters (which fit
    the 50 × 30 mm label); one name in ten in Chinese."""
    rng = random.Random(seed)
    labels = []
    for i in range(count):
        code, name = rng.choice(PRODUCTS)
        (colour, colour_name), size = rng.choice(COLOURS), rng.choice(SIZES)
        title = f"{name}, {colour_name}, size {size}"
        if rng.random() < 0.1:
            title = rng.choice(CHINESE) + f" {size}"
        if rng.random() < 0.33:
            first11 = "0" + "".join(rng.choice("0123456789") for _ in range(10))
            value = first11 + upca_check_digit(first11)
            labels.append(Label(value, "upca", value, title))
        else:
            value = f"{rng.choice(BRANDS)}-{code}-{colour}-{size}"
            if i % 10 == 0:
                value = value.lower()
            labels.append(Label(value, "code128", value, title))
    return labels


def image_objects(pdf: bytes) -> int:
    """Image XObjects and inline images in the PDF, counting inside compressed streams too."""
    found = len(re.findall(rb"/Subtype\s*/Image", pdf))
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.DOTALL):
        data = match.group(1).strip()
        if data.endswith(b"~>"):  # reportlab writes ASCII85 over Flate
            data = base64.a85decode(data[:-2], ignorechars=b" \t\r\n")
        with contextlib.suppress(zlib.error):
            data = zlib.decompress(data)
        found += len(re.findall(rb"/Subtype\s*/Image", data))
        found += len(re.findall(rb"(?:^|\s)BI\s", data))  # inline image operator
    return found


def main() -> int:
    labels = sample_labels()
    ok = True
    print(f"{COUNT:,} labels, best of {RUNS} runs")
    for key in LABEL_FORMATS:
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            pdf = render_labels(labels, key)
            times.append(time.perf_counter() - start)
        best = min(times)
        per_label = len(pdf) / COUNT
        images = image_objects(pdf)
        passed = best < TARGET_SECONDS and per_label < TARGET_BYTES_PER_LABEL and images == 0
        ok &= passed
        print(
            f"{key:16} {best:6.3f} s (first run {times[0]:.3f} s)   {len(pdf) / 1024:7.1f} KB total   "
            f"{per_label:5.0f} bytes/label   images: {images}   {'OK' if passed else 'OVER TARGET'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
