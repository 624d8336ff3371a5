"""The outbound back-office pages: dashboard, pick lists scanned by bin and item, the pack station,
the hand-over; what a viewing role may do."""

import json

import pytest

from apps.billing.services import credit
from apps.fulfillment.choices import ManifestStatus, PickStatus, WaveOrderStatus, WaveStatus
from apps.fulfillment.handover import manifest_add, manifest_close, manifest_open
from apps.fulfillment.models import Manifest, Parcel, Wave
from apps.fulfillment.picking import pick_confirm, wave_candidates, wave_create, wave_lines
from apps.inbound.models import InboundOrder
from apps.orders.choices import AbnormalReason, OrderStatus
from apps.orders.services import order_cancel
from apps.warehouses.models import Warehouse

from .outbound_pages import HTMX, body, pack, pick_all, picked, url

pytestmark = pytest.mark.usefixtures("staff_side")

# --- Dashboard ------------------------------------------------------------------------------------


def test_the_dashboard_counts_every_step_per_channel_and_the_inbound_arriving(clerk, floor, submitted):
    shipped = submitted()
    picked(floor, shipped)
    manifest = manifest_open(actor=floor.clerk, warehouse=floor.warehouse, carrier=floor.ground.carrier)
    manifest_add(actor=floor.clerk, manifest=manifest, code=pack(floor, shipped).tracking_number)
    manifest_close(actor=floor.clerk, manifest=manifest)
    packed = submitted()
    picked(floor, packed)
    pack(floor, packed)
    to_pack = submitted()
    submitted(lines=[("MUG", 1)])  # being picked
    wave = wave_create(actor=floor.clerk, warehouse=floor.warehouse)
    line = wave_lines(wave=wave).get(wave_order__order=to_pack)
    pick_confirm(actor=floor.clerk, line=line, bin_code=line.bin.code, product_code="TEE")
    submitted(channel=floor.express)  # to pick
    for status, n in (("submitted", 2), ("arrived", 1), ("draft", 1)):
        for i in range(n):
            InboundOrder.objects.create(
                customer=floor.customer,
                number=f"IN{status[:3]}{i}",
                warehouse=floor.warehouse,
                status=status,
                created_by=floor.user,
            )

    response = clerk.get(url("dashboard"))

    assert response.status_code == 200
    board = response.context["board"]
    rows = {row.channel.code: row.counts for row in board.rows}
    assert vars(rows["ups-ground"]) == {"to_pick": 0, "picking": 1, "to_pack": 1, "to_hand_over": 1, "shipped_today": 1}
    assert vars(rows["dhl-express"]) == {
        "to_pick": 1,
        "picking": 0,
        "to_pack": 0,
        "to_hand_over": 0,
        "shipped_today": 0,
    }
    assert board.total.to_pick == wave_candidates(warehouse=floor.warehouse).count() == 1
    assert (board.inbound_submitted, board.inbound_arrived, board.open_waves) == (2, 1, 1)
    page = body(response)
    assert 'data-testid="inbound-submitted">2<' in page and 'data-testid="inbound-arrived">1<' in page
    assert f"{url('wave-list')}?warehouse=LAX1&channel=dhl-express" in page  # into the step


def test_the_dashboard_and_the_wave_list_run_a_fixed_number_of_queries(
    clerk, floor, submitted, django_assert_max_num_queries
):
    credit(customer=floor.customer, amount="200.00", idempotency_key="more-orders")

    def volume():
        for _ in range(2):
            submitted()
        pick_all(floor, wave_create(actor=floor.clerk, warehouse=floor.warehouse, limit=1))
        submitted(channel=floor.express)

    volume()
    counted = {}
    for name in ("dashboard", "wave-list"):
        with django_assert_max_num_queries(25) as few:
            assert clerk.get(url(name)).status_code == 200
        counted[name] = len(few.captured_queries)
    volume()
    volume()
    for name in ("dashboard", "wave-list"):
        with django_assert_max_num_queries(counted[name]):
            assert clerk.get(url(name)).status_code == 200


