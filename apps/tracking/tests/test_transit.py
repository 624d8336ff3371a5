from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from apps.core.tenancy import staff_scope
from apps.orders.models import Order
from apps.tracking.models import Shipment
from apps.tracking.selectors import transit_times


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
