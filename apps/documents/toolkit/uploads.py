"""Safety checks that run on an uploaded file before anything parses it.

Plain Python: no Django settings, no other app of the project. Each check raises an
``UploadError`` whose ``message`` tells a person what is wrong and how to fix it, and whose
``code`` is stable for machines.

An XLSX file is a zip of XML parts, so before a spreadsheet library touches it we check its size,
its type by magic bytes, the zip directory (entry count, declared unpacked size, compression ratio,
encryption, compression method), then inflate every entry ourselves with a hard cap — so a zip
whose directory lies about the sizes cannot get past us — and look at the start of every XML part
with defusedxml, which refuses DTDs and entity declarations (billion laughs, external entities).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator

import defusedxml
from defusedxml import ElementTree as DefusedET

MB = 1024 * 1024

XLSX_MAX_BYTES = 10 * MB
XLSX_MAX_ENTRIES = 200
XLSX_MAX_UNPACKED = 200 * MB
XLSX_MAX_RATIO = 100
# Below this unpacked size a high compression ratio cannot hurt anyone (a 300 KB sheet of one
# repeated value is legitimate), so the ratio check only looks at entries larger than this.
RATIO_CHECK_MIN_UNPACKED = 1 * MB
# Parts small and structural enough to parse whole with defusedxml.
_PARSE_WHOLE_MAX = 1 * MB
_CHUNK = 64 * 1024

_SAVE_AS_XLSX = (
    'Open it in Excel and save it as "Excel Workbook (.xlsx)" — .xls and .csv files must be saved '
    "as .xlsx before uploading."
)
_RESAVE = 'Open it in Excel, save it again as "Excel Workbook (.xlsx)" and upload the new file.'

_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # signature … file name length, extra field length
_LOCAL_SIGNATURE = b"PK\x03\x04"


class UploadError(Exception):
    """An uploaded file was refused. ``message`` is for people, ``code`` for machines."""

    default_code = "invalid_upload"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code

    def __str__(self) -> str:
        return self.message


class SpreadsheetError(UploadError):
    """An uploaded spreadsheet cannot be used; the message says why and what to do."""

    default_code = "invalid_spreadsheet"


def format_size(n_bytes: int) -> str:
    """``12.3 MB`` / ``10 MB`` / ``512 KB`` / ``900 bytes`` — for messages."""
    for unit, size in (("MB", MB), ("KB", 1024)):
        if n_bytes >= size:
            text = f"{n_bytes / size:.1f}"
            return f"{text.removesuffix('.0')} {unit}"
    return f"{n_bytes} bytes"


def sniff_type(data: bytes) -> str:
    """A short name for what the bytes look like, from their magic bytes (for messages)."""
    head = data[:8]
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith((b"PK\x05\x06", b"PK\x07\x08")):
        return "empty zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"  # old .xls (BIFF) — or an encrypted .xlsx, which Office wraps the same way
    if head.startswith(b"%PDF"):
        return "PDF"
    if head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8\xff") or head.startswith((b"GIF87a", b"GIF89a")):
        return "image"
    sample = data[:4096]
    if b"\x00" not in sample.lstrip(b"\xef\xbb\xbf\xff\xfe"):
        try:
            sample.decode("utf-8")
        except UnicodeDecodeError:
            try:
                sample.decode("cp1252")
            except UnicodeDecodeError:
                return "unknown"
        return "text"
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"  # UTF-16 text, as Excel's "Unicode text" export writes it
    return "unknown"


def check_xlsx_upload(
    data: bytes,
    *,
    max_bytes: int = XLSX_MAX_BYTES,
    max_entries: int = XLSX_MAX_ENTRIES,
    max_unpacked: int = XLSX_MAX_UNPACKED,
    max_ratio: float = XLSX_MAX_RATIO,
) -> None:
    """Refuse anything that is not a safe, plausible .xlsx file; return ``None`` when it is one.

    Cost: one pass of zlib over every entry (about as long as the spreadsheet reader's own
    inflate), nothing kept in memory but the small structural parts.
    """
    if not data:
        raise SpreadsheetError("The file is empty. Choose the .xlsx file again and re-upload it.", code="empty_file")
    if len(data) > max_bytes:
        raise SpreadsheetError(
            f"The file is {format_size(len(data))}; the limit is {format_size(max_bytes)}. "
            "Split it into smaller files and upload them one by one.",
            code="file_too_large",
        )
    _check_magic(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise SpreadsheetError(f"The file is damaged or incomplete. {_RESAVE}", code="damaged_file") from exc
    with archive:
        infos = archive.infolist()
        _check_directory(infos, max_entries=max_entries, max_unpacked=max_unpacked, max_ratio=max_ratio)
        view = memoryview(data)
        for info in infos:
            _check_entry(view, info)


def _check_magic(data: bytes) -> None:
    kind = sniff_type(data)
    if kind == "zip":
        return
    if kind == "ole":
        raise SpreadsheetError(
            "This is an old Excel .xls file or a password-protected workbook, not an .xlsx file. "
            'Open it in Excel, remove any password, and save it as "Excel Workbook (.xlsx)".',
            code="not_xlsx",
        )
    looks_like = {
        "PDF": " (it looks like a PDF)",
        "image": " (it looks like an image)",
        "text": " (it looks like a CSV or text file)",
        "empty zip": " (it is an empty zip archive)",
    }.get(kind, "")
    raise SpreadsheetError(f"This is not an Excel .xlsx file{looks_like}. {_SAVE_AS_XLSX}", code="not_xlsx")


def _check_directory(infos: list[zipfile.ZipInfo], *, max_entries: int, max_unpacked: int, max_ratio: float) -> None:
    if len(infos) > max_entries:
        raise SpreadsheetError(
            f"The file holds {len(infos):,} parts; an Excel workbook of ours never needs more than {max_entries:,}. "
            f"It is not a plain spreadsheet. {_RESAVE}",
            code="too_many_entries",
        )
    names = [info.filename for info in infos]
    folded = {name.casefold() for name in names}
    if len(folded) != len(names):
        raise SpreadsheetError(f"The file is damaged (it repeats a part). {_RESAVE}", code="damaged_file")
    if "[content_types].xml" not in folded or "xl/workbook.xml" not in folded:
        raise SpreadsheetError(
            f"This is not an Excel .xlsx file (it is a zip archive without a workbook inside). {_SAVE_AS_XLSX}",
            code="not_xlsx",
        )
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise SpreadsheetError(
                "The workbook is password-protected. Remove the password in Excel (File › Info › Protect "
                "Workbook), save it and upload it again.",
                code="encrypted_file",
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise SpreadsheetError(
                f"The file uses a compression Excel does not write. {_RESAVE}", code="unsupported_compression"
            )
        total += info.file_size
        if info.file_size > RATIO_CHECK_MIN_UNPACKED and info.file_size > max_ratio * max(info.compress_size, 1):
            raise SpreadsheetError(
                "The file is refused: one of its parts unpacks to more than "
                f"{max_ratio:g} times its packed size, as a zip bomb does. {_RESAVE}",
                code="zip_bomb",
            )
    if total > max_unpacked:
        raise SpreadsheetError(
            f"The file unpacks to {format_size(total)}; the limit is {format_size(max_unpacked)}. "
            "Split it into smaller files, or remove images and unused sheets.",
            code="unpacked_too_large",
        )


def _check_entry(view: memoryview, info: zipfile.ZipInfo) -> None:
    """Inflate one entry with a cap at its declared size; check its CRC and, for XML, its prolog."""
    is_xml = info.filename.lower().endswith((".xml", ".rels", ".vml"))
    prolog = _PrologCheck(info.filename) if is_xml else None
    keep_whole = is_xml and info.file_size <= _PARSE_WHOLE_MAX and _is_structural(info.filename)
    whole = bytearray() if keep_whole else None
    crc = 0
    produced = 0
    for chunk in _inflate(view, info):
        produced += len(chunk)
        crc = zlib.crc32(chunk, crc)
        if prolog is not None and not prolog.done:
            prolog.feed(chunk)
        if whole is not None:
            whole += chunk
    if produced != info.file_size or crc != info.CRC:
        raise SpreadsheetError(f"The file is damaged (a part fails its checksum). {_RESAVE}", code="damaged_file")
    if prolog is not None and not prolog.done and produced:
        prolog.finish()
    if whole:
        _parse_whole(info.filename, bytes(whole))


def _inflate(view: memoryview, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """Yield the entry's bytes, never more than its declared size (a lying directory is refused)."""
    damaged = SpreadsheetError(f"The file is damaged or incomplete. {_RESAVE}", code="damaged_file")
    start = info.header_offset
    header = bytes(view[start : start + _LOCAL_HEADER.size])
    if len(header) != _LOCAL_HEADER.size:
        raise damaged
    fields = _LOCAL_HEADER.unpack(header)
    if fields[0] != _LOCAL_SIGNATURE:
        raise damaged
    name_length, extra_length = fields[-2], fields[-1]
    begin = start + _LOCAL_HEADER.size + name_length + extra_length
    end = begin + info.compress_size
    if end > len(view):
        raise damaged
    packed = view[begin:end]
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size:
            raise damaged
        for offset in range(0, len(packed), _CHUNK):
            yield bytes(packed[offset : offset + _CHUNK])
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    budget = info.file_size
    try:
        for offset in range(0, len(packed), _CHUNK):
            pending = bytes(packed[offset : offset + _CHUNK])
            while pending:
                out = inflater.decompress(pending, _CHUNK)
                budget -= len(out)
                if budget < 0:
                    raise SpreadsheetError(
                        f"The file is refused: a part unpacks to more than it declares, as a zip bomb does. {_RESAVE}",
                        code="zip_bomb",
                    )
                if out:
                    yield out
                pending = inflater.unconsumed_tail
                if inflater.eof:
                    break
            if inflater.eof:
                break
        tail = inflater.flush()
    except zlib.error as exc:
        raise damaged from exc
    if tail:
        if len(tail) > budget:
            raise SpreadsheetError(
                f"The file is refused: a part unpacks to more than it declares, as a zip bomb does. {_RESAVE}",
                code="zip_bomb",
            )
        yield tail
    if not inflater.eof:
        raise damaged


