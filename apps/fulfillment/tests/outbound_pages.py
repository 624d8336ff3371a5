"""Helpers the outbound page tests share: URLs, and picking and packing through the services."""

from html import unescape

from django.urls import reverse

from apps.fulfillment.choices import PickStatus
from apps.fulfillment.packing import pack_complete, pack_find, pack_scan
from apps.fulfillment.picking import pick_confirm, wave_create, wave_lines

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, *args):
    return reverse(f"backoffice:outbound-{name}", args=args)


def pick_all(floor, wave):
    for line in wave_lines(wave=wave):
        if line.status == PickStatus.OPEN:
            pick_confirm(
                actor=floor.clerk, line=line, bin_code=line.bin.code if line.bin else "", product_code=line.product.sku
            )


def picked(floor, *orders):
    wave = wave_create(actor=floor.clerk, warehouse=floor.warehouse)
    assert {wo.order_id for wo in wave.orders.all()} == {o.pk for o in orders}
    pick_all(floor, wave)
    return wave


def pack(floor, order, weight=450):
    task = pack_find(warehouse=floor.warehouse, code=order.number)
    scanned = {}
    for line in order.lines.all():
        for _ in range(line.quantity):
            _sku, scanned = pack_scan(task=task, scanned=scanned, code=line.product.sku)
    return pack_complete(actor=floor.clerk, task=task, scanned=scanned, weight_g=weight)


def body(response) -> str:
    return unescape(response.content.decode())
