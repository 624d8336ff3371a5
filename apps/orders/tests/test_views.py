import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.inventory.models import StockBalance
from apps.orders.choices import OrderStatus
from apps.orders.models import Order
from apps.orders.services import order_create, order_submit

from .conftest import RECIPIENT


@pytest.fixture
def client_a(client, world):
    client.force_login(world.user)
    return client


def form_post(world, **changes):
    data = {
        **RECIPIENT,
        "warehouse": world.warehouse.code,
        "external_ref": "",
        "note": "",
        "channel": "",
        "sku": ["TEE"],
        "quantity": ["2"],
        "save": "1",
    }
    data.update(changes)
    return data


def test_create_saves_a_confirming_order_and_says_so(client_a, world):
    response = client_a.post(reverse("orders:create"), form_post(world), follow=True)
    order = Order.objects.get()
    assert order.status == OrderStatus.CONFIRMING
    assert f"Order {order.number} saved" in response.content.decode()
    assert order.lines.get().quantity == 2


def test_submit_shipment_from_the_form_goes_to_pending_shipment(client_a, world):
    data = form_post(world, channel="dhl-express")
    del data["save"]
    data["submit"] = "1"
    response = client_a.post(reverse("orders:create"), data, follow=True)
    order = Order.objects.get()
    assert order.status == OrderStatus.PENDING_SHIPMENT
    assert order.channel == world.express
    assert "Pending Shipment" in response.content.decode()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"phone": "12"}, "not a"),
        ({"postal_code": "ABC"}, "5 digits"),
        ({"country": ""}, "required"),
        ({"sku": ["NOPE"], "quantity": ["1"]}, "“NOPE” is not one of your products"),
        ({"sku": ["TEE"], "quantity": ["0"]}, "TEE: the quantity must be a whole number from 1 to 100,000."),
    ],
)
def test_bad_input_is_shown_on_the_form_and_nothing_is_saved(client_a, world, change, words):
    response = client_a.post(reverse("orders:create"), form_post(world, **change))
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not Order.objects.exists()


def test_the_list_shows_tabs_with_counts_and_filters(client_a, world):
    for ref in ("A-1", "A-2"):
        order_create(actor=world.user, data=world.data(external_ref=ref))
    order_submit(
        actor=world.user,
        order=order_create(actor=world.user, data=world.data(lines=[(world.products["MUG"], 5)], external_ref="A-3")),
    )
    page = client_a.get(reverse("orders:list")).content.decode()
    assert 'data-testid="abnormal-banner"' in page
    response = client_a.get(reverse("orders:list"), {"status": "confirming"})
    assert [c for c in response.context["counts"].items() if c[0] in ("confirming", "abnormal", "all")] == [
        ("confirming", (2, False)),
        ("abnormal", (1, False)),
        ("all", (3, False)),
    ]
    assert {o.external_ref for o in response.context["page"].rows} == {"A-1", "A-2"}
    found = client_a.get(reverse("orders:list"), {"q": "A-3"}).context["page"].rows
    assert [o.external_ref for o in found] == ["A-3"]
    by_sku = client_a.get(reverse("orders:list"), {"sku": "mug"}).context["page"].rows
    assert [o.external_ref for o in by_sku] == ["A-3"]


def test_the_list_runs_the_same_number_of_queries_for_more_orders(client_a, world):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client_a.get(reverse("orders:list")).status_code == 200
        return len(ctx.captured_queries)

    order_create(actor=world.user, data=world.data())
    few = count()
    for _ in range(6):
        order_create(actor=world.user, data=world.data(lines=[(world.products["TEE"], 1), (world.products["MUG"], 1)]))
    assert count() == few


def test_keyset_pages_walk_every_order_once(client_a, world, monkeypatch):
    from apps.orders import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    made = [order_create(actor=world.user, data=world.data()).number for _ in range(5)]
    seen, params = [], {}
    while True:
        page = client_a.get(reverse("orders:list"), params).context["page"]
        seen += [o.number for o in page.rows]
        if not page.next_after:
            break
        params = {"after": page.next_after}
    assert seen == made[::-1]
    back = client_a.get(reverse("orders:list"), {"before": page.rows[0].id}).context["page"]
    assert [o.number for o in back.rows] == made[::-1][2:4]


def test_a_date_range_pages_newest_created_first_and_walks_every_order_once(client_a, world, monkeypatch):
    """With a date range the list pages by (created at, id): each order once, ties in the time by id."""
    from datetime import datetime, timedelta

    from django.utils import timezone

    from apps.orders import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    noon = timezone.make_aware(datetime(2026, 3, 10, 12))
    made = [order_create(actor=world.user, data=world.data()) for _ in range(6)]
    hours = [5, -1, 3, 3, 0, 3]  # made[1] falls outside the range; three orders share 15:00
    for order, h in zip(made, hours, strict=True):
        Order.objects.filter(pk=order.pk).update(created_at=noon + timedelta(hours=h) - timedelta(days=h < 0))
    expected = [made[0], made[5], made[3], made[2], made[4]]
    expected = [o.number for o in expected]
    dates = {"created_from": "2026-03-10", "created_to": "2026-03-10"}
    seen, params = [], dict(dates)
    while True:
        page = client_a.get(reverse("orders:list"), params).context["page"]
        seen += [o.number for o in page.rows]
        if not page.next_after:
            break
        params = {**dates, "after": page.next_after}
    assert seen == expected
    back = client_a.get(reverse("orders:list"), {**dates, "before": page.rows[0].id}).context["page"]
    assert [o.number for o in back.rows] == expected[2:4]