def _is_structural(name: str) -> bool:
    lowered = name.lower()
    return lowered in {"[content_types].xml", "xl/workbook.xml"} or lowered.endswith(".rels")


_DTD_MESSAGE = (
    "The file is refused: it contains XML declarations (DTD or entities) that Excel never writes and that "
    f"can be used to attack servers. {_RESAVE}"
)


def _parse_whole(name: str, content: bytes) -> None:
    try:
        DefusedET.fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise SpreadsheetError(_DTD_MESSAGE, code="xml_dtd_forbidden") from exc
    except DefusedET.ParseError as exc:
        raise SpreadsheetError(
            f"The file is damaged ({name} is not valid XML). {_RESAVE}", code="damaged_file"
        ) from exc


class _RootReached(Exception):
    pass


class _StopAtRoot:
    """ElementTree parser target that stops parsing at the root element: the prolog is all we need."""

    def start(self, tag, attrib):
        raise _RootReached

    def end(self, tag):
        return None

    def data(self, data):
        return None

    def close(self):
        return None


class _PrologCheck:
    """Feed an XML part to defusedxml until its root element starts.

    A DTD (and so any entity declaration) can only stand in the prolog, before the root element, so
    checking up to the root covers a part of any size without building a tree of it.
    """

    def __init__(self, name: str):
        self.name = name
        self.done = False
        self._parser = DefusedET.DefusedXMLParser(
            target=_StopAtRoot(), forbid_dtd=True, forbid_entities=True, forbid_external=True
        )

    def feed(self, chunk: bytes) -> None:
        try:
            self._parser.feed(chunk)
        except _RootReached:
            self.done = True
        except defusedxml.DefusedXmlException as exc:
            raise SpreadsheetError(_DTD_MESSAGE, code="xml_dtd_forbidden") from exc
        except DefusedET.ParseError as exc:
            raise SpreadsheetError(
                f"The file is damaged ({self.name} is not valid XML). {_RESAVE}", code="damaged_file"
            ) from exc

    def finish(self) -> None:
        """The part ended before any root element: it is not XML at all."""
        try:
            self._parser.close()
        except _RootReached:
            self.done = True
            return
        except defusedxml.DefusedXmlException as exc:
            raise SpreadsheetError(_DTD_MESSAGE, code="xml_dtd_forbidden") from exc
        except DefusedET.ParseError as exc:
            raise SpreadsheetError(
                f"The file is damaged ({self.name} is not valid XML). {_RESAVE}", code="damaged_file"
            ) from exc
        raise SpreadsheetError(f"The file is damaged ({self.name} is empty). {_RESAVE}", code="damaged_file")
