"""Any supported workbook file -> a grid of cells: ``read_workbook``, the format decided by the bytes.

``read_workbook(path)`` returns a :class:`Workbook` (one :class:`Sheet` per worksheet) or raises
:class:`WorkbookError` -- never anything else.  Values come from python-calamine everywhere; the
modules beside this one pay for their own parsing only where calamine cannot be trusted or says
nothing (``guards``, ``xlsx``, ``ods``, ``xls``; ``formulas`` evaluates what has no cached value).

Format (decided by the bytes, never the file name)
    * zip holding ``xl/workbook.xml`` -> ``xlsx``, or ``xlsm`` with a VBA project or a macro-enabled
      content type (macros are never run); ``xl/workbook.bin`` (.xlsb), a Word document or another
      zip -> file_not_workbook.
    * zip whose ``mimetype`` is ``application/vnd.oasis.opendocument.spreadsheet`` -> ``ods``.
    * OLE2/CFB (``D0 CF 11 E0 A1 B1 1A E1``) holding a ``Workbook``/``Book`` stream -> ``xls``.
    * zero bytes -> file_empty; text (CSV, HTML), other OLE files, anything else ->
      file_not_workbook; a zip without its central directory (cut short) -> file_unreadable.

Errors: MemoryError -> file_too_large; any other exception, pyo3's PanicException (a
BaseException) included, -> file_unreadable; KeyboardInterrupt/SystemExit propagate.  What a
calamine panic prints on standard error is left there: silencing it is the caller's choice
(``antt.read.quiet``).

Sheets
    * worksheets only, in workbook order; chart, macro and dialog sheets are left out.  Hidden and
      very hidden sheets are kept with ``hidden=True``.
    * ``rows[r][c]`` is the real sheet cell (r, c), 0-based from A1.  Every row has the same length
      (last used column + 1); rows after the last non-empty row are dropped; an empty sheet has
      ``rows == []``.  Values: None for empty (never ""), str as stored (not normalised), int for
      whole numbers, float, bool, datetime/date/time/timedelta as calamine returns them.  A cached
      Excel error (``#DIV/0!``, ``#REF!`` ...), which calamine returns as "", is its text.
    * ``merged``: (first row, first col, last row, last col), clipped to the limits.
    * ``formulas``: cells whose formula has no cached value -> formula text ("=SUM(C8:C14)"), each
      evaluated on the grid when it is simple; those that are not stay None and are in
      ``unevaluated``.
    * ``fonts``: filled only when the workbook's text may be legacy Vietnamese (TCVN3/VNI read as
      Latin-1, ``antt.core.text.needs_fonts``): the font name of every text cell.
"""

from __future__ import annotations

from pathlib import Path

from antt.read.grid import ERROR_CODES, Limits, Sheet, Workbook, WorkbookError, cell_ref, short
from antt.read.guards import ZIP_SIG, Zip, read_bytes
from antt.read.ods import read_ods
from antt.read.xls import read_xls
from antt.read.xlsx import read_xlsx

__all__ = [
    "ERROR_CODES",
    "LEGACY_FONT_PREFIXES",
    "Limits",
    "Sheet",
    "Workbook",
    "WorkbookError",
    "cell_ref",
    "read_bytes",
    "read_workbook",
]

#: Font names (lower case) whose text is legacy TCVN3 (.VnTime, .VnTimeH...) or VNI (VNI-Times...).
LEGACY_FONT_PREFIXES = (".vn", "vni")

_OLE_SIG = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_workbook(path: Path, limits: Limits = Limits(), data: bytes | None = None) -> Workbook:
    """Read a workbook file into sheets of cells (``data``: its bytes, when the caller has them
    from ``read_bytes``).  Raises WorkbookError only."""
    path = Path(path)
    try:
        return _parse(path, read_bytes(path, limits) if data is None else data, limits)
    except WorkbookError:
        raise
    except MemoryError:
        raise WorkbookError("file_too_large", "không đủ bộ nhớ để đọc tệp") from None
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - pyo3 PanicException derives from BaseException
        what = "bộ đọc gặp lỗi nội bộ với cấu trúc của tệp" if "Panic" in type(exc).__name__ else "lỗi khi đọc"
        raise WorkbookError(
            "file_unreadable", f"{what}; chi tiết kỹ thuật: {type(exc).__name__}: {short(exc)}"
        ) from None


def _parse(path: Path, data: bytes, limits: Limits) -> Workbook:
    if not data:
        raise WorkbookError("file_empty", "tệp rỗng (0 byte)")
    if data.startswith(ZIP_SIG):
        return _read_zip(path, data, limits)
    if data.startswith(_OLE_SIG):
        return read_xls(path, data, limits)
    if data.startswith(b"PK\x05\x06"):
        raise WorkbookError("file_not_workbook", "tệp nén rỗng, không chứa bảng tính")
    raise WorkbookError("file_not_workbook", _not_workbook_detail(data))


def _read_zip(path: Path, data: bytes, limits: Limits) -> Workbook:
    z = Zip(data, limits)
    if z.has("xl/workbook.xml"):
        return read_xlsx(path, data, z, limits)
    if z.has("mimetype"):
        mt = z.read("mimetype", check_xml=False).strip()
        if mt.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
            return read_ods(path, data, z, limits)
        raise WorkbookError(
            "file_not_workbook",
            f"tệp OpenDocument không phải bảng tính ({mt[:60].decode('ascii', 'replace')})",
        )
    if z.has("xl/workbook.bin"):
        raise WorkbookError("file_not_workbook", "định dạng .xlsb (nhị phân) không được hỗ trợ")
    if z.has("word/document.xml"):
        raise WorkbookError("file_not_workbook", "tệp Word (.docx), không phải bảng tính")
    raise WorkbookError("file_not_workbook", "tệp nén không chứa bảng tính")


def _not_workbook_detail(data: bytes) -> str:
    head = data[:4096]
    low = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if low.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")):
        return "không phải tệp bảng tính: nội dung là HTML/XML (có thể là tệp đổi tên đuôi)"
    if head.startswith(b"{\\rtf"):
        return "không phải tệp bảng tính: nội dung là RTF"
    if head.startswith(b"%PDF"):
        return "không phải tệp bảng tính: nội dung là PDF"
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
            return "không phải tệp bảng tính: nội dung là văn bản (CSV/TXT, có thể đổi tên đuôi)"
        except UnicodeDecodeError:
            pass
    return "không phải tệp bảng tính (.xlsx, .xlsm, .xls, .ods): chữ ký tệp không nhận ra"