def test_the_station_remembers_the_warehouse_it_works_in(clerk, floor):
    Warehouse.objects.create(code="NJ1", name="Newark", address1="1 Port St", city="Newark", country="US")
    assert clerk.get(url("pack")).context["warehouse"].code == "LAX1"  # the first one
    assert clerk.get(url("pack"), {"warehouse": "NJ1"}).context["warehouse"].code == "NJ1"
    assert clerk.get(url("dashboard")).context["warehouse"].code == "NJ1"
    assert clerk.get(url("pack"), {"warehouse": "nope"}).context["warehouse"].code == "NJ1"


# --- Pick lists -----------------------------------------------------------------------------------


def test_the_wave_form_says_how_many_orders_match_and_makes_the_wave(clerk, floor, submitted):
    first, second = submitted(), submitted(lines=[("TEE", 2)])
    express = submitted(channel=floor.express)

    page = clerk.get(url("wave-list"))
    assert page.context["matching"] == 3
    match = clerk.get(url("wave-list"), {"channel": "ups-ground", "items": "single", "limit": "50"}, **HTMX)
    assert [t.name for t in match.templates] == ["fulfillment/staff/_wave_match.html"]
    assert match.context["matching"] == 1 and "order matches" in body(match)

    response = clerk.post(
        url("wave-create"),
        {"warehouse": "LAX1", "channel": "ups-ground", "items": "", "limit": "50", "cutoff": ""},
        follow=True,
    )

    wave = Wave.objects.get()
    assert response.redirect_chain[-1][0] == url("wave-detail", wave.number)
    assert f"Pick list {wave.number} made: 2 orders, 2 lines, 3 units from 1 bin." in body(response)
    assert [wo.order for wo in wave.orders.all()] == [first, second]
    assert clerk.get(url("wave-list")).context["matching"] == 1  # the express order is left
    assert express.pk not in {wo.order_id for wo in wave.orders.all()}


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"limit": "0"}, "A wave takes at least 1 order."),
        ({"channel": "nope"}, "Choose one of the listed channels."),
        ({"cutoff": "yesterday"}, "Enter the cut-off as a date and time"),
        ({"items": "multi"}, "No Pending Shipment orders in LAX1 wait for picking with these filters."),
    ],
)
def test_a_wave_that_cannot_be_made_says_why_and_makes_nothing(clerk, floor, submitted, data, words):
    submitted()
    response = clerk.post(url("wave-create"), {"warehouse": "LAX1", "limit": "50", **data})
    assert response.status_code == 400
    assert words in body(response)
    assert not Wave.objects.exists()


def test_scanning_the_bin_then_the_item_picks_the_line_and_highlights_the_next(clerk, floor, submitted):
    order = submitted(lines=[("TEE", 2), ("MUG", 1)])
    wave = wave_create(actor=floor.clerk, warehouse=floor.warehouse)
    tee, mug = wave_lines(wave=wave)
    page = clerk.get(url("wave-detail", wave.number))
    assert page.context["current"] == tee
    assert f'data-line="{tee.pk}" data-current' in body(page)

    wrong_bin = clerk.post(url("wave-pick", wave.number), {"line": tee.pk, "bin": "B-01-01", "code": "TEE"})
    assert wrong_bin.status_code == 400
    assert "Wrong bin: you scanned B-01-01, this line is in A-01-01." in body(wrong_bin)
    wrong_item = clerk.post(url("wave-pick", wave.number), {"line": tee.pk, "bin": "A-01-01", "code": "MUG"}, **HTMX)
    assert wrong_item.status_code == 200 and "data-refused" in body(wrong_item)
    assert "Wrong item: MUG is not TEE." in body(wrong_item)
    assert wrong_item.context["keep_bin"] == "A-01-01" and wrong_item.context["focus"] == "code"
    tee.refresh_from_db()
    assert (tee.picked, tee.status) == (0, PickStatus.OPEN)

    good = clerk.post(url("wave-pick", wave.number), {"line": tee.pk, "bin": "a-01-01", "code": "tee"}, **HTMX)

    assert good.status_code == 200
    assert [t.name for t in good.templates][0] == "fulfillment/staff/_wave_work.html"
    assert f"Picked 2 of 2 × TEE from A-01-01 → slot 1 ({order.number})." in body(good)
    assert good.context["current"] == mug and f'data-line="{mug.pk}" data-current' in body(good)
    tee.refresh_from_db()
    assert (tee.picked, tee.status) == (2, PickStatus.PICKED)
    last = clerk.post(url("wave-pick", wave.number), {"line": mug.pk, "bin": "B-01-01", "code": "MUG"}, follow=True)
    assert "Every line is picked: take the cart to the pack station." in body(last)
    wave.refresh_from_db()
    assert wave.status == WaveStatus.DONE


