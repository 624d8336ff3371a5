import pytest
from django.core import mail
from django_scopes import scopes_disabled

from apps.core.errors import StateConflict
from apps.core.tenancy import customer_scope
from apps.inbound.choices import InboundStatus
from apps.inbound.errors import InboundInvalid, InboundLocked, PackingMismatch
from apps.inbound.models import DamageGainLine, InboundBox
from apps.inbound.receiving import (
    inbound_count_box,
    inbound_find,
    inbound_finish_receiving,
    inbound_mark_arrived,
    inbound_report_difference,
    inbound_scan_into_box,
    inbound_shelve,
)
from apps.inbound.services import (
    BoxSpec,
    boxes_for_single_sku,
    inbound_cancel,
    inbound_create,
    inbound_pack,
    inbound_set_shipping,
    inbound_submit,
    inbound_update_lines,
)
from apps.inventory.in_transit import in_transit_for
from apps.inventory.models import BinStock, StockBalance

pytestmark = pytest.mark.django_db


def test_number_format_and_draft(ready_inbound):
    assert ready_inbound.number.startswith("IN") and len(ready_inbound.number) == 13
    assert ready_inbound.status == InboundStatus.DRAFT


def test_warehouse_must_be_in_the_customers_plan(user_a, products):
    from apps.warehouses.models import Warehouse

    other = Warehouse.objects.create(code="NJ1", name="NJ", address1="1", city="N", country="US")
    with customer_scope(user_a.customer), pytest.raises(InboundInvalid, match="logistics plan"):
        inbound_create(actor=user_a, warehouse=other, lines=[(products[0], 1)])


def test_another_customers_sku_is_refused(user_a, user_b, warehouse):
    from apps.catalog.services import product_create

    with customer_scope(user_b.customer):
        theirs = product_create(actor=user_b, data={"sku": "B", "name": "B", "declared_value": "1"})
    with customer_scope(user_a.customer), pytest.raises(InboundInvalid, match="not one of your products"):
        inbound_create(actor=user_a, warehouse=warehouse, lines=[(theirs, 1)])


def test_single_sku_packing_computes_boxes_last_partial(user_a, warehouse, products):
    tee, mug, _cap = products
    with customer_scope(user_a.customer):
        inbound = inbound_create(actor=user_a, warehouse=warehouse, lines=[(tee, 25), (mug, 6)])
        boxes = boxes_for_single_sku(
            inbound=inbound, per_sku={tee.pk: {"units_per_box": 10, "weight_kg": "4"}, mug.pk: {"units_per_box": 6}}
        )
        inbound_pack(actor=user_a, inbound=inbound, boxes=boxes, method="single")
        contents = [[(i.product.sku, i.quantity) for i in b.items.all()] for b in inbound.boxes.all()]
    assert contents == [[("MUG", 6)], [("TEE", 10)], [("TEE", 10)], [("TEE", 5)]]


def test_packing_that_does_not_add_up_says_the_difference_and_saves_nothing(user_a, ready_inbound, products):
    tee, mug, cap = products
    with customer_scope(user_a.customer):
        with pytest.raises(PackingMismatch) as exc:
            inbound_pack(
                actor=user_a,
                inbound=ready_inbound,
                method="mixed",
                boxes=[BoxSpec(items=[(tee, 29), (mug, 11), (cap, 5)])],
            )
        assert "TEE: 1 fewer packed than reserved" in exc.value.message
        assert "MUG: 1 more packed than reserved" in exc.value.message
        assert ready_inbound.boxes.count() == 2


def test_submit_needs_everything_then_locks_all_but_shipping(user_a, ready_inbound, products, warehouse):
    with customer_scope(user_a.customer):
        inbound_submit(actor=user_a, inbound=ready_inbound)
        ready_inbound.refresh_from_db()
        assert ready_inbound.status == InboundStatus.SUBMITTED
        with pytest.raises(InboundLocked):
            inbound_update_lines(actor=user_a, inbound=ready_inbound, warehouse=warehouse, lines=[(products[0], 1)])
        with pytest.raises(InboundLocked):
            inbound_pack(actor=user_a, inbound=ready_inbound, method="mixed", boxes=[BoxSpec(items=[(products[0], 1)])])
        inbound_set_shipping(actor=user_a, inbound=ready_inbound, data={"tracking_number": "NEW123"})
        assert in_transit_for(customer=user_a.customer, product_ids=[p.pk for p in products]) == {
            (products[0].pk, warehouse.pk): 30,
            (products[1].pk, warehouse.pk): 10,
            (products[2].pk, warehouse.pk): 5,
        }


