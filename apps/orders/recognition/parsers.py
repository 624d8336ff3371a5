"""The per-country address parsers of recognition: usaddress for the US, a parser for Chinese script,
and a generic "street lines … city/state/postal" parser that knows whether the postal code comes
before the city (most of Europe) or after it."""

from __future__ import annotations

import re

import usaddress

from apps.core.addresses import format_postal

from .places import CN_PREFIX, JP_PREFECTURES, POSTAL_FIRST, postal_regex, split_state, state_code
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


_JP_POSTAL = re.compile(r"(〒\s*)?(?<!\d)(\d{3})-?(\d{4})(?!\d)")
_JP_ADDRESS = re.compile(r"\d|[都道府県市区町村郡丁目番地号階]|ビル|マンション|ハイツ|" + "|".join(JP_PREFECTURES))
_JP_COMPANY = re.compile(r"株式会社|有限会社|合同会社|\(株\)|（株）")
_JP_HONORIFIC = re.compile(r"\s*(?:様|さま|殿|御中)$")


def _jp_city(text: str) -> tuple[str, str]:
    """("千代田区", "千代田1-1") from "千代田区千代田1-1": the municipality ends at its first 市/区/町/村 —
    a city's ward (大阪市北区) and a district's town (西多摩郡瑞穂町) go with it."""
    m = re.match(r"[^\d]+?郡[^\d]+?[町村]|[^\d]+?市(?:[^\d市]{1,4}?区)?|[^\d]+?[区町村]", text)
    if not m or len(m.group()) < 2:
        return "", text
    return m.group(), text[m.end() :]


def parse_jp_script(segs: list[str], out: dict[str, str], leftover: list[str]) -> None:
    """〒100-0001 東京都千代田区千代田1-1 山田太郎 様: postal code, prefecture → state, municipality → city,
    the rest → address1, a building line → address2; the name is the piece with 様 or the plain one."""
    pieces = [re.sub(r"^(?:日本国?|JAPAN)\s*", "", seg) for seg in segs]
    if "postal_code" not in out:
        found = [(i, m) for i, p in enumerate(pieces) for m in _JP_POSTAL.finditer(p)]
        if found:
            i, m = next(((i, m) for i, m in found if m.group(1)), found[0])  # the one after 〒 first
            out["postal_code"] = f"{m.group(2)}-{m.group(3)}"
            pieces[i] = pieces[i][: m.start()] + pieces[i][m.end() :]
    joined: list[str] = []
    for piece in filter(None, (clean(p.replace("〒", "")) for p in pieces)):
        if joined and re.fullmatch(r"様|さま|殿|御中", piece):  # "佐藤花子 様": the honorific of the piece before
            joined[-1] += piece
        else:
            joined.append(piece)
    names, address = [], []
    for piece in joined:
        if _JP_HONORIFIC.search(piece) and not _JP_COMPANY.search(piece):
            out.setdefault("name", _JP_HONORIFIC.sub("", piece))
        elif _JP_COMPANY.search(piece):
            out.setdefault("company", _JP_HONORIFIC.sub("", piece))
        elif _JP_ADDRESS.search(piece):
            address.append(piece)
        else:
            names.append(piece)
    if names and "name" not in out:
        out["name"] = " ".join(names[:2])  # "山田 太郎": family and given name, often a space apart
        leftover.extend(names[2:])
    elif names:
        leftover.extend(names)
    main, rest = "", []
    for piece in address:  # the pieces up to the first with a number are one address: 東京都 千代田区千代田1-1
        if rest or (main and re.search(r"\d", main)):
            rest.append(piece)
        else:
            main += piece
    if pref := next((p for p in JP_PREFECTURES if main.startswith(p)), ""):
        out.setdefault("state", pref)
        main = main[len(pref) :]
    city, main = _jp_city(main)
    if city:
        out.setdefault("city", city)
    if main:
        out.setdefault("address1", main)
    if rest:
        out.setdefault("address2" if main else "address1", " ".join(rest))


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
