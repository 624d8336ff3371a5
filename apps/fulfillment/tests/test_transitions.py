"""The outbound objects' state machines: every move of every table allowed or refused, the event
rows they write (who, when, from, to, why), the batched twin, and the one-writer rule."""

import ast
import itertools
from pathlib import Path

import pytest

from apps.core.actors import integration_actor
from apps.fulfillment import choices
from apps.fulfillment.choices import (
    EventSubject,
    ManifestStatus,
    ParcelStatus,
    PickStatus,
    WaveOrderStatus,
    WaveStatus,
)
from apps.fulfillment.errors import OutboundConflict
from apps.fulfillment.handover import manifest_add, manifest_close, manifest_open, manifest_remove
from apps.fulfillment.models import FulfillmentEvent, Manifest, Parcel, PickLine, Wave, WaveOrder
from apps.fulfillment.picking import pick_confirm, pick_short, wave_create, wave_lines
from apps.fulfillment.selectors import events_of
from apps.fulfillment.transitions import MACHINES, SYSTEM, actor_fields, transition, transition_many
from apps.orders.services import order_cancel

from .test_outbound import pack, pick_all

pytestmark = pytest.mark.usefixtures("staff_side")

TABLES = {
    Wave: (WaveStatus, choices.WAVE_TRANSITIONS),
    WaveOrder: (WaveOrderStatus, choices.WAVE_ORDER_TRANSITIONS),
    PickLine: (PickStatus, choices.PICK_TRANSITIONS),
    Parcel: (ParcelStatus, choices.PARCEL_TRANSITIONS),
    Manifest: (ManifestStatus, choices.MANIFEST_TRANSITIONS),
}


@pytest.fixture
def objects(floor, submitted):
    """One of each outbound object, from a real wave, pack and manifest."""
    order = submitted()
    wave = wave_create(actor=floor.clerk, warehouse=floor.warehouse)
    pick_all(floor, wave)
    parcel = pack(floor, order)
    manifest = manifest_open(actor=floor.clerk, warehouse=floor.warehouse, carrier=floor.ground.carrier)
    wave_order = wave.orders.get()
    return {Wave: wave, WaveOrder: wave_order, PickLine: wave_order.picks.first(), Parcel: parcel, Manifest: manifest}


def test_every_table_names_every_state_and_only_known_states():
    for model, (states, table) in TABLES.items():
        assert set(table) == set(states), model
        assert all(targets <= set(states) for targets in table.values()), model
        assert MACHINES[model].table is table and MACHINES[model].states is states


def test_the_tables_say_what_the_warehouse_does():
    assert {WaveStatus.PICKING: {WaveStatus.DONE}, WaveStatus.DONE: set()} == choices.WAVE_TRANSITIONS
    assert {
        PickStatus.OPEN: {PickStatus.PICKED, PickStatus.SHORT},
        PickStatus.PICKED: set(),
        PickStatus.SHORT: set(),
    } == choices.PICK_TRANSITIONS
    w = WaveOrderStatus
    assert {
        w.PICKING: {w.PICKED, w.SHORT, w.CANCELLED},
        w.PICKED: {w.PACKED, w.CANCELLED},  # cancellable until packed
        w.PACKED: set(),
        w.SHORT: set(),
        w.CANCELLED: set(),
    } == choices.WAVE_ORDER_TRANSITIONS
    p = ParcelStatus
    assert {
        p.PACKED: {p.MANIFESTED},
        p.MANIFESTED: {p.PACKED, p.SHIPPED},
        p.SHIPPED: set(),
    } == choices.PARCEL_TRANSITIONS
    m = ManifestStatus
    assert {  # the driver signs (handing over: its orders ship one by one), then it is closed
        m.OPEN: {m.CLOSING},
        m.CLOSING: {m.CLOSED},
        m.CLOSED: set(),
    } == choices.MANIFEST_TRANSITIONS


