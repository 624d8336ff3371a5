"""Cycle counts: a range of bins is counted blind, reviewed, and posted as stock adjustments."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from apps.catalog.services import product_create
from apps.core.errors import StateConflict, ValidationFailed
from apps.core.tenancy import customer_scope, staff_scope
from apps.core.testing import require_postgresql, run_concurrently
from apps.documents.layouts.count_sheets import render_count_sheet
from apps.inventory.choices import CycleCountStatus, MoveKind
from apps.inventory.cycle_counts import (
    cycle_count_add_line,
    cycle_count_create,
    cycle_count_post,
    cycle_count_record,
    cycle_count_review,
    cycle_count_transition,
)
from apps.inventory.models import BinStock, CycleCount, StockBalance, StockMove
from apps.inventory.services import stock_allocate, stock_receive, stock_ship
from apps.warehouses.models import BinLocation, Warehouse

pytestmark = pytest.mark.django_db


# --- Set-up ----------------------------------------------------------------------------------------


def _product(user, sku, name=None):
    with customer_scope(user.customer):
        return product_create(actor=user, data={"sku": sku, "name": name or f"Product {sku}", "declared_value": "1"})


def _receive(product, warehouse, bin, quantity):
    with staff_scope():
        stock_receive(actor=None, product=product, warehouse=warehouse, quantity=quantity, bin=bin)


def _bin_qty(product, bin) -> int:
    with staff_scope():
        return BinStock.objects.filter(product=product, bin=bin).values_list("quantity", flat=True).first() or 0


def _on_hand(product, warehouse) -> int:
    with staff_scope():
        return StockBalance.objects.get(product=product, warehouse=warehouse).on_hand


def _moves(count):
    with staff_scope():
        return list(StockMove.objects.filter(reference_type="cycle_count", reference_id=str(count.pk)).order_by("id"))


@pytest.fixture
def clerk(make_staff):
    return make_staff("warehouse")


@pytest.fixture
def site(user_a, user_b):
    """LAX1 with bins A-01 … A-04 and b-05 (lower case), and a bin A-02 in another warehouse.
    A-01: MUG 10, PLATE 5 (customer A); A-02: MUG 3; A-03: CUP 7 (customer B); A-04 empty;
    b-05: PLATE 2; the other warehouse's A-02: MUG 4."""
    wh = Warehouse.objects.create(code="LAX1", name="Los Angeles", address1="1 Main", city="LA", country="US")
    other = Warehouse.objects.create(code="NYC1", name="New York", address1="2 Main", city="NY", country="US")
    bins = {
        code: BinLocation.objects.create(warehouse=wh, code=code) for code in ("A-01", "A-02", "A-03", "A-04", "b-05")
    }
    other_bin = BinLocation.objects.create(warehouse=other, code="A-02")
    mug, plate, cup = _product(user_a, "MUG", "Mug"), _product(user_a, "PLATE", "Plate"), _product(user_b, "CUP", "Cup")
    _receive(mug, wh, bins["A-01"], 10)
    _receive(plate, wh, bins["A-01"], 5)
    _receive(mug, wh, bins["A-02"], 3)
    _receive(cup, wh, bins["A-03"], 7)
    _receive(plate, wh, bins["b-05"], 2)
    _receive(mug, other, other_bin, 4)
    return {"wh": wh, "other": other, "bins": bins, "other_bin": other_bin, "mug": mug, "plate": plate, "cup": cup}


def _lines(count):
    return {(li.bin.code, li.product.sku): li for li in count.lines.select_related("bin", "product")}


def _counted(count, by_key: dict):
    lines = _lines(count)
    return {lines[key].pk: value for key, value in by_key.items()}


# --- Create ----------------------------------------------------------------------------------------


def test_create_takes_the_stocked_bins_in_range_only(site, clerk):
    count = cycle_count_create(actor=clerk, warehouse=site["wh"], bin_from="a-01", bin_to="A-02")
    assert count.status == CycleCountStatus.COUNTING and count.created_by == clerk
    lines = _lines(count)
    assert {k: li.expected for k, li in lines.items()} == {
        ("A-01", "MUG"): 10,
        ("A-01", "PLATE"): 5,
        ("A-02", "MUG"): 3,
    }
    assert all(li.counted is None for li in lines.values())  # the other warehouse's A-02 is not in it


