"""Recognition by country (issue 18 item 3): Japanese script is Japan, not China; UK mobile numbers in the
range phonenumbers holds back (07700 900xxx) are still placed; "UK" is Great Britain."""

import pytest

from apps.orders.recognition import recognize_address
from apps.orders.rules import clean_phone, clean_recipient

JAPANESE = [
    pytest.param(
        "〒100-0001 東京都千代田区千代田1-1 山田太郎",
        {
            "country": "JP",
            "postal_code": "100-0001",
            "state": "東京都",
            "city": "千代田区",
            "address1": "千代田1-1",
            "name": "山田太郎",
        },
        id="one-line-name-last",
    ),
    pytest.param(
        "山田 太郎\n〒150-0002\n東京都渋谷区渋谷2丁目21-1 渋谷ビル5階\n090-1234-5678",
        {
            "country": "JP",
            "name": "山田 太郎",
            "postal_code": "150-0002",
            "state": "東京都",
            "city": "渋谷区",
            "address1": "渋谷2丁目21-1",
            "address2": "渋谷ビル5階",
            "phone": "+81 90-1234-5678",
        },
        id="multiline-name-first-building-mobile",
    ),
    pytest.param(
        "大阪府大阪市北区梅田3-1-1 〒530-0001 株式会社サンプル 佐藤花子 様",
        {
            "country": "JP",
            "postal_code": "530-0001",
            "state": "大阪府",
            "city": "大阪市北区",
            "address1": "梅田3-1-1",
            "company": "株式会社サンプル",
            "name": "佐藤花子",
        },
        id="ward-of-a-city-company-honorific",
    ),
    pytest.param(
        "日本 〒060-0001 北海道札幌市中央区北一条西2丁目 鈴木一郎",
        {"country": "JP", "state": "北海道", "city": "札幌市中央区", "address1": "北一条西2丁目", "name": "鈴木一郎"},
        id="country-written-hokkaido",
    ),
    pytest.param(
        "京都府京都市下京区烏丸通七条下ル東塩小路町721-1",
        {"country": "JP", "state": "京都府", "city": "京都市下京区"},
        id="kanji-only-prefecture-no-kana",
    ),
]


@pytest.mark.parametrize(("text", "expected"), JAPANESE)
def test_japanese_script_addresses_are_read_as_japan(text, expected):
    result = recognize_address(text)

    assert {key: result.fields.get(key) for key in expected} == expected
    assert result.leftover == []


def test_chinese_addresses_stay_chinese():
    result = recognize_address("广东省深圳市南山区科技园南路18号 518057")

    assert result.fields["country"] == "CN" and result.fields["state"] == "广东省"


def test_a_recognised_japanese_address_passes_the_order_rules():
    fields = recognize_address("〒100-0001 東京都千代田区千代田1-1 山田太郎\n03-1234-5678").fields

    _values, problems = clean_recipient(fields, complete=True)

    assert problems == {}


@pytest.mark.parametrize(
    "text",
    [
        "Jane Smith\n10 Downing Street\nLondon SW1A 2AA\nUK\n07700 900123",
        "Jane Smith, 10 Downing Street, London SW1A 2AA, 07700 900123",
        "Jane Smith\n10 Downing Street\nLondon SW1A 2AA\nMobile: 07700 900123",
    ],
)
def test_uk_mobile_numbers_are_placed(text):
    result = recognize_address(text)

    assert result.fields["phone"] == "+44 7700 900123"
    assert result.fields["country"] == "GB" and result.fields["postal_code"] == "SW1A 2AA"
    assert result.leftover == []


def test_the_order_rules_take_the_placed_uk_mobile_and_still_refuse_nonsense():
    assert clean_phone("07700 900123", "GB") == "+44 7700 900123"
    with pytest.raises(ValueError, match="not a valid phone number"):
        clean_phone("01 23", "GB")
    with pytest.raises(ValueError, match="not a valid phone number"):
        clean_phone("+1 555 555 5555", "US")


def test_uk_is_great_britain_in_the_order_rules():
    values, problems = clean_recipient(
        {
            "name": "Jane Smith",
            "address1": "10 Downing Street",
            "city": "London",
            "postal_code": "sw1a2aa",
            "country": "UK",
        },
        complete=True,
    )

    assert problems == {}
    assert (values["country"], values["postal_code"]) == ("GB", "SW1A 2AA")
