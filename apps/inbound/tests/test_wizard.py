"""The inbound wizard's rough edges (issue 18 item 6): step 4 refusals keep what was typed, locked
steps are read-only with the reason, shipping changes go on the timeline, the packing-list import
reports every bad row at once with the file marked; and the shelving form forgets a refused
quantity (item 7)."""

import io

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from apps.catalog.models import Product
from apps.core.tenancy import customer_scope
from apps.documents.models import Job
from apps.documents.toolkit.xlsx import write_xlsx
from apps.inbound.models import InboundBox, InboundOrder
from apps.inbound.receiving import inbound_count_box, inbound_finish_receiving, inbound_mark_arrived
from apps.inbound.services import inbound_set_shipping, inbound_submit

pytestmark = pytest.mark.django_db

HEADERS = ("Box no", "SKU", "Quantity", "Length (cm)", "Width (cm)", "Height (cm)", "Weight (kg)")


def flashes(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in response.context["messages"]] if response.context else []


def packing_file(rows) -> bytes:
    return write_xlsx(HEADERS, rows, sheet_title="Packing list")


@pytest.fixture
def portal(client, user_a):
    client.force_login(user_a)
    return client


@pytest.fixture
def submitted(user_a, ready_inbound):
    with customer_scope(user_a.customer):
        inbound_submit(actor=user_a, inbound=ready_inbound)
        ready_inbound.refresh_from_db()
    return ready_inbound


def fresh(inbound) -> InboundOrder:
    with scopes_disabled():
        return InboundOrder.objects.get(pk=inbound.pk)


# --- Step 4 ------------------------------------------------------------------------------------


def test_a_refused_step_4_keeps_what_was_typed_and_shows_only_the_error(portal, ready_inbound):
    typed = {
        "carrier": "UPS Freight",
        "tracking_number": "1Z999AA10123456784",
        "transport_mode": "air",
        "ship_date": "2026-11-25",
        "eta": "2026-11-21",
    }
    response = portal.post(reverse("inbound:shipping", args=[ready_inbound.pk]), typed)
    assert response.status_code == 400
    assert flashes(response) == [("error", "Nothing saved: The ETA cannot be before the ship date.")]
    body = response.content.decode()
    for value in ("UPS Freight", "1Z999AA10123456784", "2026-11-25", "2026-11-21"):
        assert f'value="{value}"' in body
    assert '<option value="air" selected>' in body
    assert 'data-testid="shipping-error">before the ship date' in body
    assert fresh(ready_inbound).carrier == "DHL"  # nothing saved

    response = portal.post(reverse("inbound:shipping", args=[ready_inbound.pk]), {**typed, "eta": "2026-13-45"})
    assert response.status_code == 400 and 'value="2026-13-45"' in response.content.decode()
    assert [level for level, _ in flashes(response)] == ["error"]


def test_save_and_submit_that_cannot_submit_says_only_why(portal, ready_inbound):
    data = {"carrier": "DHL", "tracking_number": "", "transport_mode": "express", "ship_date": "2026-11-20"}
    response = portal.post(reverse("inbound:shipping", args=[ready_inbound.pk]), {**data, "submit": "1"})
    assert response.status_code == 400
    [(level, message)] = flashes(response)
    assert level == "error" and "not submitted" in message and "tracking number" in message
    assert "Needed to submit the shipment." in response.content.decode()
    assert 'data-testid="submit-problems"' not in response.content.decode()
    assert fresh(ready_inbound).is_draft


# --- Locked steps and the timeline ---------------------------------------------------------------


