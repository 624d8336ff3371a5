"""Pick, pack, hand over: the services, with their refusals."""

from decimal import Decimal

import pytest
from django.core import mail

from apps.billing.models import MiscFeeNotice, Wallet, WalletEntry
from apps.billing.services import charge
from apps.fulfillment.choices import ItemsKind, ManifestStatus, PickStatus, WaveOrderStatus, WaveStatus
from apps.fulfillment.errors import OutboundConflict, ScanRefused
from apps.fulfillment.handover import manifest_add, manifest_close, manifest_open
from apps.fulfillment.packing import pack_complete, pack_find, pack_scan
from apps.fulfillment.picking import pick_confirm, pick_short, wave_create, wave_lines
from apps.inventory.models import BinStock, CycleCount, StockBalance
from apps.orders.choices import AbnormalReason, OrderStatus
from apps.orders.errors import OrderLocked
from apps.orders.outbound import order_deliver
from apps.orders.services import order_cancel
from apps.warehouses.models import Warehouse

pytestmark = pytest.mark.usefixtures("staff_side")


def pick_all(floor, wave):
    for line in wave_lines(wave=wave):
        if line.status == PickStatus.OPEN:
            pick_confirm(
                actor=floor.clerk, line=line, bin_code=line.bin.code if line.bin else "", product_code=line.product.sku
            )


def pack(floor, order, weight=450, **dims):
    task = pack_find(warehouse=floor.warehouse, code=order.number)
    scanned = {}
    for line in order.lines.all():
        for _ in range(line.quantity):
            _sku, scanned = pack_scan(task=task, scanned=scanned, code=line.product.sku)
    return pack_complete(actor=floor.clerk, task=task, scanned=scanned, weight_g=weight, **dims)


def ship(floor, *orders):
    wave = wave_create(actor=floor.clerk, warehouse=floor.warehouse)
    pick_all(floor, wave)
    parcels = [pack(floor, order) for order in orders]
    manifest = manifest_open(actor=floor.clerk, warehouse=floor.warehouse, carrier=floor.ground.carrier)
    for parcel in parcels:
        manifest_add(actor=floor.clerk, manifest=manifest, code=parcel.tracking_number)
    return manifest_close(actor=floor.clerk, manifest=manifest), parcels


def stock(floor, sku):
    row = StockBalance.objects.get(product=floor.products[sku], warehouse=floor.warehouse)
    return row.on_hand, row.allocated


def bins_of(floor, sku):
    return dict(BinStock.objects.filter(product=floor.products[sku]).values_list("bin__code", "quantity"))


# --- Picking --------------------------------------------------------------------------------------


def test_a_wave_plans_every_unit_from_the_lowest_bins_in_walking_order(floor, submitted):
    first = submitted(lines=[("TEE", 7)])
    second = submitted(lines=[("TEE", 2), ("MUG", 1)])
    wave = wave_create(actor=floor.clerk, warehouse=floor.warehouse)
    assert [wo.order for wo in wave.orders.all()] == [first, second]
    plan = [(line.wave_order.slot, line.product.sku, line.bin.code, line.quantity) for line in wave_lines(wave=wave)]
    assert plan == [
        (1, "TEE", "A-01-01", 6),
        (1, "TEE", "A-01-02", 1),
        (2, "TEE", "A-01-02", 2),
        (2, "MUG", "B-01-01", 1),
    ]
    with pytest.raises(Exception, match="No Pending Shipment orders"):
        wave_create(actor=floor.clerk, warehouse=floor.warehouse)  # both are on a pick list already


def test_waves_filter_single_and_multi_item_orders(floor, submitted):
    single = submitted(lines=[("TEE", 1)])
    multi = submitted(lines=[("TEE", 2)])
    assert [
        wo.order for wo in wave_create(actor=floor.clerk, warehouse=floor.warehouse, items=ItemsKind.MULTI).orders.all()
    ] == [multi]
    assert [
        wo.order
        for wo in wave_create(actor=floor.clerk, warehouse=floor.warehouse, items=ItemsKind.SINGLE).orders.all()
    ] == [single]


def test_picking_refuses_a_wrong_bin_or_item_and_finishes_the_wave(floor, submitted):
    submitted(lines=[("MUG", 1)])
    wave = wave_create(actor=floor.clerk, warehouse=floor.warehouse)
    line = wave_lines(wave=wave).get()
    with pytest.raises(ScanRefused, match="Wrong bin"):
        pick_confirm(actor=floor.clerk, line=line, bin_code="A-01-01", product_code="MUG")
    with pytest.raises(ScanRefused, match="Wrong item"):
        pick_confirm(actor=floor.clerk, line=line, bin_code="B-01-01", product_code="TEE")
    line.refresh_from_db()
    assert (line.picked, line.status) == (0, PickStatus.OPEN)
    pick_confirm(actor=floor.clerk, line=line, bin_code="b-01-01", product_code="mug")
    wave.refresh_from_db()
    assert wave.status == WaveStatus.DONE
    assert wave.orders.get().status == WaveOrderStatus.PICKED