@pytest.mark.parametrize("model", list(TABLES), ids=lambda m: m.__name__)
def test_every_transition_is_allowed_or_refused_by_the_table(floor, objects, model):
    obj = objects[model]
    states, table = TABLES[model]
    for start, to in itertools.product(states, states):
        model.objects.filter(pk=obj.pk).update(status=start)  # the test's own set-up of each start
        obj.refresh_from_db()
        events = list(events_of(obj))
        if to in table[start]:
            moved = transition(obj, to=to, actor=floor.clerk, message=f"{start} to {to}")
            assert moved is obj and obj.status == to
            assert model.objects.get(pk=obj.pk).status == to, (start, to)
            event = events_of(obj).last()
            assert (event.subject, event.object_id, event.from_status, event.to_status) == (
                model.event_subject,
                obj.pk,
                start,
                to,
            )
            assert (event.actor, event.actor_label, event.message) == (
                floor.clerk,
                floor.clerk.email,
                f"{start} to {to}",
            )
            assert event.created_at is not None
        else:
            with pytest.raises(OutboundConflict) as refused:
                transition(obj, to=to, actor=floor.clerk)
            assert refused.value.code == f"{model.event_subject}_state_conflict", (start, to)
            assert f"is {states(start).label.lower()}; it cannot become {states(to).label.lower()}" in (
                refused.value.message
            )
            assert model.objects.get(pk=obj.pk).status == start, (start, to)
            assert list(events_of(obj)) == events, (start, to)


def test_the_table_is_checked_against_the_database_not_the_callers_copy(floor, objects):
    manifest = objects[Manifest]
    stale = Manifest.objects.get(pk=manifest.pk)
    transition(manifest, to=ManifestStatus.CLOSING, actor=floor.clerk)
    transition(manifest, to=ManifestStatus.CLOSED, actor=floor.clerk)
    assert stale.status == ManifestStatus.OPEN
    with pytest.raises(OutboundConflict, match=f"Manifest {manifest.number} is handed over"):
        transition(stale, to=ManifestStatus.CLOSING, actor=floor.clerk)
    assert events_of(manifest).filter(to_status=ManifestStatus.CLOSED).count() == 1


def test_a_batch_moves_all_or_nothing_and_writes_an_event_per_row(floor, submitted):
    orders = [submitted() for _ in range(3)]
    pick_all(floor, wave_create(actor=floor.clerk, warehouse=floor.warehouse))
    parcels = [pack(floor, order) for order in orders]
    ids = [parcel.pk for parcel in parcels]
    Parcel.objects.filter(pk=ids[0]).update(status=ParcelStatus.SHIPPED)
    with pytest.raises(OutboundConflict, match=f"Parcel {parcels[0].tracking_number} is handed over"):
        transition_many(Parcel, ids, to=ParcelStatus.MANIFESTED, actor=floor.clerk)
    assert list(Parcel.objects.filter(pk__in=ids).order_by("pk").values_list("status", flat=True)) == [
        "shipped",
        "packed",
        "packed",
    ]
    assert not FulfillmentEvent.objects.filter(subject=EventSubject.PARCEL, to_status=ParcelStatus.MANIFESTED).exists()

    assert transition_many(Parcel, ids[1:], to=ParcelStatus.MANIFESTED, actor=None, message="batch") == ids[1:]
    assert set(Parcel.objects.filter(pk__in=ids[1:]).values_list("status", flat=True)) == {"manifested"}
    rows = FulfillmentEvent.objects.filter(subject=EventSubject.PARCEL, to_status=ParcelStatus.MANIFESTED)
    assert sorted(rows.values_list("object_id", "from_status", "actor", "actor_label", "message")) == [
        (ids[1], "packed", None, SYSTEM, "batch"),
        (ids[2], "packed", None, SYSTEM, "batch"),
    ]
    assert transition_many(Parcel, [], to=ParcelStatus.SHIPPED, actor=None) == []


