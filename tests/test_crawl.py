"""No page ends in a 500: crawl the seeded demo as a customer and as every staff role, following
every link (GET only) the pages show, and check each answers without a server error."""

import re
from collections import deque
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from apps.accounts.models import User

LINK = re.compile(r'href="(/[^"#]*)"')
SKIP = re.compile(
    r"^/(static|media|admin|api/docs|api/schema)|logout|/documents/|/voucher/|sample-label|template|"
    r"\.xlsx|\.pdf|export=1"
)
MAX_PAGES = 160


def crawl(client: Client, start: str) -> tuple[set, list]:
    seen, errors, queue = {start}, [], deque([start])
    while queue and len(seen) <= MAX_PAGES:
        path = queue.popleft()
        response = client.get(path)
        if response.status_code >= 500:
            errors.append((path, response.status_code))
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for link in LINK.findall(response.content.decode()):
            link = link.replace("&amp;", "&")
            if link not in seen and not SKIP.search(link):
                seen.add(link)
                queue.append(link)
    return seen, errors


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--quiet", stdout=StringIO())


@pytest.mark.parametrize(
    "email",
    [
        "alice@acme.example",
        "bob@globex.example",
        "sales@hub.example",
        "customer_service@hub.example",
        "order_group@hub.example",
        "warehouse@hub.example",
        "logistics@hub.example",
        "finance@hub.example",
        "admin@hub.example",
    ],
)
def test_every_linked_page_answers_without_a_server_error(demo, email):
    client = Client(raise_request_exception=False)
    user = User.objects.get(email=email)
    client.force_login(user)
    seen, errors = crawl(client, "/dashboard/" if user.customer_id else "/staff/")
    assert len(seen) > 20, f"only {len(seen)} pages reached"
    assert not errors, f"server errors for {email}: {errors}"