def test_a_partial_quantity_keeps_the_line_open(clerk, floor, submitted):
    submitted(lines=[("TEE", 3)])
    wave = wave_create(actor=floor.clerk, warehouse=floor.warehouse)
    line = wave_lines(wave=wave).get()
    bad = clerk.post(
        url("wave-pick", wave.number), {"line": line.pk, "bin": "A-01-01", "code": "TEE", "quantity": "two"}
    )
    assert bad.status_code == 400 and "The quantity must be a whole number, 1 or more (not “two”)." in body(bad)
    response = clerk.post(
        url("wave-pick", wave.number), {"line": line.pk, "bin": "A-01-01", "code": "TEE", "quantity": "1"}, **HTMX
    )
    assert "2 more to pick on this line." in body(response)
    line.refresh_from_db()
    assert (line.picked, line.status) == (1, PickStatus.OPEN)


def test_a_short_pick_from_the_page_stops_the_order(clerk, floor, submitted):
    order = submitted(lines=[("TEE", 2)])
    wave = wave_create(actor=floor.clerk, warehouse=floor.warehouse)
    line = wave_lines(wave=wave).get()
    refused = clerk.post(url("wave-short", wave.number, line.pk), {"found": "2"})
    assert refused.status_code == 400 and "Enter how many units the bin holds: 0 to 1." in body(refused)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_SHIPMENT

    response = clerk.post(url("wave-short", wave.number, line.pk), {"found": "1"}, follow=True)

    assert f"Order {order.number} (slot 1) is Abnormal now" in body(response)
    assert "Bin A-01-01 gets a cycle count for review." in body(response)
    order.refresh_from_db()
    assert (order.status, order.abnormal_code) == (OrderStatus.ABNORMAL, AbnormalReason.STOCK_DISCREPANCY)
    assert wave.orders.get().status == WaveOrderStatus.SHORT


# --- Pack station ---------------------------------------------------------------------------------


def test_packing_through_the_pages(clerk, floor, submitted):
    order = submitted(lines=[("TEE", 2)])
    wave = picked(floor, order)

    found = clerk.post(url("pack"), {"code": f"{wave.number}-1", "warehouse": "LAX1"})
    assert found.status_code == 302 and found["Location"] == url("pack-order", order.number)
    page = clerk.get(url("pack-order", order.number))
    assert page.status_code == 200 and 'data-sku="TEE"' in body(page)
    assert "disabled" in body(page).split('data-testid="pack-complete-form"')[1]  # not all scanned yet

    wrong = clerk.post(url("pack-scan", order.number), {"code": "MUG", "scanned": "{}"}, **HTMX)
    assert wrong.status_code == 200 and "data-refused" in body(wrong)
    assert f"WRONG ITEM: MUG is not in order {order.number}. Put it back." in body(wrong)
    assert json.loads(wrong.context["scanned_json"]) == {}
    one = clerk.post(url("pack-scan", order.number), {"code": "TEE", "scanned": "{}"}, **HTMX)
    assert json.loads(one.context["scanned_json"]) == {"TEE": 1} and "+1 TEE (1 of 2). 1 item to go." in body(one)
    early = clerk.post(url("pack-complete", order.number), {"scanned": one.context["scanned_json"], "weight_g": "450"})
    assert early.status_code == 400 and "Scan every item first — missing: 1 × TEE" in body(early)
    two = clerk.post(url("pack-scan", order.number), {"code": "TEE", "scanned": one.context["scanned_json"]}, **HTMX)
    scanned = two.context["scanned_json"]
    assert two.context["all_scanned"] and "Every item is scanned: weigh the parcel." in body(two)
    assert "disabled" not in body(two).split('data-testid="pack-complete-form"')[1]

    zero = clerk.post(url("pack-complete", order.number), {"scanned": scanned, "weight_g": "0"})
    assert zero.status_code == 400 and "Not packed: The weight must be more than 0 g" in body(zero)
    order.refresh_from_db()
    assert order.packed_at is None and not Parcel.objects.exists()

    done = clerk.post(
        url("pack-complete", order.number),
        {"scanned": scanned, "weight_g": "450", "box": "S1", "length_cm": "30", "width_cm": "20", "height_cm": "5"},
        follow=True,
    )

    parcel = Parcel.objects.get()
    assert done.redirect_chain[-1][0] == url("pack-done", order.number)
    page = body(done)
    assert parcel.tracking_number in page and 'Actual <strong class="fs-3">6.00 USD</strong>' in page
    assert url("parcel-label", parcel.tracking_number) in page
    order.refresh_from_db()
    assert order.packed_at and order.tracking_number == parcel.tracking_number and parcel.box == "S1"
    label = clerk.get(url("parcel-label", parcel.tracking_number))
    assert label["Content-Type"] == "application/pdf" and label.content.startswith(b"%PDF")
    again = clerk.post(url("pack"), {"code": order.number})
    assert again.status_code == 400 and f"Order {order.number} is already packed" in body(again)


