import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from apps.accounts.models import CustomerLevel
from apps.core.tenancy import customer_scope
from apps.shipping.models import (
    Carrier,
    Channel,
    CustomerChannel,
    LevelFreightDiscount,
    RateCard,
    RateLine,
    RemoteSurcharge,
    Zone,
)
from apps.shipping.quotes import parcel_from_box, quote
from apps.warehouses.models import Warehouse
from apps.warehouses.services import customer_warehouses_set

pytestmark = pytest.mark.django_db

HEADERS = [
    "Zone",
    "Countries",
    "Postal prefixes",
    "Weight from (g)",
    "Weight to (g)",
    "Price",
    "Step (g)",
    "Step price",
]
GOOD_ROWS = [
    ("US", "US", None, 0, 500, 5, None, None),
    ("US", None, None, 500, 1000, 6, None, None),
    ("US", None, None, 1000, 30000, 6, 500, 1),
    ("US West", "US", "900-961", 0, 30000, 4, None, None),
]
BAD_ROWS = [
    ("US", "US", None, 0, 500, 5, None, None),
    ("US", None, None, 400, 1000, 6, None, None),  # row 3 overlaps row 2
    ("EU", "DE, XX", None, 0, 1000, 7, None, None),  # row 4: XX is no country
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # files with problems marked land in tmp_path/rate-imports


def xlsx(rows, headers=HEADERS, name="rates.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(
        name, buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def page(response):
    return response.content.decode()


@pytest.fixture
def logistics(client, make_staff):
    client.force_login(make_staff("logistics"))
    return client


@pytest.fixture
def card(channels):
    return RateCard.objects.get(channel__code="ups-ground", name="2026")


def test_logistics_sets_up_a_channel_and_its_rates(logistics, warehouse, django_capture_on_commit_callbacks):
    response = logistics.post(
        reverse("backoffice:shipping-carrier-create"),
        {
            "code": "fedex",
            "name": "FedEx",
            "tracking_url": "https://fedex.example/t/{number}",
            "is_active": "on",
        },
        follow=True,
    )
    assert "Carrier FedEx (fedex) created." in page(response)
    fedex = Carrier.objects.get(code="fedex")

    response = logistics.post(
        reverse("backoffice:shipping-channel-create"),
        {
            "code": "fedex-ground",
            "name": "FedEx Ground",
            "carrier": fedex.pk,
            "warehouse": warehouse.pk,
            "service_level": "Ground",
            "transit_days_min": 2,
            "transit_days_max": 5,
            "volumetric_divisor": 5000,
            "max_weight_g": 30000,
            "max_length_cm": "120",
            "max_girth_cm": "",
            "tracking_provider": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("?channel=fedex-ground")
    channel = Channel.objects.get(code="fedex-ground")
    assert channel.carrier == fedex and channel.warehouse == warehouse

    form = logistics.get(response["Location"])
    assert form.status_code == 200 and f'value="{channel.pk}" selected' in page(form)
    response = logistics.post(
        reverse("backoffice:shipping-ratecard-create"),
        {
            "channel": channel.pk,
            "name": "2026",
            "currency": "usd",
            "fuel_surcharge_pct": "10",
            "per_parcel_fee": "1.00",
            "valid_from": (datetime.date.today() - datetime.timedelta(days=1)).isoformat(),
            "valid_to": "",
            "is_active": "on",
        },
    )
    card = RateCard.objects.get(channel=channel)
    assert card.currency == "USD" and card.fuel_surcharge_pct == Decimal("10")
    assert response["Location"] == reverse("backoffice:shipping-ratecard-import", args=[card.pk])

    template = logistics.get(reverse("backoffice:shipping-ratecard-template"))
    assert template.status_code == 200 and "attachment" in template["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(template.content))["Data"]
    headers = [c.value for row in sheet.iter_rows(max_row=6) for c in row if c.value]
    assert all(any(h == cell.rstrip("*") for cell in headers) for h in HEADERS)
    assert "Notes" in load_workbook(io.BytesIO(template.content)).sheetnames

    with django_capture_on_commit_callbacks(execute=True):
        response = logistics.post(
            reverse("backoffice:shipping-ratecard-import", args=[card.pk]), {"file": xlsx(GOOD_ROWS)}, follow=True
        )
    assert "Imported 4 weight lines in 2 zones into rate card 2026" in page(response)
    assert RateLine.objects.filter(zone__rate_card=card).count() == 4
    assert set(card.zones.values_list("name", flat=True)) == {"US", "US West"}
    assert "over 1,000 g up to 30,000 g" in page(response)
    assert "+ 1.00 per started 500 g above 1,000 g" in page(response)

    result = quote(warehouse=warehouse, country="US", postal_code="10001", parcel=parcel_from_box(weight_g=2100))
    option = next(o for o in result.options if o.channel_code == "fedex-ground")
    assert (option.base, option.fuel, option.parcel_fee, option.total) == (
        Decimal("9.00"),
        Decimal("0.90"),
        Decimal("1.00"),
        Decimal("10.90"),
    )
    west = quote(warehouse=warehouse, country="US", postal_code="90210", parcel=parcel_from_box(weight_g=2100))
    assert west.options[0].base == Decimal("4.00")


def test_a_bad_rate_table_imports_nothing_and_lists_every_problem(logistics, card):
    before = list(RateLine.objects.filter(zone__rate_card=card).values_list("pk", flat=True))
    response = logistics.post(reverse("backoffice:shipping-ratecard-import", args=[card.pk]), {"file": xlsx(BAD_ROWS)})
    assert response.status_code == 400
    text = page(response)
    assert "Nothing was imported: 2 problems in 2 rows" in text
    assert "<td>3</td><td>Weight from (g)</td><td>overlaps row 2 in zone US (0–500 g)" in text
    assert "<td>4</td><td>Countries</td><td>“XX” is not a country code</td>" in text
    assert list(RateLine.objects.filter(zone__rate_card=card).values_list("pk", flat=True)) == before
    assert not Zone.objects.filter(rate_card=card, name="EU").exists()

    token = response.context["token"]
    marked = logistics.get(reverse("backoffice:shipping-ratecard-import-errors", args=[card.pk, token]))
    assert marked.status_code == 200 and "attachment" in marked["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(marked.content)).active
    assert sheet.cell(row=1, column=9).value == "Errors"
    assert "overlaps row 2" in sheet.cell(row=3, column=9).value
    assert "not a country code" in sheet.cell(row=4, column=9).value
    assert sheet.cell(row=2, column=9).value is None


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (
            SimpleUploadedFile("rates.csv", b"Zone,Countries\nUS,US\n", content_type="text/csv"),
            "This is not an Excel .xlsx file",
        ),
        (None, "lacks the required"),
        ("empty", "no data rows"),
    ],
)
def test_unusable_files_are_explained(logistics, card, upload, words):
    if upload is None:
        upload = xlsx([("US", "US", 0, 500)], headers=["Zone", "Countries", "Weight from (g)", "Weight to (g)"])
    elif upload == "empty":
        upload = xlsx([])
    response = logistics.post(reverse("backoffice:shipping-ratecard-import", args=[card.pk]), {"file": upload})
    assert response.status_code == 400
    assert words in page(response) and "Nothing was imported" in page(response)
    assert card.zones.exists()


def test_marked_file_links_are_checked(logistics, card):
    bad = logistics.get(reverse("backoffice:shipping-ratecard-import-errors", args=[card.pk, "..%2Fsecret"]))
    assert bad.status_code == 404
    gone = logistics.get(reverse("backoffice:shipping-ratecard-import-errors", args=[card.pk, "a" * 32]), follow=True)
    assert "has expired" in page(gone)


def test_surcharges_and_level_discounts(logistics, card):
    url = reverse("backoffice:shipping-ratecard-surcharges", args=[card.pk])
    assert "US, 995, 3.00" in page(logistics.get(url))
    response = logistics.post(url, {"lines": "US, 995, 3.50\n\nus; 996; 4\n"}, follow=True)
    assert "2 remote-area surcharges saved on 2026." in page(response)
    assert set(RemoteSurcharge.objects.filter(rate_card=card).values_list("country", "postal_prefix", "amount")) == {
        ("US", "995", Decimal("3.50")),
        ("US", "996", Decimal("4.00")),
    }

    for lines, words in [
        ("US, 995", "write country, postal prefix, amount"),
        ("ZZ, 995, 3", "is not a country"),
        ("US, 995, lots", "the amount must be from 0"),
    ]:
        response = logistics.post(url, {"lines": lines})
        assert response.status_code == 400 and words in page(response), lines
    assert RemoteSurcharge.objects.filter(rate_card=card).count() == 2

    gold, url = CustomerLevel.objects.get(code="gold"), reverse("backoffice:shipping-level-discounts")
    form = logistics.get(url)
    data = dict.fromkeys(form.context["form"].fields, "0")
    data[f"level_{gold.pk}"] = "12.5"
    response = logistics.post(url, data, follow=True)
    assert "Freight discounts saved" in page(response) and "Gold 12.5 %" in page(response)
    assert LevelFreightDiscount.objects.get(level=gold).percent == Decimal("12.5")
    data[f"level_{gold.pk}"] = "120"
    assert logistics.post(url, data).status_code == 400
    assert LevelFreightDiscount.objects.get(level=gold).percent == Decimal("12.5")


def test_bad_input_is_a_message_not_a_500(logistics, warehouse, card):
    ups = Carrier.objects.get(code="ups")
    response = logistics.post(reverse("backoffice:shipping-carrier-create"), {"code": "ups", "name": "UPS again"})
    assert response.status_code == 400 and "already exists" in page(response)

    response = logistics.post(
        reverse("backoffice:shipping-channel-create"),
        {
            "code": "slow",
            "name": "Slow",
            "carrier": ups.pk,
            "warehouse": warehouse.pk,
            "transit_days_min": 5,
            "transit_days_max": 2,
            "volumetric_divisor": 5000,
            "max_weight_g": 1000,
            "max_length_cm": "50",
        },
    )
    assert response.status_code == 400 and "cannot be shorter than the shortest" in page(response)
    response = logistics.post(
        reverse("backoffice:shipping-channel-create"),
        {
            "code": "odd",
            "name": "Odd",
            "carrier": ups.pk,
            "warehouse": warehouse.pk,
            "transit_days_min": 1,
            "transit_days_max": 2,
            "volumetric_divisor": 50,
            "max_weight_g": 1000,
            "max_length_cm": "50",
        },
    )
    assert response.status_code == 400 and "usually 5000 or 6000" in page(response)
    assert not Channel.objects.filter(code__in=["slow", "odd"]).exists()

    response = logistics.post(
        reverse("backoffice:shipping-ratecard-update", args=[card.pk]),
        {
            "name": "2026",
            "currency": "USD",
            "fuel_surcharge_pct": "10",
            "per_parcel_fee": "1",
            "valid_from": "2026-05-01",
            "valid_to": "2026-01-01",
            "is_active": "on",
        },
    )
    assert response.status_code == 400 and "cannot end before it starts" in page(response)
    response = logistics.post(
        reverse("backoffice:shipping-ratecard-update", args=[card.pk]),
        {
            "name": "2026",
            "currency": "USD",
            "fuel_surcharge_pct": "150",
            "per_parcel_fee": "1",
            "valid_from": "2026-01-01",
            "is_active": "on",
        },
    )
    assert response.status_code == 400 and "percentage from 0 to 100" in page(response)
    card.refresh_from_db()
    assert card.fuel_surcharge_pct == Decimal("10")


def test_channel_list_shows_the_card_in_force(logistics, channels, warehouse):
    other = Warehouse.objects.create(
        code="NJ1", name="Newark", address1="2 Dock", city="Newark", state="NJ", postal_code="07101", country="US"
    )
    response = logistics.get(reverse("backoffice:shipping-channel-list"), {"warehouse": "LAX1"})
    text = page(response)
    assert response.status_code == 200
    for code in ("ups-ground", "dhl-express", "no-card"):
        assert code in text
    assert "No valid card" in text and "Other cards:" in text and "expired" in text
    assert "NJ1 Newark" in text
    response = logistics.get(reverse("backoffice:shipping-channel-list"), {"warehouse": other.code})
    assert "ups-ground" not in page(response)


def test_staff_quote_tool_shows_options_and_reasons(logistics, channels):
    url = reverse("backoffice:shipping-quote")
    assert logistics.get(url).status_code == 200
    response = logistics.get(
        url, {"warehouse": "LAX1", "country": "US", "postal_code": "10001", "weight_g": "400", "sort": "price"}
    )
    assert response.status_code == 200
    options = [o.channel_code for o in response.context["result"].options]
    assert options == ["ups-ground", "dhl-express"]
    text = page(response)
    assert "6.50 USD" in text and "No valid rate card." in text

    fast = logistics.get(
        url, {"warehouse": "LAX1", "country": "US", "postal_code": "10001", "weight_g": "400", "sort": "speed"}
    )
    assert [o.channel_code for o in fast.context["result"].options] == ["dhl-express", "ups-ground"]

    heavy = logistics.get(
        url,
        {
            "warehouse": "LAX1",
            "country": "US",
            "postal_code": "10001",
            "weight_g": "12000",
            "length_cm": "40",
            "width_cm": "30",
            "height_cm": "20",
            "level": "gold",
        },
    )
    assert "Too heavy: 12 kg, the limit is 10 kg." in page(heavy)

    for params, words in [
        ({"country": "XX", "postal_code": "1"}, "is not a country"),
        ({"country": "US", "postal_code": "ABCDE"}, "is not a postal code of United States (US)"),
        ({"country": "US", "postal_code": "10001", "length_cm": "10"}, "all three dimensions"),
    ]:
        response = logistics.get(url, {"warehouse": "LAX1", "weight_g": "400", **params})
        assert response.status_code == 400 and words in page(response), params
    assert logistics.get(url, {"warehouse": "LAX1", "country": "US", "weight_g": "-1"}).status_code == 400


def test_sales_sets_a_customers_channels(client, make_staff, customer_a, channels, warehouse):
    ground, express, _bare = channels
    elsewhere = Warehouse.objects.create(
        code="NJ1", name="Newark", address1="2 Dock", city="Newark", state="NJ", postal_code="07101", country="US"
    )
    far = Channel.objects.create(
        code="nj-ground",
        name="NJ Ground",
        carrier=ground.carrier,
        warehouse=elsewhere,
        transit_days_min=2,
        transit_days_max=4,
        max_weight_g=30000,
        max_length_cm=100,
    )
    customer_warehouses_set(actor=None, customer=customer_a, warehouses=[warehouse])
    client.force_login(make_staff("sales"))
    url = reverse("backoffice:shipping-customer-channels", args=[customer_a.code])

    lookup = client.get(reverse("backoffice:shipping-channel-list"), {"customer": customer_a.code.lower()})
    assert lookup["Location"] == url
    text = page(client.get(url))
    assert "ups-ground" in text and "dhl-express" in text and "nj-ground" not in text

    response = client.post(url, {"channels": [express.pk]}, follow=True)
    assert f"{customer_a.code} may now ship with: dhl-express." in page(response)
    with customer_scope(customer_a):
        assert list(CustomerChannel.objects.values_list("channel", flat=True)) == [express.pk]

    assert client.post(url, {"channels": [far.pk]}).status_code == 400  # not one of its warehouses
    with customer_scope(customer_a):
        assert CustomerChannel.objects.count() == 1

    response = client.post(url, {}, follow=True)
    assert "every active channel of its warehouses" in page(response)
    with customer_scope(customer_a):
        assert not CustomerChannel.objects.exists()
    assert client.get(reverse("backoffice:shipping-customer-channels", args=["NOPE"])).status_code == 404
    assert client.get(reverse("backoffice:shipping-channel-create")).status_code == 403


def test_warehouse_staff_look_but_do_not_touch(client, make_staff, card, customer_a):
    client.force_login(make_staff("warehouse"))
    for name, args in [
        ("shipping-channel-list", []),
        ("shipping-carrier-list", []),
        ("shipping-ratecard-detail", [card.pk]),
        ("shipping-quote", []),
        ("shipping-ratecard-template", []),
    ]:
        assert client.get(reverse(f"backoffice:{name}", args=args)).status_code == 200, name
    detail = page(client.get(reverse("backoffice:shipping-ratecard-detail", args=[card.pk])))
    assert "Import rate table" not in detail and "over 500 g up to 1,000 g" in detail
    for name, args in [
        ("shipping-channel-create", []),
        ("shipping-channel-update", [card.channel.code]),
        ("shipping-carrier-create", []),
        ("shipping-ratecard-create", []),
        ("shipping-ratecard-update", [card.pk]),
        ("shipping-ratecard-import", [card.pk]),
        ("shipping-ratecard-surcharges", [card.pk]),
        ("shipping-level-discounts", []),
        ("shipping-customer-channels", [customer_a.code]),
    ]:
        url = reverse(f"backoffice:{name}", args=args)
        assert client.get(url).status_code == 403, name
        assert client.post(url, {}).status_code == 403, name
    response = client.post(reverse("backoffice:shipping-ratecard-import", args=[card.pk]), {"file": xlsx(GOOD_ROWS)})
    assert response.status_code == 403
    assert RateLine.objects.filter(zone__rate_card=card).count() == 4


def test_logistics_edits_carrier_channel_and_card(logistics, channels, card):
    ground = channels[0]
    response = logistics.post(
        reverse("backoffice:shipping-carrier-update", args=["ups"]),
        {"name": "UPS Inc.", "tracking_url": "https://ups.example/{number}"},
        follow=True,
    )
    assert "Carrier UPS Inc. (ups) saved." in page(response)
    assert not Carrier.objects.get(code="ups").is_active  # the box was left unticked

    form = logistics.get(reverse("backoffice:shipping-channel-update", args=[ground.code]))
    assert "In force" in page(form) and 'name="code"' not in page(form)
    response = logistics.post(
        reverse("backoffice:shipping-channel-update", args=[ground.code]),
        {
            "name": "UPS Ground",
            "carrier": ground.carrier_id,
            "warehouse": ground.warehouse_id,
            "service_level": "Ground",
            "transit_days_min": 2,
            "transit_days_max": 4,
            "volumetric_divisor": 6000,
            "max_weight_g": 25000,
            "max_length_cm": "110",
            "max_girth_cm": "300",
            "is_active": "on",
        },
        follow=True,
    )
    assert "Channel ups-ground saved." in page(response)
    ground.refresh_from_db()
    assert (ground.transit_days_max, ground.volumetric_divisor, ground.max_weight_g) == (4, 6000, 25000)

    response = logistics.post(
        reverse("backoffice:shipping-ratecard-update", args=[card.pk]),
        {
            "name": "2026 H2",
            "currency": "USD",
            "fuel_surcharge_pct": "12.5",
            "per_parcel_fee": "0.75",
            "valid_from": card.valid_from.isoformat(),
            "valid_to": "",
            "is_active": "on",
        },
        follow=True,
    )
    assert "Rate card 2026 H2 saved." in page(response) and "12.50 %" in page(response)
    card.refresh_from_db()
    assert card.channel == ground and card.per_parcel_fee == Decimal("0.75")
