"""Demo SKUs: a few dozen realistic products for each demo customer (idempotent)."""

from decimal import Decimal

from apps.core.tenancy import staff_scope

from .models import Product
from .services import product_create, product_set_measurements

# sku, name, customs name, category, value, hs code, origin, L, W, H (cm), weight (g)
ACME = [
    (
        "ACME-TEE-BLK-S",
        "Organic cotton T-shirt, black, S",
        "Cotton T-shirt",
        "Apparel",
        "12.50",
        "610910",
        "CN",
        30,
        25,
        2,
        170,
    ),
    (
        "ACME-TEE-BLK-M",
        "Organic cotton T-shirt, black, M",
        "Cotton T-shirt",
        "Apparel",
        "12.50",
        "610910",
        "CN",
        30,
        25,
        2,
        180,
    ),
    (
        "ACME-TEE-BLK-L",
        "Organic cotton T-shirt, black, L",
        "Cotton T-shirt",
        "Apparel",
        "12.50",
        "610910",
        "CN",
        32,
        26,
        2,
        195,
    ),
    (
        "ACME-TEE-WHT-S",
        "Organic cotton T-shirt, white, S",
        "Cotton T-shirt",
        "Apparel",
        "12.50",
        "610910",
        "CN",
        30,
        25,
        2,
        170,
    ),
    (
        "ACME-TEE-WHT-M",
        "Organic cotton T-shirt, white, M",
        "Cotton T-shirt",
        "Apparel",
        "12.50",
        "610910",
        "CN",
        30,
        25,
        2,
        180,
    ),
    (
        "ACME-TEE-WHT-L",
        "Organic cotton T-shirt, white, L",
        "Cotton T-shirt",
        "Apparel",
        "12.50",
        "610910",
        "CN",
        32,
        26,
        2,
        195,
    ),
    ("ACME-HOOD-GRY-M", "Fleece hoodie, grey, M", "Cotton hoodie", "Apparel", "29.00", "611020", "CN", 35, 30, 6, 520),
    ("ACME-HOOD-GRY-L", "Fleece hoodie, grey, L", "Cotton hoodie", "Apparel", "29.00", "611020", "CN", 36, 31, 6, 560),
    ("ACME-CAP-NAVY", "Baseball cap, navy", "Cotton cap", "Accessories", "9.00", "650500", "VN", 25, 18, 12, 110),
    ("ACME-SOCK-3PK", "Bamboo socks, 3 pairs", "Socks", "Apparel", "8.00", "611595", "CN", 20, 12, 4, 150),
    ("ACME-MUG-350", "Ceramic mug 350 ml, matte black", "Ceramic mug", "Home", "6.50", "691200", "CN", 12, 9, 10, 340),
    (
        "ACME-BOTTLE-750",
        "Insulated steel bottle 750 ml",
        "Steel bottle",
        "Home",
        "14.00",
        "961700",
        "CN",
        28,
        8,
        8,
        420,
    ),
    ("ACME-TOTE-NAT", "Canvas tote bag, natural", "Cotton bag", "Accessories", "7.50", "420222", "IN", 40, 36, 1, 160),
    ("ACME-NOTE-A5", "Dot-grid notebook A5", "Paper notebook", "Stationery", "5.00", "482010", "CN", 21, 15, 1.5, 260),
    (
        "ACME-PEN-GEL-BLK",
        "Gel pen, black, pack of 5",
        "Plastic pens",
        "Stationery",
        "3.20",
        "960810",
        "CN",
        16,
        6,
        1.5,
        60,
    ),
    (
        "ACME-PHONE-CASE-15",
        "Silicone phone case, size 15",
        "Silicone phone case",
        "Electronics",
        "4.80",
        "392690",
        "CN",
        17,
        9,
        2,
        45,
    ),
    (
        "ACME-CABLE-USBC-1M",
        "USB-C cable 1 m, braided",
        "USB cable",
        "Electronics",
        "3.90",
        "854442",
        "CN",
        12,
        8,
        2,
        40,
    ),
    ("ACME-CHARGER-20W", "USB-C charger 20 W", "Power adapter", "Electronics", "11.00", "850440", "CN", 8, 6, 4, 70),
    (
        "ACME-EARBUDS-PRO",
        "Wireless earbuds with case",
        "Earphones",
        "Electronics",
        "24.00",
        "851830",
        "CN",
        10,
        8,
        4,
        95,
    ),
    ("ACME-LAMP-DESK", "LED desk lamp, dimmable", "LED lamp", "Home", "19.50", "940520", "CN", 45, 15, 12, 900),
    ("ACME-CANDLE-SOY", "Soy candle, cedar, 200 g", "Candle", "Home", "8.50", "340600", "US", 9, 9, 10, 330),
    ("ACME-YOGA-MAT", "Yoga mat 6 mm, sage", "Yoga mat", "Sports", "18.00", "950691", "CN", 62, 13, 13, 1100),
    ("ACME-BAND-SET", "Resistance bands, set of 5", "Exercise bands", "Sports", "7.00", "950691", "CN", 18, 12, 5, 230),
    ("ACME-TEACUP-01", "手工茶杯 Handmade tea cup", "Ceramic cup", "Home", "9.90", "691200", "CN", 10, 10, 8, 210),
]
GLOBEX = [
    ("GX-WIDGET-01", "Globex widget, standard", "Plastic widget", "Parts", "2.10", "392690", "US", 8, 5, 3, 40),
    ("GX-WIDGET-02", "Globex widget, heavy duty", "Metal widget", "Parts", "4.40", "732690", "US", 10, 6, 4, 120),
    ("GX-GEAR-12T", "Spur gear 12 teeth", "Steel gear", "Parts", "3.70", "848340", "DE", 5, 5, 2, 55),
    ("GX-GEAR-24T", "Spur gear 24 teeth", "Steel gear", "Parts", "5.90", "848340", "DE", 8, 8, 2, 110),
    (
        "GX-BEARING-608",
        "Ball bearing 608ZZ, pack of 10",
        "Ball bearings",
        "Parts",
        "6.50",
        "848210",
        "JP",
        8,
        6,
        3,
        130,
    ),
    (
        "GX-SENSOR-TMP",
        "Temperature sensor module",
        "Electronic sensor",
        "Electronics",
        "8.20",
        "902519",
        "CN",
        6,
        4,
        2,
        20,
    ),
    ("GX-RELAY-5V", "Relay board 5 V, 4 channels", "Relay module", "Electronics", "6.80", "853649", "CN", 8, 6, 2, 60),
    ("GX-PSU-12V", "Power supply 12 V 2 A", "Power adapter", "Electronics", "9.50", "850440", "CN", 10, 6, 4, 180),
    ("GX-CASE-ALU", "Aluminium enclosure 100×60×25", "Aluminium box", "Parts", "7.90", "761699", "CN", 11, 7, 3, 160),
    ("GX-TOOLKIT-S", "Precision screwdriver set", "Hand tools", "Tools", "15.00", "820540", "TW", 20, 10, 4, 380),
    ("GX-TAPE-KAPTON", "Kapton tape 20 mm", "Adhesive tape", "Supplies", "4.30", "391910", "CN", 8, 8, 2, 70),
    ("GX-SOLDER-100G", "Lead-free solder wire 100 g", "Solder wire", "Supplies", "7.60", "831130", "CN", 7, 7, 5, 120),
]
DEMO_UPCS = {"ACME-MUG-350": "036000291452", "ACME-BOTTLE-750": "012345678905", "GX-WIDGET-01": "042100005264"}
MEASURED = {"ACME-HOOD-GRY-M": ("35.5", "30.5", "6.5", 545), "ACME-MUG-350": ("12.2", "9.1", "10.0", 352)}


def seed_products(owner) -> None:
    """Create the owner's demo SKUs that do not exist yet (inside the owner's scope)."""
    rows = ACME if owner.customer.code == "C10001" else GLOBEX
    existing = set(Product.objects.values_list("sku", flat=True))
    for sku, name, customs, category, value, hs, origin, length, width, height, weight in rows:
        if sku in existing:
            continue
        product_create(
            actor=owner,
            data={
                "sku": sku,
                "upc": DEMO_UPCS.get(sku, ""),
                "name": name,
                "customs_name": customs,
                "category": category,
                "declared_value": Decimal(value),
                "currency": "USD",
                "hs_code": hs,
                "origin_country": origin,
                "length_cm": length,
                "width_cm": width,
                "height_cm": height,
                "weight_g": weight,
            },
        )


def seed_measurements(clerk) -> None:
    with staff_scope():
        for sku, (length, width, height, weight) in MEASURED.items():
            product = Product.objects.filter(sku=sku, measured_weight_g__isnull=True).first()
            if product:
                product_set_measurements(
                    actor=clerk,
                    product=product,
                    data={
                        "measured_length_cm": length,
                        "measured_width_cm": width,
                        "measured_height_cm": height,
                        "measured_weight_g": weight,
                    },
                )