def test_steps_locked_by_the_submit_are_read_only_with_the_reason(portal, submitted):
    for name, testid in (("inbound:lines", "lines-readonly"), ("inbound:packing", "packing-readonly")):
        body = portal.get(reverse(name, args=[submitted.pk])).content.decode()
        assert f'data-testid="{testid}"' in body and 'data-testid="step-locked"' in body
        assert f"Inbound {submitted.number} was submitted on" in body
        assert "Only the shipping information may change until the goods arrive." in body
        assert 'name="sku"' not in body and 'name="method"' not in body
    upload = io.BytesIO(packing_file([(1, "TEE", 1, "", "", "", "")]))
    upload.name = "late.xlsx"
    response = portal.post(reverse("inbound:packing", args=[submitted.pk]), {"method": "import", "file": upload})
    assert response.status_code == 400 and 'data-testid="packing-readonly"' in response.content.decode()
    assert [level for level, _ in flashes(response)] == ["error"]
    with scopes_disabled():
        assert not Job.objects.exists()  # nothing marked for a packing list that is locked anyway
    body = portal.get(reverse("inbound:detail", args=[submitted.pk])).content.decode()
    assert 'data-testid="lines-locked"' in body and 'data-testid="packing-locked"' in body
    assert 'data-testid="shipping-form"' in body  # shipping still open until arrival


def test_shipping_locked_after_arrival_says_why(portal, submitted, make_staff):
    with scopes_disabled():
        inbound_mark_arrived(actor=make_staff("warehouse"), inbound=submitted)
    body = portal.get(reverse("inbound:detail", args=[submitted.pk])).content.decode()
    assert 'data-testid="shipping-form"' not in body
    assert f"The goods of inbound {submitted.number} have arrived at the warehouse" in body


def test_shipping_changes_after_the_submit_go_on_the_timeline(portal, client, submitted, user_a, make_staff):
    response = portal.post(
        reverse("inbound:shipping", args=[submitted.pk]),
        {"carrier": "DHL", "tracking_number": "JD0199", "transport_mode": "air", "ship_date": "2026-11-20"},
        follow=True,
    )
    note = (
        "Shipping information changed: tracking number 1234567890 → JD0199; "
        "transport Express → Air freight; ETA 2026-11-28 → —"
    )
    body = response.content.decode()
    assert note in body and "<strong>Shipping information</strong>" in body
    with scopes_disabled():
        event = submitted.events.last()
    assert event.note == note and event.actor == user_a and event.from_status == event.to_status == "submitted"
    # The same save again changes nothing and writes nothing.
    with customer_scope(user_a.customer):
        inbound_set_shipping(actor=user_a, inbound=submitted, data={"tracking_number": "JD0199"})
    with scopes_disabled():
        assert submitted.events.count() == 3
    client.force_login(make_staff("warehouse"))
    staff = client.get(reverse("backoffice:inbound-detail", args=[submitted.number])).content.decode()
    assert note in staff


def test_draft_shipping_saves_are_not_timeline_noise(user_a, ready_inbound):
    with scopes_disabled():
        assert [e.to_status for e in ready_inbound.events.all()] == ["draft"]


# --- Packing-list import -----------------------------------------------------------------------


def test_the_packing_import_reports_every_bad_row_with_the_file_marked(portal, ready_inbound, products):
    tee, mug, cap = products
    with scopes_disabled():
        Product.objects.filter(pk=tee.pk).update(weight_g=400)
    data = packing_file(
        [
            (1, "TEE", 10, 40, 30, 30, 2),  # 10 × 400 g in 2 kg
            (1, "MUG", 10, 50, "", "", ""),  # another length for box 1
            (1, "NOPE", 5, "", "", "", ""),  # not a SKU of the customer
            (2, "TEE", "many", "", "", "", "abc"),
            (4, "CAP", 5, "", "", "", 900),  # box 3 missing; too heavy
        ]
    )
    upload = io.BytesIO(data)
    upload.name = "my-packing.xlsx"
    response = portal.post(reverse("inbound:packing", args=[ready_inbound.pk]), {"method": "import", "file": upload})
    assert response.status_code == 400
    [(level, message)] = flashes(response)
    assert level == "error" and message.startswith("Nothing was imported: 5 rows of 5 have problems.")
    with scopes_disabled():
        job = Job.objects.get(kind="inbound_packing_import")
    problems = {(row, column): text for row, column, text in job.result["problems"]}
    assert "weigh 4 kg by their catalogue weights" in problems[(2, "Weight (kg)")]
    assert "Box 1 has the length 40 on row 2 and 50 here" in problems[(3, "Length (cm)")]
    assert "“NOPE” is not one of your SKUs" in problems[(4, "SKU")]
    assert "The quantity must be a whole number" in problems[(5, "Quantity")]
    assert "The weight must be a number" in problems[(5, "Weight (kg)")]
    assert "box 3 is missing" in problems[(6, "Box no")]
    assert "The weight must be more than 0 and at most 500" in problems[(6, "Weight (kg)")]
    assert "TEE: the boxes hold 10 in all, the reservation 30 (20 fewer)" in problems[(2, "Quantity")]
    body = response.content.decode()
    assert 'data-testid="import-problem-table"' in body and "Download your file with the problems marked" in body

    marked = portal.get(reverse("documents:job-file", args=[job.pk, "result"]))
    sheet = load_workbook(io.BytesIO(b"".join(marked.streaming_content))).active
    header = [c.value for c in sheet[1]]
    errors = header.index("Errors") + 1
    assert "not one of your SKUs" in sheet.cell(row=4, column=errors).value
    assert "box 3 is missing" in sheet.cell(row=6, column=errors).value
    with scopes_disabled():
        assert InboundBox.objects.filter(inbound=ready_inbound).count() == 2  # the old packing list stays


