"""What is refused before python-calamine sees a file, and the limits on what reading it builds.

* ``read_bytes``: the file size (file_too_large) before a byte is read; the file is read once,
  read-only, and every parser works on that buffer.
* ``Zip``: the central directory, nothing inflated: more than 10,000 members or two members with
  the same (case-folded) name -> file_hostile; a member above 1 MB whose compression ratio exceeds
  ``max_ratio`` -> file_hostile; a member above ``max_part_bytes`` or a total above
  ``max_total_bytes`` -> file_too_large; a member encrypted with a zip password -> file_encrypted.
  ``Zip.read`` inflates a member with an output cap of its declared size + 1 byte: more than
  declared -> file_hostile (lying header).
* the one XML guard, through which ``Zip.read`` passes every XML part calamine or this package
  parses: a DTD (``<!DOCTYPE``, and with it any ``<!ENTITY``: "billion laughs") -> file_hostile.
  A DTD can only stand in the prolog, before the root element, so defusedxml's parser reads the
  part up to its root element and refuses any DTD or entity declaration.  A part that opens with
  its root element, after at most an XML declaration naming UTF-8 (every part of the sample and of
  the 768-file archive), cannot hold one and skips the parser: 0.7 us a part against 11 us.
  Whatever parses a part afterwards (calamine, expat, ElementTree) gets bytes without a DTD;
  defusedxml's own parsers there would cost 378 ms against 140 ms for the content.xml of the
  archive's 68 .ods.
* grid limits: a value past ``max_rows``/``max_cols`` (``too_large_at``), sheets together above
  ``max_rows * max_cols`` cells (``Budget``: calamine holds every sheet densely), more than
  100,000 merged ranges (``merged_of``), a cell longer than ``max_cell_chars`` (``checked_texts``).
"""

from __future__ import annotations

import io
import itertools
import re
import struct
import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from antt.read.grid import Limits, Sheet, WorkbookError, cell_ref, col_letters, short

MB = 2**20
ZIP_SIG = b"PK\x03\x04"
MAX_ZIP_MEMBERS = 10_000
MAX_MERGED = 100_000
_RATIO_MIN_BYTES = 2**20
_ONESHOT_MAX_COMP = 64 * 1024


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
            f"tệp {size / MB:.1f} MB vượt giới hạn {limits.max_file_bytes / MB:g} MB",
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


# ---------------------------------------------------------------------------------------------
# zip containers
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


class Zip:
    """The central directory of a zip held in memory, checked before anything is inflated."""

    def __init__(self, data: bytes, limits: Limits):
        self.data = data
        self.limits = limits
        entries = self._fast_directory()
        if entries is None:
            entries = self._zipfile_directory()
        if len(entries) > MAX_ZIP_MEMBERS:
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
                    f"phần {zi.filename} giải nén {fsize / MB:.0f} MB vượt giới hạn "
                    f"{limits.max_part_bytes / MB:g} MB",
                )
            total += fsize
        if total > limits.max_total_bytes:
            raise WorkbookError(
                "file_too_large",
                f"tổng dung lượng giải nén {total / MB:.0f} MB vượt giới hạn "
                f"{limits.max_total_bytes / MB:g} MB",
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
        if entries != 0xFFFF and entries > MAX_ZIP_MEMBERS:
            raise WorkbookError("file_hostile", f"tệp nén có {entries} phần, quá nhiều")
        if cd_size != 0xFFFFFFFF and cd_size > MAX_ZIP_MEMBERS * 400:
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
            raise WorkbookError("file_unreadable", f"tệp nén hỏng ({short(exc)})") from None
        return [
            _Member(zi.filename, zi.flag_bits, zi.compress_type, zi.compress_size, zi.file_size, zi.header_offset)
            for zi in infos
        ]

    def has(self, name: str) -> bool:
        return name in self.members

    def read(self, name: str, check_xml: bool = True) -> bytes:
        """Inflate one member (lower-case name) with a cap of its declared size + 1 byte; an XML
        part goes through ``check_xml``."""
        zi = self.members[name]
        data = self.data
        off = zi.header_offset
        if off < 0 or off + 30 > len(data) or data[off : off + 4] != ZIP_SIG:
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


# ---------------------------------------------------------------------------------------------
# the XML guard
# ---------------------------------------------------------------------------------------------
# An optional UTF-8 byte order mark and XML declaration (UTF-8 or no encoding named), then the
# root element: no room for a DTD.
_ROOT_FIRST = re.compile(
    rb"(?:\xef\xbb\xbf)?"
    rb"(?:<\?xml(?:\s+(?:version|standalone)\s*=\s*(?:\"[^\"]*\"|'[^']*')"
    rb"|\s+encoding\s*=\s*(?:\"(?i:utf-8)\"|'(?i:utf-8)'))*\s*\?>)?"
    rb"\s*<[A-Za-z_]"
)
_CHUNK = 1 << 16


class _RootReached(Exception):
    pass


class _UntilRoot:
    """A parser target that stops the parse at the root element's start tag."""

    def start(self, tag, attrs):
        raise _RootReached

    def end(self, tag):
        pass

    def data(self, text):
        pass

    def close(self):
        pass


def _check_xml(data: bytes, name: str) -> bytes:
    """Refuse a DTD (see the module's docstring); return the part as UTF-8 bytes (a UTF-16 part
    re-encoded for the regular expressions that scan it)."""
    if _ROOT_FIRST.match(data) is None:
        parser = DefusedXMLParser(target=_UntilRoot(), forbid_dtd=True)
        try:
            for pos in range(0, len(data), _CHUNK):
                parser.feed(data[pos : pos + _CHUNK])
        except _RootReached:
            pass
        except DefusedXmlException:
            raise WorkbookError(
                "file_hostile",
                f"XML chứa khai báo DTD/thực thể (<!DOCTYPE/<!ENTITY) trong phần {name}",
            ) from None
        except (ParseError, LookupError, ValueError):
            pass  # malformed (or an unknown encoding) before any DTD: the parsers that read it refuse it
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:2] in (b"<\x00", b"\x00<"):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise WorkbookError("file_unreadable", f"phần {name} mã hóa UTF-16 hỏng") from None
    return data


