"""Any supported workbook file -> a grid of cells.  Every format and safety concern ends here.

``read_workbook(path)`` returns a :class:`Workbook` (one :class:`Sheet` per worksheet) or raises
:class:`WorkbookError` -- never anything else.  Values come from python-calamine everywhere; this
module pays for its own parsing only where calamine cannot be trusted or says nothing.

Format (decided by the bytes, never the file name)
    * zip holding ``xl/workbook.xml`` -> ``xlsx``, or ``xlsm`` when it holds ``xl/vbaProject.bin`` or
      ``[Content_Types].xml`` says *macroEnabled*.  Macros are never run (calamine cannot run them).
      ``xl/workbook.bin`` (.xlsb) -> file_not_workbook.
    * zip whose ``mimetype`` is ``application/vnd.oasis.opendocument.spreadsheet`` -> ``ods``.
    * OLE2/CFB (``D0 CF 11 E0 A1 B1 1A E1``) holding a ``Workbook``/``Book`` stream -> ``xls``.
      A CFB whose directory (parsed here, not searched as bytes) holds an ``EncryptionInfo`` or
      ``EncryptedPackage`` stream is an Excel 2007+ file with an open password -> file_encrypted;
      an .xls with a FILEPASS record (any kind, XOR obfuscation included) -> file_encrypted.
    * zero bytes -> file_empty; text (CSV, HTML), other zips and OLE files, anything else ->
      file_not_workbook; a zip without its central directory (cut short) -> file_unreadable.

Safety, before calamine sees the bytes
    * file size (file_too_large).  The file is read once (read-only) and this module and calamine
      both parse that same buffer.
    * zip, from the central directory, nothing inflated: more than 10,000 members or two members
      with the same (case-folded) name -> file_hostile; a member above 1 MB whose compression ratio
      exceeds ``max_ratio`` -> file_hostile; a member above ``max_part_bytes`` or a total above
      ``max_total_bytes`` -> file_too_large; a member encrypted with a zip password -> file_encrypted.
    * every XML part calamine or this module parses (xl/workbook.xml and its rels, sharedStrings,
      styles, each worksheet; content.xml, styles.xml, manifest, meta, settings for .ods) is inflated
      here with an output cap of its declared size + 1 byte: more than declared -> file_hostile
      (lying header).  Any ``<!`` markup other than a comment or CDATA -- ``<!DOCTYPE``,
      ``<!ENTITY`` -- -> file_hostile ("billion laughs").  ``[Content_Types].xml`` is only searched
      for "macroEnabled", never parsed.  XML parsed here goes through regular expressions (which
      cannot expand entities) or expat/ElementTree after that check; the expat parser used for
      .ods also refuses DTDs and entity declarations itself, the way defusedxml does.
    * calamine turns every sheet into a *dense* rectangle before it can be asked its size: one
      value in A1 and one in XFD1048576 make it allocate 550 GB and abort the whole process
      (measured, python-calamine 0.9.1 / calamine 0.37), 100,000 x 700 cells take 2.1 GB.  So
      the extent of the cells holding a value is found before calamine loads a sheet:
        .xlsx: one regular-expression pass over the sheet XML finds every cell tag that is not the
          plain ``<c r="A123"`` whose position is surely inside the limits; each one is looked at
          (a styled empty cell far away is harmless, calamine drops it); cells without ``r``,
          with an odd reference or namespace prefixes switch to an exact streaming parse.
        .ods: a streaming parse of content.xml counting number-rows/columns-repeated.
        .xls: the CFB chains and sizes calamine follows (sector ids, loops, declared lengths) are
          validated, then the BIFF records are walked from each BOUNDSHEET offset like calamine
          does, with the DIMENSIONS and SST counts calamine preallocates from and the MERGEDCELLS
          counts it slices by (a count beyond its record panics calamine).
      A value past ``max_rows``/``max_cols`` -> file_too_large; so is a workbook whose sheets
      together exceed ``max_rows * max_cols`` cells (calamine loads .xls/.ods sheets all at once)
      or a sheet with more than 100,000 merged ranges.  A cell longer than ``max_cell_chars`` ->
      file_too_large.  MemoryError -> file_too_large; any other exception, pyo3's PanicException
      (a BaseException) included, -> file_unreadable; what a panic prints on stderr is hidden (file
      descriptor 2 points at /dev/null while a file is read).  KeyboardInterrupt/SystemExit propagate.

Sheets
    * worksheets only, in workbook order; chart, macro and dialog sheets are left out.  Hidden and
      very hidden sheets are kept with ``hidden=True`` (calamine's ``sheets_metadata``).
    * ``rows[r][c]`` is the real sheet cell (r, c), 0-based from A1 (calamine is asked not to skip
      the empty area before the data).  Every row has the same length (last used column + 1); rows
      after the last non-empty row are dropped; an empty sheet has ``rows == []``.  Values: None for
      empty (never ""), str as stored (not normalised), int for whole numbers, float, bool,
      datetime/date/time/timedelta as calamine returns them (a date-formatted cell is a date).
      A cached Excel error (``#DIV/0!``, ``#REF!`` ...), which calamine returns as "", is put in the
      grid as its text so that it never reads as a blank: .xlsx ``t="e"`` cells (attributes in the
      usual r, s, t order), .xls BOOLERR records and FORMULA error results, .ods cells with
      ``calcext:value-type="error"``.
    * ``merged``: calamine's ``merged_cell_ranges`` for .xlsx/.xlsm/.xls; for .ods from
      ``table:number-columns/rows-spanned`` in content.xml.  Ranges are clipped to the limits.
    * ``formulas``: cells whose formula has no cached value -> formula text ("=SUM(C8:C14)").
      .xlsx: ``<f>`` with no ``<v>`` (or an empty ``<v>`` unless ``t="str"``, which is a cached
      empty text); shared formulas are translated from their master.  .ods: ``table:formula``
      without ``office:value-type`` (text converted: "of:=SUM([.C8:.C14])" -> "=SUM(C8:C14)").
      .xls: FORMULA records whose cached result is of the "empty" kind -- what xlwt always writes
      (calamine reads a blank) -- with the text decoded from the BIFF8 tokens (references, areas,
      numbers, strings, operators, SUM/IF/ROUND/ABS/MIN/MAX/AVERAGE/COUNT/INT/AND/OR/NOT...;
      anything else, BIFF5 included, decodes as "=?" and stays unevaluated).  Excel writes the
      same "empty" kind for a formula whose result is the empty string; such a formula is
      re-evaluated, which gives the same empty cell.
    * each such formula is evaluated on the grid when it is simple: + - * / ^ & % and comparisons,
      parentheses, SUM/AVERAGE/MIN/MAX/COUNT/COUNTA over cells, ranges and numbers (text, bools and
      blanks in a range are ignored as Excel does), ROUND (half away from zero on the 15-digit
      value, as Excel)/ROUNDUP/ROUNDDOWN/INT/ABS, IF/IFERROR/AND/OR/NOT, references to other
      formulas without value (dependency order, cycle guard, long chains included).  Other sheets,
      names, VLOOKUP and every other function, division by zero, text in arithmetic, a cached error
      in the inputs -> the cell stays None and is in ``unevaluated`` (a subset of ``formulas``).
      A formula is split into a template without references, parsed once and cached for the
      process, and the references of its cell.
    * ``fonts``: filled only when the workbook's text looks like legacy Vietnamese (TCVN3/VNI read
      as Latin-1): some text cell holds a character such text produces and real Vietnamese never
      uses (§ µ ¸ ¹ ¶ · ª º » ¼ ½ ¾ Æ Ç Ë Î Ï Ð Ñ Ö × Ø Û Ü Þ ß æ ç ë î ï ð ñ ö ÷ ø û ü þ ¡ ¢ £ ¤ ¥ ¦
      ¨ © « ¬ soft-hyphen ®) and no letter that only Unicode Vietnamese has (ă đ ĩ ũ ơ ư,
      U+1EA0-U+1EF9).  à á â ã è é ê ì í ò ó ô õ ù ú ý are left out of the trigger on purpose:
      "Bình Long" must not trigger it.  Then every text cell of every sheet of that workbook gets
      its font name: .xlsx from styles.xml (cellXfs -> fonts) and the cell's ``s`` (or the font of
      the first run of a rich shared string); .xls from the FONT/XF records and the cell's XF
      (no xlrd); .ods from the cell's style, else the row's or column's default cell style,
      through parent styles to ``style:font-name``/``fo:font-family`` and the font face's family
      -- best effort (text spans with their own style are not followed).

Cost (measured, see the report of this module): python-calamine alone is the floor; the checks
above add one inflate and one regular-expression pass per sheet, one Python pass over the cells
(None/int), a streaming parse of content.xml for .ods and a record walk for .xls.
"""

from __future__ import annotations

import html
import io
import itertools
import math
import os
import re
import struct
import sys
import threading
import zlib
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from xml.etree.ElementTree import iterparse as _iterparse

from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from antt.core.text import decode_legacy

__all__ = [
    "LEGACY_FONT_PREFIXES",
    "Limits",
    "Sheet",
    "Workbook",
    "WorkbookError",
    "cell_ref",
    "read_workbook",
]

LEGACY_FONT_PREFIXES = (".vn", "vni")

ERROR_CODES = (
    "file_empty",
    "file_unreadable",
    "file_not_workbook",
    "file_encrypted",
    "file_too_large",
    "file_hostile",
)


# ---------------------------------------------------------------------------------------------
# Public types
# ---------------------------------------------------------------------------------------------
@dataclass
class Sheet:
    name: str
    hidden: bool
    rows: list[list] = field(default_factory=list)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    fonts: dict[tuple[int, int], str] = field(default_factory=dict)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    unevaluated: set[tuple[int, int]] = field(default_factory=set)


@dataclass
class Workbook:
    path: Path
    format: str
    sheets: list[Sheet]


class WorkbookError(Exception):
    """The file cannot be read as a workbook.  ``code`` is one of ERROR_CODES, ``detail`` says why
    in Vietnamese."""

    def __init__(self, code: str, detail: str):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail

    def __reduce__(self):  # picklable across worker processes
        return (type(self), (self.code, self.detail))


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 50 * 2**20
    max_part_bytes: int = 100 * 2**20
    max_total_bytes: int = 300 * 2**20
    max_ratio: int = 200
    max_rows: int = 20_000
    max_cols: int = 200
    max_cell_chars: int = 32_767


@lru_cache(maxsize=1 << 16)
def cell_ref(row: int, col: int) -> str:
    """0-based (row, col) -> "A1"-style reference: cell_ref(12, 5) == "F13"."""
    return _col_letters(col) + str(row + 1)


def _col_letters(col: int) -> str:
    n = col + 1
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _col_index(letters: bytes | str) -> int:
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode("ascii").upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------
_ZIP_SIG = b"PK\x03\x04"
_OLE_SIG = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAX_ZIP_MEMBERS = 10_000
_RATIO_MIN_BYTES = 2**20
_MB = 2**20
_ONESHOT_MAX_COMP = 64 * 1024


def read_workbook(path: Path, limits: Limits = Limits(), data: bytes | None = None) -> Workbook:
    """Read a workbook file into sheets of cells (``data``: its bytes, when the caller has them
    from ``read_bytes``).  Raises WorkbookError only."""
    path = Path(path)
    try:
        with _quiet_stderr():
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
            "file_unreadable", f"{what}; chi tiết kỹ thuật: {type(exc).__name__}: {_short(exc)}"
        ) from None


_QUIET_LOCK = threading.Lock()
_quiet = {"depth": 0, "saved": None, "null": None}    # "null": /dev/null, opened once per process


@contextmanager
def _quiet_stderr():
    """File descriptor 2 goes to /dev/null while a file is read: a calamine panic (caught above as
    file_unreadable) prints "thread '<unnamed>' panicked at ..." there, and a whole stack
    backtrace when RUST_BACKTRACE is set.  Nested and concurrent reads share one redirection
    (the last one out puts the descriptor back)."""
    with _QUIET_LOCK:
        if _quiet["depth"] == 0:
            try:
                sys.stderr.flush()
            except (AttributeError, OSError, ValueError):
                pass
            try:
                saved = os.dup(2)
            except OSError:  # no descriptor 2: nothing to protect
                saved = None
            if saved is not None:
                if _quiet["null"] is None:
                    _quiet["null"] = os.open(os.devnull, os.O_WRONLY)
                os.dup2(_quiet["null"], 2)
            _quiet["saved"] = saved
        _quiet["depth"] += 1
    try:
        yield
    finally:
        with _QUIET_LOCK:
            _quiet["depth"] -= 1
            if _quiet["depth"] == 0 and _quiet["saved"] is not None:
                os.dup2(_quiet["saved"], 2)
                os.close(_quiet["saved"])
                _quiet["saved"] = None


def _short(exc: BaseException) -> str:
    text = str(exc).replace("\n", " ").strip()
    return text[:200] if text else "lỗi không rõ"


