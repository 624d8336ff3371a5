"""Auto-recognition for the manual order form: a pasted free-text recipient address → form fields.

Customers paste whatever they have (a shipping label, an e-mail signature, a marketplace export line). We
pre-fill the form for review; nothing here is authoritative. What cannot be placed is returned as `leftover`
so the user still sees it, and the function never raises: a pre-fill helper must not break the form.

Pipeline: labelled lines ("Name: …") → e-mail → country (explicit, else inferred, else default) → phone
numbers (needs the country as region for national formats) → name/company lines at the top → a per-country
address parser (usaddress for the US, Chinese-script parser, and a generic "street lines … city/state/postal"
parser that knows whether the postal code comes before the city, as in most of Europe, or after it).

The parts: `text` (cleaning, segments, the patterns), `places` (countries, states, postal codes),
`parsers` (per country); this module runs the pipeline.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
import pycountry

from apps.core.addresses import format_postal

from ..rules import phone_acceptable
from .parsers import parse_cn_script, parse_generic, parse_jp_script, parse_us
from .places import (
    AMBIGUOUS_CODES,
    CN_PREFIX,
    INFER,
    JA_SCRIPT,
    STATES,
    country_of,
    looks_like_name,
    state_code,
)
from .text import CJK, COMPANY_RE, EMAIL_RE, FULLWIDTH, LABEL_RE, LABELS, RESIDUE_RE, clean, segments

MAX_INPUT = 2000


@dataclass
class Recognized:
    fields: dict[str, str]  # name, company, phone, email, address1, address2, city, state, postal_code, country
    leftover: list[str]  # pieces of the text that could not be placed (shown to the user)


def _take_phones(text: str, region: str, found: list[str]) -> str:
    """Collect the phone numbers in text (formatted +CC …) and return the text without them: valid ones,
    then those shaped as the country's mobile numbers (the UK's 07700 900123), as the order rules take."""
    for match in phonenumbers.PhoneNumberMatcher(text, region):
        found.append(phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))
        text = text.replace(match.raw_string, " ")
    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
        if len(re.sub(r"\D", "", match.raw_string)) >= 10 and phone_acceptable(match.number):
            found.append(phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))
            text = text.replace(match.raw_string, " ")
    return text


# --- steps of the pipeline ------------------------------------------------------------------------------------
def _read_lines(text: str, out: dict[str, str], leftover: list[str]) -> tuple[list[str], dict[str, str]]:
    """Split "Key: value" lines off (labelled values win over guesses) and take the e-mail out of the rest."""
    lines, labelled = [], {}
    for raw in text.splitlines():
        if not (line := clean(raw)):
            continue
        if m := LABEL_RE.match(raw.strip()):  # before clean, which would strip the ":" of a bare "Phone:"
            target = "name" if m["attn"] else LABELS[re.sub(r"\s+", " ", m["label"].lower())]
            value = clean(m["who"] or m["value"] or "")
            if target in ("address", "email"):  # found by the extractors below, like unlabelled ones
                lines.append(value)
            elif value:
                labelled.setdefault(target, value)
            continue
        lines.append(line)
    for i, line in enumerate(lines):  # e-mail anywhere; take the first, keep others visible
        for found in EMAIL_RE.findall(line):
            if "email" in out:
                leftover.append(found)
            out.setdefault("email", found)
            lines[i] = RESIDUE_RE.sub("", clean(lines[i].replace(found, " ")))
    return lines, labelled


def _explicit_country(segs: list[str], has_zip: bool) -> str:
    """A written country, taken out of segs: a whole piece, a "中国" prefix or trailing words; the last one wins."""
    for i in range(len(segs) - 1, -1, -1):
        seg, words, last = segs[i], segs[i].split(), i == len(segs) - 1
        if (code := country_of(seg, last=last)) and not (code == "GE" and has_zip):  # Atlanta, Georgia
            segs[i] = ""
            return code
        if CJK.search(seg) and (stripped := CN_PREFIX.sub("", seg)) != seg:
            segs[i] = stripped
            return "CN"
        for n in (3, 2, 1) if last else ():  # "… Guangdong 518057 China", "… NY 10118 USA"
            tail = " ".join(words[-n:])
            if (
                len(words) > n
                and (code := country_of(tail))
                and (len(tail) > 3 or tail not in AMBIGUOUS_CODES)
                and not state_code(" ".join(words[-n - 1 :]), "US")
            ):  # "New Jersey" is not Jersey
                segs[i] = " ".join(words[:-n])
                return code
    return ""


def _take_name_company(segs: list[str], out: dict[str, str], labelled: dict[str, str]) -> None:
    """Name and company lines at the top, only while something address-like (a digit) follows them."""
    for _ in range(2):
        # Two pieces ("Mountain View, CA 94043") are more likely city + state than name + address.
        if len(segs) < (2 if CJK.search(segs[0] if segs else "") else 3) or not any(
            re.search(r"\d", s) for s in segs[1:]
        ):
            return
        if re.fullmatch(r"[A-Z]{2,3}\.?(?: [\dA-Z -]{3,10})?", segs[1]):  # "Mountain View, CA, 94043": a city
            return
        if (
            "company" not in out
            and "company" not in labelled
            and COMPANY_RE.search(segs[0])
            and not segs[0][0].isdigit()
        ):
            out["company"] = segs.pop(0)
        elif "name" not in out and "name" not in labelled and looks_like_name(segs[0]):
            out["name"] = segs.pop(0)
        else:
            return


def _recognize(text: str, default_country: str) -> Recognized:
    text = unicodedata.normalize("NFC", text).translate(FULLWIDTH)
    out: dict[str, str] = {}
    leftover: list[str] = []
    lines, labelled = _read_lines(text, out, leftover)
    segs = [seg for line in lines for seg in segments(line)]

    # Country: labelled, else written, else inferred from postcode shapes, else the caller's default.
    country = ""
    if "country" in labelled and not (country := country_of(labelled["country"], last=True)):
        leftover.append(labelled["country"])
    country = country or _explicit_country(segs, bool(re.search(r"(?<!\d)\d{5}(?!\d)", text)))
    country = country or next((code for code, rx in INFER if rx.search(" ".join(segs))), "")
    country = country or (default_country if pycountry.countries.get(alpha_2=default_country) else "")

    # Phone numbers: national formats need the region, which is why this runs after the country.
    region, phone_found = country or "US", []
    if rest := clean(_take_phones(labelled.pop("phone", ""), region, phone_found)):
        leftover.append(rest)  # a "Phone:" value that is no valid number is shown, not put in the address
    for i, seg in enumerate(segs):
        if (rest := _take_phones(seg, region, phone_found)) != seg:  # drop the "Tel:" the number leaves behind
            segs[i] = clean(RESIDUE_RE.sub("", clean(rest)))
    if phone_found:
        out["phone"] = phone_found[0]
        leftover.extend(phone_found[1:])
    segs = [s for s in segs if re.search(r"\w", s)]

    japanese = country == "JP" and any(JA_SCRIPT.search(s) or CJK.search(s) for s in segs)
    if not japanese:  # Japanese labels put the name last, or with 様; the Japanese parser takes it
        _take_name_company(segs, out, labelled)
    out.update({key: labelled[key] for key in ("name", "company", "city", "state", "address2") if key in labelled})
    if "postal_code" in labelled:
        out["postal_code"] = format_postal(country, labelled["postal_code"])

    if japanese:
        parse_jp_script(segs, out, leftover)
    elif country == "CN" and any(CJK.search(s) for s in segs):
        parse_cn_script(segs, out, leftover)
    elif not (country == "US" and segs and not {"postal_code", "city"} & out.keys() and parse_us(segs, out, leftover)):
        parse_generic(segs, country, out, leftover)

    if country:
        out["country"] = country
    if out.get("state") and country in STATES:
        out["state"] = state_code(out["state"], country) or out["state"]
    fields = {k: clean(v) for k, v in out.items() if v and clean(v)}
    return Recognized(fields=fields, leftover=[p for p in map(clean, leftover) if p])


# --- entry point ----------------------------------------------------------------------------------------------
def recognize_address(text: str, *, default_country: str = "") -> Recognized:
    """Form fields found in a pasted address; the text is capped at MAX_INPUT characters."""
    try:
        return _recognize(str(text or "")[:MAX_INPUT], str(default_country or "").strip().upper())
    except Exception:  # never break the order form: show the text untouched for manual entry
        raw = clean(str(text or "")[:MAX_INPUT])
        return Recognized(fields={}, leftover=[raw] if raw else [])