def test_a_short_pick_stops_the_order_releases_it_opens_a_count_and_tells_the_customer(
    floor, submitted, django_capture_on_commit_callbacks
):
    order = submitted(lines=[("TEE", 2)])
    held_before = Wallet.objects.get(customer=floor.customer).held
    wave = wave_create(actor=floor.clerk, warehouse=floor.warehouse)
    line = wave_lines(wave=wave).get()
    with django_capture_on_commit_callbacks(execute=True):
        pick_short(actor=floor.clerk, line=line, found=1)
    order.refresh_from_db()
    assert (order.status, order.abnormal_code) == (OrderStatus.ABNORMAL, AbnormalReason.STOCK_DISCREPANCY)
    assert "found 1 of 2 TEE in bin A-01-01" in order.abnormal_message
    assert stock(floor, "TEE") == (10, 0)
    assert Wallet.objects.get(customer=floor.customer).held == held_before - order.estimated_cost
    count = CycleCount.objects.get()
    assert [(cl.bin.code, cl.product.sku, cl.expected, cl.counted) for cl in count.lines.all()] == [
        ("A-01-01", "TEE", 6, 1)
    ]
    assert len(mail.outbox) == 1 and order.number in mail.outbox[0].subject
    wave.refresh_from_db()
    assert wave.status == WaveStatus.DONE


def test_a_cancelled_order_is_skipped_by_the_picker(floor, submitted):
    order = submitted()
    wave = wave_create(actor=floor.clerk, warehouse=floor.warehouse)
    order_cancel(actor=floor.user, order=order)
    line = wave_lines(wave=wave).get()
    with pytest.raises(OutboundConflict, match="Cancelled now"):
        pick_confirm(actor=floor.clerk, line=line, bin_code=line.bin.code, product_code="TEE")
    assert wave.orders.get().status == WaveOrderStatus.CANCELLED


# --- Packing --------------------------------------------------------------------------------------


def test_packing_refuses_wrong_items_and_blocks_until_every_item_is_scanned(floor, submitted):
    order = submitted(lines=[("TEE", 2)])
    pick_all(floor, wave_create(actor=floor.clerk, warehouse=floor.warehouse))
    task = pack_find(warehouse=floor.warehouse, code=order.number)
    with pytest.raises(ScanRefused, match="WRONG ITEM"):
        pack_scan(task=task, scanned={}, code="MUG")
    _sku, scanned = pack_scan(task=task, scanned={}, code="TEE")
    with pytest.raises(ScanRefused, match="missing: 1 × TEE"):
        pack_complete(actor=floor.clerk, task=task, scanned=scanned, weight_g=450)
    _sku, scanned = pack_scan(task=task, scanned=scanned, code="tee")
    with pytest.raises(ScanRefused, match="TOO MANY"):
        pack_scan(task=task, scanned=scanned, code="TEE")
    parcel = pack_complete(
        actor=floor.clerk, task=task, scanned=scanned, weight_g=450, length_cm=30, width_cm=20, height_cm=5, box="S1"
    )
    assert parcel.label_pdf.startswith(b"%PDF")
    order.refresh_from_db()
    assert order.packed_at and order.tracking_number == parcel.tracking_number
    assert order.actual_freight == parcel.freight == Decimal("6.00")
    with pytest.raises(OrderLocked, match="already packed"):
        order_cancel(actor=floor.user, order=order)


@pytest.mark.parametrize(("weight", "words"), [(0, "more than 0"), (10_001, "Too heavy")])
def test_a_weight_of_zero_or_above_the_channels_maximum_is_refused(floor, submitted, weight, words):
    order = submitted(channel=floor.express)  # max 10 kg
    pick_all(floor, wave_create(actor=floor.clerk, warehouse=floor.warehouse))
    with pytest.raises(ScanRefused, match=words):
        pack(floor, order, weight=weight)
    order.refresh_from_db()
    assert order.packed_at is None


def test_the_pack_station_refuses_orders_it_must_not_pack(floor, submitted):
    other = Warehouse.objects.create(code="NJ1", name="NJ", address1="1", city="Newark", country="US")
    order = submitted()
    with pytest.raises(OutboundConflict, match="on no pick list yet"):
        pack_find(warehouse=floor.warehouse, code=order.number)
    wave = wave_create(actor=floor.clerk, warehouse=floor.warehouse)
    with pytest.raises(ScanRefused, match="ships from LAX1"):
        pack_find(warehouse=other, code=order.number)
    pick_all(floor, wave)
    assert pack_find(warehouse=floor.warehouse, code=f"{wave.number}-1").order == order
    order_cancel(actor=floor.user, order=order)
    with pytest.raises(OutboundConflict, match="cancelled by the customer"):
        pack_find(warehouse=floor.warehouse, code=order.number)
    with pytest.raises(ScanRefused, match="not an order number"):
        pack_find(warehouse=floor.warehouse, code="S123")


# --- Hand-over and settlement ----------------------------------------------------------------------