def read_bytes(path: Path, limits: Limits = Limits()) -> bytes:
    """The bytes of a file, its size checked against the limit before any is read.  Raises
    WorkbookError only (an empty file is left to the reader to refuse)."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise WorkbookError("file_unreadable", "không phải là tệp thông thường")
    except OSError as exc:
        raise WorkbookError("file_unreadable", f"không mở được tệp ({exc.strerror or exc})") from None
    if size > limits.max_file_bytes:
        raise WorkbookError(
            "file_too_large",
            f"tệp {size / _MB:.1f} MB vượt giới hạn {limits.max_file_bytes / _MB:g} MB",
        )
    try:
        with open(path, "rb") as fh:  # read-only; the file is never modified
            # read(size + 1), not read(max + 1): a 50 MB read buffer costs 60 us per file
            data = fh.read(size + 1)
    except OSError as exc:
        raise WorkbookError("file_unreadable", f"không đọc được tệp ({exc.strerror or exc})") from None
    except MemoryError:
        raise WorkbookError("file_too_large", "không đủ bộ nhớ để đọc tệp") from None
    if len(data) > limits.max_file_bytes or len(data) > size:
        raise WorkbookError("file_unreadable", "tệp thay đổi trong khi đang đọc")
    return data


def _parse(path: Path, data: bytes, limits: Limits) -> Workbook:
    if not data:
        raise WorkbookError("file_empty", "tệp rỗng (0 byte)")
    if data.startswith(_ZIP_SIG):
        return _read_zip(path, data, limits)
    if data.startswith(_OLE_SIG):
        return _read_xls(path, data, limits)
    if data.startswith(b"PK\x05\x06"):
        raise WorkbookError("file_not_workbook", "tệp nén rỗng, không chứa bảng tính")
    raise WorkbookError("file_not_workbook", _not_workbook_detail(data))


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


# ---------------------------------------------------------------------------------------------
# Zip containers
# ---------------------------------------------------------------------------------------------
class _Member:
    __slots__ = ("filename", "flag_bits", "compress_type", "compress_size", "file_size", "header_offset")

    def __init__(self, filename, flag_bits, compress_type, compress_size, file_size, header_offset):
        self.filename = filename
        self.flag_bits = flag_bits
        self.compress_type = compress_type
        self.compress_size = compress_size
        self.file_size = file_size
        self.header_offset = header_offset


_CD_ENTRY = struct.Struct("<4s4x2H8x2L5H4xL")  # central directory file header (46 bytes)


class _Zip:
    """The central directory of a zip held in memory, checked before anything is inflated."""

    def __init__(self, data: bytes, limits: Limits):
        self.data = data
        self.limits = limits
        entries = self._fast_directory()
        if entries is None:
            entries = self._zipfile_directory()
        if len(entries) > _MAX_ZIP_MEMBERS:
            raise WorkbookError("file_hostile", f"tệp nén có {len(entries)} phần, quá nhiều")
        members: dict[str, _Member] = {}
        total = 0
        for zi in entries:
            key = zi.filename.replace("\\", "/").lower()
            if key in members:
                raise WorkbookError("file_hostile", f"tên phần trùng lặp trong tệp nén: {zi.filename}")
            members[key] = zi
            if zi.flag_bits & 0x1:
                raise WorkbookError("file_encrypted", "tệp nén có phần được mã hóa bằng mật khẩu")
            fsize, csize = zi.file_size, zi.compress_size
            if fsize > _RATIO_MIN_BYTES and fsize > limits.max_ratio * max(csize, 1):
                ratio = fsize // max(csize, 1)
                raise WorkbookError(
                    "file_hostile",
                    f"tỷ lệ nén 1:{ratio} vượt giới hạn 1:{limits.max_ratio} ({zi.filename})",
                )
            if fsize > limits.max_part_bytes:
                raise WorkbookError(
                    "file_too_large",
                    f"phần {zi.filename} giải nén {fsize / _MB:.0f} MB vượt giới hạn "
                    f"{limits.max_part_bytes / _MB:g} MB",
                )
            total += fsize
        if total > limits.max_total_bytes:
            raise WorkbookError(
                "file_too_large",
                f"tổng dung lượng giải nén {total / _MB:.0f} MB vượt giới hạn "
                f"{limits.max_total_bytes / _MB:g} MB",
            )
        self.members = members

    def _fast_directory(self) -> list[_Member] | None:
        """Parse the end record and central directory directly (the common case); None when the
        archive needs zipfile's general handling (zip64, leading data, odd layout)."""
        data = self.data
        tail_start = max(0, len(data) - (22 + 65535))
        pos = data.rfind(b"PK\x05\x06", tail_start)
        if pos < 0 or len(data) - pos < 22:
            raise WorkbookError("file_unreadable", "tệp nén bị cắt cụt (không có thư mục trung tâm)")
        disk_entries, entries, cd_size, cd_offset = struct.unpack_from("<HHII", data, pos + 8)
        if entries != 0xFFFF and entries > _MAX_ZIP_MEMBERS:
            raise WorkbookError("file_hostile", f"tệp nén có {entries} phần, quá nhiều")
        if cd_size != 0xFFFFFFFF and cd_size > _MAX_ZIP_MEMBERS * 400:
            raise WorkbookError("file_hostile", "thư mục trung tâm của tệp nén quá lớn")
        if 0xFFFF in (disk_entries, entries) or 0xFFFFFFFF in (cd_size, cd_offset):
            return None
        if cd_offset + cd_size != pos:
            return None
        out = []
        off = cd_offset
        unpack = _CD_ENTRY.unpack_from
        for _ in range(entries):
            if off + 46 > pos:
                return None
            sig, flags, method, csize, usize, fnl, exl, cml, _disk, _iattr, hoff = unpack(data, off)
            if sig != b"PK\x01\x02" or 0xFFFFFFFF in (csize, usize, hoff):
                return None
            raw = data[off + 46 : off + 46 + fnl]
            name = raw.decode("utf-8", "replace") if flags & 0x800 else raw.decode("cp437")
            out.append(_Member(name, flags, method, csize, usize, hoff))
            off += 46 + fnl + exl + cml
        if off != pos:
            return None
        return out

    def _zipfile_directory(self) -> list[_Member]:
        try:
            infos = zipfile.ZipFile(io.BytesIO(self.data)).infolist()
        except zipfile.BadZipFile:
            raise WorkbookError("file_unreadable", "tệp nén bị cắt cụt hoặc hỏng") from None
        except (ValueError, OSError, EOFError, struct.error, NotImplementedError, IndexError) as exc:
            raise WorkbookError("file_unreadable", f"tệp nén hỏng ({_short(exc)})") from None
        return [
            _Member(zi.filename, zi.flag_bits, zi.compress_type, zi.compress_size, zi.file_size, zi.header_offset)
            for zi in infos
        ]

    def has(self, name: str) -> bool:
        return name in self.members

    def read(self, name: str, check_xml: bool = True) -> bytes:
        """Inflate one member (lower-case name) with a cap of its declared size + 1 byte."""
        zi = self.members[name]
        data = self.data
        off = zi.header_offset
        if off < 0 or off + 30 > len(data) or data[off : off + 4] != _ZIP_SIG:
            raise WorkbookError("file_unreadable", f"tệp nén hỏng (phần {zi.filename})")
        fnl, exl = struct.unpack_from("<HH", data, off + 26)
        start = off + 30 + fnl + exl
        comp = data[start : start + zi.compress_size]
        declared = zi.file_size
        if zi.compress_type == zipfile.ZIP_STORED:
            out = comp
        elif zi.compress_type == zipfile.ZIP_DEFLATED:
            try:
                if len(comp) <= _ONESHOT_MAX_COMP:
                    # deflate expands at most ~1032x: the output is bounded (<= 66 MB) even when
                    # the declared size lies, and the one-shot call is twice as fast
                    out = zlib.decompress(comp, -15, declared + 1)
                else:
                    out = zlib.decompressobj(-15).decompress(comp, declared + 1)
            except zlib.error:
                raise WorkbookError("file_unreadable", f"tệp nén hỏng (phần {zi.filename})") from None
        else:
            raise WorkbookError(
                "file_unreadable", f"phương pháp nén {zi.compress_type} không được hỗ trợ ({zi.filename})"
            )
        if len(out) > declared:
            raise WorkbookError(
                "file_hostile",
                f"phần {zi.filename} giải nén ra nhiều hơn kích thước khai báo ({declared} byte)",
            )
        if len(out) < declared:
            raise WorkbookError("file_unreadable", f"phần {zi.filename} bị cắt cụt")
        if check_xml:
            out = _check_xml(out, zi.filename)
        return out