@pytest.mark.parametrize(("weight", "words"), [("0", "more than 0"), ("10001", "Too heavy"), ("heavy", "more than 0")])
def test_a_parcel_the_channel_cannot_take_is_refused_and_nothing_changes(clerk, floor, submitted, weight, words):
    order = submitted(channel=floor.express)  # max 10 kg
    picked(floor, order)
    response = clerk.post(url("pack-complete", order.number), {"scanned": json.dumps({"TEE": 1}), "weight_g": weight})
    assert response.status_code == 400 and words in body(response)
    order.refresh_from_db()
    assert order.packed_at is None and not Parcel.objects.exists()


def test_the_station_refuses_orders_it_must_not_pack(clerk, floor, submitted):
    Warehouse.objects.create(code="NJ1", name="Newark", address1="1 Port St", city="Newark", country="US")
    order = submitted()
    not_picked = clerk.post(url("pack"), {"code": order.number, "warehouse": "LAX1"})
    assert not_picked.status_code == 400 and "is on no pick list yet; pick it before packing" in body(not_picked)
    picked(floor, order)
    other = clerk.post(url("pack"), {"code": order.number, "warehouse": "NJ1"})
    assert other.status_code == 400 and "ships from LAX1, not from this station's warehouse NJ1" in body(other)
    typo = clerk.post(url("pack"), {"code": "S123", "warehouse": "LAX1"})
    assert typo.status_code == 400 and "is not an order number or a pick-list slot" in body(typo)


def test_an_order_cancelled_while_it_is_packed_sends_the_packer_back_to_the_station(clerk, floor, submitted):
    order = submitted()
    picked(floor, order)
    assert clerk.get(url("pack-order", order.number)).status_code == 200
    order_cancel(actor=floor.user, order=order)
    response = clerk.post(url("pack-scan", order.number), {"code": "TEE", "scanned": "{}"}, **HTMX)
    assert response["HX-Redirect"] == url("pack")
    station = clerk.get(url("pack"))
    assert f"Order {order.number} was cancelled by the customer: do not pack it" in body(station)
    assert not Parcel.objects.exists()


# --- Hand-over ------------------------------------------------------------------------------------