def test_handing_over_ships_the_stock_settles_the_hold_and_shows_the_tracking_number(floor, submitted):
    order = submitted(lines=[("TEE", 7)])
    wallet = Wallet.objects.get(customer=floor.customer)
    balance_before, held_before = wallet.balance, wallet.held
    manifest, (parcel,) = ship(floor, order)
    order.refresh_from_db()
    assert manifest.status == ManifestStatus.CLOSED
    assert order.status == OrderStatus.SHIPPED
    assert order.tracking_number == parcel.tracking_number
    assert stock(floor, "TEE") == (3, 0)
    assert bins_of(floor, "TEE") == {"A-01-01": 0, "A-01-02": 3}
    wallet.refresh_from_db()
    assert wallet.held == held_before - order.estimated_cost
    assert wallet.balance == balance_before - order.actual_cost
    kinds = sorted(WalletEntry.objects.filter(reference_id=order.number).values_list("kind", "amount"))
    assert kinds == sorted(
        [
            ("hold", Decimal("0")),
            ("release", Decimal("0")),
            ("freight", -order.actual_freight),
            ("fulfilment_fee", -order.actual_fee),
        ]
    )


@pytest.mark.parametrize("actual", [Decimal("2.50"), Decimal("20.00")])
def test_the_hold_settles_against_a_lower_or_higher_actual_freight(floor, submitted, actual):
    from apps.orders.models import Order

    order = submitted()
    held = order.held_amount
    pick_all(floor, wave_create(actor=floor.clerk, warehouse=floor.warehouse))
    pack(floor, order)
    Order.objects.filter(pk=order.pk).update(actual_freight=actual)  # the packed parcel priced otherwise
    available_before = Wallet.objects.get(customer=floor.customer).available
    manifest = manifest_open(actor=floor.clerk, warehouse=floor.warehouse, carrier=floor.ground.carrier)
    manifest_add(actor=floor.clerk, manifest=manifest, code=order.number)
    manifest_close(actor=floor.clerk, manifest=manifest)
    order.refresh_from_db()
    assert order.actual_cost == actual + order.estimated_fee
    assert f"difference {order.actual_cost - order.estimated_cost:+}" in order.events.last().message
    # The hold comes back in full and the actual amount is charged instead.
    assert Wallet.objects.get(customer=floor.customer).available == available_before + held - order.actual_cost
    assert WalletEntry.objects.get(reference_id=order.number, kind="freight").amount == -actual
    assert order.held_amount == 0


def test_what_the_wallet_cannot_pay_at_shipping_waits_as_a_misc_fee(floor, submitted):
    order = submitted()
    wave = wave_create(actor=floor.clerk, warehouse=floor.warehouse)
    pick_all(floor, wave)
    pack(floor, order)
    from apps.orders.models import Order

    Order.objects.filter(pk=order.pk).update(actual_freight=Decimal("30.00"))  # far above the estimate
    wallet = Wallet.objects.get(customer=floor.customer)
    charge(customer=floor.customer, amount=wallet.available, kind="misc_fee", idempotency_key="drain")
    manifest = manifest_open(actor=floor.clerk, warehouse=floor.warehouse, carrier=floor.ground.carrier)
    manifest_add(actor=floor.clerk, manifest=manifest, code=order.number)
    manifest_close(actor=floor.clerk, manifest=manifest)
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    wallet.refresh_from_db()
    assert wallet.balance >= wallet.held >= 0
    notice = MiscFeeNotice.objects.get()
    assert order.number in notice.reason and notice.status == "waiting"
    assert notice.amount == Decimal("30.00")  # the fee fitted in what the released hold freed


def test_hand_over_refuses_unpacked_and_other_carriers_parcels(floor, submitted):
    order = submitted()
    manifest = manifest_open(actor=floor.clerk, warehouse=floor.warehouse, carrier=floor.express.carrier)
    with pytest.raises(ScanRefused, match="only after it is packed"):
        manifest_add(actor=floor.clerk, manifest=manifest, code=order.number)
    pick_all(floor, wave_create(actor=floor.clerk, warehouse=floor.warehouse))
    parcel = pack(floor, order)
    with pytest.raises(ScanRefused, match="goes with UPS"):
        manifest_add(actor=floor.clerk, manifest=manifest, code=parcel.tracking_number)
    with pytest.raises(ScanRefused, match="at least one parcel"):
        manifest_close(actor=floor.clerk, manifest=manifest)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_SHIPMENT


def test_delivered_after_shipped(floor, submitted):
    order = submitted()
    ship(floor, order)
    order.refresh_from_db()
    order = order_deliver(actor=floor.clerk, order=order)
    assert order.status == OrderStatus.DELIVERED and order.delivered_at


def test_shipped_units_no_longer_reserve_their_bins_for_new_waves(floor, submitted):
    ship(floor, submitted(lines=[("TEE", 7)]))  # 6 from A-01-01, 1 from A-01-02: 3 stay in A-01-02
    submitted(lines=[("TEE", 3)])
    wave = wave_create(actor=floor.clerk, warehouse=floor.warehouse)
    assert [(line.bin.code if line.bin else None, line.quantity) for line in wave_lines(wave=wave)] == [("A-01-02", 3)]
