"""Text helpers of address recognition: comparison keys, cleaning, splitting a line into segments,
and the patterns that tell labels, e-mails, companies, streets and units apart."""

from __future__ import annotations

import re
import unicodedata


def text_key(text: str) -> str:
    """Comparison key: no accents, no dots, case-folded, single spaces ("U.S.A." → "usa", "España" → "espana")."""
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text.replace(".", "").casefold()).strip()


def clean(text: str) -> str:
    text = re.sub(r"[<(\[]\s*[>)\]]", " ", text)  # "Jane <jane@x.com>" leaves "<>" once the e-mail is out
    return re.sub(r"\s+", " ", text).strip(" ,;:|")


# --- lines that are not address -------------------------------------------------------------------------------
LABELS = {
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
LABEL_RE = re.compile(
    r"^(?P<label>"
    + "|".join(sorted(map(re.escape, LABELS), key=len, reverse=True))
    + r")\.?\s*:\s*(?P<value>.*)$|^(?P<attn>attn|attention)\.?\s+(?P<who>.+)$",
    re.I,
)
EMAIL_RE = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
RESIDUE_RE = re.compile(
    r"^(?:tel|telephone|phone|ph|mobile|mob|cell|fax|e-?mail|mail|电话|手机|邮箱)\.?\s*:?\s*"
    r"|\s*\b(?:tel|telephone|phone|mobile|mob|cell|e-?mail)\.?\s*:?\s*$",
    re.I,
)
COMPANY_RE = re.compile(
    r"(?i:\b(?:ltd|limited|llc|l\.l\.c|inc|incorporated|corp|corporation|company|gmbh|plc|llp|pty|pte|sarl|srl"
    r"|s\.r\.l|spa|s\.p\.a)\b\.?)|\b(?:AG|KG|UG|SA|S\.A\.?|BV|B\.V\.?|NV|N\.V\.?|SL|S\.L\.?|SAS|AB|AS|Oy|LP)(?!\w)"
    r"|&\s*Co\b|\bCo\.?$|有限公司|公司|株式会社"
)
STREET_WORDS = re.compile(
    r"(?i:\b(?:street|road|avenue|lane|drive|boulevard|way|highway|parkway|terrace|crescent|square|house|cottage"
    r"|farm|building|tower|manor|rectory|lodge|mews|gardens|estate|apartments|calle|avenida|plaza|paseo|carrer"
    r"|via|viale|piazza|corso|largo|rue|chemin|allee|district)\b|\w(?:straße|strasse|weg|platz|gasse|gracht"
    r"|laan|plein|kade|straat|dijk)\b)"
)
STREET_SUFFIX = re.compile(
    r"(?i)\b(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|way|close"
    r"|place|pl|crescent|terrace|square|court|ct|highway|hwy)\.?$"
)
UNIT_RE = re.compile(
    r"(?i)^(?:apt|apartment|suite|ste|unit|flat|floor|fl|room|rm|level|lvl|bldg|building|dept"
    r"|wohnung|etage|piso|appartement|app|bâtiment|bat|escalera|interior|c/o)\b\.?|^#"
)
# Full-width "，：１" typed with Chinese IMEs → ",:1" (not NFKC: it would also turn the Spanish "3º" into "3o").
FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: " ", 0x3001: ","}
CJK = re.compile(r"[\u4e00-\u9fff]")
CN_ADDR_CHARS = re.compile(r"[省市区县镇乡村路街道巷弄号楼栋室层园座厦]")
NAME_WORD = re.compile(r"[^\W\d_][\w'’.-]*")


def segments(line: str) -> list[str]:
    # Commas separate address parts; Chinese text also uses plain spaces between province/city/street.
    parts = re.split(r"[,;|]" if not CJK.search(line) else r"[,;|\s]+", line)
    segs: list[str] = []
    for part in filter(None, map(clean, parts)):
        if segs and re.fullmatch(r"(?i)(?:ltd|limited|inc|llc|corp|gmbh|s\.?a|b\.?v)\.?", part):
            segs[-1] = f"{segs[-1]}, {part}"  # "Acme Trading Co., Ltd." is one company line
        else:
            segs.append(part)
    return segs
