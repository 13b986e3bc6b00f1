"""BIFF8 formula tokens (``rgce``) -> Excel formula text, for the .xls formulas calamine reads as blank.

xlwt writes every formula with a cached result of the "empty" kind and calamine reads such a cell
as blank; neither calamine nor xlrd gives a cell's formula text, so the tokens are decoded here:
references, areas, numbers, strings, booleans, errors, unary and binary operators, the attribute
SUM, and functions by number (SUM/IF/ROUND/ABS/MIN/MAX/AVERAGE/COUNT/INT/AND/OR/NOT...).  Anything
else decodes as "=?" (and is left unevaluated).
"""

from __future__ import annotations

import struct

from antt.read.grid import col_letters

BIFF_ERRORS = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
    0x2B: "#GETTING_DATA",
}
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


def decode_rgce(rgce: bytes) -> str:
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
            stack.append((BIFF_ERRORS.get(rgce[i], "#VALUE!"), 9))
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
    return f"{col_abs}{col_letters(c)}{row_abs}{rw + 1}"
