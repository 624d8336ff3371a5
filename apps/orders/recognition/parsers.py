"""The per-country address parsers of recognition: usaddress for the US, a parser for Chinese script,
and a generic "street lines … city/state/postal" parser that knows whether the postal code comes
before the city (most of Europe) or after it."""

from __future__ import annotations

import re

import usaddress

from .places import CN_PREFIX, POSTAL_FIRST, format_postal, postal_regex, split_state, state_code
from .text import CJK, CN_ADDR_CHARS, COMPANY_RE, STREET_SUFFIX, STREET_WORDS, UNIT_RE, clean, text_key

# --- parsers --------------------------------------------------------------------------------------------------
# usaddress labels: AddressNumber…, StreetName…, USPSBox… make the street line; Occupancy… ("Apt 4B") the unit.
_US_STREET = ("AddressNumber", "StreetName", "USPSBox", "Intersection", "SecondStreet", "CornerOf")
_US_UNIT = ("Occupancy", "Subaddress", "BuildingName")


def parse_us(segs: list[str], out: dict[str, str], leftover: list[str]) -> bool:
    """usaddress knows US street grammar far better than regexes; False sends us to the generic parser."""
    try:
        parsed = usaddress.parse(", ".join(segs))
    except Exception:  # usaddress's CRF tagger is a black box; any failure just means "not parsed"
        return False
    tagged: dict[str, list[str]] = {}
    for token, label in parsed:
        tagged.setdefault(label, []).append(token.strip(" ,;"))
    zip_code = " ".join(tagged.get("ZipCode", []))
    state = state_code(" ".join(tagged.get("StateName", [])), "US")
    if not (re.fullmatch(r"\d{5}(-\d{4})?", zip_code) and state and tagged.get("PlaceName")):
        return False
    street = " ".join(token.strip(" ,;") for token, label in parsed if label.startswith(_US_STREET))
    unit = " ".join(token.strip(" ,;") for token, label in parsed if label.startswith(_US_UNIT))
    for key, value in (
        ("address1", street),
        ("address2", unit),
        ("city", " ".join(tagged["PlaceName"])),
        ("state", state),
        ("postal_code", zip_code),
    ):
        if value:
            out.setdefault(key, value)
    if recipient := " ".join(tagged.get("Recipient", [])):  # a name usaddress saw before the street
        out.setdefault("company" if COMPANY_RE.search(recipient) else "name", recipient)
    leftover.extend(
        clean(" ".join(tagged.get(label, []))) for label in ("NotAddress", "LandmarkName") if tagged.get(label)
    )
    return True


def parse_cn_script(segs: list[str], out: dict[str, str], leftover: list[str]) -> None:
    """广东省深圳市南山区科技园南路18号 518057: province → state, city → city, the rest → address1."""
    text = CN_PREFIX.sub("", " ".join(segs))
    if "postal_code" not in out and (m := re.search(r"(?<!\d)\d{6}(?!\d)", text)):
        out["postal_code"], text = m.group(), text[: m.start()] + text[m.end() :]
    text = re.sub(r"\s*([\u4e00-\u9fff])\s*", r"\1", text).strip()  # "广东省 深圳市" is one run of text
    if m := re.match(r"(北京|上海|天津|重庆)市?", text):  # municipalities are province and city at once
        out.setdefault("state", m[1] + "市")
        out.setdefault("city", m[1] + "市")
        text = text[m.end() :]
    elif m := re.match(r"[^\d省市区县路街道号]{1,8}?(?:省|自治区|特别行政区)", text):
        out.setdefault("state", m.group())
        text = text[m.end() :]
    if m := re.match(r"[^\d省市区县路街道号]{1,8}?(?:市|自治州|地区|盟)", text):
        out.setdefault("city", m.group())
        text = text[m.end() :]
    if (text := clean(text)) and (CN_ADDR_CHARS.search(text) or re.search(r"\d", text)):
        out.setdefault("address1", text)
    elif text:
        leftover.append(text)


