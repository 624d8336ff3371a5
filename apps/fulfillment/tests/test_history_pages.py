"""The outbound pages show the history their objects' events tell: who moved what, when and why."""

from html import unescape

import pytest
from django.urls import reverse

from apps.fulfillment.errors import OutboundConflict
from apps.fulfillment.handover import manifest_add, manifest_close, manifest_open
from apps.fulfillment.picking import wave_create
from apps.orders.services import order_cancel

from .test_outbound import pack, pick_all

pytestmark = pytest.mark.usefixtures("staff_side")


def page(client, name, *args):
    response = client.get(reverse(f"backoffice:outbound-{name}", args=args))
    assert response.status_code == 200
    return response.context["history"], unescape(response.content.decode())


def test_the_wave_manifest_and_parcel_pages_show_their_history(client, floor, submitted):
    client.force_login(floor.clerk)
    shipped, cancelled = submitted(), submitted(lines=[("MUG", 1)])
    wave = wave_create(actor=floor.clerk, warehouse=floor.warehouse)
    order_cancel(actor=floor.user, order=cancelled)
    with pytest.raises(OutboundConflict, match="Cancelled now"):
        pick_all(floor, wave)  # TEE of slot 1 first (A-01-01), then the cancelled slot 2 is skipped
    parcel = pack(floor, shipped)
    manifest = manifest_open(actor=floor.clerk, warehouse=floor.warehouse, carrier=floor.ground.carrier)
    manifest_add(actor=floor.clerk, manifest=manifest, code=parcel.tracking_number)
    manifest_close(actor=floor.clerk, manifest=manifest)

    events, html = page(client, "wave-detail", wave.number)
    rows = [(e.what, e.from_label, e.to_label) for e in events]
    assert rows[0] == ("Slot 1", "Picked, to pack", "Packed")  # newest first
    assert ("Pick list", "Picking", "Picked") in rows
    assert ("Slot 2", "Picking", "Cancelled by the customer") in rows
    assert rows[-1] == ("Pick list", "", "Picking")
    assert 'data-testid="history"' in html and f"Order {cancelled.number} is Cancelled: skipped" in html

    events, html = page(client, "manifest", manifest.number)
    assert [(e.from_label, e.to_label, e.actor_label) for e in events] == [
        ("Handing over", "Handed over", floor.clerk.email),
        ("Open", "Handing over", floor.clerk.email),
        ("", "Open", floor.clerk.email),
    ]
    assert "Handed over: 1 parcel" in html

    events, html = page(client, "pack-done", shipped.number)
    assert [e.to_label for e in events] == ["Handed over", "On a manifest", "Packed, waiting for the carrier"]
    assert f"Scanned onto manifest {manifest.number}" in html