# ---------------------------------------------------------------------------------------------
# grid limits
# ---------------------------------------------------------------------------------------------
def too_large_at(sheet: str, r: int, c: int, limits: Limits) -> WorkbookError:
    if r >= limits.max_rows:
        return WorkbookError(
            "file_too_large",
            f"trang tính '{sheet}' có dữ liệu ở dòng {r + 1}, vượt giới hạn {limits.max_rows} dòng",
        )
    return WorkbookError(
        "file_too_large",
        f"trang tính '{sheet}' có dữ liệu ở cột {col_letters(c)} (cột {c + 1}), "
        f"vượt giới hạn {limits.max_cols} cột",
    )


def too_many_cells(limits: Limits) -> WorkbookError:
    return WorkbookError("file_too_large", f"các trang tính cộng lại vượt {limits.max_rows * limits.max_cols} ô")


class Budget:
    """Cells calamine will hold densely, summed over the workbook."""

    def __init__(self, limits: Limits):
        self.left = limits.max_rows * limits.max_cols
        self.limits = limits

    def take(self, rows: int, cols: int) -> None:
        self.left -= rows * cols
        if self.left < 0:
            raise too_many_cells(self.limits)


def too_many_merged(sheet: str) -> WorkbookError:
    return WorkbookError("file_too_large", f"trang tính '{sheet}' có hơn {MAX_MERGED} vùng gộp ô")


def clip_merged(ranges, limits: Limits) -> list[tuple[int, int, int, int]]:
    """Merged ranges as (first row, first col, last row, last col), clipped to the limits."""
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


def merged_of(cs, name: str, limits: Limits) -> list[tuple[int, int, int, int]]:
    """calamine's merged ranges of a sheet, clipped."""
    merged = cs.merged_cell_ranges
    if not merged:
        return []
    if len(merged) > MAX_MERGED:
        raise too_many_merged(name)
    return clip_merged([(a[0], a[1], b[0], b[1]) for a, b in merged], limits)


def checked_texts(sheets: list[Sheet], limits: Limits) -> list[str]:
    """The distinct text values of a workbook; a cell longer than max_cell_chars -> file_too_large."""
    values = set(itertools.chain.from_iterable(itertools.chain.from_iterable(sh.rows for sh in sheets)))
    texts = [v for v in values if v.__class__ is str]
    if texts and max(map(len, texts)) > limits.max_cell_chars:
        for sh in sheets:
            for r, row in enumerate(sh.rows):
                for c, v in enumerate(row):
                    if v.__class__ is str and len(v) > limits.max_cell_chars:
                        raise WorkbookError(
                            "file_too_large",
                            f"ô {cell_ref(r, c)} của trang tính '{sh.name}' dài {len(v)} ký tự, "
                            f"vượt giới hạn {limits.max_cell_chars} ký tự",
                        )
    return texts
