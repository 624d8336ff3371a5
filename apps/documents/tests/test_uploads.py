"""The checks every uploaded .xlsx passes before a spreadsheet library reads it."""

import io
import random
import struct
import zipfile

import pytest
from openpyxl import Workbook

from apps.documents.toolkit.uploads import SpreadsheetError, UploadError, check_xlsx_upload, format_size, sniff_type

MB = 1024 * 1024


def xlsx_bytes(rows=(("SKU", "Name"), ("A-1", "Mug"))) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, *, replace=None, add=(), drop=(), level=6) -> bytes:
    """Copy an .xlsx zip, replacing, adding or dropping members."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename in drop:
                continue
            content = replace.get(info.filename, source.read(info.filename))
            target.writestr(info.filename, content, compresslevel=level)
        for name, content in add:
            target.writestr(name, content, compresslevel=level)
    return out.getvalue()


def patch_member(data: bytes, name: str, *, central: dict[int, bytes], local: dict[int, bytes] | None = None) -> bytes:
    """Overwrite fields of one member's central-directory (and local) header, at byte offsets."""
    buffer = bytearray(data)
    encoded = name.encode()
    position = 0
    while True:
        position = buffer.find(b"PK\x01\x02", position)
        assert position >= 0, name
        name_length = struct.unpack_from("<H", buffer, position + 28)[0]
        if bytes(buffer[position + 46 : position + 46 + name_length]) == encoded:
            break
        position += 4
    for offset, value in central.items():
        buffer[position + offset : position + offset + len(value)] = value
    if local:
        header_offset = struct.unpack_from("<L", buffer, position + 42)[0]
        for offset, value in local.items():
            buffer[header_offset + offset : header_offset + offset + len(value)] = value
    return bytes(buffer)


def refused(data: bytes, **limits) -> SpreadsheetError:
    with pytest.raises(SpreadsheetError) as caught:
        check_xlsx_upload(data, **limits)
    return caught.value


def test_a_real_workbook_passes():
    check_xlsx_upload(xlsx_bytes())


def test_spreadsheet_error_is_an_upload_error_with_message_and_code():
    error = refused(b"")
    assert isinstance(error, UploadError)
    assert error.code == "empty_file"
    assert str(error) == error.message


@pytest.mark.parametrize(
    ("data", "hint"),
    [
        (b"sku,name\nA-1,Mug\n", "CSV"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "PDF"),
        (random.Random(7).randbytes(4096), ""),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), ".xls"),
        (b"PK\x05\x06" + bytes(18), "empty zip"),
    ],
    ids=["csv", "pdf", "random", "ole-xls", "empty-zip"],
)
def test_not_an_xlsx_by_magic_bytes(data, hint):
    error = refused(data)
    assert error.code == "not_xlsx"
    assert hint in error.message
    assert ".xlsx" in error.message
    if hint != ".xls":
        assert ".xls and .csv files must be saved as .xlsx" in error.message


def test_empty_file():
    error = refused(b"")
    assert "empty" in error.message


def test_over_the_size_limit_says_both_sizes():
    data = xlsx_bytes()
    error = refused(data, max_bytes=1000)
    assert error.code == "file_too_large"
    assert error.message.startswith(f"The file is {format_size(len(data))}; the limit is 1000 bytes.")


def test_format_size():
    assert format_size(int(12.3 * MB)) == "12.3 MB"
    assert format_size(10 * MB) == "10 MB"
    assert format_size(2048) == "2 KB"
    assert format_size(900) == "900 bytes"


def test_zip_without_workbook_parts_is_not_xlsx():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    error = refused(out.getvalue())
    assert error.code == "not_xlsx"
    assert "zip archive without a workbook" in error.message


def test_truncated_file_is_damaged():
    data = xlsx_bytes()
    assert refused(data[: len(data) // 2]).code == "damaged_file"


def test_zip_bomb_by_compression_ratio():
    # 50 MB of zeros deflate to about 50 KB: a ratio near 1000:1.
    data = rezip(xlsx_bytes(), add=[("xl/media/zeros.bin", bytes(50 * MB))], level=9)
    assert len(data) < 200 * 1024
    error = refused(data)
    assert error.code == "zip_bomb"
    assert "zip bomb" in error.message


def test_zip_whose_directory_understates_the_unpacked_size():
    data = rezip(xlsx_bytes(), add=[("xl/media/zeros.bin", bytes(2 * MB))], level=9)
    small = struct.pack("<L", 1000)
    data = patch_member(data, "xl/media/zeros.bin", central={24: small}, local={22: small})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.getinfo("xl/media/zeros.bin").file_size == 1000  # the directory lies
    assert refused(data).code == "zip_bomb"


def test_too_many_entries():
    data = rezip(xlsx_bytes(), add=[(f"xl/media/image{i}.png", b"x") for i in range(250)])
    error = refused(data)
    assert error.code == "too_many_entries"


def test_total_unpacked_size():
    data = rezip(xlsx_bytes(), add=[("xl/media/noise.bin", random.Random(1).randbytes(300_000))])
    error = refused(data, max_unpacked=200_000)
    assert error.code == "unpacked_too_large"
    assert "the limit is 195.3 KB" in error.message


def test_encrypted_entry():
    data = patch_member(xlsx_bytes(), "xl/workbook.xml", central={8: struct.pack("<H", 0x1)})
    error = refused(data)
    assert error.code == "encrypted_file"
    assert "password" in error.message


def test_corrupted_member_fails_its_checksum():
    data = patch_member(xlsx_bytes(), "xl/workbook.xml", central={16: b"\x00\x00\x00\x00"})
    assert refused(data).code == "damaged_file"


BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
"""


def without_declaration(xml: bytes) -> bytes:
    return xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml


def test_dtd_in_the_workbook_part():
    data = xlsx_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = archive.read("xl/workbook.xml")
    body = without_declaration(workbook)
    data = rezip(data, replace={"xl/workbook.xml": BILLION_LAUGHS + body.replace(b"<sheets>", b"<sheets>&lol3;")})
    error = refused(data)
    assert error.code == "xml_dtd_forbidden"


@pytest.mark.parametrize("padding", [0, 200_000], ids=["at-start", "after-a-long-comment"])
def test_dtd_in_a_sheet_part(padding):
    data = xlsx_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    body = without_declaration(sheet)
    comment = b"<!--" + b"x" * padding + b"-->" if padding else b""
    prolog = BILLION_LAUGHS.replace(b"\n<!DOCTYPE", comment + b"\n<!DOCTYPE", 1)
    data = rezip(data, replace={"xl/worksheets/sheet1.xml": prolog + body})
    assert refused(data).code == "xml_dtd_forbidden"


def test_external_entity_in_shared_strings_is_refused():
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&xxe;</t></si></sst>'
    )
    data = rezip(xlsx_bytes(), add=[("xl/sharedStrings.xml", xxe)])
    assert refused(data).code == "xml_dtd_forbidden"


def test_broken_xml_part_is_damaged():
    data = rezip(xlsx_bytes(), replace={"xl/workbook.xml": b"<workbook><sheets></workbook>"})
    assert refused(data).code == "damaged_file"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"PK\x03\x04rest", "zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
        (b"%PDF-1.4", "PDF"),
        (b"\x89PNG\r\n\x1a\n", "image"),
        ("sku;name\nÄ-1;Müsli\n".encode("cp1252"), "text"),
        (bytes(range(256)), "unknown"),
    ],
)
def test_sniff_type(data, kind):
    assert sniff_type(data) == kind
