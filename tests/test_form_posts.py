"""No form ends in a 500 either: on the seeded demo, every form a page offers (customer and staff)
is posted empty and with nonsense in the usual fields; each must answer with a page or a clear
refusal, never a server error."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from apps.accounts.models import User

from .test_crawl import crawl

FORM = re.compile(r"<form\b([^>]*)>", re.IGNORECASE)
ACTION = re.compile(r'action="([^"]*)"')
SKIP = re.compile(r"logout|/password|/register|/api-keys/new")
NONSENSE = {
    "code": "’;DROP--<b>" + "9" * 300,
    "quantity": "-1",
    "found": "1e9",
    "weight_g": "1e309",
    "length_cm": "nan",
    "width_cm": "-0",
    "height_cm": "∞",
    "reason": "x" * 2000,
    "message": "",
    "sku": ["", "NOPE"],
    "ids": ["abc", "-1", "99999999"],
    "action": "nonsense",
    "warehouse": "abc",
    "carrier": "nope",
    "line": "x",
    "scanned": "{not json",
    "bin": "Z" * 100,
    "limit": "0",
    "cutoff": "yesterday",
    "country": "ZZ",
    "received_amount": "NaN",
    "amount": "1e999",
    "status": "nonsense",
    "kind": "nonsense",
    "confirm": "yes",
}


def post_forms(client: Client, pages: set[str]) -> tuple[set, list]:
    actions = set()
    for path in sorted(pages):
        response = client.get(path)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for attrs in FORM.findall(response.content.decode()):
            if 'method="post"' not in attrs.lower():
                continue
            found = ACTION.search(attrs)
            action = (found.group(1) if found else path).replace("&amp;", "&") or path
            if action.startswith("/") and not SKIP.search(action):
                actions.add(action)
    errors = []
    for action in sorted(actions):
        for data in ({}, NONSENSE):
            response = client.post(action, data)
            if response.status_code >= 500:
                errors.append((action, "empty" if not data else "nonsense", response.status_code))
    return actions, errors


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--quiet", stdout=StringIO())


@pytest.mark.parametrize(
    "email",
    [
        "alice@acme.example",
        "order_group@hub.example",
        "warehouse@hub.example",
        "logistics@hub.example",
        "finance@hub.example",
        "admin@hub.example",
    ],
)
def test_every_form_refuses_bad_input_without_a_server_error(demo, email):
    client = Client(raise_request_exception=False)
    user = User.objects.get(email=email)
    client.force_login(user)
    pages, _errors = crawl(client, "/dashboard/" if user.customer_id else "/staff/")
    actions, errors = post_forms(client, pages)
    assert len(actions) >= 8, f"only {len(actions)} forms found: {sorted(actions)}"
    assert not errors, f"server errors for {email}: {errors}"