def test_create_is_case_insensitive_inclusive_and_swaps_a_reversed_range(site, clerk):
    count = cycle_count_create(actor=clerk, warehouse=site["wh"], bin_from=" B-05 ", bin_to="a-03")
    assert (count.bin_from, count.bin_to) == ("a-03", "B-05")
    assert set(_lines(count)) == {("A-03", "CUP"), ("b-05", "PLATE")}  # A-04 is in range but empty


def test_create_refuses_a_range_without_bins(site, clerk):
    message = r"No bins between C-01 and C-99 in LAX1\. Its bins run from A-01 to b-05\."
    with pytest.raises(ValidationFailed, match=message):
        cycle_count_create(actor=clerk, warehouse=site["wh"], bin_from="C-01", bin_to="C-99")
    with pytest.raises(ValidationFailed, match="Enter the first bin code"):
        cycle_count_create(actor=clerk, warehouse=site["wh"], bin_from=" ", bin_to="A-01")
    assert not CycleCount.objects.exists()


def test_empty_bins_can_be_counted_and_finds_added(site, clerk, user_a):
    count = cycle_count_create(actor=clerk, warehouse=site["wh"], bin_from="A-04", bin_to="A-04")
    assert count.lines.count() == 0
    line = cycle_count_add_line(actor=clerk, count=count, bin=site["bins"]["A-04"], product=site["mug"], counted="2")
    assert (line.expected, line.counted) == (0, 2)
    with pytest.raises(ValidationFailed, match="already on this count"):
        cycle_count_add_line(actor=clerk, count=count, bin=site["bins"]["A-04"], product=site["mug"])
    with pytest.raises(ValidationFailed, match="outside this count's range"):
        cycle_count_add_line(actor=clerk, count=count, bin=site["bins"]["A-03"], product=site["mug"])
    with pytest.raises(ValidationFailed, match="is not in LAX1"):
        cycle_count_add_line(actor=clerk, count=count, bin=site["other_bin"], product=site["mug"])


# --- Record ----------------------------------------------------------------------------------------


def test_record_saves_counts_and_clears_with_none(site, clerk):
    count = cycle_count_create(actor=clerk, warehouse=site["wh"], bin_from="A-01", bin_to="A-02")
    changed = cycle_count_record(
        actor=clerk,
        count=count,
        counts=_counted(
            count,
            {
                ("A-01", "MUG"): 9,
                ("A-01", "PLATE"): " 5 ",
                ("A-02", "MUG"): 0,
            },
        ),
    )
    assert changed == 3
    assert {k: li.counted for k, li in _lines(count).items()} == {
        ("A-01", "MUG"): 9,
        ("A-01", "PLATE"): 5,
        ("A-02", "MUG"): 0,
    }
    assert cycle_count_record(actor=clerk, count=count, counts=_counted(count, {("A-01", "MUG"): 9})) == 0
    cycle_count_record(actor=clerk, count=count, counts=_counted(count, {("A-02", "MUG"): ""}))
    assert _lines(count)[("A-02", "MUG")].counted is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, "cannot be negative"),
        ("-3", "cannot be negative"),
        ("2.5", "not a whole number"),
        ("abc", "not a number"),
        (1.0, "whole number"),
        (True, "whole number"),
        ("99999999999", "check the number"),
    ],
)
def test_record_refuses_bad_counts_and_saves_nothing(site, clerk, value, message):
    count = cycle_count_create(actor=clerk, warehouse=site["wh"], bin_from="A-01", bin_to="A-01")
    counts = _counted(count, {("A-01", "MUG"): 4, ("A-01", "PLATE"): value})
    with pytest.raises(ValidationFailed, match=message) as exc:
        cycle_count_record(actor=clerk, count=count, counts=counts)
    assert "Nothing was saved" in exc.value.message and "Bin A-01, PLATE" in exc.value.message
    assert list(exc.value.extra["counts"]) == [str(_lines(count)[("A-01", "PLATE")].pk)]
    assert all(li.counted is None for li in _lines(count).values())