def test_actors_are_a_user_or_the_system(floor):
    shop = integration_actor(platform="Shopify", name="demo-store", customer=floor.customer)

    assert actor_fields(floor.clerk) == {"actor": floor.clerk, "actor_label": floor.clerk.email}
    assert actor_fields(None) == {"actor": None, "actor_label": "System"}
    assert actor_fields(shop) == {"actor": None, "actor_label": "Shopify · demo-store"}


def timeline(obj):
    return [(e.from_status, e.to_status, e.actor_label) for e in events_of(obj)]


def test_the_whole_outbound_flow_leaves_a_timeline_on_every_object(floor, submitted):
    order = submitted(lines=[("TEE", 7)])  # two pick lines: 6 from A-01-01, 1 from A-01-02
    wave = wave_create(actor=floor.clerk, warehouse=floor.warehouse)
    wave_order = wave.orders.get()
    lines = list(wave_lines(wave=wave))
    pick_all(floor, wave)
    parcel = pack(floor, order)
    manifest = manifest_open(actor=floor.clerk, warehouse=floor.warehouse, carrier=floor.ground.carrier)
    manifest_add(actor=floor.clerk, manifest=manifest, code=parcel.tracking_number)
    manifest_remove(actor=floor.clerk, manifest=manifest, parcel=parcel)
    manifest_add(actor=floor.clerk, manifest=manifest, code=order.number)
    manifest_close(actor=floor.clerk, manifest=manifest)
    clerk = floor.clerk.email

    assert timeline(wave) == [("", "picking", clerk), ("picking", "done", clerk)]
    assert timeline(wave_order) == [("", "picking", clerk), ("picking", "picked", clerk), ("picked", "packed", clerk)]
    for line in lines:
        assert timeline(line) == [("", "open", clerk), ("open", "picked", clerk)]
    assert timeline(parcel) == [
        ("", "packed", clerk),
        ("packed", "manifested", clerk),
        ("manifested", "packed", clerk),
        ("packed", "manifested", clerk),
        ("manifested", "shipped", clerk),
    ]
    assert timeline(manifest) == [("", "open", clerk), ("open", "closing", clerk), ("closing", "closed", clerk)]
    parcel.refresh_from_db()
    manifest.refresh_from_db()
    assert (parcel.status, parcel.manifest_id) == (ParcelStatus.SHIPPED, manifest.pk)
    assert manifest.closed_by == floor.clerk and manifest.closed_at is not None
    assert events_of(manifest).last().message == "Handed over: 1 parcel"
    assert events_of(parcel).get(from_status="manifested", to_status="packed").message == (
        f"Taken off manifest {manifest.number}"
    )


def test_a_short_pick_and_a_cancel_are_events_too(floor, submitted):
    short = submitted(lines=[("TEE", 2)])
    cancelled = submitted(lines=[("MUG", 1)])
    wave = wave_create(actor=floor.clerk, warehouse=floor.warehouse)
    short_slot, cancelled_slot = (wave.orders.get(order=o) for o in (short, cancelled))
    pick_short(actor=floor.clerk, line=short_slot.picks.get(), found=1)
    order_cancel(actor=floor.user, order=cancelled)
    with pytest.raises(OutboundConflict, match="Cancelled now"):
        pick_confirm(actor=floor.clerk, line=cancelled_slot.picks.get(), bin_code="B-01-01", product_code="MUG")
    clerk = floor.clerk.email
    assert timeline(short_slot.picks.get())[-1] == ("open", "short", clerk)
    assert timeline(short_slot)[-1] == ("picking", "short", clerk)
    assert events_of(short_slot).last().message == "Found 1 of 2 TEE in bin A-01-01"
    assert timeline(cancelled_slot)[-1] == ("picking", "cancelled", clerk)
    assert cancelled.number in events_of(cancelled_slot).last().message
    assert timeline(wave)[-1] == ("picking", "done", clerk)  # nothing left to pick on it


