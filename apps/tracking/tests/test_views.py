from datetime import date

import pytest
from django.urls import reverse

from apps.core.identifiers import order_number

URL = reverse("tracking:track")
pytestmark = pytest.mark.django_db


def test_public_page_needs_no_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 200 and "Track your parcels" in response.content.decode()


def test_numbers_are_split_deduplicated_and_answered(client):
    good = order_number(date(2026, 11, 25), 7)
    response = client.get(URL, {"numbers": f"{good}, {good.lower()}\n1Z999AA10123456784"})
    body = response.content.decode()
    assert body.count("<code>") == 2
    assert good in body and "1Z999AA10123456784" in body


def test_more_than_forty_numbers_is_refused(client):
    numbers = "\n".join(f"TRACK{n:06d}" for n in range(41))
    body = client.get(URL, {"numbers": numbers}).content.decode()
    assert "You entered 41 numbers; track at most 40" in body
    assert 'data-testid="track-results"' not in body


def test_order_number_typo_is_caught(client):
    good = order_number(date(2026, 11, 25), 7)
    typo = good[:-1] + str((int(good[-1]) + 1) % 10)
    body = client.get(URL, {"numbers": typo}).content.decode()
    assert f"{typo}: the last digit does not match" in body