def test_a_right_packing_file_replaces_the_packing_list(portal, ready_inbound):
    data = packing_file(
        [
            (1, "TEE", 15, 40, 30, 30, 6),
            (1, "MUG", 10, "", "", "", ""),
            (2, "tee", 15, 40, 30, 30, 5.5),
            (2, "CAP", 5, 40, 30, 30, 5.5),
        ]
    )
    upload = io.BytesIO(data)
    upload.name = "ok.xlsx"
    response = portal.post(
        reverse("inbound:packing", args=[ready_inbound.pk]), {"method": "import", "file": upload}, follow=True
    )
    assert ("success", "Packing list saved: 2 boxes. Download the packing list and the box marks below.") in flashes(
        response
    )
    with scopes_disabled():
        boxes = list(InboundBox.objects.filter(inbound=ready_inbound).prefetch_related("items__product"))
        assert [str(b.weight_kg) for b in boxes] == ["6.00", "5.50"]
        assert sorted((i.product.sku, i.quantity) for i in boxes[1].items.all()) == [("CAP", 5), ("TEE", 15)]
    assert fresh(ready_inbound).packing_method == "import"


def test_a_reserved_sku_missing_from_the_file_is_reported(portal, ready_inbound):
    upload = io.BytesIO(packing_file([(1, "TEE", 30, "", "", "", ""), (2, "CAP", 5, "", "", "", "")]))
    upload.name = "short.xlsx"
    response = portal.post(reverse("inbound:packing", args=[ready_inbound.pk]), {"method": "import", "file": upload})
    assert response.status_code == 400
    with scopes_disabled():
        job = Job.objects.get(kind="inbound_packing_import")
    assert [None, "", "MUG: 10 reserved, but no box of the file holds it."] in job.result["problems"]


# --- Shelving (item 7) -------------------------------------------------------------------------


def test_a_refused_shelving_forgets_the_typed_quantity(client, submitted, make_staff, bins):
    clerk = make_staff("warehouse")
    with scopes_disabled():
        inbound_mark_arrived(actor=clerk, inbound=submitted)
        for box in submitted.boxes.prefetch_related("items"):
            counts = {item.product_id: (item.quantity, 0) for item in box.items.all()}
            inbound_count_box(actor=clerk, inbound=submitted, box=box, counts=counts)
        inbound_finish_receiving(actor=clerk, inbound=submitted)
    client.force_login(clerk)
    url = reverse("backoffice:inbound-shelve", args=[submitted.number])
    response = client.post(url, {"bin": "A-01-01", "code": "NOPE", "quantity": "25"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'name="quantity" value=""' in body and 'value="NOPE"' in body
    assert (
        'id="shelve-code" name="code" value="NOPE" autocomplete="off" spellcheck="false" autofocus data-scan-focus'
        in body
    )
    # An empty quantity is one unit: the next scan shelves 1.
    response = client.post(url, {"bin": "A-01-01", "code": "TEE", "quantity": ""}, follow=True)
    assert any("Shelved 1 × TEE into A-01-01." in m for _, m in flashes(response))