def test_hand_over_through_the_pages(clerk, floor, submitted, django_capture_on_commit_callbacks):
    first, second = submitted(), submitted()
    picked(floor, first, second)
    one, two = pack(floor, first), pack(floor, second)
    unpacked = submitted()
    desks = clerk.get(url("handover")).context["desks"]
    assert [(d.carrier.code, d.waiting, d.manifest) for d in desks] == [("dhl", 0, None), ("ups", 2, None)]

    opened = clerk.post(url("manifest-open"), {"warehouse": "LAX1", "carrier": "ups"}, follow=True)
    manifest = Manifest.objects.get()
    assert opened.redirect_chain[-1][0] == url("manifest", manifest.number)
    assert f"Manifest {manifest.number} for UPS at LAX1 is open" in body(opened)

    refused = clerk.post(url("manifest-scan", manifest.number), {"code": unpacked.number})
    assert refused.status_code == 400
    assert "an order is handed over only after it is packed and labelled" in body(refused)
    added = clerk.post(url("manifest-scan", manifest.number), {"code": one.tracking_number}, **HTMX)
    assert f"Added {one.tracking_number} (order {first.number}, 450 g). 1 parcel on" in body(added)
    twice = clerk.post(url("manifest-scan", manifest.number), {"code": first.number}, **HTMX)
    assert "data-refused" in body(twice) and "is already on this manifest" in body(twice)
    clerk.post(url("manifest-scan", manifest.number), {"code": second.number}, **HTMX)
    removed = clerk.post(url("manifest-remove", manifest.number), {"parcel": two.tracking_number}, follow=True)
    assert f"Took {two.tracking_number} (order {second.number}) off {manifest.number}" in body(removed)
    clerk.post(url("manifest-scan", manifest.number), {"code": two.tracking_number})
    assert set(manifest.parcels.values_list("pk", flat=True)) == {one.pk, two.pk}

    confirm = clerk.get(url("manifest-close", manifest.number))
    assert confirm.status_code == 200 and "Hand over 2 parcels to UPS?" in body(confirm)
    unconfirmed = clerk.post(url("manifest-close", manifest.number))
    assert unconfirmed["Location"] == url("manifest-close", manifest.number)
    manifest.refresh_from_db()
    assert manifest.status == ManifestStatus.OPEN

    with django_capture_on_commit_callbacks(execute=True):  # the worker ships them after the request
        closed = clerk.post(url("manifest-close", manifest.number), {"confirm": "yes"}, follow=True)

    assert "Handing 2 parcels over to UPS: each order ships in turn" in body(closed)
    assert "Handed over to UPS: 2 orders Shipped, every order on this manifest" in body(
        clerk.get(url("manifest", manifest.number))
    )
    for order in (first, second):
        order.refresh_from_db()
        assert order.status == OrderStatus.SHIPPED
    unpacked.refresh_from_db()
    assert unpacked.status == OrderStatus.PENDING_SHIPMENT
    manifest.refresh_from_db()
    assert manifest.status == ManifestStatus.CLOSED
    late = clerk.post(url("manifest-scan", manifest.number), {"code": unpacked.number})
    assert late.status_code == 400 and "already handed over" in body(late)


# --- Permissions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["order_group", "logistics", "customer_service"])
def test_a_viewing_role_sees_the_pages_and_gets_403_on_every_post(client, floor, submitted, make_staff, role):
    order = submitted()
    wave = picked(floor, order)
    line = wave_lines(wave=wave).get()
    manifest = manifest_open(actor=floor.clerk, warehouse=floor.warehouse, carrier=floor.ground.carrier)
    client.force_login(make_staff(role))
    for page in (
        url("dashboard"),
        url("wave-list"),
        url("wave-detail", wave.number),
        url("pack"),
        url("pack-order", order.number),
        url("handover"),
        url("manifest", manifest.number),
    ):
        response = client.get(page)
        assert response.status_code == 200, page
        for form in (
            "make-wave",
            "pick-form",
            "short-form",
            "pack-find-form",
            "pack-scan-form",
            "manifest-scan-form",
            "open-ups",
        ):
            assert f'data-testid="{form}"' not in body(response), (page, form)
    for post in (
        url("wave-create"),
        url("wave-pick", wave.number),
        url("wave-short", wave.number, line.pk),
        url("pack"),
        url("pack-scan", order.number),
        url("pack-complete", order.number),
        url("manifest-open"),
        url("manifest-scan", manifest.number),
        url("manifest-remove", manifest.number),
        url("manifest-close", manifest.number),
    ):
        assert client.post(post, {"code": order.number, "confirm": "yes", "weight_g": "450"}).status_code == 403, post
    order.refresh_from_db()
    assert order.packed_at is None and Wave.objects.count() == 1


def test_staff_without_the_outbound_permissions_and_customers_get_403(client, floor, make_staff):
    client.force_login(make_staff("finance"))
    assert client.get(url("dashboard")).status_code == 403
    client.force_login(floor.user)
    assert client.get(url("pack")).status_code == 403