def test_detail_shows_the_timeline_and_the_actions_allowed(client_a, world):
    order = order_create(actor=world.user, data=world.data())
    page = client_a.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert 'data-testid="timeline"' in page and "Order created" in page
    assert 'data-testid="edit-order"' in page and 'data-testid="cancel-order"' in page


def test_a_mistyped_order_number_is_a_404(client_a, world):
    order = order_create(actor=world.user, data=world.data())
    typo = order.number[:-1] + str((int(order.number[-1]) + 1) % 10)
    assert client_a.get(reverse("orders:detail", args=[typo])).status_code == 404


def test_submit_cancel_and_copy_from_the_order_page(client_a, world):
    order = order_create(actor=world.user, data=world.data())
    response = client_a.post(reverse("orders:submit", args=[order.number]), follow=True)
    assert "Pending Shipment" in response.content.decode()
    assert StockBalance.objects.get(product=world.products["TEE"]).allocated == 1
    client_a.post(reverse("orders:cancel", args=[order.number]))
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert StockBalance.objects.get(product=world.products["TEE"]).allocated == 0
    response = client_a.post(reverse("orders:copy", args=[order.number]))
    copy = Order.objects.exclude(pk=order.pk).get()
    assert response.url == reverse("orders:edit", args=[copy.number])


def test_editing_a_pending_shipment_order_is_refused_with_a_message(client_a, world):
    order = order_submit(actor=world.user, order=order_create(actor=world.user, data=world.data()))
    response = client_a.post(reverse("orders:edit", args=[order.number]), form_post(world, city="Oakland"), follow=True)
    assert "can no longer be edited" in response.content.decode()
    order.refresh_from_db()
    assert order.city == "San Francisco"


def test_bulk_submit_and_cancel_report_each_order(client_a, world):
    good = order_create(actor=world.user, data=world.data())
    short = order_create(actor=world.user, data=world.data(lines=[(world.products["MUG"], 9)]))
    response = client_a.post(reverse("orders:bulk"), {"ids": [good.pk, short.pk], "action": "submit"}, follow=True)
    text = response.content.decode()
    assert "1 order submitted" in text and short.number in text
    client_a.post(reverse("orders:bulk"), {"ids": [good.pk, short.pk], "action": "cancel"})
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.CANCELLED}


def test_sku_search_shows_available_stock(client_a, world):
    order_submit(actor=world.user, order=order_create(actor=world.user, data=world.data()))
    body = client_a.get(reverse("orders:sku-search"), {"q": "tee", "warehouse": world.warehouse.code}).json()
    assert body["results"] == [{"sku": "TEE", "name": "TEE name", "available": 9}]


def test_the_quote_lists_channels_cheapest_first(client_a, world):
    body = client_a.post(
        reverse("orders:quote"), {**RECIPIENT, "warehouse": world.warehouse.code, "sku": ["TEE"], "quantity": ["1"]}
    ).json()
    assert [o["code"] for o in body["options"]] == ["ups-ground", "dhl-express"]
    bad = client_a.post(
        reverse("orders:quote"), {"warehouse": world.warehouse.code, "country": "ZZ", "sku": ["TEE"], "quantity": ["1"]}
    )
    assert bad.status_code == 400 and "country" in bad.json()["message"]


def test_auto_recognition_fills_the_fields(client_a, world):
    text = "Jane Doe\n500 Market St Apt 4\nSan Francisco, CA 94105\nUSA\n+1 415-555-0142"
    body = client_a.post(reverse("orders:recognize"), {"text": text}).json()
    assert body["fields"]["postal_code"] == "94105"
    assert body["fields"]["country"] == "US"
    assert client_a.post(reverse("orders:recognize"), {"text": " "}).status_code == 400


def test_the_dashboard_warns_about_abnormal_orders(client_a, world):
    assert 'data-testid="abnormal-orders-banner"' not in client_a.get(reverse("portal:dashboard")).content.decode()
    order_submit(
        actor=world.user, order=order_create(actor=world.user, data=world.data(lines=[(world.products["MUG"], 5)]))
    )
    page = client_a.get(reverse("portal:dashboard")).content.decode()
    assert 'data-testid="abnormal-orders-banner"' in page and "1 Abnormal order" in page


def test_json_helpers_answer_json(client_a, world):
    for data in ({}, {"warehouse": "abc", "sku": ["TEE"], "quantity": ["1"]}):
        response = client_a.post(reverse("orders:quote"), data)
        assert response.status_code == 400
        assert json.loads(response.content)["message"]


def test_no_count_on_the_list_runs_without_a_limit(client_a, world, make_staff):
    """DESIGN §3: tab counts are capped, never an unbounded COUNT(*) over a big table."""
    from django.test import Client

    order_create(actor=world.user, data=world.data())
    staff = Client()
    staff.force_login(make_staff("order_group"))
    for viewer, url in ((client_a, reverse("orders:list")), (staff, reverse("backoffice:order-list"))):
        with CaptureQueriesContext(connection) as ctx:
            assert viewer.get(url).status_code == 200
        counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
        assert counts, "the tabs show counts"
        assert all(sql.upper().count("LIMIT") >= sql.upper().count("COUNT(") for sql in counts), counts