def test_record_refuses_lines_of_another_count_and_outside_counting(site, clerk):
    count = cycle_count_create(actor=clerk, warehouse=site["wh"], bin_from="A-01", bin_to="A-01")
    other = cycle_count_create(actor=clerk, warehouse=site["wh"], bin_from="A-02", bin_to="A-02")
    foreign = other.lines.get().pk
    with pytest.raises(ValidationFailed, match=f"Line {foreign} is not on Cycle count #{count.pk}"):
        cycle_count_record(actor=clerk, count=count, counts={foreign: 1})
    cycle_count_record(actor=clerk, count=other, counts={foreign: 3})
    cycle_count_transition(actor=clerk, count=other, to=CycleCountStatus.REVIEW)
    with pytest.raises(StateConflict, match="in review; counts can be entered only while it is counting"):
        cycle_count_record(actor=clerk, count=other, counts={foreign: 2})


# --- Transitions -----------------------------------------------------------------------------------


def test_review_needs_every_line_counted(site, clerk):
    count = cycle_count_create(actor=clerk, warehouse=site["wh"], bin_from="A-01", bin_to="A-02")
    cycle_count_record(actor=clerk, count=count, counts=_counted(count, {("A-01", "MUG"): 10}))
    with pytest.raises(StateConflict, match="2 of 3 lines have no count yet") as exc:
        cycle_count_transition(actor=clerk, count=count, to=CycleCountStatus.REVIEW)
    assert exc.value.extra == {"missing": 2}
    cycle_count_record(actor=clerk, count=count, counts=_counted(count, {("A-01", "PLATE"): 5, ("A-02", "MUG"): 3}))
    assert cycle_count_transition(actor=clerk, count=count, to="review").status == CycleCountStatus.REVIEW
    assert cycle_count_transition(actor=clerk, count=count, to="counting").status == CycleCountStatus.COUNTING
    assert all(li.counted is not None for li in _lines(count).values())  # back to counting keeps the counts


def test_transition_rules(site, clerk):
    count = cycle_count_create(actor=clerk, warehouse=site["wh"], bin_from="A-02", bin_to="A-02")
    with pytest.raises(ValidationFailed, match="Unknown cycle count status"):
        cycle_count_transition(actor=clerk, count=count, to="done")
    with pytest.raises(StateConflict, match="Post adjustments"):
        cycle_count_transition(actor=clerk, count=count, to=CycleCountStatus.POSTED)
    with pytest.raises(StateConflict, match="is already counting"):
        cycle_count_transition(actor=clerk, count=count, to=CycleCountStatus.COUNTING)
    with pytest.raises(StateConflict, match="Start the review first"):
        cycle_count_post(actor=clerk, count=count)
    cycle_count_transition(actor=clerk, count=count, to=CycleCountStatus.CANCELLED)
    for to in (CycleCountStatus.COUNTING, CycleCountStatus.REVIEW):
        with pytest.raises(StateConflict, match="is cancelled; it cannot move to .* It is final"):
            cycle_count_transition(actor=clerk, count=count, to=to)
    with pytest.raises(StateConflict, match="already cancelled"):
        cycle_count_transition(actor=clerk, count=count, to=CycleCountStatus.CANCELLED)
    with pytest.raises(StateConflict):
        cycle_count_post(actor=clerk, count=count)
    assert _moves(count) == []


def test_a_count_without_lines_cannot_be_reviewed(site, clerk):
    count = cycle_count_create(actor=clerk, warehouse=site["wh"], bin_from="A-04", bin_to="A-04")
    with pytest.raises(StateConflict, match="no lines to review"):
        cycle_count_transition(actor=clerk, count=count, to=CycleCountStatus.REVIEW)


# --- Post ------------------------------------------------------------------------------------------


def _reviewed(site, clerk, counts):
    count = cycle_count_create(actor=clerk, warehouse=site["wh"], bin_from="A-01", bin_to="A-03")
    cycle_count_record(actor=clerk, count=count, counts=_counted(count, counts))
    cycle_count_transition(actor=clerk, count=count, to=CycleCountStatus.REVIEW)
    return count


