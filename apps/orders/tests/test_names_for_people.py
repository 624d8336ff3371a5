"""Names, not codes, for people (issue 18 item 4): the chosen shipping method by its name, reason
sentences without code prefixes, the batch template naming the codes this customer may type, the
shipping calculator listing them, and ranges written as people write them."""

import io

import openpyxl
import pytest
from django.urls import reverse

from apps.core.numbers import day_range, number_range
from apps.inventory.services import stock_receive
from apps.orders.choices import AbnormalReason, OrderStatus
from apps.orders.services import order_create, order_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_a(client, world):
    client.force_login(world.user)
    return client


def test_ranges_are_written_as_people_write_them():
    assert day_range(3, 5) == "3–5 days"
    assert day_range(2, 2) == "2 days"
    assert day_range(1, 1) == "1 day"
    assert number_range(1, 40) == "1–40"
    assert number_range(1, 100_000, "unit") == "1–100000 units"


def test_the_chosen_shipping_method_is_shown_by_its_name(client_a, world):
    order = order_create(actor=world.user, data=world.data(channel=world.express))
    body = client_a.get(reverse("orders:edit", args=[order.number])).content.decode()
    chosen = body.split('data-testid="channel-chosen"')[1].split("</p>")[0]
    assert "Chosen: <strong>DHL Express</strong>" in chosen and "dhl-express" not in chosen


def test_an_abnormal_reason_is_a_sentence_with_names_not_codes(client_a, world):
    stock_receive(actor=None, product=world.products["LAMP"], warehouse=world.warehouse, quantity=11)
    order = order_submit(
        actor=world.user,
        order=order_create(actor=world.user, data=world.data(lines=[(world.products["LAMP"], 11)])),
    )
    assert order.status == OrderStatus.ABNORMAL and order.abnormal_code == AbnormalReason.NO_CHANNEL
    assert "DHL Express: too heavy" in order.abnormal_message and "dhl-express" not in order.abnormal_message
    body = client_a.get(reverse("orders:detail", args=[order.number])).content.decode()
    reason = body.split('data-testid="abnormal-reason"')[1].split("</div>")[0]
    assert "(NO_CHANNEL)" not in reason and "NO_CHANNEL" not in reason
    assert order.get_abnormal_code_display() in reason


def test_the_batch_template_notes_list_the_customers_channel_codes(client_a, world):
    response = client_a.get(reverse("orders:batch-template", args=["regular"]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    notes = " ".join(str(c.value) for row in book["Notes"].iter_rows() for c in row if c.value)
    assert "ups-ground (UPS Ground, from LAX1)" in notes and "dhl-express (DHL Express, from LAX1)" in notes
    header = next(r for r in book["Data"].iter_rows() if any(c.value == "Shipping method" for c in r))
    comment = next(c.comment.text for c in header if c.value == "Shipping method")
    assert "ups-ground (UPS Ground, from LAX1)" in comment  # the header's comment says it too


def test_the_shipping_calculator_lists_the_codes_a_template_accepts(client_a, world):
    body = client_a.get(
        reverse("shipping:quote"), {"warehouse": "LAX1", "country": "US", "postal_code": "94105", "weight_g": "500"}
    ).content.decode()
    codes = body.split('data-testid="channel-codes"')[1].split("</table>")[0]
    assert "ups-ground" in codes and "UPS Ground" in codes and "dhl-express" in codes
    assert "3–5 days" in codes and "1–2 days" in codes


def test_the_order_pages_quote_writes_delivery_as_a_range_with_the_code_beside_the_name(client_a, world):
    response = client_a.post(
        reverse("orders:quote"),
        {"warehouse": "LAX1", "country": "US", "postal_code": "94105", "sku": ["TEE"], "quantity": ["1"]},
    )
    options = {o["code"]: o for o in response.json()["options"]}
    assert options["ups-ground"]["name"] == "UPS Ground" and options["ups-ground"]["days"] == "3–5 days"
    assert options["dhl-express"]["days"] == "1–2 days"