def test_submit_refuses_without_shipping_information(user_a, warehouse, products):
    with customer_scope(user_a.customer):
        inbound = inbound_create(actor=user_a, warehouse=warehouse, lines=[(products[0], 2)])
        inbound_pack(actor=user_a, inbound=inbound, method="mixed", boxes=[BoxSpec(items=[(products[0], 2)])])
        with pytest.raises(InboundInvalid, match="carrier, tracking number, transport mode, ship date"):
            inbound_submit(actor=user_a, inbound=inbound)


def test_cancel_only_before_arrival(user_a, ready_inbound, make_staff):
    with customer_scope(user_a.customer):
        inbound_submit(actor=user_a, inbound=ready_inbound)
    with scopes_disabled():
        inbound_mark_arrived(actor=make_staff("warehouse"), inbound=ready_inbound)
    with customer_scope(user_a.customer):
        with pytest.raises(InboundLocked):
            inbound_cancel(actor=user_a, inbound=ready_inbound)
        with pytest.raises(InboundLocked):
            inbound_set_shipping(actor=user_a, inbound=ready_inbound, data={"carrier": "UPS"})


def test_in_transit_follows_the_reservation_from_submit_to_cancel(user_a, customer_b, ready_inbound, products):
    tee, mug, cap = products
    ids = [p.pk for p in products]
    with customer_scope(user_a.customer):
        assert in_transit_for(customer=user_a.customer, product_ids=ids) == {}  # a draft is not on its way
        inbound_submit(actor=user_a, inbound=ready_inbound)
        assert in_transit_for(customer=user_a.customer, product_ids=ids)[(tee.pk, ready_inbound.warehouse_id)] == 30
    with customer_scope(customer_b):
        assert in_transit_for(customer=customer_b, product_ids=ids) == {}  # another customer sees none of it
    with customer_scope(user_a.customer):
        inbound_cancel(actor=user_a, inbound=ready_inbound)
        assert in_transit_for(customer=user_a.customer, product_ids=ids) == {}
        assert StockBalance.objects.filter(product=tee).exists()  # the row stays listed, at zero


def test_in_transit_stays_while_the_goods_are_at_the_dock(user_a, ready_inbound, products, make_staff):
    tee, mug, cap = products
    with customer_scope(user_a.customer):
        inbound_submit(actor=user_a, inbound=ready_inbound)
    with scopes_disabled():
        inbound_mark_arrived(actor=make_staff("warehouse"), inbound=ready_inbound)
    with customer_scope(user_a.customer):
        assert in_transit_for(customer=user_a.customer, product_ids=[mug.pk, cap.pk]) == {
            (mug.pk, ready_inbound.warehouse_id): 10,
            (cap.pk, ready_inbound.warehouse_id): 5,
        }