def test_post_adjusts_exactly_the_differences(site, clerk):
    count = _reviewed(site, clerk, {("A-01", "MUG"): 8, ("A-01", "PLATE"): 5, ("A-02", "MUG"): 4, ("A-03", "CUP"): 0})
    posted = cycle_count_post(actor=clerk, count=count)
    assert posted.status == CycleCountStatus.POSTED and posted.posted_by == clerk and posted.posted_at
    moves = _moves(count)
    assert sorted((m.bin.code, m.product.sku, m.quantity) for m in moves) == [
        ("A-01", "MUG", -2),
        ("A-02", "MUG", 1),
        ("A-03", "CUP", -7),
    ]
    lines = _lines(count)
    for m in moves:
        assert m.kind == MoveKind.ADJUST and m.warehouse == site["wh"] and m.actor == clerk
        assert m.reason == m.reference == f"Cycle count #{count.pk}"
        assert m.idempotency_key == f"cycle-count:{count.pk}:{lines[(m.bin.code, m.product.sku)].pk}"
        assert m.customer_id == m.product.customer_id  # customer B's cup is booked to customer B
    bins = site["bins"]
    assert (_bin_qty(site["mug"], bins["A-01"]), _bin_qty(site["mug"], bins["A-02"])) == (8, 4)
    assert (_bin_qty(site["plate"], bins["A-01"]), _bin_qty(site["cup"], bins["A-03"])) == (5, 0)
    assert _on_hand(site["mug"], site["wh"]) == 12 and _on_hand(site["cup"], site["wh"]) == 0
    assert _on_hand(site["plate"], site["wh"]) == 7 and _on_hand(site["mug"], site["other"]) == 4


def test_posting_twice_changes_nothing(site, clerk, make_staff):
    count = _reviewed(site, clerk, {("A-01", "MUG"): 11, ("A-01", "PLATE"): 5, ("A-02", "MUG"): 3, ("A-03", "CUP"): 7})
    cycle_count_post(actor=clerk, count=count)
    again = cycle_count_post(actor=make_staff("admin"), count=CycleCount.objects.get(pk=count.pk))
    assert again.posted_by == clerk
    assert [m.quantity for m in _moves(count)] == [1]
    assert _bin_qty(site["mug"], site["bins"]["A-01"]) == 11 and _on_hand(site["mug"], site["wh"]) == 14


def test_post_adjusts_against_the_stock_now_when_it_moved_since_the_start(site, clerk, user_a):
    """Expected was 10 MUG in A-01; 4 were picked and shipped before the count: the counter finds 5.
    Posting sets the bin to 5 (−1 against the 6 now), not −5 against the 10 at the start."""
    count = cycle_count_create(actor=clerk, warehouse=site["wh"], bin_from="A-01", bin_to="A-01")
    with customer_scope(user_a.customer):
        stock_allocate(actor=user_a, product=site["mug"], warehouse=site["wh"], quantity=4)
        stock_ship(actor=user_a, product=site["mug"], warehouse=site["wh"], quantity=4, bin=site["bins"]["A-01"])
    cycle_count_record(actor=clerk, count=count, counts=_counted(count, {("A-01", "MUG"): 5, ("A-01", "PLATE"): 5}))
    cycle_count_transition(actor=clerk, count=count, to=CycleCountStatus.REVIEW)
    review = {(r.line.bin.code, r.line.product.sku): r for r in cycle_count_review(count=count)}
    mug = review[("A-01", "MUG")]
    assert (mug.line.expected, mug.current, mug.line.counted) == (10, 6, 5)
    assert (mug.difference, mug.moved_since_start) == (-1, -4)
    assert review[("A-01", "PLATE")].difference == 0
    cycle_count_post(actor=clerk, count=count)
    assert [m.quantity for m in _moves(count)] == [-1]
    assert _bin_qty(site["mug"], site["bins"]["A-01"]) == 5


def test_post_below_the_allocated_stock_is_refused_whole(site, clerk, user_a):
    count = _reviewed(site, clerk, {("A-01", "MUG"): 12, ("A-01", "PLATE"): 5, ("A-02", "MUG"): 0, ("A-03", "CUP"): 7})
    with customer_scope(user_a.customer):  # orders hold all 13 MUG: A-01 +2 would pass, A-02 −3 cannot
        stock_allocate(actor=user_a, product=site["mug"], warehouse=site["wh"], quantity=13)
    with pytest.raises(StateConflict, match="Bin A-02, MUG: .*Nothing was posted"):
        cycle_count_post(actor=clerk, count=count)
    count.refresh_from_db()
    assert count.status == CycleCountStatus.REVIEW and _moves(count) == []
    assert _bin_qty(site["mug"], site["bins"]["A-01"]) == 10  # the +2 before it was rolled back too


# --- Count sheet -----------------------------------------------------------------------------------


