from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from apps.core.tenancy import staff_scope
from apps.orders.models import Order
from apps.shipping.models import MeasuredTransit
from apps.tracking.models import Shipment
from apps.tracking.selectors import transit_times
from apps.tracking.tasks import transit_publish


def test_p50_and_p90_per_channel_and_country(make_order, client, make_staff):
    now = timezone.now()
    for days in (1, 2, 3, 4, 10):
        order = make_order(status="delivered", tracking=f"1ZT{days:08d}")
        Order.objects.filter(pk=order.pk).update(shipped_at=now - timedelta(days=12), delivered_at=now)
        Shipment.objects.create(order=order, number=order.tracking_number, delivered_at=now - timedelta(days=12 - days))
    other = make_order(status="delivered", tracking="1ZTCA000001")
    Order.objects.filter(pk=other.pk).update(country="CA", shipped_at=now - timedelta(days=6), delivered_at=now)
    make_order(tracking="1ZTSHIPPED1")  # still in delivery: not counted
    with staff_scope():
        lanes = {(lane.channel, lane.country): lane for lane in transit_times()}
    us = lanes[("ups-ground", "US")]
    assert (us.deliveries, us.p50_days, us.p90_days, us.measured) == (5, 3.0, 7.6, False)
    assert (lanes[("ups-ground", "CA")].deliveries, lanes[("ups-ground", "CA")].p50_days) == (1, 6.0)
    client.force_login(make_staff("logistics"))
    page = client.get(reverse("backoffice:tracking-transit")).content.decode()
    assert 'data-country="US"' in page and "7.6" in page


# --- The quotes use the measured days (the daily job) --------------------------------------------


def delivered(make_order, count, *, days, country="US"):
    """``count`` orders on UPS Ground to ``country``, delivered ``days`` after the hand-over."""
    now = timezone.now()
    for n in range(count):
        order = make_order(status="delivered", tracking=f"1ZQ{country}{days:02d}{n:05d}")
        Order.objects.filter(pk=order.pk).update(
            country=country, shipped_at=now - timedelta(days=days), delivered_at=now
        )


def publish(capture):
    with capture(execute=True):  # the job's after-commit bump of the compiled rates
        return transit_publish()


def order_form_quote(client, world, country="US", postal_code="94105"):
    """The order form's "Select a shipping method" (the JSON its script shows)."""
    body = client.post(
        reverse("orders:quote"),
        {"country": country, "postal_code": postal_code, "warehouse": "LAX1", "sku": ["TEE"], "quantity": ["1"]},
    ).json()
    return {o["code"]: o for o in body["options"]}


def test_20_deliveries_put_the_measured_days_on_the_quote(
    make_order, world, client, api_client, make_staff, django_capture_on_commit_callbacks
):
    delivered(make_order, 18, days=2)
    delivered(make_order, 2, days=4)  # p50 2.0, p90 2.2 days → quoted 2–3
    delivered(make_order, 25, days=9, country="CA")  # another lane: p50 = p90 = 9.0 → 9–9
    assert publish(django_capture_on_commit_callbacks) == {"lanes": 2, "measured": 2, "removed": 0}
    client.force_login(world.user)
    options = order_form_quote(client, world)
    assert (options["ups-ground"]["days"], options["ups-ground"]["transit_source"]) == ("2–3 days", "measured")
    assert (options["dhl-express"]["days"], options["dhl-express"]["transit_source"]) == ("1–2 days", "channel")
    api_client.force_login(world.user)
    body = api_client.post(
        "/api/v1/shipping/quotes/",
        {"warehouse": "LAX1", "country": "GB", "postal_code": "SW1A 1AA", "parcel": {"weight_g": 400}},
        format="json",
    ).json()
    ground_gb = next(o for o in body["options"] if o["channel"] == "ups-ground")
    assert (ground_gb["transit_days_min"], ground_gb["transit_days_max"], ground_gb["transit_source"]) == (
        3,
        5,
        "channel",
    )  # no deliveries to GB: the US and CA lanes leave it alone
    canada = order_form_quote(client, world, country="CA", postal_code="K1A 0B1")["ups-ground"]
    assert (canada["days"], canada["transit_source"]) == ("9 days", "measured")
    client.force_login(make_staff("logistics"))  # the staff page says what the quotes show
    page = client.get(reverse("backoffice:tracking-transit")).content.decode()
    assert "2–3 days <span" in page and "(channel: 3–5)" in page and "9 days <span" in page


def test_19_deliveries_leave_the_channels_days(make_order, world, client, django_capture_on_commit_callbacks):
    delivered(make_order, 19, days=1)
    assert publish(django_capture_on_commit_callbacks) == {"lanes": 1, "measured": 0, "removed": 0}
    client.force_login(world.user)
    ground = order_form_quote(client, world)["ups-ground"]
    assert (ground["days"], ground["transit_source"]) == ("3–5 days", "channel")
    with staff_scope():
        lane = MeasuredTransit.objects.get()
    assert (lane.country, lane.deliveries, lane.p50_days, lane.measured) == ("US", 19, Decimal("1.0"), False)


def test_the_daily_job_is_idempotent_and_scheduled(make_order, world, settings, django_capture_on_commit_callbacks):
    from config.celery import app

    delivered(make_order, 20, days=3)
    first = publish(django_capture_on_commit_callbacks)
    with staff_scope():
        rows = list(MeasuredTransit.objects.values_list("pk", "channel__code", "country", "deliveries", "p50_days"))
    assert publish(django_capture_on_commit_callbacks) == first == {"lanes": 1, "measured": 1, "removed": 0}
    with staff_scope():
        again = list(MeasuredTransit.objects.values_list("pk", "channel__code", "country", "deliveries", "p50_days"))
    assert again == rows == [(rows[0][0], "ups-ground", "US", 20, Decimal("3.0"))]
    app.loader.import_default_modules()
    assert "tracking.transit_publish" in app.tasks
    assert any(job["task"] == "tracking.transit_publish" for job in settings.CELERY_BEAT_SCHEDULE.values())