def test_a_packed_slot_of_a_shipped_order_is_not_skipped_as_cancelled(floor, submitted):
    order = submitted()
    wave = wave_create(actor=floor.clerk, warehouse=floor.warehouse)
    pick_all(floor, wave)
    parcel = pack(floor, order)
    manifest = manifest_open(actor=floor.clerk, warehouse=floor.warehouse, carrier=floor.ground.carrier)
    manifest_add(actor=floor.clerk, manifest=manifest, code=parcel.tracking_number)
    manifest_close(actor=floor.clerk, manifest=manifest)
    line = wave_lines(wave=wave).get()
    with pytest.raises(OutboundConflict, match="already picked"):
        pick_confirm(actor=floor.clerk, line=line, bin_code=line.bin.code, product_code="TEE")
    assert wave.orders.get().status == WaveOrderStatus.PACKED


def test_the_order_is_cancellable_until_it_is_packed(floor, submitted):
    order = submitted()
    assert order.can_cancel and order.cancel_refusal() is None and not order.is_packed
    pick_all(floor, wave_create(actor=floor.clerk, warehouse=floor.warehouse))
    pack(floor, order)
    order.refresh_from_db()
    assert order.is_packed and not order.can_cancel
    assert order.cancel_refusal().code == "order_packed"


# --- Nothing else writes a status ----------------------------------------------------------------

FULFILLMENT = Path(__file__).resolve().parents[1]


def status_writes(source: str) -> list[int]:
    """Lines that assign ``.status`` or pass ``status=`` to update/create/bulk_update/get_or_create."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for part in ast.walk(target):
                    if isinstance(part, ast.Attribute) and part.attr == "status":
                        found.append(node.lineno)
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        writer = node.func.attr in ("update", "create", "bulk_update", "get_or_create", "update_or_create")
        if writer and any(k.arg == "status" for k in node.keywords):
            found.append(node.lineno)
        if node.func.attr == "save" and "status" in ast.unparse(node):
            found.append(node.lineno)
    return found


def test_only_the_transition_helpers_write_an_outbound_status():
    offenders = {}
    for path in FULFILLMENT.rglob("*.py"):
        relative = path.relative_to(FULFILLMENT)
        if relative.parts[0] in ("tests", "migrations") or relative.name == "transitions.py":
            continue
        lines = status_writes(path.read_text())
        if lines:
            offenders[str(relative)] = lines
    assert offenders == {}


def test_the_status_write_finder_finds_writes():
    assert status_writes("wave.status = 'done'\nWave.objects.filter(pk=1).update(status='done')\n") == [1, 2]
    assert status_writes("line.save(update_fields=['status'])\nx = obj.status\n") == [1]


# --- The data migration ---------------------------------------------------------------------------


def test_existing_parcels_get_the_status_their_manifest_implies(floor, submitted):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("apps.fulfillment.migrations.0004_parcel_status_from_manifest")
    orders = [submitted() for _ in range(3)]
    pick_all(floor, wave_create(actor=floor.clerk, warehouse=floor.warehouse))
    waiting, scanned, shipped = (pack(floor, order) for order in orders)
    handed = manifest_open(actor=floor.clerk, warehouse=floor.warehouse, carrier=floor.ground.carrier)
    manifest_add(actor=floor.clerk, manifest=handed, code=shipped.tracking_number)
    manifest_close(actor=floor.clerk, manifest=handed)
    still_open = manifest_open(actor=floor.clerk, warehouse=floor.warehouse, carrier=floor.ground.carrier)
    manifest_add(actor=floor.clerk, manifest=still_open, code=scanned.tracking_number)
    Parcel.objects.update(status=ParcelStatus.PACKED)  # as the rows were before the field existed
    migration.forwards(apps, None)
    assert dict(Parcel.objects.values_list("pk", "status")) == {
        waiting.pk: ParcelStatus.PACKED,
        scanned.pk: ParcelStatus.MANIFESTED,
        shipped.pk: ParcelStatus.SHIPPED,
    }
