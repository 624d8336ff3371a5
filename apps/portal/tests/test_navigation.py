"""The portal's navigation (issue 18 item 5): Inventory's screens under their guide names, Tracking
inside the portal, and no module in the sidebar that leads to a page not built."""

import re

import pytest
from django.urls import reverse

from apps.portal.modules import MODULES

pytestmark = pytest.mark.django_db


def sidebar(body: str) -> str:
    return body.split('data-testid="portal-nav"')[1].split("</nav>")[0]


def test_inventory_lists_its_screens_as_the_guide_names_them(client, user_a):
    client.force_login(user_a)
    nav = sidebar(client.get(reverse("inventory:list")).content.decode())
    for title, url_name in (
        ("Inventory List", "inventory:list"),
        ("Inbound Order", "inbound:list"),
        ("Add Reservation Inbound", "inbound:create"),
        ("Damage/Gain Slip", "inbound:slip-list"),
    ):
        assert re.search(rf'href="{re.escape(reverse(url_name))}"[^>]*>{re.escape(title)}</a>', nav), title
    slips = sidebar(client.get(reverse("inbound:slip-list")).content.decode())
    assert re.search(r'class="[^"]*\bactive\b[^"]*" href="/inventory/inbound/slips/"', slips)


def test_every_module_leads_to_a_built_page_and_support_is_not_shown(client, user_a):
    client.force_login(user_a)
    body = client.get(reverse("portal:dashboard")).content.decode()
    assert "Support" not in sidebar(body)
    for module in MODULES:
        assert client.get(reverse(module.url_name)).status_code == 200, module.key
        for _title, url_name in module.links:
            assert client.get(reverse(url_name)).status_code == 200, url_name
    assert client.get("/m/support/").status_code == 404  # the placeholder page is gone


def test_tracking_stays_inside_the_portal(client, user_a):
    client.force_login(user_a)
    body = client.get(reverse("portal:dashboard")).content.decode()
    assert f'href="{reverse("portal:tracking")}"' in sidebar(body)
    assert f'href="{reverse("tracking:track")}"' not in sidebar(body)
    page = client.get(reverse("portal:tracking"), {"numbers": "S00000000000000"}).content.decode()
    assert 'data-testid="portal-nav"' in page and 'data-testid="track-results"' in page
    # the public page stays public, without the portal's navigation
    client.logout()
    public = client.get(reverse("tracking:track")).content.decode()
    assert 'data-testid="track-form"' in public and 'data-testid="portal-nav"' not in public