def _check_xml(data: bytes, name: str) -> bytes:
    """Refuse DTDs (entity expansion); return the part as UTF-8 bytes (UTF-16 parts re-encoded)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:2] in (b"<\x00", b"\x00<"):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise WorkbookError("file_unreadable", f"phần {name} mã hóa UTF-16 hỏng") from None
    if b"!" not in data:  # memchr: the common case costs nothing
        return data
    pos = data.find(b"<!")
    while pos >= 0:
        if data.startswith(b"<!--", pos):
            end = data.find(b"-->", pos + 4)
        elif data.startswith(b"<![CDATA[", pos):
            end = data.find(b"]]>", pos + 9)
        else:
            raise WorkbookError(
                "file_hostile",
                f"XML chứa khai báo DTD/thực thể (<!DOCTYPE/<!ENTITY) trong phần {name}",
            )
        if end < 0:
            break
        pos = data.find(b"<!", end)
    return data


def _read_zip(path: Path, data: bytes, limits: Limits) -> Workbook:
    z = _Zip(data, limits)
    if z.has("xl/workbook.xml"):
        return _read_ooxml(path, data, z, limits)
    if z.has("mimetype"):
        mt = z.read("mimetype", check_xml=False).strip()
        if mt.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
            return _read_ods(path, data, z, limits)
        raise WorkbookError(
            "file_not_workbook",
            f"tệp OpenDocument không phải bảng tính ({mt[:60].decode('ascii', 'replace')})",
        )
    if z.has("xl/workbook.bin"):
        raise WorkbookError("file_not_workbook", "định dạng .xlsb (nhị phân) không được hỗ trợ")
    if z.has("word/document.xml"):
        raise WorkbookError("file_not_workbook", "tệp Word (.docx), không phải bảng tính")
    raise WorkbookError("file_not_workbook", "tệp nén không chứa bảng tính")


def _open_calamine(data: bytes) -> CalamineWorkbook:
    return CalamineWorkbook.from_filelike(io.BytesIO(data))


# ---------------------------------------------------------------------------------------------
# Grid helpers shared by the formats
# ---------------------------------------------------------------------------------------------
_FLOAT = float
_chain = itertools.chain.from_iterable


def _clean(raw: list[list]) -> list[list]:
    """calamine rows -> None for "", int for whole floats; trailing empty rows dropped."""
    if not raw:
        return []
    width = len(raw[0])
    flat = [
        (int(v) if v.is_integer() else v) if v.__class__ is _FLOAT else (None if v == "" else v)
        for v in _chain(raw)
    ]
    if len(flat) != width * len(raw):  # ragged input (never seen from calamine): row by row
        rows = [[None if v == "" else v for v in r] for r in raw]
        rows = [[int(v) if v.__class__ is _FLOAT and v.is_integer() else v for v in r] for r in rows]
    else:
        rows = [flat[i : i + width] for i in range(0, len(flat), width)]
    while rows and rows[-1].count(None) == len(rows[-1]):
        rows.pop()
    return rows


def _set_cell(rows: list[list], r: int, c: int, value) -> None:
    width = len(rows[0]) if rows else 0
    if c >= width:
        pad = c + 1 - width
        for row in rows:
            row.extend([None] * pad)
        width = c + 1
    while len(rows) <= r:
        rows.append([None] * width)
    rows[r][c] = value


def _text_checks(sheets: list[Sheet], limits: Limits) -> bool:
    """Refuse a cell longer than max_cell_chars; say whether the text looks like legacy
    TCVN3/VNI.  Works on the distinct values of the workbook (one C-level pass to build them)."""
    values = set(_chain(_chain(sh.rows for sh in sheets)))
    texts = [v for v in values if v.__class__ is str]
    if not texts:
        return False
    if max(map(len, texts)) > limits.max_cell_chars:
        for sh in sheets:
            for r, row in enumerate(sh.rows):
                for c, v in enumerate(row):
                    if v.__class__ is str and len(v) > limits.max_cell_chars:
                        raise WorkbookError(
                            "file_too_large",
                            f"ô {cell_ref(r, c)} của trang tính '{sh.name}' dài {len(v)} ký tự, "
                            f"vượt giới hạn {limits.max_cell_chars} ký tự",
                        )
    return _legacy_texts(texts)


def _too_large_at(sheet: str, r: int, c: int, limits: Limits) -> WorkbookError:
    if r >= limits.max_rows:
        return WorkbookError(
            "file_too_large",
            f"trang tính '{sheet}' có dữ liệu ở dòng {r + 1}, vượt giới hạn {limits.max_rows} dòng",
        )
    return WorkbookError(
        "file_too_large",
        f"trang tính '{sheet}' có dữ liệu ở cột {_col_letters(c)} (cột {c + 1}), "
        f"vượt giới hạn {limits.max_cols} cột",
    )


class _Budget:
    """Cells calamine will hold densely, summed over the workbook."""

    def __init__(self, limits: Limits):
        self.left = limits.max_rows * limits.max_cols
        self.limits = limits

    def take(self, rows: int, cols: int) -> None:
        self.left -= rows * cols
        if self.left < 0:
            raise WorkbookError(
                "file_too_large",
                f"các trang tính cộng lại vượt {self.limits.max_rows * self.limits.max_cols} ô",
            )


def _clip_merged(ranges, limits: Limits) -> list[tuple[int, int, int, int]]:
    out = []
    mr, mc = limits.max_rows - 1, limits.max_cols - 1
    for r0, c0, r1, c1 in ranges:
        if r0 > r1:
            r0, r1 = r1, r0
        if c0 > c1:
            c0, c1 = c1, c0
        if r0 > mr or c0 > mc or r0 < 0 or c0 < 0:
            continue
        out.append((r0, c0, min(r1, mr), min(c1, mc)))
    return out


_MAX_MERGED = 100_000


def _too_many_merged(sheet: str) -> WorkbookError:
    return WorkbookError("file_too_large", f"trang tính '{sheet}' có hơn {_MAX_MERGED} vùng gộp ô")


def _merged_of(cs, name: str, limits: Limits) -> list[tuple[int, int, int, int]]:
    merged = cs.merged_cell_ranges
    if not merged:
        return []
    if len(merged) > _MAX_MERGED:
        raise _too_many_merged(name)
    return _clip_merged([(a[0], a[1], b[0], b[1]) for a, b in merged], limits)


def _is_hidden(meta) -> bool:
    return meta.visible != SheetVisibleEnum.Visible


# ---------------------------------------------------------------------------------------------
# .xlsx / .xlsm
# ---------------------------------------------------------------------------------------------
_ATTR_RE = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_SHEET_EL_RE = re.compile(rb"(?<=[<:])sheet\s[^>]*>")  # literal first: fast
_REL_EL_RE = re.compile(rb"(?<=[<:])Relationship\s[^>]*>")


def _attrs(raw: bytes) -> dict[str, str]:
    out = {}
    for m in _ATTR_RE.finditer(raw):
        key = m.group(1).decode("ascii", "replace")
        val = m.group(2) if m.group(2) is not None else m.group(3)
        out[key] = html.unescape(val.decode("utf-8", "replace")) if b"&" in val else val.decode(
            "utf-8", "replace"
        )
    return out


def _attr_value(rx: re.Pattern, raw: bytes) -> str | None:
    m = rx.search(raw)
    if m is None:
        return None
    val = m.group(1) if m.group(1) is not None else m.group(2)
    text = val.decode("utf-8", "replace")
    return html.unescape(text) if "&" in text else text


# attribute patterns start with a literal (fast search); the attributes they could be confused
# with (sheetId, TargetMode) do not match because "=" must follow the name
_ID_ATTR_RE = re.compile(rb"""Id\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_TARGET_ATTR_RE = re.compile(rb"""Target\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_NAME_ATTR_RE = re.compile(rb"""name\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_RID_ATTR_RE = re.compile(rb"""(?:\sr|\srelationships):id\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _calamine_sheet_path(target: str) -> str:
    """Where calamine looks for a sheet whose relationship target is target."""
    if target.startswith("/xl/"):
        path = target[1:]
    elif target.startswith("xl/"):
        path = target
    else:
        path = "xl/" + target
    return path.replace("\\", "/").lower()


def _read_ooxml(path: Path, data: bytes, z: _Zip, limits: Limits) -> Workbook:
    # The parts calamine reads when it opens the workbook (fixed names, case-insensitive lookup):
    # each is inflated here first (size and DTD checks).
    wb_xml = z.read("xl/workbook.xml")
    rels_xml = z.read("xl/_rels/workbook.xml.rels") if z.has("xl/_rels/workbook.xml.rels") else b""
    if z.has("xl/sharedstrings.xml"):
        z.read("xl/sharedstrings.xml")
    if z.has("xl/styles.xml"):
        z.read("xl/styles.xml")
    rels: dict[str, str] = {}
    for m in _REL_EL_RE.finditer(rels_xml):
        rid = _attr_value(_ID_ATTR_RE, m.group(0))
        target = _attr_value(_TARGET_ATTR_RE, m.group(0))
        if rid is not None and target is not None:
            rels[rid] = target
    sheet_parts: dict[str, str | None] = {}
    sheet_order: list[str | None] = []
    for m in _SHEET_EL_RE.finditer(wb_xml):
        name = _attr_value(_NAME_ATTR_RE, m.group(0))
        rid = _attr_value(_RID_ATTR_RE, m.group(0))
        target = rels.get(rid) if rid is not None else None
        part = _calamine_sheet_path(target) if target is not None else None
        sheet_order.append(part)
        if name is not None:
            sheet_parts[name] = part
    if z.has("xl/vbaproject.bin"):
        fmt = "xlsm"
    else:
        ct = z.read("[content_types].xml", check_xml=False) if z.has("[content_types].xml") else b""
        fmt = "xlsm" if b"macroEnabled" in ct else "xlsx"
    shared_part, styles_part = "xl/sharedstrings.xml", "xl/styles.xml"

    # Scan every worksheet part before calamine loads any (this also keeps the Python work and the
    # Rust work in separate phases, which measurably helps the CPU caches).
    part_names = {part: name for name, part in sheet_parts.items() if part is not None}
    pre: dict[str, _SheetScan] = {}
    for part in sheet_order:
        if part is None or part in pre or part.split("/")[1:2] != ["worksheets"] or not z.has(part):
            continue
        xml = z.read(part)
        pre[part] = _scan_xlsx_sheet(xml, limits, part_names.get(part, part))
    cwb = _open_calamine(data)
    budget = _Budget(limits)
    sheets: list[Sheet] = []
    scans: list[tuple[Sheet, str, _SheetScan]] = []
    raws = []
    for idx, meta in enumerate(cwb.sheets_metadata):
        if meta.typ != SheetTypeEnum.WorkSheet:
            continue
        name = meta.name
        part = sheet_parts.get(name)
        if part is None and idx < len(sheet_order):
            part = sheet_order[idx]
        if part not in pre:
            raise WorkbookError(
                "file_unreadable", f"không tìm thấy phần XML của trang tính '{name}' trong tệp"
            )
        scan = pre[part]
        cs = cwb.get_sheet_by_index(idx)
        end = cs.end
        if end is not None:
            if end[0] >= limits.max_rows or end[1] >= limits.max_cols:
                raise _too_large_at(name, end[0], end[1], limits)
            budget.take(end[0] + 1, end[1] + 1)
        raws.append((meta, name, part, scan, cs.to_python(skip_empty_area=False),
                     _merged_of(cs, name, limits)))
        del cs
    for meta, name, part, scan, raw, merged in raws:
        rows = _clean(raw)
        sheet = Sheet(
            name=name,
            hidden=_is_hidden(meta),
            rows=rows,
            merged=merged,
        )
        for (r, c), err in scan.errors.items():
            if r < limits.max_rows and c < limits.max_cols:
                _set_cell(rows, r, c, err)
        if scan.nocache:
            _apply_formulas(sheet, scan.nocache, scan.errors, limits)
        sheets.append(sheet)
        scans.append((sheet, part, scan))
    del raws
    if _text_checks(sheets, limits):
        _xlsx_fonts(z, scans, styles_part, shared_part, limits)
    return Workbook(path=path, format=fmt, sheets=sheets)


class _SheetScan:
    __slots__ = ("max_row", "max_col", "nocache", "errors", "styles")

    def __init__(self):
        self.max_row = -1
        self.max_col = -1
        self.nocache: dict[tuple[int, int], str] = {}
        self.errors: dict[tuple[int, int], str] = {}
        self.styles: dict[tuple[int, int], tuple[int, str, str]] | None = None


_REF_RE = re.compile(rb"\$?([A-Za-z]{1,4})\$?([0-9]{1,8})")
_SCAN_RE_CACHE: dict[tuple[int, int], re.Pattern] = {}
_FORMULA_TAG_RE = re.compile(rb"<f[\s>/]")
_PREFIXED_RE = re.compile(rb":(?:c|row|f|v|is|sheetData)[\s>/]")
_ERROR_TYPE_RE = re.compile(rb't="e"')


def _scan_regex(limits: Limits) -> re.Pattern:
    """Matches every cell tag that is not of the plain form <c r="A123" whose position is surely
    inside the limits: no r attribute first, quotes other than ", lower case, $, more letters or
    digits than the limits allow without looking (e.g. rows >= 10000 when max_rows is 20000)."""
    safe_digits = 0  # a row number with this many digits is always inside max_rows
    while 10 ** (safe_digits + 1) - 1 <= limits.max_rows:
        safe_digits += 1
    safe_letters = 0  # a column with this many letters is always inside max_cols
    last = -1
    while True:
        last = (last + 1) * 26 + 25  # last 0-based column written with safe_letters + 1 letters
        if last >= limits.max_cols:
            break
        safe_letters += 1
    key = (safe_digits, safe_letters)
    rx = _SCAN_RE_CACHE.get(key)
    if rx is None:
        if safe_digits >= 1 and safe_letters >= 1:
            plain = rb'r="[A-Z]{1,%d}[0-9]{1,%d}"' % (safe_letters, safe_digits)
        else:
            plain = rb"(?!)"  # nothing is plain: check every reference
        rx = re.compile(rb"<c(?:[>/\t\n\r]| (?!%s))" % plain)
        _SCAN_RE_CACHE[key] = rx
    return rx


def _scan_xlsx_sheet(xml: bytes, limits: Limits, name: str) -> _SheetScan:
    """Cheap pass: cell tags outside the plain form are looked at one by one (an exact streaming
    parse takes over when one lies past the limits or has no r); formulas and cached errors are
    located with their own literal searches."""
    if _PREFIXED_RE.search(xml) is not None:  # namespace-prefixed cells: the regexes below miss them
        return _scan_xlsx_sheet_exact(xml, limits, name)
    scan = _SheetScan()
    error_at: list[int] = []
    for m in _scan_regex(limits).finditer(xml):
        ref = _PLAIN_REF_RE.match(xml, m.start())
        if ref is None:
            return _scan_xlsx_sheet_exact(xml, limits, name)
        r, c = _ref_pos(ref)
        if r >= limits.max_rows or c >= limits.max_cols:
            # calamine keeps only cells with a value: a styled empty cell out there is harmless
            cell = _cell_from(xml, m.start())
            if cell is not None and _VALUED_RE.search(cell[1]) is not None:
                raise _too_large_at(name, r, c, limits)
    em = _ERROR_TYPE_RE.search(xml)  # (a literal regex search beats "in" on XML here)
    if em is not None:
        for m in _ERROR_TYPE_RE.finditer(xml, em.start()):
            start = _cell_start_before(xml, m.start())
            if start >= 0 and xml.find(b">", start) > m.start():
                error_at.append(start)
    for start in error_at:
        cell = _cell_from(xml, start)
        if cell is not None:
            head, body = cell
            ref = _REF_RE.search(head)
            v = _V_RE.search(body)
            if ref and v and v.group(1):
                scan.errors[_ref_pos(ref)] = html.unescape(v.group(1).decode("utf-8", "replace"))
    fm = _FORMULA_TAG_RE.search(xml)
    if fm is not None:
        _collect_formulas(scan, _formula_cells(xml, fm.start()))
    return scan


# a formula as Excel, LibreOffice, openpyxl and xlsxwriter write it: the <f> right after the cell's
# start tag, then the <v>.  The search starts at "><f" (rare), the cell's start tag is found
# backwards from there.
_FCELL_RE = re.compile(
    rb"><f(\s[^>]*?)?(?:/>|>([^<]*)</f>)(?:(<v)(?:\s[^>]*)?(?:/>|>([^<]*)</v>)|(<is[\s>]))?"
)
_CELL_HEAD_AT_RE = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"([^>]*)')
_T_ATTR_RE = re.compile(rb"""\st\s*=\s*["']([^"']*)["']""")


def _formula_cells(xml: bytes, first: int) -> list:
    """The formula cells of a sheet (fast path: one regular expression; when it does not account
    for every <f>, each <f> is looked at on its own)."""
    n_tags = len(_FORMULA_TAG_RE.findall(xml, first))
    items = []
    n_found = 0
    for m in _FCELL_RE.finditer(xml, first - 1):
        fattrs, ftext, v_tag, vtext, is_tag = m.groups()
        if vtext and not fattrs:  # the usual Excel cell: a cached value, not a shared formula
            n_found += 1
            continue
        start = xml.rfind(b"<c ", 0, m.start())
        head = _CELL_HEAD_AT_RE.match(xml, start) if start >= 0 else None
        if head is None or head.end() != m.start():
            continue  # not counted: the slow path below takes over
        n_found += 1
        t = _T_ATTR_RE.search(head.group(3)) if head.group(3) else None
        items.append((
            (int(head.group(2)) - 1, _col_of(head.group(1).decode("ascii"))),
            t.group(1).decode("ascii", "replace") if t else None,
            _attrs(fattrs) if fattrs else None,
            _text(ftext),
            _text(vtext) if v_tag is not None else None,
            is_tag is not None,
        ))
    if n_found == n_tags:
        return items
    items = []
    for m in _FORMULA_TAG_RE.finditer(xml, first):
        pos = m.start()
        start = _cell_start_before(xml, pos)
        cell = _cell_from(xml, start) if start >= 0 else None
        if cell is None or start + len(cell[0]) > pos:
            continue
        head, body = cell
        ref = _REF_RE.search(head)
        fe = _F_RE.search(body)
        if ref is None or fe is None:
            continue
        t = _T_ATTR_RE.search(head)
        vm = _V_RE.search(body)
        items.append((
            _ref_pos(ref),
            t.group(1).decode("ascii", "replace") if t else None,
            _attrs(fe.group(1)) if fe.group(1) else None,
            _text(fe.group(2)),
            _text(vm.group(1)) if vm is not None else None,
            b"<is" in body,
        ))
    return items


_PLAIN_REF_RE = re.compile(rb'<c r="([A-Z]{1,4})([0-9]{1,8})"')
_VALUED_RE = re.compile(rb"<(?:v|f|is)[\s>/]")
_WS = (32, 9, 10, 13)


def _cell_start_before(xml: bytes, pos: int) -> int:
    start = xml.rfind(b"<c", 0, pos)
    while start >= 0 and (start + 2 >= len(xml) or xml[start + 2] not in _WS):
        start = xml.rfind(b"<c", 0, start)
    return start


def _ref_pos(m: re.Match) -> tuple[int, int]:
    return int(m.group(2)) - 1, _col_of(m.group(1).decode("ascii").upper())


_V_RE = re.compile(rb"<v(?:\s[^>]*)?(?:/>|>(.*?)</v>)", re.S)
_STRICT_REF_RE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_F_RE = re.compile(rb"<f(\s[^>]*?)?(?:/>|>(.*?)</f>)", re.S)


def _cell_from(xml: bytes, start: int) -> tuple[bytes, bytes] | None:
    """The <c ...> head (without '>') and the body of the cell starting at start."""
    head_end = xml.find(b">", start)
    if head_end < 0 or xml[head_end - 1] == 47:  # "/>": no body
        return None
    end = xml.find(b"</c>", head_end)
    if end < 0:
        return None
    return xml[start:head_end], xml[head_end + 1 : end]


def _text(raw: bytes | None) -> str:
    if not raw:
        return ""
    text = raw.decode("utf-8", "replace")
    return html.unescape(text) if "&" in text else text


def _collect_formulas(scan: _SheetScan, items) -> None:
    """items: ((r, c), cell t attribute, <f> attributes, formula text, <v> text or None when there
    is no <v>, has an <is>).  Fills scan.nocache with the formulas that have no cached value."""
    masters: dict[str, tuple[int, int, str]] = {}
    pending = []
    for pos, cell_t, fattrs, text, vtext, has_is in items:
        ftype = fattrs.get("t", "normal") if fattrs else "normal"
        if ftype == "shared" and text and "si" in fattrs:
            masters[fattrs["si"]] = (pos[0], pos[1], text)
        has_value = (vtext is not None and (vtext != "" or cell_t == "str")) or has_is
        if not has_value:
            pending.append((pos, ftype, fattrs.get("si") if fattrs else None, text))
    for pos, ftype, si, text in pending:
        if not text and ftype == "shared" and si in masters:
            r0, c0, mtext = masters[si]
            text = _shift_formula(mtext, pos[0] - r0, pos[1] - c0)
        scan.nocache[pos] = "=" + text if text else "=?"


def _scan_xlsx_sheet_exact(xml: bytes, limits: Limits, name: str, want_styles: bool = False) -> _SheetScan:
    """Streaming parse: exact positions as calamine computes them, early exit when a valued cell
    lies past the limits.  The bytes come from _Zip.read, which refused any DTD: without one expat
    has no entity to expand, so the C parser is safe here (and 5x faster than defusedxml's)."""

    scan = _SheetScan()
    if want_styles:
        scan.styles = {}
    cells = []
    row = -1
    col = -1
    max_r = max_c = -1
    sheet_data = None
    try:
        for event, el in _iterparse(io.BytesIO(xml), events=("start", "end")):
            tag = el.tag.rsplit("}", 1)[-1]
            if event == "start":
                if tag == "row":
                    r_attr = el.get("r")
                    row = int(r_attr) - 1 if r_attr and r_attr.isdigit() else row + 1
                    col = -1
                elif tag == "sheetData":
                    sheet_data = el
                continue
            if tag == "c":
                ref = el.get("r")
                if ref:
                    m = _STRICT_REF_RE.fullmatch(ref)
                    if m is None:  # calamine's arithmetic on such a reference is anyone's guess
                        raise WorkbookError(
                            "file_hostile", f"trang tính '{name}' có tham chiếu ô không hợp lệ: {ref[:40]!r}"
                        )
                    r, col = int(m.group(2)) - 1, _col_index(m.group(1))
                else:
                    col += 1
                    r = row
                row = r
                v = f = is_ = None
                for child in el:
                    ctag = child.tag.rsplit("}", 1)[-1]
                    if ctag == "v":
                        v = child
                    elif ctag == "f":
                        f = child
                    elif ctag == "is":
                        is_ = child
                if v is not None or f is not None or is_ is not None:
                    if r >= limits.max_rows or col >= limits.max_cols:
                        raise _too_large_at(name, r, col, limits)
                    if r > max_r:
                        max_r = r
                    if col > max_c:
                        max_c = col
                t = el.get("t", "n")
                if t == "e" and v is not None and v.text:
                    scan.errors[(r, col)] = v.text
                if f is not None:
                    fa = {k.rsplit("}", 1)[-1]: val for k, val in f.attrib.items()}
                    vtext = (v.text or "") if v is not None else None
                    cells.append(((r, col), t, fa, f.text or "", vtext, is_ is not None))
                if want_styles and t in ("s", "inlineStr", "str"):
                    scan.styles[(r, col)] = (int(el.get("s", "0") or 0), t, v.text if v is not None else "")
                el.clear()
            elif tag == "row":
                el.clear()
                if sheet_data is not None:
                    sheet_data.clear()
    except WorkbookError:
        raise
    except Exception as exc:  # noqa: BLE001 - malformed XML: calamine would refuse it too
        raise WorkbookError("file_unreadable", f"XML của trang tính '{name}' hỏng ({_short(exc)})") from None
    scan.max_row, scan.max_col = max_r, max_c
    _collect_formulas(scan, cells)
    return scan


# --- fonts (.xlsx) ---------------------------------------------------------------------------
_FONT_BLOCK_RE = re.compile(rb"<(?:[\w.-]+:)?fonts\b[^>]*>(.*?)</(?:[\w.-]+:)?fonts>", re.S)
_FONT_RE = re.compile(rb"<(?:[\w.-]+:)?font\b[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?font>)", re.S)
_NAME_RE = re.compile(rb"<(?:[\w.-]+:)?(?:name|rFont)\s[^>]*?val\s*=\s*[\"']([^\"']*)[\"']")
_XFS_BLOCK_RE = re.compile(rb"<(?:[\w.-]+:)?cellXfs\b[^>]*>(.*?)</(?:[\w.-]+:)?cellXfs>", re.S)
_XF_RE = re.compile(rb"<(?:[\w.-]+:)?xf\s([^>]*)>")
_SI_RE = re.compile(rb"<(?:[\w.-]+:)?si\b[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?si>)", re.S)
_RUN_RE = re.compile(rb"<(?:[\w.-]+:)?r\b[^>]*>(.*?)</(?:[\w.-]+:)?r>", re.S)
_T_RE = re.compile(rb"<(?:[\w.-]+:)?t\b[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?t>)", re.S)


def _xlsx_fonts(z: _Zip, scans, styles_part: str, shared_part: str, limits: Limits) -> None:
    fonts: list[str | None] = []
    xf_font: list[int] = []
    if z.has(styles_part):
        styles = z.read(styles_part)
        block = _FONT_BLOCK_RE.search(styles)
        if block:
            for fm in _FONT_RE.finditer(block.group(1)):
                nm = _NAME_RE.search(fm.group(1) or b"")
                fonts.append(html.unescape(nm.group(1).decode("utf-8", "replace")) if nm else None)
        block = _XFS_BLOCK_RE.search(styles)
        if block:
            for xm in _XF_RE.finditer(block.group(1)):
                fid = _attrs(xm.group(1)).get("fontId", "0")
                xf_font.append(int(fid) if fid.isdigit() else 0)
    rich: dict[int, str] = {}
    if z.has(shared_part):
        shared = z.read(shared_part)
        for i, sm in enumerate(_SI_RE.finditer(shared)):
            body = sm.group(1) or b""
            if b"rFont" not in body:
                continue
            for run in _RUN_RE.finditer(body):
                t = _T_RE.search(run.group(1))
                nm = _NAME_RE.search(run.group(1))
                if nm and t and t.group(1) and t.group(1).strip():
                    rich[i] = html.unescape(nm.group(1).decode("utf-8", "replace"))
                    break

    def font_of(style: int) -> str | None:
        if 0 <= style < len(xf_font):
            fid = xf_font[style]
        else:
            fid = xf_font[0] if xf_font else 0
        return fonts[fid] if 0 <= fid < len(fonts) else None

    for sheet, part, _scan in scans:
        xml = z.read(part)
        styles = _cell_styles(xml, limits, sheet.name)
        rows = sheet.rows
        for (r, c), (s, t, v) in styles.items():
            if r >= len(rows) or c >= len(rows[r]) or rows[r][c].__class__ is not str:
                continue
            name = None
            if t == "s" and v and v.strip().isdigit():
                name = rich.get(int(v))
            if name is None:
                name = font_of(s)
            if name:
                sheet.fonts[(r, c)] = name


_STYLE_HEAD_RE = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"([^>]*)>')
_S_ATTR_RE = re.compile(rb"""\ss\s*=\s*["']([0-9]*)["']""")
_TEXT_TYPES = {b"s": "s", b"inlineStr": "inlineStr", b"str": "str"}


def _cell_styles(xml: bytes, limits: Limits, name: str) -> dict[tuple[int, int], tuple[int, str, str]]:
    """(row, col) -> (style index, cell type, shared string index) for the text cells."""
    if _PREFIXED_RE.search(xml) or re.search(rb"<c(?:[>/\t\n\r]| (?!r=\"))", xml):
        return _scan_xlsx_sheet_exact(xml, limits, name, want_styles=True).styles or {}
    out = {}
    for m in _STYLE_HEAD_RE.finditer(xml):
        attrs = m.group(3)
        tm = _T_ATTR_RE.search(attrs) if b"t=" in attrs else None
        t = _TEXT_TYPES.get(tm.group(1)) if tm else None
        if t is None:
            continue
        sm = _S_ATTR_RE.search(attrs)
        v = ""
        if t == "s" and not attrs.endswith(b"/"):
            vm = _V_RE.match(xml, m.end())
            v = vm.group(1).decode("ascii", "replace") if vm and vm.group(1) else ""
        pos = (int(m.group(2)) - 1, _col_of(m.group(1).decode("ascii")))
        out[pos] = (int(sm.group(1)) if sm and sm.group(1) else 0, t, v)
    return out


# ---------------------------------------------------------------------------------------------
# .ods
# ---------------------------------------------------------------------------------------------
_NS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_NS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_NS_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_NS_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_NS_SVG = "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
_NS_FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
_NS_CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"

_S = "{%s}" % _NS_STYLE
_MAX_REPEAT_EXPAND = 10_000
_MAX_ODS_STYLED_CELLS = 200_000


class _OdsTable:
    __slots__ = ("name", "max_row", "max_col", "merged", "nocache", "errors", "styles", "col_styles")

    def __init__(self, name: str):
        self.name = name
        self.max_row = -1
        self.max_col = -1
        self.merged: list[tuple[int, int, int, int]] = []
        self.nocache: dict[tuple[int, int], str] = {}
        self.errors: dict[tuple[int, int], str] = {}
        self.styles: dict[tuple[int, int], str] = {}
        self.col_styles: list[tuple[int, int, str]] = []  # (first col, last col, style)


def _refuse_dtd(*_args):
    raise WorkbookError("file_hostile", "XML chứa khai báo DTD/thực thể (<!DOCTYPE/<!ENTITY)")


def _expat_parser():
    """expat with callbacks (no tree), refusing any DTD or entity declaration the way defusedxml
    does (the bytes were checked by _check_xml already; this is the second line)."""
    import xml.parsers.expat as expat

    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.UnparsedEntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd
    parser.buffer_text = True
    return parser


_XT = _NS_TABLE + "}"
_XO = _NS_OFFICE + "}"
_XS = _NS_STYLE + "}"
_X_CELL = _XT + "table-cell"
_X_COVERED = _XT + "covered-table-cell"
_X_ROW = _XT + "table-row"
_X_TABLE = _XT + "table"
_X_COLUMN = _XT + "table-column"
_X_P = _NS_TEXT + "}p"
_X_STYLE = _XS + "style"
_X_TEXTPROPS = _XS + "text-properties"
_X_FONTFACE = _XS + "font-face"
_XA_ROWS_REP = _XT + "number-rows-repeated"
_XA_COLS_REP = _XT + "number-columns-repeated"
_XA_COLS_SPAN = _XT + "number-columns-spanned"
_XA_ROWS_SPAN = _XT + "number-rows-spanned"
_XA_VTYPE = _XO + "value-type"
_XA_FORMULA = _XT + "formula"
_XA_STYLE = _XT + "style-name"
_XA_DEFAULT_STYLE = _XT + "default-cell-style-name"
_XA_NAME = _XT + "name"
_XA_CALC_VTYPE = _NS_CALCEXT + "}value-type"


def _positive(value: str | None) -> int:
    if not value:
        return 1
    try:
        n = int(value)
    except ValueError:
        return 1
    return n if n > 0 else 1


class _OdsScanner:
    """content.xml, streamed through expat: extents (repeats counted), merges, formulas without a
    value, cached errors, cell styles, automatic cell styles and font faces."""

    def __init__(self, limits: Limits, want_styles: bool = False):
        self.limits = limits
        self.want_styles = want_styles  # cell styles are collected in a second pass, when needed
        self.tables: list[_OdsTable] = []
        self.auto_styles: dict[str, tuple[str | None, str | None]] = {}
        self.font_faces: dict[str, str] = {}
        self.cur: _OdsTable | None = None
        self.row = 0
        self.row_rep = 1
        self.row_style = None
        self.col = 0
        self.col_pos = 0
        self.depth = 0  # nesting of cells (a cell inside an embedded object counts too)
        self.cell_attrs = None
        self.cell_tag = None
        self.has_p = False
        self.has_text = False
        self.texts: list[str] | None = None
        self.style: list | None = None
        self.budget = limits.max_rows * limits.max_cols

    def run(self, content: bytes) -> None:
        parser = _expat_parser()
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.chars
        parser.Parse(content, True)

    def start(self, name, attrs):
        if name == _X_CELL or name == _X_COVERED:
            self.depth += 1
            if self.depth == 1:
                self.cell_tag = name
                self.cell_attrs = attrs
                self.has_p = self.has_text = False
                self.texts = [] if attrs.get(_XA_CALC_VTYPE) == "error" else None
            return
        if self.depth:
            if name == _X_P:
                self.has_p = True
            return
        if name == _X_ROW:
            self.row_rep = _positive(attrs.get(_XA_ROWS_REP))
            self.row_style = attrs.get(_XA_DEFAULT_STYLE)
            self.col = 0
        elif name == _X_TABLE:
            self.cur = _OdsTable(attrs.get(_XA_NAME, ""))
            self.tables.append(self.cur)
            self.row = 0
            self.col_pos = 0
        elif name == _X_COLUMN:
            if self.cur is not None:
                rep = _positive(attrs.get(_XA_COLS_REP))
                st = attrs.get(_XA_DEFAULT_STYLE)
                if st and self.col_pos < self.limits.max_cols:
                    self.cur.col_styles.append((self.col_pos, self.col_pos + rep - 1, st))
                self.col_pos += rep
        elif name == _X_STYLE:
            if attrs.get(_XS + "family") == "table-cell":
                self.style = [attrs.get(_XS + "name", ""), attrs.get(_XS + "parent-style-name"), None]
        elif name == _X_TEXTPROPS:
            if self.style is not None:
                font = attrs.get(_XS + "font-name") or attrs.get(_NS_FO + "}font-family")
                if font:
                    self.style[2] = font
        elif name == _X_FONTFACE:
            fam = attrs.get(_NS_SVG + "}font-family")
            if fam:
                self.font_faces[attrs.get(_XS + "name", "")] = fam.strip().strip("'\"")

    def chars(self, data):
        if self.depth:
            if not self.has_text and not data.isspace():
                self.has_text = True
            if self.texts is not None:
                self.texts.append(data)

    def end(self, name):
        if name == _X_CELL or name == _X_COVERED:
            self.depth -= 1
            if self.depth == 0:
                self.cell()
            return
        if self.depth:
            return
        if name == _X_ROW:
            self.row += self.row_rep
        elif name == _X_TABLE:
            cur = self.cur
            if cur is not None:
                self.budget -= (cur.max_row + 1) * (cur.max_col + 1)
                if self.budget < 0:
                    lim = self.limits
                    raise WorkbookError(
                        "file_too_large", f"các trang tính cộng lại vượt {lim.max_rows * lim.max_cols} ô"
                    )
            self.cur = None
        elif name == _X_STYLE and self.style is not None:
            self.auto_styles[self.style[0]] = (self.style[2], self.style[1])
            self.style = None

    def cell(self):
        attrs = self.cell_attrs
        cur = self.cur
        row, col = self.row, self.col
        if not attrs:  # a bare cell: empty unless it holds text
            if self.has_text and cur is not None:
                self.valued(cur, row, col, 1, self.cell_tag, {})
            self.col = col + 1
            return
        rep = _positive(attrs.get(_XA_COLS_REP))
        if cur is not None:
            vtype = attrs.get(_XA_VTYPE)
            if vtype is not None or _XA_FORMULA in attrs or (self.has_p and self.has_text):
                self.valued(cur, row, col, rep, self.cell_tag, attrs)
            if self.cell_tag == _X_CELL:
                cs = _positive(attrs.get(_XA_COLS_SPAN))
                rs = _positive(attrs.get(_XA_ROWS_SPAN))
                if cs > 1 or rs > 1:
                    lim = self.limits
                    for i in range(min(self.row_rep, lim.max_rows - row)):
                        for j in range(min(rep, lim.max_cols - col)):
                            cur.merged.append((row + i, col + j, row + i + rs - 1, col + j + cs - 1))
                    if len(cur.merged) > _MAX_MERGED:
                        raise _too_many_merged(cur.name)
        self.col = col + rep

    def valued(self, cur: _OdsTable, row: int, col: int, rep: int, tag: str, attrs) -> None:
        lim = self.limits
        row_rep = self.row_rep
        last_r = row + row_rep - 1
        last_c = col + rep - 1
        if last_r >= lim.max_rows or last_c >= lim.max_cols:
            r_bad = row if row >= lim.max_rows else last_r
            c_bad = col if col >= lim.max_cols else last_c
            raise _too_large_at(cur.name, r_bad, c_bad, lim)
        if last_r > cur.max_row:
            cur.max_row = last_r
        if last_c > cur.max_col:
            cur.max_col = last_c
        if tag != _X_CELL:
            return
        style = (attrs.get(_XA_STYLE) or self.row_style) if self.want_styles else None
        formula = attrs.get(_XA_FORMULA)
        nocache = formula is not None and attrs.get(_XA_VTYPE) is None
        error = attrs.get(_XA_CALC_VTYPE) == "error"
        if style is None and not nocache and not error:
            return
        if row_rep * rep > _MAX_REPEAT_EXPAND:
            return
        positions = [(row + i, col + j) for i in range(row_rep) for j in range(rep)]
        if style is not None and len(cur.styles) < _MAX_ODS_STYLED_CELLS:  # fonts: best effort
            for p in positions:
                cur.styles[p] = style
        if nocache:
            text = _odf_formula(formula)
            for p in positions:
                cur.nocache[p] = text
        elif error:
            text = "".join(self.texts or ()).strip() or "#VALUE!"
            for p in positions:
                cur.errors[p] = text


def _scan_ods(content: bytes, limits: Limits, want_styles: bool = False) -> tuple[list[_OdsTable], dict, dict]:
    scanner = _OdsScanner(limits, want_styles)
    scanner.run(content)
    return scanner.tables, scanner.auto_styles, scanner.font_faces


_ODF_REF_RE = re.compile(r"\[([^\]]*)\]")


def _odf_formula(text: str) -> str:
    """OpenFormula ("of:=SUM([.C8:.C14])") -> Excel-style text ("=SUM(C8:C14)")."""
    f = re.sub(r"^[A-Za-z]+:", "", text.strip())
    if f.startswith("="):
        f = f[1:]

    def ref(m: re.Match) -> str:
        parts = []
        for p in m.group(1).split(":"):
            p = p.strip()
            if p.startswith("."):
                parts.append(p[1:])
            elif "." in p:
                sheet, cell = p.rsplit(".", 1)
                sheet = sheet.lstrip("$").strip("'")
                parts.append(f"'{sheet}'!{cell}")
            else:
                parts.append(p)
        return ":".join(parts)

    out = []
    for i, chunk in enumerate(f.split('"')):
        if i % 2 == 0:
            chunk = _ODF_REF_RE.sub(ref, chunk).replace(";", ",")
        out.append(chunk)
    return "=" + '"'.join(out)


def _read_ods(path: Path, data: bytes, z: _Zip, limits: Limits) -> Workbook:
    if not z.has("content.xml"):
        raise WorkbookError("file_unreadable", "tệp .ods thiếu content.xml")
    content = z.read("content.xml")
    for extra in ("styles.xml", "meta-inf/manifest.xml", "settings.xml", "meta.xml"):
        if z.has(extra):
            z.read(extra)
    try:
        tables, auto_styles, font_faces = _scan_ods(content, limits)
    except WorkbookError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise WorkbookError("file_unreadable", f"content.xml hỏng ({_short(exc)})") from None
    cwb = _open_calamine(data)
    by_name = {t.name: t for t in tables}
    sheets: list[Sheet] = []
    pairs = []
    for idx, meta in enumerate(cwb.sheets_metadata):
        if meta.typ != SheetTypeEnum.WorkSheet:
            continue
        cs = cwb.get_sheet_by_index(idx)
        end = cs.end
        if end is not None and (end[0] >= limits.max_rows or end[1] >= limits.max_cols):
            raise _too_large_at(meta.name, end[0], end[1], limits)
        rows = _clean(cs.to_python(skip_empty_area=False))
        table = by_name.get(meta.name) or (tables[idx] if idx < len(tables) else None)
        sheet = Sheet(name=meta.name, hidden=_is_hidden(meta), rows=rows)
        if table is not None:
            sheet.merged = _clip_merged(table.merged, limits)
            for (r, c), err in table.errors.items():
                _set_cell(rows, r, c, err)
            if table.nocache:
                _apply_formulas(sheet, table.nocache, table.errors, limits)
        sheets.append(sheet)
        pairs.append((sheet, table))
    if _text_checks(sheets, limits):
        # second pass over content.xml, this time keeping every cell's style
        styled, auto_styles, font_faces = _scan_ods(content, limits, want_styles=True)
        by_name = {t.name: t for t in styled}
        pairs = [(sheet, by_name.get(sheet.name)) for sheet, _table in pairs]
        styles_xml = z.read("styles.xml") if z.has("styles.xml") else b""
        _ods_fonts(pairs, auto_styles, font_faces, styles_xml)
    return Workbook(path=path, format="ods", sheets=sheets)


def _ods_fonts(pairs, auto_styles: dict, font_faces: dict, styles_xml: bytes) -> None:
    styles = dict(auto_styles)
    default_font = None
    if styles_xml:
        from defusedxml.ElementTree import fromstring

        try:
            root = fromstring(styles_xml, forbid_dtd=True)
        except Exception:  # noqa: BLE001 - best effort
            root = None
        if root is not None:
            for ff in root.iter(_S + "font-face"):
                fam = ff.get("{%s}font-family" % _NS_SVG)
                if fam:
                    font_faces.setdefault(ff.get(_S + "name", ""), fam.strip().strip("'\""))
            for st in root.iter(_S + "style"):
                if st.get(_S + "family") != "table-cell":
                    continue
                font = None
                for tp in st.iter(_S + "text-properties"):
                    font = tp.get(_S + "font-name") or tp.get("{%s}font-family" % _NS_FO)
                styles.setdefault(st.get(_S + "name", ""), (font, st.get(_S + "parent-style-name")))
            for ds in root.iter(_S + "default-style"):
                if ds.get(_S + "family") == "table-cell":
                    for tp in ds.iter(_S + "text-properties"):
                        default_font = tp.get(_S + "font-name") or default_font

    cache: dict[str | None, str | None] = {}

    def font_of(style: str | None) -> str | None:
        if style in cache:
            return cache[style]
        seen = set()
        s = style
        font = None
        while s is not None and s not in seen:
            seen.add(s)
            entry = styles.get(s)
            if entry is None:
                break
            if entry[0]:
                font = entry[0]
                break
            s = entry[1]
        if font is None:
            font = (styles.get("Default") or (None, None))[0] or default_font
        if font is not None:
            font = font_faces.get(font, font).strip("'\"")
        cache[style] = font
        return font

    for sheet, table in pairs:
        if table is None:
            continue
        for r, row in enumerate(sheet.rows):
            for c, v in enumerate(row):
                if v.__class__ is not str:
                    continue
                style = table.styles.get((r, c))
                if style is None:
                    for c0, c1, st in table.col_styles:
                        if c0 <= c <= c1:
                            style = st
                            break
                name = font_of(style)
                if name:
                    sheet.fonts[(r, c)] = name


# ---------------------------------------------------------------------------------------------
# .xls: CFB container and BIFF records
# ---------------------------------------------------------------------------------------------
_ENDOFCHAIN = 0xFFFFFFFE
_DIFSECT = 0xFFFFFFFC
_RESERVED = 0xFFFFFFFA
_CFB_BEYOND = "cấu trúc OLE2 trỏ ra ngoài tệp (tệp bị cắt cụt hoặc bị sửa)"


class _Cfb:
    """Enough of MS-CFB to list the directory and read one stream, validating every sector id,
    chain and size that calamine would follow (calamine allocates from them unchecked)."""

    def __init__(self, buf: bytes):
        self.buf = buf
        if len(buf) < 512:
            raise WorkbookError("file_unreadable", "tệp OLE2 bị cắt cụt")
        version = struct.unpack_from("<H", buf, 26)[0]
        shift = struct.unpack_from("<H", buf, 30)[0]
        if shift not in (9, 12) or struct.unpack_from("<H", buf, 32)[0] != 6:
            raise WorkbookError("file_unreadable", "cấu trúc OLE2 không hợp lệ (kích thước sector)")
        ss = 1 << shift
        if len(buf) < ss + 128:
            raise WorkbookError("file_unreadable", "tệp OLE2 bị cắt cụt")
        self.ss = ss
        self.version = version
        (dir_len, fat_len, dir_start) = struct.unpack_from("<III", buf, 40)
        (mini_fat_start, mini_fat_len, difat_start) = struct.unpack_from("<III", buf, 60)
        difat_len_calamine = struct.unpack_from("<I", buf, 62)[0]  # calamine reads this offset
        self.n_sectors = (len(buf) - ss) // ss + (1 if (len(buf) - ss) % ss else 0)
        n = self.n_sectors
        if fat_len > n + 1 or dir_len * ss > len(buf) or mini_fat_len * ss > len(buf):
            raise WorkbookError("file_unreadable", _CFB_BEYOND)
        if difat_len_calamine > 2**26:
            raise WorkbookError("file_hostile", "cấu trúc OLE2 khai báo kích thước bất thường")
        difat = list(struct.unpack_from("<109I", buf, 76))
        sid = difat_start
        steps = 0
        while sid < _RESERVED:
            steps += 1
            if steps > n:
                raise WorkbookError("file_hostile", "chuỗi DIFAT của OLE2 lặp vô hạn")
            difat.extend(struct.unpack_from("<%dI" % (ss // 4), self._sector(sid)))
            sid = difat.pop()
        fat: list[int] = []
        for fid in difat:
            if fid < _DIFSECT:
                fat.extend(struct.unpack_from("<%dI" % (ss // 4), self._sector(fid)))
        self.fat = fat
        dirs_raw = self._chain(dir_start, fat, n, self._sector, ss)
        if len(dirs_raw) % 128:  # a sector cut short by the end of the file: calamine panics on it
            raise WorkbookError("file_unreadable", "tệp OLE2 bị cắt cụt (thư mục không trọn)")
        self.entries: list[tuple[str, int, int]] = []
        for i in range(0, len(dirs_raw) - 127, 128):
            e = dirs_raw[i : i + 128]
            name = e[:64].decode("utf-16-le", "replace")
            cut = name.find("\x00")
            if cut >= 0:
                name = name[:cut]
            start = struct.unpack_from("<I", e, 116)[0]
            size = struct.unpack_from("<I" if ss == 512 else "<Q", e, 120)[0]
            self.entries.append((name, start, size))
        if not self.entries or (version != 3 and self.entries[0][1] == _ENDOFCHAIN):
            raise WorkbookError("file_unreadable", "cấu trúc OLE2 không có thư mục gốc")
        self.mini_fat_start = mini_fat_start
        self.mini_fat_len = mini_fat_len
        self._mini: bytes | None = None
        self._minifat: list[int] | None = None

    def _sector(self, sid: int) -> bytes:
        if sid >= self.n_sectors:
            raise WorkbookError("file_unreadable", _CFB_BEYOND)
        off = (sid + 1) * self.ss
        return self.buf[off : off + self.ss]

    @staticmethod
    def _chain(sid: int, fat: list[int], limit: int, get, unit: int) -> bytes:
        out = []
        steps = 0
        while sid != _ENDOFCHAIN:
            steps += 1
            if steps > limit:
                raise WorkbookError("file_hostile", "chuỗi sector của OLE2 lặp vô hạn")
            out.append(get(sid))
            if sid >= len(fat):
                raise WorkbookError("file_unreadable", "bảng FAT của OLE2 hỏng")
            sid = fat[sid]
        return b"".join(out)

    def names(self) -> list[str]:
        return [e[0] for e in self.entries]

    def load_mini(self) -> None:
        """Follow the mini stream and mini FAT chains (calamine does when it opens the file)."""
        if self._mini is not None:
            return
        if self.mini_fat_len > 0:
            root = self.entries[0]
            if root[2] > len(self.buf):
                raise WorkbookError("file_unreadable", _CFB_BEYOND)
            self._mini = self._chain(root[1], self.fat, self.n_sectors, self._sector, self.ss)
            raw = self._chain(self.mini_fat_start, self.fat, self.n_sectors, self._sector, self.ss)
            self._minifat = list(struct.unpack_from("<%dI" % (len(raw) // 4), raw))
        else:
            self._mini = b""
            self._minifat = []

    def stream(self, name: str) -> bytes | None:
        entry = next((e for e in self.entries if e[0] == name), None)
        if entry is None:
            return None
        _, start, size = entry
        if size < 4096:
            self.load_mini()
            mini = self._mini or b""
            n_mini = len(mini) // 64 + 1

            def get(sid: int) -> bytes:
                if sid >= n_mini:
                    raise WorkbookError("file_unreadable", _CFB_BEYOND)
                return mini[sid * 64 : sid * 64 + 64]

            data = self._chain(start, self._minifat or [], n_mini, get, 64)
        else:
            if size > len(self.buf):
                raise WorkbookError("file_unreadable", _CFB_BEYOND)
            data = self._chain(start, self.fat, self.n_sectors, self._sector, self.ss)
        return data[:size]


# BIFF record ids
_BOF, _EOF, _FILEPASS, _CONTINUE = 0x0809, 0x000A, 0x002F, 0x003C
_FONT, _XF, _BOUNDSHEET, _SST, _CODEPAGE = 0x0031, 0x00E0, 0x0085, 0x00FC, 0x0042
_DIMENSIONS, _NUMBER, _LABEL, _BOOLERR, _STRING = 0x0200, 0x0203, 0x0204, 0x0205, 0x0207
_RK, _LABELSST, _MULRK, _FORMULA, _MERGECELLS = 0x027E, 0x00FD, 0x00BD, 0x0006, 0x00E5

_BIFF_ERRORS = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
    0x2B: "#GETTING_DATA",
}


class _XlsSheetScan:
    __slots__ = ("name", "max_row", "max_col", "nocache", "errors", "xf")

    def __init__(self, name: str):
        self.name = name
        self.max_row = -1
        self.max_col = -1
        self.nocache: dict[tuple[int, int], str] = {}
        self.errors: dict[tuple[int, int], str] = {}
        self.xf: dict[tuple[int, int], int] = {}


def _records(stream: bytes, pos: int):
    """Yield (type, data) from pos to the end of the stream (CONTINUE records included as-is)."""
    n = len(stream)
    unpack = struct.unpack_from
    while pos + 4 <= n:
        typ, ln = unpack("<HH", stream, pos)
        end = pos + 4 + ln
        if end > n:
            raise WorkbookError("file_unreadable", "bản ghi BIFF bị cắt cụt")
        yield typ, stream[pos + 4 : end], end
        pos = end


def _read_xls(path: Path, data: bytes, limits: Limits) -> Workbook:
    cfb = _Cfb(data)
    names = cfb.names()
    if "EncryptionInfo" in names or "EncryptedPackage" in names:
        raise WorkbookError("file_encrypted", "tệp Excel được bảo vệ bằng mật khẩu mở tệp")
    cfb.load_mini()
    stream = cfb.stream("Workbook")
    if stream is None:
        stream = cfb.stream("Book")
    if stream is None:
        raise WorkbookError("file_not_workbook", "tệp OLE2 không chứa bảng tính Excel (.xls)")
    fonts, xf_font, sheet_scans = _scan_biff(stream, limits)

    cwb = _open_calamine(data)
    by_name = {s.name: s for s in sheet_scans}
    metas = cwb.sheets_metadata
    by_index = sheet_scans if len(sheet_scans) == len(metas) else []
    sheets: list[Sheet] = []
    pairs = []
    for idx, meta in enumerate(metas):
        if meta.typ != SheetTypeEnum.WorkSheet:
            continue
        cs = cwb.get_sheet_by_index(idx)
        end = cs.end
        if end is not None and (end[0] >= limits.max_rows or end[1] >= limits.max_cols):
            raise _too_large_at(meta.name, end[0], end[1], limits)
        rows = _clean(cs.to_python(skip_empty_area=False))
        sheet = Sheet(
            name=meta.name,
            hidden=_is_hidden(meta),
            rows=rows,
            merged=_merged_of(cs, meta.name, limits),
        )
        # calamine lists the BOUNDSHEET records in order, as the scan does
        scan = by_index[idx] if by_index else by_name.get(meta.name)
        if scan is not None:
            for (r, c), err in scan.errors.items():
                _set_cell(rows, r, c, err)
            if scan.nocache:
                _apply_formulas(sheet, scan.nocache, scan.errors, limits)
        sheets.append(sheet)
        pairs.append((sheet, scan))
    if _text_checks(sheets, limits):
        for sheet, scan in pairs:
            if scan is None:
                continue
            for (r, c), xf in scan.xf.items():
                if r < len(sheet.rows) and c < len(sheet.rows[r]) and sheet.rows[r][c].__class__ is str:
                    fi = xf_font[xf] if 0 <= xf < len(xf_font) else 0
                    fi = fi - 1 if fi >= 4 else fi  # font index 4 does not exist in BIFF
                    if 0 <= fi < len(fonts) and fonts[fi]:
                        sheet.fonts[(r, c)] = fonts[fi]
    return Workbook(path=path, format="xls", sheets=sheets)


def _scan_biff(stream: bytes, limits: Limits):
    fonts: list[str] = []
    xf_font: list[int] = []
    sheets: list[tuple[int, str]] = []
    biff8 = True
    codepage = "cp1252"
    first = True
    it = _records(stream, 0)
    for typ, rec, end in it:
        if first:
            if typ not in (_BOF, 0x0209, 0x0409, 0x0009):
                raise WorkbookError("file_unreadable", "luồng Workbook không bắt đầu bằng bản ghi BOF")
            first = False
            if typ == _BOF and len(rec) >= 2:
                biff8 = struct.unpack_from("<H", rec, 0)[0] in (0x0600, 0)
            continue
        if typ == _EOF:
            break
        if typ == _FILEPASS:
            raise WorkbookError("file_encrypted", "tệp .xls được bảo vệ bằng mật khẩu (FILEPASS)")
        if typ == _CODEPAGE and len(rec) >= 2:
            cp = struct.unpack_from("<H", rec, 0)[0]
            codepage = {1200: "utf-16-le", 65001: "utf-8"}.get(cp, f"cp{cp}")
        elif typ == _FONT and len(rec) >= 16:
            fonts.append(_biff_font_name(rec, biff8, codepage))
        elif typ == _XF and len(rec) >= 2:
            xf_font.append(struct.unpack_from("<H", rec, 0)[0])
        elif typ == _BOUNDSHEET and len(rec) >= 8:
            pos = struct.unpack_from("<I", rec, 0)[0]
            sheets.append((pos, _biff_short_string(rec, 6, biff8, codepage)))
        elif typ == _SST and len(rec) >= 8:
            unique = struct.unpack_from("<i", rec, 4)[0]
            room = len(rec)
            nxt = end
            while nxt + 4 <= len(stream) and struct.unpack_from("<H", stream, nxt)[0] == _CONTINUE:
                ln = struct.unpack_from("<H", stream, nxt + 2)[0]
                room += ln
                nxt += 4 + ln
            if unique < 0 or unique * 3 > room:
                raise WorkbookError("file_hostile", "bảng chuỗi (SST) khai báo số chuỗi bất thường")
    scans = []
    budget = limits.max_rows * limits.max_cols
    for pos, name in sheets:
        if pos >= len(stream):
            raise WorkbookError("file_unreadable", f"vị trí trang tính '{name}' nằm ngoài luồng dữ liệu")
        scan = _scan_biff_sheet(stream, pos, name, limits, biff8)
        budget -= (scan.max_row + 1) * (scan.max_col + 1)
        if budget < 0:
            raise WorkbookError(
                "file_too_large", f"các trang tính cộng lại vượt {limits.max_rows * limits.max_cols} ô"
            )
        scans.append(scan)
    return fonts, xf_font, scans


def _biff_short_string(rec: bytes, off: int, biff8: bool, codepage: str) -> str:
    if off >= len(rec):
        return ""
    cch = rec[off]
    if biff8:
        flags = rec[off + 1] if off + 1 < len(rec) else 0
        raw = rec[off + 2 : off + 2 + cch * (2 if flags & 1 else 1)]
        text = raw.decode("utf-16-le", "replace") if flags & 1 else raw.decode("latin-1")
    else:
        try:
            text = rec[off + 1 : off + 1 + cch].decode(codepage, "replace")
        except LookupError:
            text = rec[off + 1 : off + 1 + cch].decode("latin-1")
    return text.replace("\x00", "")


def _biff_font_name(rec: bytes, biff8: bool, codepage: str) -> str:
    return _biff_short_string(rec, 14, biff8, codepage)


_SIMPLE_CELLS = frozenset({_NUMBER, _RK, _LABEL, _LABELSST, _BOOLERR})
_SCANNED = frozenset({_NUMBER, _RK, _LABEL, _LABELSST, _BOOLERR, _FORMULA, _MULRK, _STRING, _DIMENSIONS, _EOF,
                      _MERGECELLS})


def _scan_biff_sheet(stream: bytes, pos: int, name: str, limits: Limits, biff8: bool = True) -> _XlsSheetScan:
    """Walk one sheet's records the way calamine does (from its BOUNDSHEET offset to EOF): extent
    of the value cells, formulas with an empty result, cached errors, XF of the text cells."""
    scan = _XlsSheetScan(name)
    max_rows, max_cols = limits.max_rows, limits.max_cols
    unpack = struct.unpack_from
    n = len(stream)
    max_r = max_c = -1
    fmla_pos = None
    scanned, simple = _SCANNED, _SIMPLE_CELLS
    while pos + 4 <= n:
        typ, ln = unpack("<HH", stream, pos)
        body = pos + 4
        pos = body + ln
        if pos > n:
            raise WorkbookError("file_unreadable", "bản ghi BIFF bị cắt cụt")
        if typ not in scanned:
            continue
        if typ == _EOF:
            break
        if typ == _MERGECELLS:
            # calamine slices 2 + 8 * count bytes without checking: a count beyond the record panics
            if ln < 2 or 2 + 8 * unpack("<H", stream, body)[0] > ln:
                raise WorkbookError("file_unreadable", f"bản ghi vùng gộp ô của trang tính '{name}' bị hỏng")
            continue
        if typ in simple:
            if ln < 6:
                continue
            r, c, xf = unpack("<HHH", stream, body)
            c_last = c
            if typ == _LABELSST or typ == _LABEL:
                scan.xf[(r, c)] = xf
            elif typ == _BOOLERR and ln >= 8 and stream[body + 7] == 1:
                scan.errors[(r, c)] = _BIFF_ERRORS.get(stream[body + 6], "#VALUE!")
        elif typ == _FORMULA:
            if ln < 22:
                continue
            r, c, xf = unpack("<HHH", stream, body)
            c_last = c
            fmla_pos = (r, c)
            if stream[body + 12 : body + 14] == b"\xff\xff":
                kind = stream[body + 6]
                if kind == 0:
                    scan.xf[(r, c)] = xf
                elif kind == 2:
                    scan.errors[(r, c)] = _BIFF_ERRORS.get(stream[body + 8], "#VALUE!")
                elif kind == 3:
                    cce = unpack("<H", stream, body + 20)[0]
                    rgce = stream[body + 22 : min(body + 22 + cce, pos)]
                    # BIFF5 tokens differ (3-byte references): not decoded, left unevaluated
                    scan.nocache[(r, c)] = _decode_rgce(rgce) if biff8 else "=?"
        elif typ == _MULRK:
            if ln < 6:
                continue
            r, c = unpack("<HH", stream, body)
            c_last = unpack("<H", stream, pos - 2)[0]
        elif typ == _STRING:
            if fmla_pos is None:
                continue
            r, c = fmla_pos
            c_last = c
        else:  # DIMENSIONS: calamine reserves rows x cols cells from it
            if ln == 14:
                rf, rl, cf, cl = unpack("<IIHH", stream, body)
            elif ln == 10:
                rf, rl, cf, cl = unpack("<HHHH", stream, body)
            else:
                continue
            if rl >= 1 and cl >= 1:
                rows = (rl - 1 - rf + 1) & 0xFFFFFFFF
                cols = (cl - 1 - cf + 1) & 0xFFFFFFFF
                if rows * cols > 65536 * 256:
                    raise WorkbookError(
                        "file_hostile", f"trang tính '{name}' khai báo kích thước bất thường (DIMENSIONS)"
                    )
            continue
        if r >= max_rows or c_last >= max_cols or c >= max_cols:
            raise _too_large_at(name, r, max(c, c_last) if r < max_rows else c, limits)
        if r > max_r:
            max_r = r
        if c_last > max_c:
            max_c = c_last
    scan.max_row, scan.max_col = max_r, max_c
    return scan


# --- BIFF8 formula tokens -> text (a small subset; anything else -> "=?") ---------------------
_FUNC_NAMES = {
    0: "COUNT", 1: "IF", 4: "SUM", 5: "AVERAGE", 6: "MIN", 7: "MAX", 24: "ABS", 25: "INT",
    27: "ROUND", 36: "AND", 37: "OR", 38: "NOT", 34: "TRUE", 35: "FALSE", 169: "COUNTA",
    212: "ROUNDUP", 213: "ROUNDDOWN", 102: "VLOOKUP", 101: "HLOOKUP", 28: "LOOKUP",
    345: "SUMIF", 346: "COUNTIF", 48: "TEXT", 15: "SIN", 31: "MID", 32: "LEN",
}
_FUNC_FIXED_ARGC = {24: 1, 25: 1, 27: 2, 38: 1, 34: 0, 35: 0, 212: 2, 213: 2, 48: 2, 32: 1}
_BIN_OPS = {0x03: "+", 0x04: "-", 0x05: "*", 0x06: "/", 0x07: "^", 0x08: "&", 0x09: "<",
            0x0A: "<=", 0x0B: "=", 0x0C: ">=", 0x0D: ">", 0x0E: "<>"}
_OP_PREC = {"=": 1, "<>": 1, "<": 1, ">": 1, "<=": 1, ">=": 1, "&": 2, "+": 3, "-": 3,
            "*": 4, "/": 4, "^": 5}


class _Undecodable(Exception):
    pass


def _decode_rgce(rgce: bytes) -> str:
    try:
        return "=" + _decode_rgce_text(rgce)
    except (_Undecodable, struct.error, IndexError):
        return "=?"


def _decode_rgce_text(rgce: bytes) -> str:
    stack: list[tuple[str, int]] = []  # (text, precedence); 9 = atom
    i = 0
    n = len(rgce)
    unpack = struct.unpack_from
    while i < n:
        ptg = rgce[i]
        i += 1
        if ptg in _BIN_OPS:
            op = _BIN_OPS[ptg]
            if len(stack) < 2:
                raise _Undecodable
            (b, pb), (a, pa) = stack.pop(), stack.pop()
            p = _OP_PREC[op]
            a = a if pa >= p else f"({a})"
            b = b if pb > p else f"({b})"
            stack.append((f"{a}{op}{b}", p))
        elif ptg == 0x12 or ptg == 0x13:
            if not stack:
                raise _Undecodable
            a, pa = stack.pop()
            stack.append((("+" if ptg == 0x12 else "-") + (a if pa >= 6 else f"({a})"), 6))
        elif ptg == 0x14:
            if not stack:
                raise _Undecodable
            a, pa = stack.pop()
            stack.append(((a if pa >= 7 else f"({a})") + "%", 7))
        elif ptg == 0x15:
            if not stack:
                raise _Undecodable
            a, _ = stack.pop()
            stack.append((f"({a})", 9))
        elif ptg == 0x16:
            stack.append(("", 9))
        elif ptg == 0x17:
            cch = rgce[i]
            flags = rgce[i + 1]
            raw = rgce[i + 2 : i + 2 + cch * (2 if flags & 1 else 1)]
            s = raw.decode("utf-16-le") if flags & 1 else raw.decode("latin-1")
            i += 2 + len(raw)
            stack.append(('"' + s.replace('"', '""') + '"', 9))
        elif ptg == 0x19:
            etpg = rgce[i]
            i += 1
            if etpg == 0x04:
                count = unpack("<H", rgce, i)[0]
                i += 2 + 2 * (count + 1)
            elif etpg == 0x10:
                i += 2
                if not stack:
                    raise _Undecodable
                a, _ = stack.pop()
                stack.append((f"SUM({a})", 9))
            else:
                i += 2
        elif ptg == 0x1C:
            stack.append((_BIFF_ERRORS.get(rgce[i], "#VALUE!"), 9))
            i += 1
        elif ptg == 0x1D:
            stack.append(("TRUE" if rgce[i] else "FALSE", 9))
            i += 1
        elif ptg == 0x1E:
            stack.append((str(unpack("<H", rgce, i)[0]), 9))
            i += 2
        elif ptg == 0x1F:
            v = unpack("<d", rgce, i)[0]
            i += 8
            stack.append((repr(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v), 9))
        elif ptg in (0x21, 0x41, 0x61, 0x22, 0x42, 0x62):
            if ptg in (0x22, 0x42, 0x62):
                argc = rgce[i]
                iftab = unpack("<H", rgce, i + 1)[0] & 0x7FFF
                i += 3
            else:
                iftab = unpack("<H", rgce, i)[0]
                i += 2
                if iftab not in _FUNC_FIXED_ARGC:
                    raise _Undecodable
                argc = _FUNC_FIXED_ARGC[iftab]
            if len(stack) < argc:
                raise _Undecodable
            args = [a for a, _ in stack[len(stack) - argc :]] if argc else []
            del stack[len(stack) - argc :]
            fname = _FUNC_NAMES.get(iftab, f"_XLFUNC{iftab}")
            stack.append((f"{fname}({','.join(args)})", 9))
        elif ptg in (0x24, 0x44, 0x64):
            rw, col = unpack("<HH", rgce, i)
            i += 4
            stack.append((_biff_ref(rw, col), 9))
        elif ptg in (0x25, 0x45, 0x65):
            r0, r1, c0, c1 = unpack("<HHHH", rgce, i)
            i += 8
            stack.append((f"{_biff_ref(r0, c0)}:{_biff_ref(r1, c1)}", 9))
        else:
            raise _Undecodable
    if len(stack) != 1:
        raise _Undecodable
    return stack[0][0]


def _biff_ref(rw: int, col: int) -> str:
    c = col & 0x3FFF
    col_abs = "" if col & 0x4000 else "$"
    row_abs = "" if col & 0x8000 else "$"
    return f"{col_abs}{_col_letters(c)}{row_abs}{rw + 1}"


# ---------------------------------------------------------------------------------------------
# Legacy text detection
# ---------------------------------------------------------------------------------------------
# Characters TCVN3 (ABC) or VNI text produces when read as Latin-1 and that genuine Vietnamese
# Unicode never contains (à á â ã è é ê ì í ò ó ô õ ù ú ý are deliberately left out).
_LEGACY_STRONG = "§µ¸¹¶·ªº»¼½¾ÆÇËÎÏÐÑÖ×ØÛÜÞßæçëîïðñö÷øûüþ¡¢£¤¥¦¨©«¬\xad®"
_LEGACY_RE = re.compile("[%s]" % re.escape(_LEGACY_STRONG))
_GENUINE_VN_RE = re.compile("[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9]")


def _legacy_texts(texts: list[str]) -> bool:
    """Whether the cells' fonts are needed to read these texts: a character only TCVN3/VNI text
    produces (in a text without a genuine Vietnamese letter), or a text the detector reads as legacy
    without a font ("X. Hoang Thèn" is Unicode in Times New Roman, "X. Hoang Thốn" in .VnTime)."""
    if _LEGACY_RE.search("\n".join(texts)) is not None and any(
            _LEGACY_RE.search(t) and not _GENUINE_VN_RE.search(t) for t in texts):
        return True
    return any(decode_legacy(t, None)[1] is not None for t in texts if not t.isascii())


# ---------------------------------------------------------------------------------------------
# Formula evaluation
# ---------------------------------------------------------------------------------------------
class _Unsupported(Exception):
    """A construct this evaluator does not handle."""


class _XlError(Exception):
    """An Excel error value (#DIV/0!, #VALUE!, ...)."""


# A formula is split into a template without cell references (parsed once, compiled to closures
# and cached for the whole process: a column of "=IF(C8=0,0,E8/C8)", "=IF(C9=0,0,E9/C9)"... and
# the same form in the next 700 workbooks share one template) and the references of that cell.
_FORMULA_REF_RE = re.compile(r"(?<![\w.'\"!$])\$?([A-Za-z]{1,3})\$?([0-9]{1,7})(?![\w(!.])")
_TOKEN_RE = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<ph>\x00)
    | (?P<str>"(?:[^"]|"")*")
    | (?P<err>\#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A))
    | (?P<sheet>(?:'(?:[^']|'')*'|[^\W\d][\w.]*)!)
    | (?P<num>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
    | (?P<name>[^\W\d][\w.]*)
    | (?P<op><>|<=|>=|[-+*/^&=<>%(),;:{}])
    """,
    re.X,
)
_MAX_FORMULA_CHARS = 8192
_EVAL_BUDGET = 2_000_000
_TEMPLATE_CACHE: dict[str, object] = {}
_SPLIT_CACHE: dict[str, tuple[str, tuple]] = {}
_TEMPLATE_CACHE_MAX = 20_000
_COL_CACHE: dict[str, int] = {}


def _col_of(letters: str) -> int:
    idx = _COL_CACHE.get(letters)
    if idx is None:
        idx = _col_index(letters)
        if len(_COL_CACHE) < 100_000:
            _COL_CACHE[letters] = idx
    return idx


def _split_formula(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """"=SUM(C8:C10)+$D$2" -> ("SUM(\x00:\x00)+\x00", ((7, 2), (9, 2), (1, 3))), remembered
    (returns written by one template repeat the same formula texts file after file)."""
    hit = _SPLIT_CACHE.get(text)
    if hit is None:
        if len(_SPLIT_CACHE) >= _TEMPLATE_CACHE_MAX * 5:
            _SPLIT_CACHE.clear()
        hit = _SPLIT_CACHE[text] = _split_formula_uncached(text)
    return hit


def _split_formula_uncached(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    body = text[1:]
    if '"' in body:
        parts = body.split('"')
        found = []
        for i in range(0, len(parts), 2):
            found.extend(_FORMULA_REF_RE.findall(parts[i]))
            parts[i] = _FORMULA_REF_RE.sub("\x00", parts[i])
        template = '"'.join(parts)
    else:
        found = _FORMULA_REF_RE.findall(body)
        template = _FORMULA_REF_RE.sub("\x00", body) if found else body
    if len(_REF_POS) > 200_000:
        _REF_POS.clear()
    return template, tuple(map(_REF_POS.__getitem__, found))


class _RefPositions(dict):
    """("C", "8") -> (7, 2), remembered."""

    def __missing__(self, key):
        col, row = key
        value = (int(row) - 1, _col_index(col.upper()))
        self[key] = value
        return value


_REF_POS = _RefPositions()


def _tokenize(text: str) -> list[tuple[str, str]]:
    out = []
    pos = 0
    n = len(text)
    while pos < n:
        m = _TOKEN_RE.match(text, pos)
        if m is None:
            raise _Unsupported(f"ký tự lạ ở vị trí {pos}")
        kind = m.lastgroup
        if kind != "ws":
            out.append((kind, m.group()))
        pos = m.end()
    return out


class _Parser:
    """Recursive descent over a template; references are numbered placeholders."""

    def __init__(self, tokens):
        self.t = tokens
        self.i = 0
        self.k = 0  # next reference number

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else (None, None)

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def parse(self):
        node = self.comparison()
        if self.i != len(self.t):
            raise _Unsupported("thừa ký hiệu")
        return node

    def comparison(self):
        node = self.concat()
        while self.peek()[1] in ("=", "<>", "<", ">", "<=", ">="):
            op = self.take()[1]
            node = ("bin", op, node, self.concat())
        return node

    def concat(self):
        node = self.additive()
        while self.peek()[1] == "&":
            self.take()
            node = ("bin", "&", node, self.additive())
        return node

    def additive(self):
        node = self.term()
        while self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            node = ("bin", op, node, self.term())
        return node

    def term(self):
        node = self.power()
        while self.peek()[1] in ("*", "/"):
            op = self.take()[1]
            node = ("bin", op, node, self.power())
        return node

    def power(self):
        node = self.unary()
        while self.peek()[1] == "^":
            self.take()
            node = ("bin", "^", node, self.unary())
        return node

    def unary(self):
        kind, v = self.peek()
        if kind == "op" and v in ("-", "+"):
            self.take()
            inner = self.unary()
            return ("neg", inner) if v == "-" else ("pos", inner)
        node = self.primary()
        while self.peek()[1] == "%":
            self.take()
            node = ("pct", node)
        return node

    def primary(self):
        kind, v = self.take()
        if kind == "ph":
            k = self.k
            self.k += 1
            if self.peek()[1] == ":" and self.i + 1 < len(self.t) and self.t[self.i + 1][0] == "ph":
                self.i += 2
                self.k += 1
                return ("area", k, k + 1)
            return ("ref", k)
        if kind == "num":
            f = float(v)
            return ("lit", int(f) if f.is_integer() and "e" not in v.lower() and "." not in v else f)
        if kind == "str":
            return ("lit", v[1:-1].replace('""', '"'))
        if kind == "err":
            return ("err", v)
        if kind == "name":
            up = v.upper()
            if self.peek()[1] == "(":
                self.take()
                args = []
                if self.peek()[1] == ")":
                    self.take()
                else:
                    while True:
                        if self.peek()[1] in (",", ";", ")"):
                            args.append(("missing",))
                        else:
                            args.append(self.comparison())
                        sep = self.take()[1]
                        if sep == ")":
                            break
                        if sep not in (",", ";"):
                            raise _Unsupported("đối số hàm")
                return ("func", up.removeprefix("_XLFN."), args)
            if up in ("TRUE", "FALSE"):
                return ("lit", up == "TRUE")
            raise _Unsupported(f"tên '{v}'")
        if kind == "op" and v == "(":
            node = self.comparison()
            if self.take()[1] != ")":
                raise _Unsupported("thiếu ')'")
            return node
        if kind == "sheet":
            raise _Unsupported("tham chiếu tới trang tính khác")
        raise _Unsupported(f"ký hiệu '{v}'")


_FAILED = object()
_MISSING = object()
_PENDING = object()


_REF_ARG_FUNCTIONS = frozenset({"SUM", "AVERAGE", "MIN", "MAX", "COUNT", "COUNTA", "AND", "OR"})


def _compile(node, want_ref: bool = False):
    """AST -> closure f(ev, refs) returning a value, or (want_ref: where a function takes ranges)
    a ("ref", r, c)/("area", r0, c0, r1, c1) tuple."""
    kind = node[0]
    if kind == "lit":
        value = node[1]
        return lambda ev, refs: value
    if kind == "ref":
        k = node[1]
        if want_ref:
            return lambda ev, refs: ("ref",) + refs[k]

        def value_of(ev, refs):
            r, c = refs[k]
            return ev.value_at(r, c)

        return value_of
    if kind == "area":
        k1, k2 = node[1], node[2]

        def area(ev, refs):
            (ra, ca), (rb, cb) = refs[k1], refs[k2]
            return ("area", min(ra, rb), min(ca, cb), max(ra, rb), max(ca, cb))

        return area
    if kind == "err":
        code = node[1]

        def error(ev, refs):
            raise _XlError(code)

        return error
    if kind == "missing":
        return lambda ev, refs: _MISSING
    if kind == "pos":
        return _compile(node[1], want_ref)
    if kind == "neg":
        f = _compile(node[1])
        return lambda ev, refs: -ev.num(f(ev, refs))
    if kind == "pct":
        f = _compile(node[1])
        return lambda ev, refs: ev.num(f(ev, refs)) / 100
    if kind == "bin":
        op, fa, fb = node[1], _compile(node[2]), _compile(node[3])
        if op == "+":
            return lambda ev, refs: ev.num(fa(ev, refs)) + ev.num(fb(ev, refs))
        if op == "-":
            return lambda ev, refs: ev.num(fa(ev, refs)) - ev.num(fb(ev, refs))
        if op == "*":
            return lambda ev, refs: ev.num(fa(ev, refs)) * ev.num(fb(ev, refs))
        if op == "/":
            return lambda ev, refs: ev.divide(ev.num(fa(ev, refs)), ev.num(fb(ev, refs)))
        if op == "^":
            return lambda ev, refs: ev.power(ev.num(fa(ev, refs)), ev.num(fb(ev, refs)))
        if op == "&":
            return lambda ev, refs: ev.text(fa(ev, refs)) + ev.text(fb(ev, refs))
        return lambda ev, refs: ev.compare(op, ev.scalar(fa(ev, refs)), ev.scalar(fb(ev, refs)))
    if kind == "func":
        name = node[1]
        args = [_compile(a, name in _REF_ARG_FUNCTIONS) for a in node[2]]
        impl = _FUNCTIONS.get(name)
        if impl is None:

            def unsupported(ev, refs):
                raise _Unsupported(f"hàm {name}")

            return unsupported
        return lambda ev, refs: impl(ev, refs, args)
    raise _Unsupported(kind)


def _template_function(template: str):
    fn = _TEMPLATE_CACHE.get(template)
    if fn is None:
        try:
            if len(template) > _MAX_FORMULA_CHARS or template == "?":
                raise _Unsupported("công thức không đọc được")
            fn = _compile(_Parser(_tokenize(template)).parse())
        except (_Unsupported, ValueError) as exc:  # RecursionError propagates: may be our depth
            message = str(exc)

            def fn(ev, refs, _message=message):
                raise _Unsupported(_message)

        if len(_TEMPLATE_CACHE) >= _TEMPLATE_CACHE_MAX:
            _TEMPLATE_CACHE.clear()
        _TEMPLATE_CACHE[template] = fn
    return fn


class _Evaluator:
    def __init__(self, rows: list[list], formulas: dict[tuple[int, int], str], errors: dict):
        self.rows = rows
        self.formulas = formulas
        self.errors = errors
        self.done: dict[tuple[int, int], object] = {}
        self.fail_kind: dict[tuple[int, int], type] = {}
        self.active: set[tuple[int, int]] = set()
        self.budget = _EVAL_BUDGET

    # -- cells ------------------------------------------------------------------------------
    def value_at(self, r: int, c: int):
        key = (r, c)
        if key in self.formulas:
            return self.eval_cell(key)
        if key in self.errors:
            raise _XlError(self.errors[key])
        rows = self.rows
        if r < len(rows):
            row = rows[r]
            if c < len(row):
                return row[c]
        return None

    def eval_cell(self, key):
        v = self.done.get(key, _PENDING)
        if v is not _PENDING:
            if v is _FAILED:
                raise self.fail_kind[key]("")
            return v
        if key in self.active:
            raise _Unsupported("tham chiếu vòng")
        self.active.add(key)
        try:
            text = self.formulas[key]
            if not text.startswith("="):
                raise _Unsupported("công thức không đọc được")
            template, refs = _split_formula(text)
            v = _template_function(template)(self, refs)
            if v.__class__ is tuple:
                v = self.scalar(v)
            if v is None or v is _MISSING:
                v = 0
        except (_Unsupported, _XlError) as exc:
            self.done[key] = _FAILED
            self.fail_kind[key] = type(exc)
            raise
        except RecursionError:
            raise  # not remembered: retried later from the deepest cell up (see _apply_formulas)
        except (ArithmeticError, ValueError, TypeError, IndexError, InvalidOperation):
            self.done[key] = _FAILED
            self.fail_kind[key] = _Unsupported
            raise _Unsupported("lỗi tính") from None
        finally:
            self.active.discard(key)
        self.done[key] = v
        return v

    def cells(self, ref):
        """Values of a ("ref", r, c) or ("area", r0, c0, r1, c1) tuple, clipped to the grid."""
        if ref[0] == "ref":
            yield self.value_at(ref[1], ref[2])
            return
        _, r0, c0, r1, c1 = ref
        rows = self.rows
        r1 = min(r1, len(rows) - 1)
        c1 = min(c1, (len(rows[0]) if rows else 0) - 1)
        if r1 < r0 or c1 < c0:
            return
        self.budget -= (r1 - r0 + 1) * (c1 - c0 + 1)
        if self.budget < 0:
            raise _Unsupported("quá nhiều ô cần tính")
        formulas, errors = self.formulas, self.errors
        for r in range(r0, r1 + 1):
            row = rows[r]
            for c in range(c0, c1 + 1):
                key = (r, c)
                if key in formulas:
                    yield self.eval_cell(key)
                elif key in errors:
                    raise _XlError(errors[key])
                else:
                    yield row[c]

    # -- values -----------------------------------------------------------------------------
    def scalar(self, v):
        if v.__class__ is tuple:
            if v[0] == "ref":
                return self.value_at(v[1], v[2])
            if v[1] == v[3] and v[2] == v[4]:
                return self.value_at(v[1], v[2])
            raise _Unsupported("vùng ô dùng như một giá trị")
        return v

    def num(self, v):
        cls = v.__class__
        if cls is int or cls is float:
            return v
        if cls is tuple:
            v = self.scalar(v)
            cls = v.__class__
            if cls is int or cls is float:
                return v
        if v is None or v is _MISSING:
            return 0
        if cls is bool:
            return int(v)
        if cls is str:
            s = v.strip()
            if s and (s.isdigit() or (s[0] == "-" and s[1:].isdigit())):
                return int(s)
            raise _XlError("#VALUE!")
        raise _Unsupported("kiểu giá trị")

    def text(self, v) -> str:
        v = self.scalar(v)
        if v is None or v is _MISSING:
            return ""
        if v.__class__ is bool:
            return "TRUE" if v else "FALSE"
        if v.__class__ is float:
            return str(int(v)) if v.is_integer() else format(v, ".15g")
        if v.__class__ in (int, str):
            return str(v)
        raise _Unsupported("kiểu giá trị")

    @staticmethod
    def divide(x, y):
        if y == 0:
            raise _XlError("#DIV/0!")
        return x / y

    @staticmethod
    def power(x, y):
        try:
            res = x**y
        except (OverflowError, ZeroDivisionError):
            raise _XlError("#NUM!") from None
        if isinstance(res, complex):
            raise _XlError("#NUM!")
        return res

    @staticmethod
    def _rank(v):
        if v.__class__ is bool:
            return 2
        if v.__class__ is str:
            return 1
        return 0

    def compare(self, op, a, b):
        if a is _MISSING:
            a = None
        if b is _MISSING:
            b = None
        if a is None:
            a = "" if b.__class__ is str else (False if b.__class__ is bool else 0)
        if b is None:
            b = "" if a.__class__ is str else (False if a.__class__ is bool else 0)
        if not isinstance(a, (int, float, str)) or not isinstance(b, (int, float, str)):
            raise _Unsupported("so sánh kiểu giá trị")
        ra, rb = self._rank(a), self._rank(b)
        if ra != rb:
            a, b = ra, rb
        elif ra == 1:
            a, b = a.lower(), b.lower()
        if op == "=":
            return a == b
        if op == "<>":
            return a != b
        if op == "<":
            return a < b
        if op == ">":
            return a > b
        if op == "<=":
            return a <= b
        return a >= b

    def truth(self, v) -> bool:
        v = self.scalar(v)
        if v is None or v is _MISSING:
            return False
        if isinstance(v, (bool, int, float)):
            return bool(v)
        if v.__class__ is str and v.upper() in ("TRUE", "FALSE"):
            return v.upper() == "TRUE"
        raise _XlError("#VALUE!")

    def numbers(self, refs, args, count_text: bool = False) -> list:
        """Values the way SUM sees them: numbers in ranges (text, bools, blanks ignored), scalar
        arguments coerced (text that is not a number is #VALUE!)."""
        out = []
        for fn in args:
            v = fn(self, refs)
            if v is _MISSING:
                continue
            if v.__class__ is tuple:
                if count_text:
                    out.extend(x for x in self.cells(v) if x is not None)
                else:
                    out.extend(x for x in self.cells(v) if x.__class__ is int or x.__class__ is float)
            elif count_text:
                if v is not None:
                    out.append(v)
            else:
                out.append(self.num(v))
        return out


def _f_sum(ev, refs, args):
    return sum(ev.numbers(refs, args))


def _f_average(ev, refs, args):
    vals = ev.numbers(refs, args)
    if not vals:
        raise _XlError("#DIV/0!")
    return sum(vals) / len(vals)


def _f_min(ev, refs, args):
    vals = ev.numbers(refs, args)
    return min(vals) if vals else 0


def _f_max(ev, refs, args):
    vals = ev.numbers(refs, args)
    return max(vals) if vals else 0


def _f_count(ev, refs, args):
    n = 0
    for fn in args:
        try:
            v = fn(ev, refs)
        except _XlError:
            continue
        if v.__class__ is tuple:
            n += sum(1 for x in ev.cells(v) if x.__class__ is int or x.__class__ is float)
        elif v.__class__ in (int, float):
            n += 1
    return n


def _f_counta(ev, refs, args):
    return len(ev.numbers(refs, args, count_text=True))


def _rounder(mode):
    def f(ev, refs, args):
        if len(args) != 2:
            raise _Unsupported("số đối số")
        x = ev.num(args[0](ev, refs))
        digits = int(ev.num(args[1](ev, refs)))
        if mode is ROUND_HALF_UP and 0 <= digits <= 9 and abs(x) < 1e9:
            # Excel rounds the 15-significant-digit value half away from zero
            scale = _POW10[digits]
            y = float(format(abs(x) * scale, ".15g"))
            r = math.floor(y + 0.5)
            r = -r if x < 0 else r
            return r if digits == 0 else r / scale
        d = Decimal(format(x, ".15g")).quantize(Decimal(1).scaleb(-digits), rounding=mode)
        return int(d) if digits <= 0 else float(d)

    return f


_POW10 = [10**i for i in range(10)]


def _f_int(ev, refs, args):
    return math.floor(ev.num(args[0](ev, refs)))


def _f_abs(ev, refs, args):
    return abs(ev.num(args[0](ev, refs)))


def _f_if(ev, refs, args):
    if not 1 <= len(args) <= 3:
        raise _Unsupported("số đối số")
    if ev.truth(args[0](ev, refs)):
        v = args[1](ev, refs) if len(args) > 1 else True
    elif len(args) < 3:
        return False
    else:
        v = args[2](ev, refs)
    return 0 if v is _MISSING else v


def _f_iferror(ev, refs, args):
    if len(args) != 2:
        raise _Unsupported("số đối số")
    try:
        return ev.scalar(args[0](ev, refs))
    except _XlError:
        v = args[1](ev, refs)
        return 0 if v is _MISSING else v


def _logical(combine):
    def f(ev, refs, args):
        vals = []
        for fn in args:
            v = fn(ev, refs)
            if v.__class__ is tuple:
                vals.extend(bool(x) for x in ev.cells(v) if isinstance(x, (bool, int, float)))
            else:
                vals.append(ev.truth(v))
        if not vals:
            raise _XlError("#VALUE!")
        return combine(vals)

    return f


def _f_not(ev, refs, args):
    return not ev.truth(args[0](ev, refs))


_FUNCTIONS = {
    "SUM": _f_sum,
    "AVERAGE": _f_average,
    "MIN": _f_min,
    "MAX": _f_max,
    "COUNT": _f_count,
    "COUNTA": _f_counta,
    "ROUND": _rounder(ROUND_HALF_UP),
    "ROUNDUP": _rounder(ROUND_UP),
    "ROUNDDOWN": _rounder(ROUND_DOWN),
    "INT": _f_int,
    "ABS": _f_abs,
    "IF": _f_if,
    "IFERROR": _f_iferror,
    "AND": _logical(all),
    "OR": _logical(any),
    "NOT": _f_not,
    "TRUE": lambda ev, refs, args: True,
    "FALSE": lambda ev, refs, args: False,
}


def _apply_formulas(sheet: Sheet, nocache: dict[tuple[int, int], str], errors: dict, limits: Limits) -> None:
    """Record formulas without cached value; evaluate the simple ones into the grid."""
    rows = sheet.rows
    keys = sorted(k for k in nocache if k[0] < limits.max_rows and k[1] < limits.max_cols)
    if not keys:
        return
    # make room so that every formula cell is inside the grid
    last_r = max(k[0] for k in keys)
    last_c = max(k[1] for k in keys)
    width = len(rows[0]) if rows else 0
    if last_c >= width:
        for row in rows:
            row.extend([None] * (last_c + 1 - width))
        width = last_c + 1
    while len(rows) <= last_r:
        rows.append([None] * width)
    formulas = {k: nocache[k] for k in keys}
    sheet.formulas.update(formulas)
    ev = _Evaluator(rows, formulas, errors)
    too_deep = []
    for key in keys:
        try:
            ev.eval_cell(key)
        except RecursionError:  # a long chain of formulas pointing downwards
            too_deep.append(key)
        except (_Unsupported, _XlError):
            pass
    for key in reversed(too_deep):  # deepest first: each step then needs one level only
        try:
            ev.eval_cell(key)
        except (_Unsupported, _XlError, RecursionError):
            pass
    for key in keys:
        v = ev.done.get(key, _FAILED)
        if v is _FAILED:
            sheet.unevaluated.add(key)
            continue
        if v.__class__ is float and v.is_integer():
            v = int(v)
        elif v.__class__ is str and v == "":
            v = None
        elif not isinstance(v, (int, float, str, bool)):
            sheet.unevaluated.add(key)
            continue
        rows[key[0]][key[1]] = v


_SHIFT_RE = re.compile(r"(?<![\w.'\"$])(\$?)([A-Za-z]{1,3})(\$?)([0-9]+)(?![\w(!])")


def _shift_formula(text: str, dr: int, dc: int) -> str:
    """Translate a shared-formula master's text by (dr, dc): relative references move."""

    def move(m: re.Match) -> str:
        col_abs, col, row_abs, row = m.groups()
        c = _col_index(col) if col_abs else _col_index(col) + dc
        r = int(row) if row_abs else int(row) + dr
        if c < 0 or r < 1:
            return "#REF!"
        return f"{col_abs}{_col_letters(c)}{row_abs}{r}"

    parts = text.split('"')
    for i in range(0, len(parts), 2):
        parts[i] = _SHIFT_RE.sub(move, parts[i])
    return '"'.join(parts)