def _pdf_text(pdf: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return result.stdout.decode()


def test_count_sheet_is_a_blind_pdf_with_every_row():
    rows = [(f"A-{i:03d}", f"SKU-{i:03d}", f"Product number {i}") for i in range(90)]
    pdf = render_count_sheet(title="Cycle count #7 · LAX1", subtitle_lines=["Bins A-000 to A-089"], rows=rows)
    assert pdf.startswith(b"%PDF-")
    text = _pdf_text(pdf)
    assert all(f"SKU-{i:03d}" in text for i in range(90))
    assert "Cycle count #7" in text and "Counted" in text and "Bins A-000 to A-089" in text
    pages = re.findall(r"Page (\d+) of (\d+)", text)
    assert len(pages) > 1 and pages[-1][0] == pages[-1][1] == str(len(pages))


def test_count_sheet_refuses_bad_rows():
    with pytest.raises(ValueError, match="Row 2 must be three pieces of text"):
        render_count_sheet(title="x", subtitle_lines=[], rows=[("A", "B", "C"), ("A", "B")])
    assert render_count_sheet(title="Empty", subtitle_lines=[], rows=[]).startswith(b"%PDF-")


# --- Views -----------------------------------------------------------------------------------------


def test_warehouse_staff_go_through_the_flow(client, site, clerk):
    client.force_login(clerk)
    assert client.get(reverse("backoffice:cycle-count-create")).status_code == 200
    response = client.post(
        reverse("backoffice:cycle-count-create"),
        {"warehouse": site["wh"].pk, "bin_from": "A-01", "bin_to": "A-05"},
        follow=True,
    )
    count = CycleCount.objects.get()
    assert response.status_code == 200
    body = response.content.decode()
    assert f"Cycle count #{count.pk} started in LAX1" in body and "4 bins, 4 SKU lines" in body
    assert ">10<" not in body  # blind: no expected quantities while counting

    sheet = client.get(reverse("backoffice:cycle-count-sheet", args=[count.pk]))
    assert sheet.status_code == 200 and sheet["Content-Type"] == "application/pdf"
    text = _pdf_text(sheet.content)
    assert all(sku in text for sku in ("MUG", "PLATE", "CUP")) and "A-04" in text

    lines = _lines(count)
    field = {k: f"count-{li.pk}" for k, li in lines.items()}
    bad = client.post(
        reverse("backoffice:cycle-count-record", args=[count.pk]),
        {field[("A-01", "MUG")]: "nine", field[("A-01", "PLATE")]: "-1"},
    )
    assert bad.status_code == 400
    assert "Nothing was saved" in bad.content.decode() and "is not a number" in bad.content.decode()

    client.post(
        reverse("backoffice:cycle-count-record", args=[count.pk]),
        {field[("A-01", "MUG")]: "9", field[("A-01", "PLATE")]: "5"},
    )
    response = client.post(reverse("backoffice:cycle-count-transition", args=[count.pk]), {"to": "review"}, follow=True)
    assert "2 of 4 lines have no count yet" in response.content.decode()

    response = client.post(
        reverse("backoffice:cycle-count-add-line", args=[count.pk]),
        {"bin": "a-02", "sku": "cup", "counted": "1"},
        follow=True,
    )
    assert "Added CUP" in response.content.decode()
    response = client.post(reverse("backoffice:cycle-count-add-line", args=[count.pk]), {"bin": "Z-99", "sku": "MUG"})
    assert response.status_code == 400 and "There is no bin Z-99 in LAX1" in response.content.decode()

    lines = _lines(count)
    response = client.post(
        reverse("backoffice:cycle-count-record", args=[count.pk]),
        {
            f"count-{lines[('A-02', 'MUG')].pk}": "3",
            f"count-{lines[('A-03', 'CUP')].pk}": "7",
            f"count-{lines[('A-02', 'CUP')].pk}": "1",
            "then": "review",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "is in review" in body and 'data-difference="-1"' in body and 'data-difference="1"' in body

    response = client.post(reverse("backoffice:cycle-count-post", args=[count.pk]), follow=True)
    assert "posted: 2 adjustments (+1 / −1 units)" in response.content.decode()
    assert _bin_qty(site["mug"], site["bins"]["A-01"]) == 9 and _bin_qty(site["cup"], site["bins"]["A-02"]) == 1
    response = client.post(reverse("backoffice:cycle-count-post", args=[count.pk]), follow=True)
    assert "already posted" in response.content.decode() and len(_moves(count)) == 2

    listing = client.get(reverse("backoffice:cycle-count-list"), {"warehouse": "LAX1", "status": "posted"})
    assert f"#{count.pk}" in listing.content.decode()
    assert (
        f"#{count.pk}<"
        not in client.get(reverse("backoffice:cycle-count-list"), {"status": "counting"}).content.decode()
    )


def test_views_refuse_bad_input_without_a_500(client, site, clerk):
    client.force_login(clerk)
    response = client.post(
        reverse("backoffice:cycle-count-create"), {"warehouse": site["wh"].pk, "bin_from": "X-1", "bin_to": "X-9"}
    )
    assert response.status_code == 400 and "No bins between X-1 and X-9 in LAX1" in response.content.decode()
    response = client.post(reverse("backoffice:cycle-count-create"), {"warehouse": "nope", "bin_from": "A"})
    assert response.status_code == 400 and "Choose one of the listed warehouses" in response.content.decode()
    count = cycle_count_create(actor=clerk, warehouse=site["wh"], bin_from="A-01", bin_to="A-01")
    # The other warehouse's bin is not found in this one.
    response = client.post(reverse("backoffice:cycle-count-add-line", args=[count.pk]), {"bin": "A-02", "sku": "MUG"})
    assert response.status_code == 400 and "outside this count" in response.content.decode()
    response = client.post(
        reverse("backoffice:cycle-count-add-line", args=[count.pk]), {"bin": "A-01", "sku": "NOPE", "counted": "x"}
    )
    assert response.status_code == 400 and "No product has SKU NOPE" in response.content.decode()
    response = client.post(reverse("backoffice:cycle-count-transition", args=[count.pk]), {"to": "posted"}, follow=True)
    assert "Post adjustments" in response.content.decode()
    response = client.post(reverse("backoffice:cycle-count-post", args=[count.pk]), follow=True)
    assert "Start the review first" in response.content.decode()
    response = client.post(reverse("backoffice:cycle-count-record", args=[count.pk]), {"count-999999": "1"})
    assert response.status_code == 400 and "reload the page" in response.content.decode()
    assert client.get(reverse("backoffice:cycle-count-detail", args=[999999])).status_code == 404
    assert client.get(reverse("backoffice:cycle-count-list"), {"status": "bogus", "page": "x"}).status_code == 200


def test_customer_service_may_not_create_or_post(client, site, clerk, make_staff, user_a):
    count = _reviewed(site, clerk, {("A-01", "MUG"): 1, ("A-01", "PLATE"): 5, ("A-02", "MUG"): 3, ("A-03", "CUP"): 7})
    client.force_login(make_staff("customer_service"))
    assert client.get(reverse("backoffice:cycle-count-create")).status_code == 403
    assert (
        client.post(
            reverse("backoffice:cycle-count-create"), {"warehouse": site["wh"].pk, "bin_from": "A-01", "bin_to": "A-02"}
        ).status_code
        == 403
    )
    assert client.post(reverse("backoffice:cycle-count-post", args=[count.pk])).status_code == 403
    transition = reverse("backoffice:cycle-count-transition", args=[count.pk])
    assert client.post(transition, {"to": "cancelled"}).status_code == 403
    client.force_login(user_a)  # a customer never reaches the back office
    assert client.get(reverse("backoffice:cycle-count-list")).status_code == 403
    count.refresh_from_db()
    assert count.status == CycleCountStatus.REVIEW and _moves(count) == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_adjust_once(site, clerk):
    """Two supervisors press Post at the same moment: the row lock lets one post, the other finds
    the count posted and changes nothing."""
    require_postgresql()
    count = _reviewed(site, clerk, {("A-01", "MUG"): 7, ("A-01", "PLATE"): 6, ("A-02", "MUG"): 3, ("A-03", "CUP"): 7})
    results = run_concurrently(lambda: cycle_count_post(actor=clerk, count=count).status, threads=6)
    assert results == [CycleCountStatus.POSTED] * 6
    assert sorted(m.quantity for m in _moves(count)) == [-3, 1]
    assert _bin_qty(site["mug"], site["bins"]["A-01"]) == 7 and _on_hand(site["mug"], site["wh"]) == 10