def street_lines(streets: list[str], out: dict[str, str], country: str, leftover: list[str]) -> None:
    # An unrecognised line before the first street line (a lower-case name, a note) is shown, not guessed.
    while (
        len(streets) > 1
        and not re.search(r"\d", streets[0])
        and not (STREET_WORDS.search(streets[0]) or UNIT_RE.search(streets[0]) or CJK.search(streets[0]))
    ):
        leftover.append(streets.pop(0))
    merged: list[str] = []
    for seg in streets:  # "Calle de Alcalá, 50": a bare house number belongs to the street before it
        if merged and re.fullmatch(r"\d+\w?(?:[-/ ]\w+)?", seg):
            merged[-1] = f"{merged[-1]} {seg}"
        else:
            merged.append(seg)
    if len(merged) > 1 and UNIT_RE.search(merged[0]) and re.search(r"\d", merged[1]):
        merged[0], merged[1] = merged[1], merged[0]  # "Flat 3, 12 Baker Street": the street is address1
    if merged and country == "CN":  # romanised: street and district together, as in the Chinese order
        merged = [", ".join(merged)]
    if merged:
        out.setdefault("address1", merged[0])
    if len(merged) > 1:
        out.setdefault("address2", ", ".join(merged[1:]))


def city_like(streets: list[str]) -> bool:
    """Can the last street line be the city? Not if it is the only street line and looks like a street."""
    return (
        bool(streets)
        and not re.search(r"\d", streets[-1])
        and (len(streets) > 1 or not (STREET_WORDS.search(streets[0]) or UNIT_RE.search(streets[0])))
    )


def parse_generic(segs: list[str], country: str, out: dict[str, str], leftover: list[str]) -> None:
    """Street lines first, then city/state/postal around the last postal code found."""
    if not country and len(segs) < 2:  # a lone number or word with no country is too little to guess from
        leftover.extend(segs)
        return
    rx, pos, match = postal_regex(country), None, None
    for i in range(len(segs) - 1, -1, -1):
        if found := list(rx.finditer(segs[i])):
            pos, match = i, found[-1]
            break
    if pos is None or match is None:
        if {"postal_code", "city"} & out.keys() and segs:  # labelled input: what is left is the street
            street_lines(segs, out, country, leftover)
        elif country and len(segs) >= 2 and re.search(r"\d", segs[0]):
            city = segs[-1] if not re.search(r"\d", segs[-1]) else ""
            if city:
                out.setdefault("city", city)
            street_lines(segs[:-1] if city else segs, out, country, leftover)
        else:
            leftover.extend(segs)
        return
    out.setdefault("postal_code", format_postal(country, match.group(1)))
    before, after = clean(segs[pos][: match.start()]), clean(segs[pos][match.end() :])
    streets, state, city = segs[:pos], "", ""
    if country in POSTAL_FIRST or (not country and not before):
        if before:  # "Hauptstraße 5 10115 Berlin" on one line
            streets.append(before)
        city = after
        if not city and city_like(streets):
            city = streets.pop()
        if country == "IT" and (m := re.fullmatch(r"(.+?)\s+\(?([A-Z]{2})\)?", city)):
            city, state = m[1], m[2]  # "00186 Roma RM": the province code follows the city
    else:
        state, city = split_state(before, country)
        if country == "CN" and not city and text_key(state) in ("beijing", "shanghai", "tianjin", "chongqing"):
            city = state  # municipalities are province and city at once; the district stays in the street
        if after:
            leftover.append(after)
        if not city and streets and not state and (found := split_state(streets[-1], country))[0] and not found[1]:
            state = found[0]  # "Toronto, Ontario, M5V 2T6": the state on its own line
            streets.pop()
        if not city and city_like(streets):
            city = streets.pop()
        if (
            country == "GB"
            and not state
            and len(streets) > 1
            and state_code(city, "GB")
            and not re.search(r"\d", streets[-1])
        ):
            state, city = city, streets.pop()  # "Manchester, Greater Manchester, M1 1AE": county is optional
        if re.search(r"\d", city) and not streets:  # "10 Downing Street London": split after the street suffix
            words = city.split()
            for i in range(len(words) - 1, 0, -1):
                if STREET_SUFFIX.search(" ".join(words[:i])):
                    streets, city = [" ".join(words[:i])], " ".join(words[i:])
                    break
    for seg in segs[pos + 1 :]:  # after the postal code: a province ("28014 Madrid, Madrid") or noise
        if not state and not re.search(r"\d", seg) and (country in POSTAL_FIRST or state_code(seg, country)):
            state = state_code(seg, country) or seg
        else:
            leftover.append(seg)
    out.update({k: v for k, v in (("city", city), ("state", state)) if v and k not in out})
    street_lines(streets, out, country, leftover)
