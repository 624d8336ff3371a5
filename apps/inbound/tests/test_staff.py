"""Back-office inbound pages: a warehouse clerk scans, counts, receives and shelves an inbound
through the pages; wrong scans and bad numbers become messages; roles see what they may."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from apps.catalog.services import product_create
from apps.core.tenancy import customer_scope
from apps.inbound.choices import InboundStatus
from apps.inbound.models import DamageGainLine, InboundBox, InboundBoxItem, InboundOrder
from apps.inbound.receiving import inbound_mark_arrived
from apps.inbound.services import BoxSpec, inbound_create, inbound_pack, inbound_submit
from apps.inventory.models import BinStock
from apps.warehouses.services import customer_warehouses_set

pytestmark = pytest.mark.django_db

TEE_UPC = "012345678905"


def flashes(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def submitted(user_a, ready_inbound):
    with customer_scope(user_a.customer):
        inbound_submit(actor=user_a, inbound=ready_inbound)
        ready_inbound.refresh_from_db()
    return ready_inbound


@pytest.fixture
def clerk(client, make_staff):
    user = make_staff("warehouse")
    client.force_login(user)
    return user


@pytest.fixture
def arrived(submitted, make_staff):
    with scopes_disabled():
        inbound_mark_arrived(actor=make_staff("warehouse"), inbound=submitted)
    return submitted


def url(name, inbound=None, *args):
    return reverse(f"backoffice:{name}", args=[inbound.number, *args] if inbound else args)


def status_of(inbound) -> str:
    with scopes_disabled():
        return InboundOrder.objects.get(pk=inbound.pk).status


def test_a_clerk_receives_and_shelves_an_inbound_through_the_pages(client, clerk, submitted, products, bins):
    tee, mug, cap = products
    inbound = submitted

    # The work queue lists it; scanning its number opens it.
    body = client.get(url("inbound-list")).content.decode()
    assert inbound.number in body and "Scan an inbound number or box mark" in body
    response = client.post(url("inbound-scan"), {"code": inbound.number.lower()})
    assert response.status_code == 302 and response.url == url("inbound-detail", inbound)
    page = client.get(response.url)
    assert "Mark arrived" in page.content.decode()

    response = client.post(url("inbound-arrive", inbound), follow=True)
    assert any(f"Inbound {inbound.number} marked arrived at LAX1: 2 boxes to count" in m for m in flashes(response))
    assert status_of(inbound) == InboundStatus.ARRIVED
    assert "Count box 1" in response.content.decode()

    # A box mark goes straight to that box's page.
    response = client.post(url("inbound-scan"), {"code": f"{inbound.number}-001"})
    assert response.url == url("inbound-box", inbound, 1)
    body = client.get(response.url).content.decode()
    assert f'name="good-{tee.pk}"' in body and "first seen" in body  # nothing measured yet

    # Box 1 by form: MUG 8 good + 1 damaged (1 short).
    response = client.post(
        url("inbound-box", inbound, 1),
        {
            "action": "save",
            f"good-{tee.pk}": "10",
            f"damaged-{tee.pk}": "",
            f"good-{mug.pk}": "8",
            f"damaged-{mug.pk}": "1",
            f"good-{cap.pk}": "5",
            f"damaged-{cap.pk}": "0",
        },
        follow=True,
    )
    assert any(
        "Box 1 of" in m and "MUG 8 + 1 damaged" in m and "1 box left to count: 2" in m for m in flashes(response)
    )
    assert status_of(inbound) == InboundStatus.RECEIVING
    assert "Boxes not counted yet: <strong>2</strong>" in response.content.decode()

    # Box 2: TEE's UPC scanned twenty times.
    for _ in range(19):
        assert client.post(url("inbound-box-scan", inbound, 2), {"code": TEE_UPC}).status_code == 302
    response = client.post(url("inbound-box-scan", inbound, 2), {"code": TEE_UPC}, follow=True)
    assert "+1 TEE (now 20 good)" in flashes(response)[-1]
    assert response.redirect_chain[-1][0] == url("inbound-box", inbound, 2)

    response = client.post(url("inbound-box", inbound, 2), {"action": "done"}, follow=True)
    assert any("Box 2 of" in m and "TEE 20" in m and "Every box is counted" in m for m in flashes(response))

    # Finish receiving: the normal slip shows the MUG differences.
    response = client.post(url("inbound-finish", inbound), follow=True)
    assert any("Damage/Gain slip: MUG damaged 1, MUG short 1" in m for m in flashes(response))
    body = response.content.decode()
    assert 'data-testid="slip"' in body and "Normal (found at receiving)" in body
    assert status_of(inbound) == InboundStatus.RECEIVED

    # Shelve: TEE by scanning the bin then the UPC with a quantity, MUG 7, one MUG short, CAP 5.
    response = client.post(url("inbound-shelve", inbound), {"bin": "a-01-01", "code": TEE_UPC, "quantity": "30"})
    assert response.status_code == 302 and response.url.endswith("?bin=A-01-01")
    page = client.get(response.url)
    assert any("Shelved 30 × TEE into A-01-01. TEE: 0 left to shelve." in m for m in flashes(page))
    assert 'value="A-01-01"' in page.content.decode()  # the bin stays for the next scan
    client.post(url("inbound-shelve", inbound), {"bin": "A-01-02", "code": "mug", "quantity": "7"})
    response = client.post(
        url("inbound-difference", inbound),
        {"code": "MUG", "kind": "short", "quantity": "1", "note": "not on the pallet"},
        follow=True,
    )
    assert any("Reported short 1 × MUG" in m and "MUG: 0 left to shelve" in m for m in flashes(response))
    response = client.post(
        url("inbound-shelve", inbound), {"bin": "A-01-03", "code": "CAP", "quantity": "5"}, follow=True
    )
    assert any(f"Everything is shelved: inbound {inbound.number} is completed." in m for m in flashes(response))
    assert status_of(inbound) == InboundStatus.COMPLETED
    body = response.content.decode()
    assert "Abnormal (found while shelving)" in body and "not on the pallet" in body
    with scopes_disabled():
        assert {(s.product.sku, s.bin.code, s.quantity) for s in BinStock.objects.select_related("product", "bin")} == {
            ("TEE", "A-01-01", 30),
            ("MUG", "A-01-02", 7),
            ("CAP", "A-01-03", 5),
        }
        assert DamageGainLine.objects.filter(slip__kind="abnormal", kind="short", quantity=1, product=mug).exists()


def test_a_box_scan_by_htmx_swaps_the_counts_with_the_flash(client, clerk, arrived):
    response = client.post(url("inbound-box-scan", arrived, 2), {"code": TEE_UPC}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="box-work"' in body and 'hx-swap-oob="true"' in body and "+1 TEE (now 1 good)" in body
    assert "<html" not in body and 'data-testid="total-good">1 good' in body


def test_an_unexpected_sku_is_added_to_the_box_by_scanning_it(client, clerk, arrived, products):
    response = client.post(url("inbound-box-scan", arrived, 2), {"code": "cap"}, follow=True)
    assert "+1 CAP (now 1 good) — not on this box's packing list; added as an extra SKU" in flashes(response)[-1]
    assert 'data-sku="CAP"' in response.content.decode()
    with scopes_disabled():
        item = InboundBoxItem.objects.get(box__inbound=arrived, box__box_no=2, product=products[2])
    assert (item.quantity, item.good) == (0, 1)


def test_wrong_scans_become_messages(client, clerk, arrived, user_a, user_b, warehouse, products):
    with customer_scope(user_a.customer):
        other = inbound_create(actor=user_a, warehouse=warehouse, lines=[(products[1], 2)])
        inbound_pack(actor=user_a, inbound=other, method="mixed", boxes=[BoxSpec(items=[(products[1], 2)])])
    with customer_scope(user_b.customer):
        product_create(actor=user_b, data={"sku": "BETA-1", "name": "B", "declared_value": "1", "upc": "999000111222"})

    # On the list: nonsense and an unknown number.
    response = client.post(url("inbound-scan"), {"code": "hello"}, follow=True)
    assert "“hello” is not an inbound number or a box mark" in flashes(response)[0]
    response = client.post(url("inbound-scan"), {"code": "IN99999999999"}, follow=True)
    assert flashes(response) == ["No inbound IN99999999999."]
    response = client.post(url("inbound-scan"), {"code": f"{arrived.number}-009"}, follow=True)
    assert flashes(response) == [f"Inbound {arrived.number} has no box 9."]
    response = client.post(url("inbound-scan"), {"code": ""}, follow=True)
    assert "Scan or type an inbound number" in flashes(response)[0]

    # On a box page: an unknown code, a box of another inbound, another customer's SKU and UPC.
    box_url = url("inbound-box", arrived, 1)
    for code, expected in (
        ("NOPE", f"Not counted: “NOPE” is not a SKU or UPC of customer {user_a.customer.code}."),
        (f"{other.number}-001", f"{other.number}-001 is a box of inbound {other.number}"),
        ("BETA-1", f"“BETA-1” is not a SKU or UPC of customer {user_a.customer.code}"),
        ("999000111222", "is not a SKU or UPC of customer"),
        ("", "Nothing scanned"),
    ):
        response = client.post(url("inbound-box-scan", arrived, 1), {"code": code}, follow=True)
        assert response.redirect_chain[-1][0] == box_url
        assert any(expected in m for m in flashes(response)), (code, flashes(response))
    with scopes_disabled():  # nothing was counted by any of them
        assert not InboundBoxItem.objects.filter(box__inbound=arrived, good__isnull=False).exists()
        assert InboundBox.objects.get(inbound=other, box_no=1).items.get().good is None

    # Another box mark of the same inbound opens that box.
    response = client.post(url("inbound-box-scan", arrived, 1), {"code": f"{arrived.number}-002"})
    assert response.url == url("inbound-box", arrived, 2)


def test_bad_numbers_are_refused_with_a_message(client, clerk, arrived, products):
    tee = products[0]
    for value in ("-1", "abc", "1.5", "²"):
        response = client.post(url("inbound-box", arrived, 2), {f"good-{tee.pk}": value, f"damaged-{tee.pk}": "0"})
        assert response.status_code == 400, value
        assert "Good units must be a whole number of 0 or more" in flashes(response)[0]
        assert f'value="{value}"' in response.content.decode()  # the typed value stays for correction
    with scopes_disabled():
        assert not InboundBox.objects.get(inbound=arrived, box_no=2).received


def test_large_counts_ask_for_confirmation(client, clerk, arrived, products):
    tee = products[0]
    data = {"action": "save", f"good-{tee.pk}": "201", f"damaged-{tee.pk}": ""}
    response = client.post(url("inbound-box", arrived, 2), data)
    assert response.status_code == 400 and 'data-testid="confirm-large"' in response.content.decode()
    assert "tick “confirm large counts”" in flashes(response)[0]
    response = client.post(url("inbound-box", arrived, 2), {**data, "confirm_large": "1"}, follow=True)
    assert any("TEE 201" in m for m in flashes(response))


def test_service_errors_are_messages_not_500s(client, clerk, submitted, products, bins):
    # Counting before arrival, finishing before receiving, shelving before received.
    response = client.post(url("inbound-box", submitted, 1), {"action": "done"}, follow=True)
    assert "boxes are counted after it has arrived" in flashes(response)[0]
    response = client.post(url("inbound-finish", submitted), follow=True)
    assert "count its boxes before finishing receiving" in flashes(response)[0]
    response = client.post(url("inbound-shelve", submitted), {"bin": "A-01-01", "code": "TEE", "quantity": "1"})
    assert response.status_code == 400 and "goods are shelved after receiving is finished" in flashes(response)[0]
    response = client.post(url("inbound-difference", submitted), {"code": "TEE", "kind": "short", "quantity": "1"})
    assert response.status_code == 400 and "No difference reported" in flashes(response)[0]
    # Arriving twice.
    client.post(url("inbound-arrive", submitted))
    response = client.post(url("inbound-arrive", submitted), follow=True)
    assert "cannot become arrived" in flashes(response)[-1]
    # Finishing with a box not counted.
    client.post(url("inbound-box", submitted, 1), {"action": "done"})
    response = client.post(url("inbound-finish", submitted), follow=True)
    assert "Boxes not counted yet: 2" in flashes(response)[-1]


def test_shelving_form_refuses_bad_input(client, clerk, arrived, products, bins):
    client.post(url("inbound-box", arrived, 1), {"action": "done"})
    client.post(url("inbound-box", arrived, 2), {"action": "done"})
    client.post(url("inbound-finish", arrived))
    assert status_of(arrived) == InboundStatus.RECEIVED
    for data, expected in (
        ({"bin": "Z-99", "code": "TEE", "quantity": "1"}, "There is no bin “Z-99” in LAX1"),
        ({"bin": "A-01-01", "code": "", "quantity": "1"}, "Scan or type the SKU or UPC"),
        ({"bin": "A-01-01", "code": "TEE", "quantity": "-2"}, "The quantity must be a whole number of 1 or more"),
        ({"bin": "A-01-01", "code": "TEE", "quantity": "0"}, "The quantity must be a whole number of 1 or more"),
        ({"bin": "A-01-01", "code": "TEE", "quantity": "x"}, "The quantity must be a whole number of 1 or more"),
        ({"bin": "A-01-01", "code": "MUG", "quantity": "1"}, "Only 0 of MUG are left to shelve"),
    ):
        response = client.post(url("inbound-shelve", arrived), data)
        assert response.status_code == 400, data
        assert expected in flashes(response)[-1], (data, flashes(response))
    response = client.post(url("inbound-difference", arrived), {"code": "TEE", "kind": "lost", "quantity": "-1"})
    assert response.status_code == 400
    message = flashes(response)[-1]
    assert "Choose short, over or damaged." in message and "whole number of 1 or more" in message


def test_customer_service_may_look_but_not_act(client, make_staff, arrived):
    client.force_login(make_staff("customer_service"))
    assert client.get(url("inbound-list")).status_code == 200
    body = client.get(url("inbound-detail", arrived)).content.decode()
    assert arrived.number in body and "Finish receiving" not in body
    assert client.get(url("inbound-box", arrived, 1)).status_code == 200
    for name, args in (
        ("inbound-arrive", ()),
        ("inbound-finish", ()),
        ("inbound-shelve", ()),
        ("inbound-difference", ()),
        ("inbound-box", (1,)),
        ("inbound-box-scan", (1,)),
    ):
        assert client.post(url(name, arrived, *args), {"code": TEE_UPC}).status_code == 403, name
    assert status_of(arrived) == InboundStatus.ARRIVED


def test_customers_get_403(client, user_a, submitted):
    client.force_login(user_a)
    assert client.get(url("inbound-list")).status_code == 403
    assert client.get(url("inbound-detail", submitted)).status_code == 403
    assert client.post(url("inbound-arrive", submitted)).status_code == 403


def test_list_filters_and_work_queue(client, clerk, submitted, user_a, warehouse, products):
    with customer_scope(user_a.customer):
        draft = inbound_create(actor=user_a, warehouse=warehouse, lines=[(products[1], 2)])
    body = client.get(url("inbound-list")).content.decode()
    assert submitted.number in body and draft.number not in body  # drafts are not warehouse work
    body = client.get(url("inbound-list"), {"status": "draft"}).content.decode()
    assert draft.number in body and submitted.number not in body
    body = client.get(url("inbound-list"), {"status": "all", "q": draft.number[-5:]}).content.decode()
    assert draft.number in body and submitted.number not in body
    body = client.get(url("inbound-list"), {"status": "all", "customer": "NOPE"}).content.decode()
    assert submitted.number not in body and "No inbound matches" in body


def _submitted_inbound(user, warehouse, product):
    with customer_scope(user.customer):
        inbound = inbound_create(actor=user, warehouse=warehouse, lines=[(product, 3)])
        inbound_pack(actor=user, inbound=inbound, method="mixed", boxes=[BoxSpec(items=[(product, 3)])])
        from apps.inbound.services import inbound_set_shipping
        from apps.inbound.tests.conftest import SHIPPING

        inbound_set_shipping(actor=user, inbound=inbound, data=SHIPPING)
        inbound_submit(actor=user, inbound=inbound)
    return inbound


def test_list_query_count_does_not_grow_with_rows(
    client, clerk, submitted, user_b, warehouse, django_assert_max_num_queries
):
    client.get(url("inbound-list"))  # warm per-user caches (permissions)
    with CaptureQueriesContext(connection) as one_row:
        assert client.get(url("inbound-list")).status_code == 200
    customer_warehouses_set(actor=None, customer=user_b.customer, warehouses=[warehouse])
    with customer_scope(user_b.customer):
        product = product_create(actor=user_b, data={"sku": "B1", "name": "B1", "declared_value": "1"})
    numbers = [_submitted_inbound(user_b, warehouse, product).number for _ in range(6)]
    with django_assert_max_num_queries(len(one_row.captured_queries)):
        body = client.get(url("inbound-list")).content.decode()
    assert all(n in body for n in numbers) and submitted.number in body
