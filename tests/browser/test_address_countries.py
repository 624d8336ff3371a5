"""Auto-recognition by country in a real browser (issue 18 item 3): a Japanese-script address fills the
form as Japan (not China), and a UK address with a 07700 mobile fills the phone and GB."""

import pytest
from playwright.sync_api import expect

from apps.warehouses.models import Warehouse
from apps.warehouses.services import customer_warehouses_set

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def plan(user_a):
    warehouse = Warehouse.objects.create(
        code="LAX1",
        name="Los Angeles",
        address1="1 Dock Rd",
        city="Carson",
        state="CA",
        postal_code="90810",
        country="US",
    )
    customer_warehouses_set(actor=None, customer=user_a.customer, warehouses=[warehouse])
    return warehouse


def recognize(page, text):
    page.get_by_test_id("auto-recognition").click()
    page.get_by_test_id("recognize-text").fill(text)
    page.get_by_test_id("recognize-button").click()


def test_japanese_and_uk_addresses_fill_the_order_form(page, live_server, login, user_a, plan):
    login(page, user_a.email)
    page.goto("/orders/")
    page.get_by_test_id("create-order").click()

    recognize(page, "〒100-0001 東京都千代田区千代田1-1 山田太郎\n03-1234-5678")
    expect(page.get_by_label("Country")).to_have_value("JP")
    expect(page.get_by_label("Postal code")).to_have_value("100-0001")
    expect(page.get_by_label("State / province")).to_have_value("東京都")
    expect(page.get_by_label("City")).to_have_value("千代田区")
    expect(page.get_by_label("Recipient name")).to_have_value("山田太郎")

    page.reload()
    recognize(page, "Jane Smith\n10 Downing Street\nLondon SW1A 2AA\nUK\n07700 900123")
    expect(page.get_by_label("Country")).to_have_value("GB")
    expect(page.get_by_label("Phone", exact=True)).to_have_value("+44 7700 900123")
    expect(page.get_by_label("Postal code")).to_have_value("SW1A 2AA")
