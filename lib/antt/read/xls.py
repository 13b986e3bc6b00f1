""".xls (BIFF8, and BIFF5 without formulas): the compound file and the BIFF records walked as calamine
walks them, before calamine reads the sheets.

calamine follows the compound file's chains and sizes unchecked and preallocates from record
fields: a loop or a size past the end hangs it or makes it allocate until the process aborts.
``_Cfb`` reads the container the way calamine does and refuses those (file_hostile for a loop,
file_unreadable past the end of the file); an ``EncryptionInfo`` or ``EncryptedPackage`` stream
(an Excel 2007+ file with an open password) -> file_encrypted.  ``_scan_biff`` walks the records of
the Workbook stream from each BOUNDSHEET offset as calamine does: FILEPASS (any kind, XOR
obfuscation included) -> file_encrypted; the extent of the value cells (a value past the limits
-> file_too_large), the DIMENSIONS and SST counts calamine preallocates from and the MERGEDCELLS
counts it slices by (-> file_hostile / file_unreadable); and, on the way, the cached errors
(BOOLERR, FORMULA error results: calamine reads them as blank) and the formulas whose cached
result is of the "empty" kind, what xlwt always writes (decoded by ``biff_formula``, evaluated by
``formulas``).

Hand-written, measured: olefile reads the container by the specification, not the way calamine
does, and lets through files that kill the process -- a header naming no DIFAT sector whose
first-DIFAT field points at a sector linking to itself (olefile opens it; calamine allocates until
it aborts, 2.4 s), or two entries named Workbook where the directory tree reaches the harmless one
(olefile reads that; calamine reads the first, whose DIMENSIONS abort it at once).  xlrd 2.0.2
reads the 66 .xls of the 768-file archive in 104 ms (178 ms with formatting_info) against 24 ms
for this container and walk, and neither xlrd nor calamine gives a formula's text or a sheet's
extent before allocating it.  The fonts of text cells, read only when the texts may be legacy
TCVN3/VNI, come from xlrd with ``formatting_info``.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

from python_calamine import SheetTypeEnum

from antt.core.text import needs_fonts
from antt.read import calamine
from antt.read.biff_formula import BIFF_ERRORS, decode_rgce
from antt.read.formulas import apply_formulas
from antt.read.calamine import clean, is_hidden
from antt.read.grid import Limits, Sheet, Workbook, WorkbookError, set_cell
from antt.read.guards import checked_texts, merged_of, too_large_at, too_many_cells

_ENDOFCHAIN = 0xFFFFFFFE
_DIFSECT = 0xFFFFFFFC
_RESERVED = 0xFFFFFFFA
_CFB_BEYOND = "cấu trúc OLE2 trỏ ra ngoài tệp (tệp bị cắt cụt hoặc bị sửa)"


class _Cfb:
    """The compound file as calamine reads it (its header fields, its DIFAT walk, the first
    directory entry of a name), every sector id, chain and size it would follow validated."""

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
        dirs_raw = self._chain(dir_start, fat, n, self._sector)
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
    def _chain(sid: int, fat: list[int], limit: int, get) -> bytes:
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
            self._mini = self._chain(root[1], self.fat, self.n_sectors, self._sector)
            raw = self._chain(self.mini_fat_start, self.fat, self.n_sectors, self._sector)
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

            data = self._chain(start, self._minifat or [], n_mini, get)
        else:
            if size > len(self.buf):
                raise WorkbookError("file_unreadable", _CFB_BEYOND)
            data = self._chain(start, self.fat, self.n_sectors, self._sector)
        return data[:size]


# BIFF record ids
_BOF, _EOF, _FILEPASS, _CONTINUE = 0x0809, 0x000A, 0x002F, 0x003C
_BOUNDSHEET, _SST, _CODEPAGE = 0x0085, 0x00FC, 0x0042
_DIMENSIONS, _NUMBER, _LABEL, _BOOLERR, _STRING = 0x0200, 0x0203, 0x0204, 0x0205, 0x0207
_RK, _LABELSST, _MULRK, _FORMULA, _MERGECELLS = 0x027E, 0x00FD, 0x00BD, 0x0006, 0x00E5


class _SheetScan:
    __slots__ = ("name", "max_row", "max_col", "nocache", "errors")

    def __init__(self, name: str):
        self.name = name
        self.max_row = -1
        self.max_col = -1
        self.nocache: dict[tuple[int, int], str] = {}
        self.errors: dict[tuple[int, int], str] = {}


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


def read_xls(path: Path, data: bytes, limits: Limits) -> Workbook:
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
    sheet_scans = _scan_biff(stream, limits)

    cwb = calamine.open_calamine(data)
    by_name = {s.name: s for s in sheet_scans}
    metas = cwb.sheets_metadata
    by_index = sheet_scans if len(sheet_scans) == len(metas) else []
    sheets: list[Sheet] = []
    for idx, meta in enumerate(metas):
        if meta.typ != SheetTypeEnum.WorkSheet:
            continue
        cs = cwb.get_sheet_by_index(idx)
        end = cs.end
        if end is not None and (end[0] >= limits.max_rows or end[1] >= limits.max_cols):
            raise too_large_at(meta.name, end[0], end[1], limits)
        rows = clean(cs.to_python(skip_empty_area=False))
        sheet = Sheet(
            name=meta.name,
            hidden=is_hidden(meta),
            rows=rows,
            merged=merged_of(cs, meta.name, limits),
        )
        # calamine lists the BOUNDSHEET records in order, as the scan does
        scan = by_index[idx] if by_index else by_name.get(meta.name)
        if scan is not None:
            for (r, c), err in scan.errors.items():
                set_cell(rows, r, c, err)
            if scan.nocache:
                apply_formulas(sheet, scan.nocache, scan.errors, limits)
        sheets.append(sheet)
    if needs_fonts(checked_texts(sheets, limits)):
        _fonts(data, sheets)
    return Workbook(path=path, format="xls", sheets=sheets)


def _scan_biff(stream: bytes, limits: Limits):
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
            raise too_many_cells(limits)
        scans.append(scan)
    return scans


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


_SIMPLE_CELLS = frozenset({_NUMBER, _RK, _LABEL, _LABELSST, _BOOLERR})
_SCANNED = frozenset({_NUMBER, _RK, _LABEL, _LABELSST, _BOOLERR, _FORMULA, _MULRK, _STRING, _DIMENSIONS, _EOF,
                      _MERGECELLS})


def _scan_biff_sheet(stream: bytes, pos: int, name: str, limits: Limits, biff8: bool = True) -> _SheetScan:
    """Walk one sheet's records the way calamine does (from its BOUNDSHEET offset to EOF): extent
    of the value cells, formulas with an empty result, cached errors, XF of the text cells."""
    scan = _SheetScan(name)
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
            r, c = unpack("<HH", stream, body)
            c_last = c
            if typ == _BOOLERR and ln >= 8 and stream[body + 7] == 1:
                scan.errors[(r, c)] = BIFF_ERRORS.get(stream[body + 6], "#VALUE!")
        elif typ == _FORMULA:
            if ln < 22:
                continue
            r, c = unpack("<HH", stream, body)
            c_last = c
            fmla_pos = (r, c)
            if stream[body + 12 : body + 14] == b"\xff\xff":
                kind = stream[body + 6]
                if kind == 2:
                    scan.errors[(r, c)] = BIFF_ERRORS.get(stream[body + 8], "#VALUE!")
                elif kind == 3:
                    cce = unpack("<H", stream, body + 20)[0]
                    rgce = stream[body + 22 : min(body + 22 + cce, pos)]
                    # BIFF5 tokens differ (3-byte references): not decoded, left unevaluated
                    scan.nocache[(r, c)] = decode_rgce(rgce) if biff8 else "=?"
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
            raise too_large_at(name, r, max(c, c_last) if r < max_rows else c, limits)
        if r > max_r:
            max_r = r
        if c_last > max_c:
            max_c = c_last
    scan.max_row, scan.max_col = max_r, max_c
    return scan


def _fonts(data: bytes, sheets: list[Sheet]) -> None:
    """The font name of each text cell, from xlrd's FONT and XF records -- best effort: a file
    xlrd cannot read keeps no fonts (its texts are then decoded by their letters alone)."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, ragged_rows=True,
                                  logfile=io.StringIO())
        names = [f.name for f in book.font_list]
        xf_font = [xf.font_index for xf in book.xf_list]
        by_name = {sh.name: sh for sh in book.sheets()}
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - best effort, as the reason says
        return
    for sheet in sheets:
        xs = by_name.get(sheet.name)
        if xs is None:
            continue
        for r, row in enumerate(sheet.rows[: xs.nrows]):
            width = xs.row_len(r)
            for c, v in enumerate(row[:width]):
                if v.__class__ is str:
                    xf = xs.cell_xf_index(r, c)
                    fi = xf_font[xf] if 0 <= xf < len(xf_font) else 0
                    if 0 <= fi < len(names) and names[fi]:
                        sheet.fonts[(r, c)] = names[fi]
