import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from apps.orders.choices import AbnormalReason, OrderSource, OrderStatus
from apps.orders.models import Order
from apps.orders.services import order_create, order_submit

from .conftest import RECIPIENT


@pytest.fixture
def oms(client, make_staff):
    client.force_login(make_staff("order_group"))
    return client


def test_the_list_shows_every_customers_orders_with_filters(oms, world, customer_b):
    order = order_create(actor=world.user, data=world.data(external_ref="A-1"))
    with scopes_disabled():
        response = oms.get(reverse("backoffice:order-list"), {"customer": world.customer.code})
        assert [o.number for o in response.context["page"].rows] == [order.number]
        assert not oms.get(reverse("backoffice:order-list"), {"customer": customer_b.code}).context["page"].rows
    assert order.number in oms.get(reverse("backoffice:order-list")).content.decode()


def test_the_abnormal_queue_groups_by_reason(oms, world):
    for _ in range(2):
        order_submit(
            actor=world.user, order=order_create(actor=world.user, data=world.data(lines=[(world.products["MUG"], 5)]))
        )
    order_submit(actor=world.user, order=order_create(actor=world.user, data=world.data(recipient={"city": ""})))
    with scopes_disabled():
        rows = oms.get(reverse("backoffice:order-abnormal")).context["rows"]
        listed = oms.get(
            reverse("backoffice:order-list"), {"status": "abnormal", "reason": AbnormalReason.INVALID_ADDRESS}
        )
    assert [(r["abnormal_code"], r["orders"], r["customers"]) for r in rows] == [
        (AbnormalReason.INSUFFICIENT_STOCK, 2, 1),
        (AbnormalReason.INVALID_ADDRESS, 1, 1),
    ]
    assert len(listed.context["page"].rows) == 1


def test_staff_place_an_order_for_a_customer_and_the_timeline_says_so(oms, world):
    url = reverse("backoffice:order-place") + f"?customer={world.customer.code}"
    assert oms.get(url).status_code == 200
    data = {**RECIPIENT, "warehouse": world.warehouse.code, "sku": ["TEE"], "quantity": ["1"], "submit": "1"}
    response = oms.post(url, data, follow=True)
    assert response.status_code == 200
    with scopes_disabled():
        order = Order.objects.get()
        assert (order.customer, order.source, order.status) == (
            world.customer,
            OrderSource.STAFF,
            OrderStatus.PENDING_SHIPMENT,
        )
        assert order.events.first().actor.is_staff
        assert "by staff" in order.events.first().message


def test_staff_submit_cancel_and_note_land_on_the_timeline(oms, world):
    order = order_create(actor=world.user, data=world.data())
    oms.post(reverse("backoffice:order-action", args=[order.number, "submit"]))
    oms.post(reverse("backoffice:order-action", args=[order.number, "note"]), {"message": "Called the customer"})
    oms.post(reverse("backoffice:order-action", args=[order.number, "cancel"]), {"reason": "Duplicate order"})
    with scopes_disabled():
        order.refresh_from_db()
        messages = [e.message for e in order.events.all()]
    assert order.status == OrderStatus.CANCELLED
    assert "Called the customer" in messages and "Cancelled: Duplicate order" in messages


def test_viewing_roles_cannot_act_on_orders(client, make_staff, world):
    order = order_create(actor=world.user, data=world.data())
    client.force_login(make_staff("customer_service"))
    assert client.get(reverse("backoffice:order-detail", args=[order.number])).status_code == 200
    assert client.post(reverse("backoffice:order-action", args=[order.number, "cancel"])).status_code == 403
    assert client.get(reverse("backoffice:order-place")).status_code == 403
    with scopes_disabled():
        order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMING


def test_staff_order_form_helpers_use_the_customers_data(oms, world):
    with scopes_disabled():
        body = oms.get(reverse("backoffice:order-sku-search", args=[world.customer.code]), {"q": "mug"}).json()
        quote = oms.post(
            reverse("backoffice:order-quote", args=[world.customer.code]),
            {**RECIPIENT, "warehouse": world.warehouse.code, "sku": ["TEE"], "quantity": ["1"]},
        ).json()
    assert [r["sku"] for r in body["results"]] == ["MUG"]
    assert quote["options"][0]["code"] == "ups-ground"
    assert oms.get(reverse("backoffice:order-sku-search", args=["C99999"])).status_code == 404
