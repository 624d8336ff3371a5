"""The documents' layouts: one module per document family, each turning plain dataclasses into a PDF.

- ``barcode_labels``: SKU barcode labels (Code 128 / UPC-A) on thermal rolls or A4 sheets.
- ``box_marks``: the label on each carton of an inbound.
- ``inbound_lists``: an inbound's product list and packing list (A4).
- ``pick_lists``: a wave's pick list (A4).
- ``manifests``: a carrier's hand-over manifest with the driver's signature box (A4).
- ``shipping_labels``: 4 × 6 in carrier labels.
- ``count_sheets``: blind cycle-count sheets (A4).

Built on ``toolkit``; needs no Django settings and imports no other app, so any app can render them.
"""
