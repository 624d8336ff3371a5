"""Auto-recognition for the manual order form: a pasted free-text recipient address → form fields.

Customers paste whatever they have (a shipping label, an e-mail signature, a marketplace export line). We
pre-fill the form for review; nothing here is authoritative. What cannot be placed is returned as `leftover`
so the user still sees it, and the function never raises: a pre-fill helper must not break the form.

Pipeline: labelled lines ("Name: …") → e-mail → country (explicit, else inferred, else default) → phone
numbers (needs the country as region for national formats) → name/company lines at the top → a per-country
address parser (usaddress for the US, Chinese-script parser, and a generic "street lines … city/state/postal"
parser that knows whether the postal code comes before the city, as in most of Europe, or after it).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
import pycountry
import usaddress

from apps.shipping.addresses import POSTAL_FORMATS

MAX_INPUT = 2000


@dataclass
class Recognized:
    fields: dict[str, str]  # name, company, phone, email, address1, address2, city, state, postal_code, country
    leftover: list[str]  # pieces of the text that could not be placed (shown to the user)


def _key(text: str) -> str:
    """Comparison key: no accents, no dots, case-folded, single spaces ("U.S.A." → "usa", "España" → "espana")."""
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text.replace(".", "").casefold()).strip()


# --- countries ------------------------------------------------------------------------------------------------
_COUNTRY_NAMES: dict[str, str] = {}
for _c in pycountry.countries:
    for _attr in ("name", "official_name", "common_name"):
        if _value := getattr(_c, _attr, None):
            _COUNTRY_NAMES[_key(_value)] = _c.alpha_2
# Everyday and native names people actually type; pycountry only knows the English ISO names.
_COUNTRY_NAMES.update(
    {
        "usa": "US",
        "us": "US",
        "united states": "US",
        "united states of america": "US",
        "america": "US",
        "uk": "GB",
        "gb": "GB",
        "great britain": "GB",
        "britain": "GB",
        "england": "GB",
        "scotland": "GB",
        "wales": "GB",
        "northern ireland": "GB",
        "deutschland": "DE",
        "nederland": "NL",
        "holland": "NL",
        "the netherlands": "NL",
        "espana": "ES",
        "italia": "IT",
        "osterreich": "AT",
        "schweiz": "CH",
        "suisse": "CH",
        "svizzera": "CH",
        "belgique": "BE",
        "belgie": "BE",
        "polska": "PL",
        "sverige": "SE",
        "danmark": "DK",
        "norge": "NO",
        "suomi": "FI",
        "eire": "IE",
        "cesko": "CZ",
        "prc": "CN",
        "pr china": "CN",
        "p r china": "CN",
        "mainland china": "CN",
        "中国": "CN",
        "中華人民共和國": "CN",
        "中华人民共和国": "CN",
        "中國": "CN",
    }
)
_CN_PREFIX = re.compile(r"^(?:中华人民共和国|中華人民共和國|中国|中國)\s*(?=\S)")


def _subdivisions(country: str) -> tuple[dict[str, str], set[str]]:
    names, codes = {}, set()
    for sub in pycountry.subdivisions.get(country_code=country) or []:
        short = sub.code.split("-", 1)[1]
        codes.add(short)
        names[_key(sub.name)] = short
    return names, codes


# US/CA/AU forms want the short code ("CA", "ON", "NSW"), so names are mapped to codes.
_STATES = {country: _subdivisions(country) for country in ("US", "CA", "AU")}
_STATES["CA"][0]["pq"] = "QC"
_AMBIGUOUS_CODES = set().union(*(codes for _names, codes in _STATES.values()))  # "CA", "DE", "IN", "NL"…
# Romanised Chinese provinces: pycountry says "Guangdong Sheng"; people write "Guangdong (Province)".
_CN_PROVINCES = {
    re.sub(r" (sheng|shi|sar|zizhiqu|huizu zizhiqu|zhuangzu zizhiqu|uygur zizhiqu)$", "", _key(s.name))
    for s in pycountry.subdivisions.get(country_code="CN")
} | {"inner mongolia", "tibet"}
# UK counties are optional on addresses; this only tells a county line from the post town.
_GB_COUNTIES = {
    "greater london",
    "greater manchester",
    "west midlands",
    "merseyside",
    "west yorkshire",
    "kent",
    "surrey",
    "essex",
    "hampshire",
    "devon",
    "cornwall",
    "norfolk",
    "suffolk",
    "lancashire",
    "cheshire",
    "oxfordshire",
    "berkshire",
    "hertfordshire",
    "middlesex",
    "tyne and wear",
    "county durham",
}

_US_STATE_NAMES = "|".join(re.escape(s.name) for s in pycountry.subdivisions.get(country_code="US"))
_US_STATE_CODES = "|".join(sorted(_STATES["US"][1]))
_CN_PINYIN = "|".join(sorted(_CN_PROVINCES, key=len, reverse=True))
# Inference when no country is written: only patterns that are unambiguous enough to bet on.
_INFER = [
    ("CN", re.compile(r"[\u4e00-\u9fff]")),
    ("CA", re.compile(r"(?i)\b[ABCEGHJ-NPRSTVXY]\d[A-Z] ?\d[A-Z]\d\b")),  # A1A 1A1 is rare enough in any case
    ("GB", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}\b")),
    ("US", re.compile(rf"\b(?:{_US_STATE_CODES}|(?i:{_US_STATE_NAMES}))\.?,?\s+\d{{5}}(?:-\d{{4}})?\b")),
    ("AU", re.compile(r"\b(?i:NSW|VIC|QLD|WA|SA|TAS|ACT|NT),?\s+\d{4}\b")),
    ("CN", re.compile(rf"\b(?i:{_CN_PINYIN})\b[\w\s]*,?\s+\d{{6}}\b")),
]

# --- postal codes ---------------------------------------------------------------------------------------------
# Countries that write "10115 Berlin": postal code before the city.
_POSTAL_FIRST = {
    "DE",
    "FR",
    "NL",
    "ES",
    "IT",
    "AT",
    "BE",
    "CH",
    "LU",
    "PT",
    "DK",
    "SE",
    "NO",
    "FI",
    "PL",
    "CZ",
    "SK",
    "HU",
    "GR",
    "SI",
    "HR",
    "IS",
    "LI",
    "MC",
    "RO",
    "BG",
    "EE",
    "LT",
    "LV",
    "TR",
}
_EXTRA_POSTAL = {"PT": r"\d{4}-\d{3}", "CZ": r"\d{3} ?\d{2}", "SK": r"\d{3} ?\d{2}", "GR": r"\d{3} ?\d{2}"}


def _postal_regex(country: str) -> re.Pattern:
    pattern = POSTAL_FORMATS[country][0].strip("^$") if country in POSTAL_FORMATS else None
    pattern = _EXTRA_POSTAL.get(country, pattern) or r"\d{4,6}"
    # Optional "D-"/"F-"/"L-" country prefix seen on European envelopes; lower case accepted for UK/CA/NL.
    flags = re.I if country in ("GB", "CA", "NL") else 0
    return re.compile(rf"(?<![\w-])(?:[A-Z]{{1,2}}-)?({pattern})(?![\w-])", flags)


def _format_postal(country: str, code: str) -> str:
    code = re.sub(r"\s+", "", code.upper())
    if country in ("GB", "CA") and len(code) > 4:
        return f"{code[:-3]} {code[-3:]}"
    if country == "NL" and len(code) == 6:
        return f"{code[:4]} {code[4:]}"
    return code


# --- lines that are not address -------------------------------------------------------------------------------
_LABELS = {
    label: target
    for target, labels in {
        "name": "name|full name|recipient|ship to|deliver to|consignee|attn|attention|contact"
        "|收件人|收货人|姓名|联系人",
        "company": "company|company name|organisation|organization|business|公司",
        "phone": "phone|phone number|tel|telephone|mobile|mob|cell|电话|手机|联系电话",
        "email": "email|e-mail|mail|邮箱",
        "address": "address|address 1|address1|address line 1|street|地址|详细地址|收货地址",
        "address2": "address 2|address2|address line 2",
        "city": "city|town|post town|城市",
        "state": "state|province|county|region|state/province",
        "postal_code": "zip|zip code|zipcode|postcode|post code|postal code|邮编|邮政编码",
        "country": "country|国家",
    }.items()
    for label in labels.split("|")
}
_LABEL_RE = re.compile(
    r"^(?P<label>"
    + "|".join(sorted(map(re.escape, _LABELS), key=len, reverse=True))
    + r")\.?\s*:\s*(?P<value>.*)$|^(?P<attn>attn|attention)\.?\s+(?P<who>.+)$",
    re.I,
)
_EMAIL_RE = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
_RESIDUE_RE = re.compile(
    r"^(?:tel|telephone|phone|ph|mobile|mob|cell|fax|e-?mail|mail|电话|手机|邮箱)\.?\s*:?\s*"
    r"|\s*\b(?:tel|telephone|phone|mobile|mob|cell|e-?mail)\.?\s*:?\s*$",
    re.I,
)
_COMPANY_RE = re.compile(
    r"(?i:\b(?:ltd|limited|llc|l\.l\.c|inc|incorporated|corp|corporation|company|gmbh|plc|llp|pty|pte|sarl|srl"
    r"|s\.r\.l|spa|s\.p\.a)\b\.?)|\b(?:AG|KG|UG|SA|S\.A\.?|BV|B\.V\.?|NV|N\.V\.?|SL|S\.L\.?|SAS|AB|AS|Oy|LP)(?!\w)"
    r"|&\s*Co\b|\bCo\.?$|有限公司|公司|株式会社"
)
_STREET_WORDS = re.compile(
    r"(?i:\b(?:street|road|avenue|lane|drive|boulevard|way|highway|parkway|terrace|crescent|square|house|cottage"
    r"|farm|building|tower|manor|rectory|lodge|mews|gardens|estate|apartments|calle|avenida|plaza|paseo|carrer"
    r"|via|viale|piazza|corso|largo|rue|chemin|allee|district)\b|\w(?:straße|strasse|weg|platz|gasse|gracht"
    r"|laan|plein|kade|straat|dijk)\b)"
)
_STREET_SUFFIX = re.compile(
    r"(?i)\b(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|way|close"
    r"|place|pl|crescent|terrace|square|court|ct|highway|hwy)\.?$"
)
_UNIT_RE = re.compile(
    r"(?i)^(?:apt|apartment|suite|ste|unit|flat|floor|fl|room|rm|level|lvl|bldg|building|dept"
    r"|wohnung|etage|piso|appartement|app|bâtiment|bat|escalera|interior|c/o)\b\.?|^#"
)
# Full-width "，：１" typed with Chinese IMEs → ",:1" (not NFKC: it would also turn the Spanish "3º" into "3o").
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: " ", 0x3001: ","}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CN_ADDR_CHARS = re.compile(r"[省市区县镇乡村路街道巷弄号楼栋室层园座厦]")
_NAME_WORD = re.compile(r"[^\W\d_][\w'’.-]*")


def _clean(text: str) -> str:
    text = re.sub(r"[<(\[]\s*[>)\]]", " ", text)  # "Jane <jane@x.com>" leaves "<>" once the e-mail is out
    return re.sub(r"\s+", " ", text).strip(" ,;:|")


def _country_of(piece: str, *, last: bool = False) -> str:
    """ISO code if the whole piece names a country; bare codes only in capitals, ambiguous ones only at the end."""
    k = _key(piece)
    if (code := _COUNTRY_NAMES.get(k)) and (len(k) > 3 or last or _CJK.search(k) or piece.replace(".", "").isupper()):
        return code
    bare = piece.replace(".", "").strip()
    # "Mountain View, CA, 94043" is California: a code that is also a state counts only as the very last piece.
    if (
        re.fullmatch(r"[A-Z]{2,3}", bare)
        and (len(bare) == 3 or last or bare not in _AMBIGUOUS_CODES)
        and (country := pycountry.countries.get(**{f"alpha_{len(bare)}": bare}))
    ):
        return country.alpha_2
    return ""


def _state_code(text: str, country: str) -> str:
    """The state as the form wants it ("California" → "CA"), or "" if the text is no state of that country."""
    k = _key(text)
    if country in _STATES:
        names, codes = _STATES[country]
        bare = text.replace(".", "").strip().upper()
        if k in names:
            return names[k]
        # Two-letter codes only in capitals: "on"/"in" are words, "ON"/"IN" are provinces/states.
        return bare if bare in codes and (text.isupper() or len(bare) >= 3) else ""
    if country == "CN":
        return text if re.sub(r" (province|sheng|shi|municipality)$", "", k) in _CN_PROVINCES else ""
    return text if country == "GB" and k in _GB_COUNTIES else ""


def _split_state(text: str, country: str) -> tuple[str, str]:
    """("Sydney NSW", "AU") → ("NSW", "Sydney"): a state among the last three words, and what precedes it."""
    words = text.split()
    for n in (3, 2, 1):
        if len(words) >= n and (state := _state_code(" ".join(words[-n:]).strip(","), country)):
            return state, _clean(" ".join(words[:-n]))
    return "", text


def _looks_like_name(seg: str) -> bool:
    if _CJK.search(seg):
        return bool(re.fullmatch(r"[\u4e00-\u9fff·]{2,5}", seg)) and not _CN_ADDR_CHARS.search(seg)
    words = seg.split()
    if not (2 <= len(words) <= 5 and seg[0].isupper() and all(_NAME_WORD.fullmatch(w) for w in words)):
        return False
    return not (
        re.search(r"\d", seg)
        or _STREET_WORDS.search(seg)
        or _UNIT_RE.search(seg)
        or _COMPANY_RE.search(seg)
        or _country_of(seg)
        or any(_state_code(seg, c) for c in _STATES)
    )


def _segments(line: str) -> list[str]:
    # Commas separate address parts; Chinese text also uses plain spaces between province/city/street.
    parts = re.split(r"[,;|]" if not _CJK.search(line) else r"[,;|\s]+", line)
    segs: list[str] = []
    for part in filter(None, map(_clean, parts)):
        if segs and re.fullmatch(r"(?i)(?:ltd|limited|inc|llc|corp|gmbh|s\.?a|b\.?v)\.?", part):
            segs[-1] = f"{segs[-1]}, {part}"  # "Acme Trading Co., Ltd." is one company line
        else:
            segs.append(part)
    return segs


# --- parsers --------------------------------------------------------------------------------------------------
# usaddress labels: AddressNumber…, StreetName…, USPSBox… make the street line; Occupancy… ("Apt 4B") the unit.
_US_STREET = ("AddressNumber", "StreetName", "USPSBox", "Intersection", "SecondStreet", "CornerOf")
_US_UNIT = ("Occupancy", "Subaddress", "BuildingName")


def _parse_us(segs: list[str], out: dict[str, str], leftover: list[str]) -> bool:
    """usaddress knows US street grammar far better than regexes; False sends us to the generic parser."""
    try:
        parsed = usaddress.parse(", ".join(segs))
    except Exception:  # usaddress's CRF tagger is a black box; any failure just means "not parsed"
        return False
    tagged: dict[str, list[str]] = {}
    for token, label in parsed:
        tagged.setdefault(label, []).append(token.strip(" ,;"))
    zip_code = " ".join(tagged.get("ZipCode", []))
    state = _state_code(" ".join(tagged.get("StateName", [])), "US")
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
        out.setdefault("company" if _COMPANY_RE.search(recipient) else "name", recipient)
    leftover.extend(
        _clean(" ".join(tagged.get(label, []))) for label in ("NotAddress", "LandmarkName") if tagged.get(label)
    )
    return True


def _parse_cn_script(segs: list[str], out: dict[str, str], leftover: list[str]) -> None:
    """广东省深圳市南山区科技园南路18号 518057: province → state, city → city, the rest → address1."""
    text = _CN_PREFIX.sub("", " ".join(segs))
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
    if (text := _clean(text)) and (_CN_ADDR_CHARS.search(text) or re.search(r"\d", text)):
        out.setdefault("address1", text)
    elif text:
        leftover.append(text)


def _street_lines(streets: list[str], out: dict[str, str], country: str, leftover: list[str]) -> None:
    # An unrecognised line before the first street line (a lower-case name, a note) is shown, not guessed.
    while (
        len(streets) > 1
        and not re.search(r"\d", streets[0])
        and not (_STREET_WORDS.search(streets[0]) or _UNIT_RE.search(streets[0]) or _CJK.search(streets[0]))
    ):
        leftover.append(streets.pop(0))
    merged: list[str] = []
    for seg in streets:  # "Calle de Alcalá, 50": a bare house number belongs to the street before it
        if merged and re.fullmatch(r"\d+\w?(?:[-/ ]\w+)?", seg):
            merged[-1] = f"{merged[-1]} {seg}"
        else:
            merged.append(seg)
    if len(merged) > 1 and _UNIT_RE.search(merged[0]) and re.search(r"\d", merged[1]):
        merged[0], merged[1] = merged[1], merged[0]  # "Flat 3, 12 Baker Street": the street is address1
    if merged and country == "CN":  # romanised: street and district together, as in the Chinese order
        merged = [", ".join(merged)]
    if merged:
        out.setdefault("address1", merged[0])
    if len(merged) > 1:
        out.setdefault("address2", ", ".join(merged[1:]))


def _city_like(streets: list[str]) -> bool:
    """Can the last street line be the city? Not if it is the only street line and looks like a street."""
    return (
        bool(streets)
        and not re.search(r"\d", streets[-1])
        and (len(streets) > 1 or not (_STREET_WORDS.search(streets[0]) or _UNIT_RE.search(streets[0])))
    )


def _parse_generic(segs: list[str], country: str, out: dict[str, str], leftover: list[str]) -> None:
    """Street lines first, then city/state/postal around the last postal code found."""
    if not country and len(segs) < 2:  # a lone number or word with no country is too little to guess from
        leftover.extend(segs)
        return
    rx, pos, match = _postal_regex(country), None, None
    for i in range(len(segs) - 1, -1, -1):
        if found := list(rx.finditer(segs[i])):
            pos, match = i, found[-1]
            break
    if pos is None or match is None:
        if {"postal_code", "city"} & out.keys() and segs:  # labelled input: what is left is the street
            _street_lines(segs, out, country, leftover)
        elif country and len(segs) >= 2 and re.search(r"\d", segs[0]):
            city = segs[-1] if not re.search(r"\d", segs[-1]) else ""
            if city:
                out.setdefault("city", city)
            _street_lines(segs[:-1] if city else segs, out, country, leftover)
        else:
            leftover.extend(segs)
        return
    out.setdefault("postal_code", _format_postal(country, match.group(1)))
    before, after = _clean(segs[pos][: match.start()]), _clean(segs[pos][match.end() :])
    streets, state, city = segs[:pos], "", ""
    if country in _POSTAL_FIRST or (not country and not before):
        if before:  # "Hauptstraße 5 10115 Berlin" on one line
            streets.append(before)
        city = after
        if not city and _city_like(streets):
            city = streets.pop()
        if country == "IT" and (m := re.fullmatch(r"(.+?)\s+\(?([A-Z]{2})\)?", city)):
            city, state = m[1], m[2]  # "00186 Roma RM": the province code follows the city
    else:
        state, city = _split_state(before, country)
        if country == "CN" and not city and _key(state) in ("beijing", "shanghai", "tianjin", "chongqing"):
            city = state  # municipalities are province and city at once; the district stays in the street
        if after:
            leftover.append(after)
        if not city and streets and not state and (found := _split_state(streets[-1], country))[0] and not found[1]:
            state = found[0]  # "Toronto, Ontario, M5V 2T6": the state on its own line
            streets.pop()
        if not city and _city_like(streets):
            city = streets.pop()
        if (
            country == "GB"
            and not state
            and len(streets) > 1
            and _state_code(city, "GB")
            and not re.search(r"\d", streets[-1])
        ):
            state, city = city, streets.pop()  # "Manchester, Greater Manchester, M1 1AE": county is optional
        if re.search(r"\d", city) and not streets:  # "10 Downing Street London": split after the street suffix
            words = city.split()
            for i in range(len(words) - 1, 0, -1):
                if _STREET_SUFFIX.search(" ".join(words[:i])):
                    streets, city = [" ".join(words[:i])], " ".join(words[i:])
                    break
    for seg in segs[pos + 1 :]:  # after the postal code: a province ("28014 Madrid, Madrid") or noise
        if not state and not re.search(r"\d", seg) and (country in _POSTAL_FIRST or _state_code(seg, country)):
            state = _state_code(seg, country) or seg
        else:
            leftover.append(seg)
    out.update({k: v for k, v in (("city", city), ("state", state)) if v and k not in out})
    _street_lines(streets, out, country, leftover)


def _take_phones(text: str, region: str, found: list[str]) -> str:
    """Collect the valid phone numbers in text (formatted +CC …) and return the text without them."""
    for match in phonenumbers.PhoneNumberMatcher(text, region):
        found.append(phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))
        text = text.replace(match.raw_string, " ")
    return text


# --- steps of the pipeline ------------------------------------------------------------------------------------
def _read_lines(text: str, out: dict[str, str], leftover: list[str]) -> tuple[list[str], dict[str, str]]:
    """Split "Key: value" lines off (labelled values win over guesses) and take the e-mail out of the rest."""
    lines, labelled = [], {}
    for raw in text.splitlines():
        if not (line := _clean(raw)):
            continue
        if m := _LABEL_RE.match(raw.strip()):  # before _clean, which would strip the ":" of a bare "Phone:"
            target = "name" if m["attn"] else _LABELS[re.sub(r"\s+", " ", m["label"].lower())]
            value = _clean(m["who"] or m["value"] or "")
            if target in ("address", "email"):  # found by the extractors below, like unlabelled ones
                lines.append(value)
            elif value:
                labelled.setdefault(target, value)
            continue
        lines.append(line)
    for i, line in enumerate(lines):  # e-mail anywhere; take the first, keep others visible
        for found in _EMAIL_RE.findall(line):
            if "email" in out:
                leftover.append(found)
            out.setdefault("email", found)
            lines[i] = _RESIDUE_RE.sub("", _clean(lines[i].replace(found, " ")))
    return lines, labelled


def _explicit_country(segs: list[str], has_zip: bool) -> str:
    """A written country, taken out of segs: a whole piece, a "中国" prefix or trailing words; the last one wins."""
    for i in range(len(segs) - 1, -1, -1):
        seg, words, last = segs[i], segs[i].split(), i == len(segs) - 1
        if (code := _country_of(seg, last=last)) and not (code == "GE" and has_zip):  # Atlanta, Georgia
            segs[i] = ""
            return code
        if _CJK.search(seg) and (stripped := _CN_PREFIX.sub("", seg)) != seg:
            segs[i] = stripped
            return "CN"
        for n in (3, 2, 1) if last else ():  # "… Guangdong 518057 China", "… NY 10118 USA"
            tail = " ".join(words[-n:])
            if (
                len(words) > n
                and (code := _country_of(tail))
                and (len(tail) > 3 or tail not in _AMBIGUOUS_CODES)
                and not _state_code(" ".join(words[-n - 1 :]), "US")
            ):  # "New Jersey" is not Jersey
                segs[i] = " ".join(words[:-n])
                return code
    return ""


def _take_name_company(segs: list[str], out: dict[str, str], labelled: dict[str, str]) -> None:
    """Name and company lines at the top, only while something address-like (a digit) follows them."""
    for _ in range(2):
        # Two pieces ("Mountain View, CA 94043") are more likely city + state than name + address.
        if len(segs) < (2 if _CJK.search(segs[0] if segs else "") else 3) or not any(
            re.search(r"\d", s) for s in segs[1:]
        ):
            return
        if re.fullmatch(r"[A-Z]{2,3}\.?(?: [\dA-Z -]{3,10})?", segs[1]):  # "Mountain View, CA, 94043": a city
            return
        if (
            "company" not in out
            and "company" not in labelled
            and _COMPANY_RE.search(segs[0])
            and not segs[0][0].isdigit()
        ):
            out["company"] = segs.pop(0)
        elif "name" not in out and "name" not in labelled and _looks_like_name(segs[0]):
            out["name"] = segs.pop(0)
        else:
            return


def _recognize(text: str, default_country: str) -> Recognized:
    text = unicodedata.normalize("NFC", text).translate(_FULLWIDTH)
    out: dict[str, str] = {}
    leftover: list[str] = []
    lines, labelled = _read_lines(text, out, leftover)
    segs = [seg for line in lines for seg in _segments(line)]

    # Country: labelled, else written, else inferred from postcode shapes, else the caller's default.
    country = ""
    if "country" in labelled and not (country := _country_of(labelled["country"], last=True)):
        leftover.append(labelled["country"])
    country = country or _explicit_country(segs, bool(re.search(r"(?<!\d)\d{5}(?!\d)", text)))
    country = country or next((code for code, rx in _INFER if rx.search(" ".join(segs))), "")
    country = country or (default_country if pycountry.countries.get(alpha_2=default_country) else "")

    # Phone numbers: national formats need the region, which is why this runs after the country.
    region, phone_found = country or "US", []
    if rest := _clean(_take_phones(labelled.pop("phone", ""), region, phone_found)):
        leftover.append(rest)  # a "Phone:" value that is no valid number is shown, not put in the address
    for i, seg in enumerate(segs):
        if (rest := _take_phones(seg, region, phone_found)) != seg:  # drop the "Tel:" the number leaves behind
            segs[i] = _clean(_RESIDUE_RE.sub("", _clean(rest)))
    if phone_found:
        out["phone"] = phone_found[0]
        leftover.extend(phone_found[1:])
    segs = [s for s in segs if re.search(r"\w", s)]

    _take_name_company(segs, out, labelled)
    out.update({key: labelled[key] for key in ("name", "company", "city", "state", "address2") if key in labelled})
    if "postal_code" in labelled:
        out["postal_code"] = _format_postal(country, labelled["postal_code"])

    if country == "CN" and any(_CJK.search(s) for s in segs):
        _parse_cn_script(segs, out, leftover)
    elif not (country == "US" and segs and not {"postal_code", "city"} & out.keys() and _parse_us(segs, out, leftover)):
        _parse_generic(segs, country, out, leftover)

    if country:
        out["country"] = country
    if out.get("state") and country in _STATES:
        out["state"] = _state_code(out["state"], country) or out["state"]
    fields = {k: _clean(v) for k, v in out.items() if v and _clean(v)}
    return Recognized(fields=fields, leftover=[p for p in map(_clean, leftover) if p])


# --- entry point ----------------------------------------------------------------------------------------------
def recognize_address(text: str, *, default_country: str = "") -> Recognized:
    """Form fields found in a pasted address; the text is capped at MAX_INPUT characters."""
    try:
        return _recognize(str(text or "")[:MAX_INPUT], str(default_country or "").strip().upper())
    except Exception:  # never break the order form: show the text untouched for manual entry
        raw = _clean(str(text or "")[:MAX_INPUT])
        return Recognized(fields={}, leftover=[raw] if raw else [])
