import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from apps.inbound.models import InboundOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal(client, user_a):
    client.force_login(user_a)
    return client


def only_inbound():
    with scopes_disabled():
        return InboundOrder.objects.get()


def test_four_steps_in_the_portal(portal, warehouse, products):
    tee, mug, cap = products
    response = portal.post(
        reverse("inbound:create"),
        {"warehouse": warehouse.pk, "sku": ["tee", "MUG", ""], "quantity": ["30", "10", ""], "next": "1"},
        follow=True,
    )
    inbound = only_inbound()
    assert f"Inbound {inbound.number} saved as a draft." in response.content.decode()
    assert "Fill in the packing list (step 3)" in response.content.decode()

    # Step 3, mixed boxes that do not add up: told the difference, nothing saved.
    url = reverse("inbound:packing", args=[inbound.pk])
    response = portal.post(
        url,
        {
            "method": "mixed",
            f"qty-{mug.pk}": ["10", ""],
            f"qty-{tee.pk}": ["10", "19"],
            "length_cm": ["40", "40"],
            "width_cm": ["30", "30"],
            "height_cm": ["30", "20"],
            "weight_kg": ["8", "5"],
        },
    )
    assert response.status_code == 400 and "TEE: 1 fewer packed than reserved" in response.content.decode()
    with scopes_disabled():
        assert inbound.boxes.count() == 0
    response = portal.post(
        url,
        {
            "method": "mixed",
            f"qty-{mug.pk}": ["10", ""],
            f"qty-{tee.pk}": ["10", "20"],
            "length_cm": ["40", "40"],
            "width_cm": ["30", "30"],
            "height_cm": ["30", "20"],
            "weight_kg": ["8", "5"],
        },
        follow=True,
    )
    assert "Packing list saved: 2 boxes." in response.content.decode()

    for kind in (
        "product-list.pdf",
        "product-list.xlsx",
        "barcodes.pdf",
        "packing-list.pdf",
        "packing-list.xlsx",
        "box-marks.pdf",
    ):
        download = portal.get(reverse("inbound:document", args=[inbound.pk, kind]))
        assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment"), kind

    response = portal.post(
        reverse("inbound:shipping", args=[inbound.pk]),
        {
            "carrier": "DHL",
            "tracking_number": "JD0001",
            "transport_mode": "express",
            "ship_date": "2026-11-20",
            "eta": "2026-11-28",
            "submit": "1",
        },
        follow=True,
    )
    assert f"Inbound {inbound.number} submitted." in response.content.decode()
    assert only_inbound().status == "submitted"

    # Locked now: step 1 and 3 refuse with a clear message; step 4 still changes.
    response = portal.post(
        reverse("inbound:lines", args=[inbound.pk]),
        {"warehouse": warehouse.pk, "sku": ["TEE"], "quantity": ["1"]},
        follow=True,
    )
    assert "can no longer change" in response.content.decode()
    response = portal.post(
        reverse("inbound:shipping", args=[inbound.pk]),
        {"carrier": "UPS", "tracking_number": "1Z", "transport_mode": "air", "ship_date": "2026-11-20"},
        follow=True,
    )
    assert "Shipping information saved." in response.content.decode() and only_inbound().carrier == "UPS"


def test_single_sku_packing_from_the_page(portal, warehouse, products):
    tee = products[0]
    portal.post(reverse("inbound:create"), {"warehouse": warehouse.pk, "sku": ["TEE"], "quantity": ["25"]})
    inbound = only_inbound()
    response = portal.post(
        reverse("inbound:packing", args=[inbound.pk]),
        {"method": "single", f"units-{tee.pk}": "10", f"weight_kg-{tee.pk}": "4"},
        follow=True,
    )
    assert "Packing list saved: 3 boxes." in response.content.decode()
    with scopes_disabled():
        assert [b.items.get().quantity for b in inbound.boxes.all()] == [10, 10, 5]


def test_step_one_bad_input(portal, warehouse, products):
    response = portal.post(
        reverse("inbound:create"), {"warehouse": warehouse.pk, "sku": ["NOPE", "TEE"], "quantity": ["1", "x"]}
    )
    body = response.content.decode()
    assert response.status_code == 400 and "“NOPE” is not one of your SKUs." in body and "whole number" in body
    response = portal.post(reverse("inbound:create"), {"warehouse": "", "sku": ["TEE"], "quantity": ["1"]})
    assert "logistics plan" in response.content.decode()
    with scopes_disabled():
        assert not InboundOrder.objects.exists()


def test_cancel_draft(portal, ready_inbound):
    response = portal.post(reverse("inbound:cancel", args=[ready_inbound.pk]), follow=True)
    assert "cancelled" in response.content.decode() and only_inbound().status == "cancelled"


def test_in_transit_shows_on_the_inventory_page(portal, ready_inbound):
    portal.post(reverse("inbound:submit", args=[ready_inbound.pk]))
    rows = portal.get(reverse("inventory:list")).context["page"].rows
    assert sorted((b.product.sku, b.in_transit) for b in rows) == [("CAP", 5), ("MUG", 10), ("TEE", 30)]


def test_dashboard_tells_about_arrivals_and_slips(portal, ready_inbound, user_a, make_staff, products):
    from apps.inbound.models import InboundBox
    from apps.inbound.receiving import inbound_count_box, inbound_finish_receiving, inbound_mark_arrived

    portal.post(reverse("inbound:submit", args=[ready_inbound.pk]))
    clerk = make_staff("warehouse")
    with scopes_disabled():
        inbound_mark_arrived(actor=clerk, inbound=ready_inbound)
    body = portal.get(reverse("portal:dashboard")).content.decode()
    assert f"{ready_inbound.number}</a> at LAX1:" in body and "being counted" in body
    with scopes_disabled():
        for box in InboundBox.objects.filter(inbound=ready_inbound):
            inbound_count_box(actor=clerk, inbound=ready_inbound, box=box, counts={})
        inbound_finish_receiving(actor=clerk, inbound=ready_inbound)
    body = portal.get(reverse("portal:dashboard")).content.decode()
    assert "differences found (Damage/Gain slip)" in body