def test_receive_short_and_damaged_then_shelve_to_completion(
    user_a, ready_inbound, products, bins, make_staff, django_capture_on_commit_callbacks
):
    tee, mug, cap = products
    clerk = make_staff("warehouse")
    with customer_scope(user_a.customer):
        inbound_submit(actor=user_a, inbound=ready_inbound)
    with scopes_disabled(), django_capture_on_commit_callbacks(execute=True):
        found, box = inbound_find(code=f"{ready_inbound.number}-002")
        assert found == ready_inbound and box.box_no == 2
        inbound_mark_arrived(actor=clerk, inbound=ready_inbound)
        box1, box2 = InboundBox.objects.filter(inbound=ready_inbound).order_by("box_no")
        inbound_count_box(
            actor=clerk, inbound=ready_inbound, box=box1, counts={tee.pk: (10, 0), mug.pk: (8, 1), cap.pk: (5, 0)}
        )  # MUG: 1 short, 1 damaged
        for _ in range(20):
            inbound_scan_into_box(actor=clerk, inbound=ready_inbound, box=box2, code="012345678905")  # TEE's UPC
        inbound_count_box(actor=clerk, inbound=ready_inbound, box=box2, counts={})  # box done, as scanned
        slip = inbound_finish_receiving(actor=clerk, inbound=ready_inbound)
        lines = {(line.product.sku, line.kind, line.quantity) for line in slip.lines.all()}
        assert lines == {("MUG", "damaged", 1), ("MUG", "short", 1)}
        balances = {
            b.product.sku: (b.on_hand, b.damaged)
            for b in StockBalance.objects.filter(warehouse=ready_inbound.warehouse)
        }
        assert balances == {"TEE": (30, 0), "MUG": (8, 1), "CAP": (5, 0)}
        assert in_transit_for(customer=user_a.customer, product_ids=[tee.pk, mug.pk, cap.pk]) == {}

        with pytest.raises(InboundInvalid, match="Only 8 of MUG are left to shelve"):
            inbound_shelve(actor=clerk, inbound=ready_inbound, bin=bins[0], product=mug, quantity=9)
        inbound_shelve(actor=clerk, inbound=ready_inbound, bin=bins[0], product=tee, quantity=30)
        inbound_shelve(actor=clerk, inbound=ready_inbound, bin=bins[1], product=mug, quantity=7)
        inbound_report_difference(
            actor=clerk, inbound=ready_inbound, product=mug, kind="short", quantity=1, note="not on the pallet"
        )
        inbound_shelve(actor=clerk, inbound=ready_inbound, bin=bins[2], product=cap, quantity=5)
        ready_inbound.refresh_from_db()
        assert ready_inbound.status == InboundStatus.COMPLETED
        assert BinStock.objects.get(product=mug).quantity == 7
        assert StockBalance.objects.get(product=mug).on_hand == 7
        abnormal = DamageGainLine.objects.get(slip__kind="abnormal")
        assert (abnormal.product, abnormal.kind, abnormal.quantity) == (mug, "short", 1)
        assert [e.to_status for e in ready_inbound.events.all()] == [
            "draft",
            "submitted",
            "arrived",
            "receiving",
            "received",
            "completed",
        ]
    assert [m.subject for m in mail.outbox] == [
        f"Inbound {ready_inbound.number} has arrived at LAX1",
        f"Inbound {ready_inbound.number} is received — see the Damage/Gain slip",
    ]
    assert "MUG: short 1 (packed 10, found 9)" in mail.outbox[1].body


def test_large_counts_need_confirmation(user_a, ready_inbound, products, make_staff):
    clerk = make_staff("warehouse")
    with customer_scope(user_a.customer):
        inbound_submit(actor=user_a, inbound=ready_inbound)
    with scopes_disabled():
        inbound_mark_arrived(actor=clerk, inbound=ready_inbound)
        box2 = InboundBox.objects.get(inbound=ready_inbound, box_no=2)
        with pytest.raises(InboundInvalid, match="confirm large counts"):
            inbound_count_box(actor=clerk, inbound=ready_inbound, box=box2, counts={products[0].pk: (201, 0)})
        inbound_count_box(
            actor=clerk, inbound=ready_inbound, box=box2, counts={products[0].pk: (201, 0)}, confirm_large=True
        )


def test_finish_needs_every_box_counted_and_the_right_state(user_a, ready_inbound, make_staff):
    clerk = make_staff("warehouse")
    with customer_scope(user_a.customer):
        inbound_submit(actor=user_a, inbound=ready_inbound)
    with scopes_disabled():
        with pytest.raises(StateConflict):
            inbound_finish_receiving(actor=clerk, inbound=ready_inbound)
        inbound_mark_arrived(actor=clerk, inbound=ready_inbound)
        box1 = InboundBox.objects.get(inbound=ready_inbound, box_no=1)
        inbound_count_box(actor=clerk, inbound=ready_inbound, box=box1, counts={})
        with pytest.raises(InboundInvalid, match="Boxes not counted yet: 2"):
            inbound_finish_receiving(actor=clerk, inbound=ready_inbound)


def test_wrong_scan_codes(ready_inbound):
    from apps.core.errors import NotFound

    with scopes_disabled():
        with pytest.raises(InboundInvalid):
            inbound_find(code="hello")
        with pytest.raises(NotFound, match="has no box 9"):
            inbound_find(code=f"{ready_inbound.number}-009")


def test_the_migration_writes_in_transit_for_reservations_already_on_their_way(user_a, ready_inbound, products):
    import importlib

    from django.apps import apps

    from apps.inventory.models import StockInTransit

    migration = importlib.import_module("apps.inbound.migrations.0003_backfill_stock_in_transit")
    with customer_scope(user_a.customer):
        inbound_submit(actor=user_a, inbound=ready_inbound)
        before = in_transit_for(customer=user_a.customer, product_ids=[p.pk for p in products])
    with scopes_disabled():
        StockInTransit.objects.all().delete()  # as before the migration
        migration.backfill(apps, None)
    with customer_scope(user_a.customer):
        assert in_transit_for(customer=user_a.customer, product_ids=[p.pk for p in products]) == before
