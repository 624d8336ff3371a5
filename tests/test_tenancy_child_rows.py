"""Child rows (lines, events, boxes, picks, parcels, plan links) are scoped through their parent's
customer: outside a scope their queries raise, inside one they see that customer's rows only."""

from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import ScopeError

from apps.catalog.models import GeneratedUpc
from apps.core.tenancy import customer_scope, staff_scope
from apps.fulfillment.models import Parcel, PickLine, Wave, WaveOrder
from apps.inbound.choices import DifferenceKind, SlipKind
from apps.inbound.models import (
    DamageGainLine,
    DamageGainSlip,
    InboundBox,
    InboundBoxItem,
    InboundEvent,
    InboundLine,
    InboundOrder,
)
from apps.orders.models import Order, OrderEvent, OrderLine
from apps.shipping.models import Carrier, Channel, CustomerChannel
from apps.tracking.choices import TrackingStatus
from apps.tracking.models import TrackingEvent
from apps.warehouses.models import CustomerWarehouse, Warehouse
from tests.tenancy_makers import make_product

pytestmark = pytest.mark.django_db

CHILD_MODELS = [
    OrderLine,
    OrderEvent,
    InboundLine,
    InboundBox,
    InboundBoxItem,
    InboundEvent,
    DamageGainLine,
    WaveOrder,
    PickLine,
    Parcel,
    TrackingEvent,
    CustomerWarehouse,
    CustomerChannel,
    GeneratedUpc,
]


def _rows_of(user, *, warehouse, channel, clerk) -> dict:
    """One row of every child model, owned (through its parents) by the user's customer.

    ``create`` runs without a scope, as django-scopes allows; only reads are refused."""
    customer, code = user.customer, user.customer.code
    product = make_product(user)
    order = Order.objects.create(customer=customer, number=f"S-{code}", warehouse=warehouse, channel=channel)
    inbound = InboundOrder.objects.create(customer=customer, number=f"I-{code}", warehouse=warehouse, created_by=user)
    box = InboundBox.objects.create(inbound=inbound, box_no=1)
    slip = DamageGainSlip.objects.create(customer=customer, inbound=inbound, kind=SlipKind.NORMAL)
    wave = Wave.objects.create(warehouse=warehouse, number=f"W-{code}", created_by=clerk)
    wave_order = WaveOrder.objects.create(wave=wave, order=order, slot=1)
    rows = [
        OrderLine.objects.create(order=order, product=product, quantity=1),
        OrderEvent.objects.create(order=order, message="Created"),
        InboundLine.objects.create(inbound=inbound, product=product, quantity=1),
        box,
        InboundBoxItem.objects.create(box=box, product=product, quantity=1),
        InboundEvent.objects.create(inbound=inbound, to_status="draft"),
        DamageGainLine.objects.create(slip=slip, product=product, kind=DifferenceKind.SHORT, quantity=1),
        wave_order,
        PickLine.objects.create(wave_order=wave_order, product=product, quantity=1),
        Parcel.objects.create(
            order=order,
            warehouse=warehouse,
            channel=channel,
            weight_g=100,
            freight=Decimal("1.00"),
            tracking_number=f"T-{code}",
            label_pdf=b"%PDF",
            packed_by=clerk,
        ),
        TrackingEvent.objects.create(order=order, occurred_at=timezone.now(), status=TrackingStatus.IN_TRANSIT),
        CustomerWarehouse.objects.create(customer=customer, warehouse=warehouse),
        CustomerChannel.objects.create(customer=customer, channel=channel),
        GeneratedUpc.objects.create(upc=f"0{customer.pk:011d}", customer=customer),
    ]
    return {type(row): row for row in rows} | {Order: order, InboundOrder: inbound}


@pytest.fixture
def child_rows(user_a, user_b, make_staff):
    warehouse = Warehouse.objects.create(code="KID1", name="Kids", address1="1 Road", city="Town", country="US")
    carrier = Carrier.objects.create(code="kid", name="Kid carrier")
    channel = Channel.objects.create(
        code="kid-ground",
        name="Kid ground",
        carrier=carrier,
        warehouse=warehouse,
        transit_days_min=1,
        transit_days_max=2,
        max_weight_g=1000,
        max_length_cm=50,
    )
    clerk = make_staff("warehouse")
    return {
        user.customer: _rows_of(user, warehouse=warehouse, channel=channel, clerk=clerk) for user in (user_a, user_b)
    }


def test_every_child_model_is_listed():
    assert len(set(CHILD_MODELS)) == len(CHILD_MODELS)
    for model in CHILD_MODELS:
        assert hasattr(model.objects, "with_scope"), f"{model.__name__} has no scoped manager"


@pytest.mark.parametrize("model", CHILD_MODELS, ids=lambda m: m.__name__)
def test_a_child_row_queried_outside_a_scope_raises(model, child_rows):
    with pytest.raises(ScopeError):
        list(model.objects.all())
    with pytest.raises(ScopeError):
        model.objects.filter(pk__gt=0).exists()
    with pytest.raises(ScopeError):
        model.objects.count()


@pytest.mark.parametrize("model", CHILD_MODELS, ids=lambda m: m.__name__)
def test_inside_a_customers_scope_a_child_model_shows_only_its_rows(model, child_rows):
    for customer, rows in child_rows.items():
        with customer_scope(customer):
            assert list(model.objects.values_list("pk", flat=True)) == [rows[model].pk]
            others = [r[model].pk for c, r in child_rows.items() if c != customer]
            assert not model.objects.filter(pk__in=others).exists()
    with staff_scope():
        assert model.objects.count() == len(child_rows)


def test_reverse_relations_and_prefetches_go_through_the_scope(child_rows, customer_a, customer_b):
    order_a = child_rows[customer_a][Order]
    inbound_a = child_rows[customer_a][InboundOrder]
    with pytest.raises(ScopeError):
        list(order_a.lines.all())
    with customer_scope(customer_a):
        assert [line.pk for line in order_a.lines.all()] == [child_rows[customer_a][OrderLine].pk]
        assert list(order_a.tracking_events.all()) == [child_rows[customer_a][TrackingEvent]]
        fetched = InboundOrder.objects.prefetch_related("lines", "boxes__items", "events").get(pk=inbound_a.pk)
        assert [box.items.all()[0].pk for box in fetched.boxes.all()] == [child_rows[customer_a][InboundBoxItem].pk]
        assert len(fetched.lines.all()) == len(fetched.events.all()) == 1
        assert order_a.parcel == child_rows[customer_a][Parcel]
    with customer_scope(customer_b):  # another customer's parent in hand still shows no children
        assert list(order_a.lines.all()) == []
        assert list(order_a.events.all()) == []
