"""Numbers as people type them: "1.08", "1,08" (a decimal comma), "1,250.50" and "1.250,50"
(thousands grouped), "1 250,50". Anything else is refused with a sentence that says how to write it,
never read as another number ("1,08" is 1.08, not 108)."""

import re
from decimal import Decimal, InvalidOperation

HOW_TO_WRITE = "write it in digits with a point or a comma before the decimals, for example 1.08 or 1,08"

_SPACES = re.compile(r"(?<=\d)[\s\u00a0\u202f'](?=\d{3}(\D|$))")  # "1 250", "1'250": thousands
_PLAIN = re.compile(r"\d+(\.\d+)?|\.\d+")
_COMMA_GROUPS = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")  # 1,250 or 1,250.50
_POINT_GROUPS = re.compile(r"\d{1,3}(\.\d{3})+,\d+")  # 1.250,50
_DECIMAL_COMMA = re.compile(r"\d+,\d+")  # 1,08


def read_decimal(text, *, grouping: bool = True) -> Decimal:
    """The Decimal the text means, or ValueError(HOW_TO_WRITE). ``grouping=False`` (a rate, never
    in thousands) reads "1,085" as 1.085; otherwise "1,085" is one thousand and eighty-five."""
    if isinstance(text, Decimal | int):
        return Decimal(text)
    if isinstance(text, float):
        text = str(text)
    raw = _SPACES.sub("", str(text if text is not None else "").strip())
    sign = ""
    if raw[:1] in "+-−" and raw:
        sign, raw = ("-" if raw[0] in "-−" else ""), raw[1:].strip()
    if _PLAIN.fullmatch(raw):
        number = raw
    elif grouping and _COMMA_GROUPS.fullmatch(raw):
        number = raw.replace(",", "")
    elif grouping and _POINT_GROUPS.fullmatch(raw):
        number = raw.replace(".", "").replace(",", ".")
    elif _DECIMAL_COMMA.fullmatch(raw):
        number = raw.replace(",", ".")
    else:
        raise ValueError(HOW_TO_WRITE)
    try:
        return Decimal(sign + number)
    except InvalidOperation:  # pragma: no cover - the patterns only pass digits
        raise ValueError(HOW_TO_WRITE) from None


def number_range(low, high, unit: str = "", plural: str = "") -> str:
    """A range as people write it: "3 days", "3–5 days", "1 day" (never "3–3 days" or "3-5 day")."""
    plural = plural or (unit + "s" if unit else "")
    text = f"{low}" if low == high or high is None else f"{low}–{high}"
    if not unit:
        return text
    return f"{text} {unit if text == '1' else plural}"


def day_range(low, high) -> str:
    return number_range(low, high, "day")
