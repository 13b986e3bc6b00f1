"""Formulas without a cached value, evaluated on the grid when they are simple.

``apply_formulas`` records each such formula in ``sheet.formulas`` and evaluates it in dependency
order (a cycle guard, long chains included): + - * / ^ & % and comparisons, parentheses,
SUM/AVERAGE/MIN/MAX/COUNT/COUNTA over cells, ranges and numbers (text, bools and blanks in a range
are ignored as Excel does), ROUND (half away from zero on the 15-digit value, as Excel)/ROUNDUP/
ROUNDDOWN/INT/ABS, IF/IFERROR/AND/OR/NOT.  Other sheets, names, VLOOKUP and every other function,
division by zero, text in arithmetic, a cached error in the inputs: the cell stays None and is in
``sheet.unevaluated``.  A template (``formula_parse``) is compiled once into closures and cached
for the process.
"""

from __future__ import annotations

import math
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation

from antt.read.formula_parse import Parser, Unsupported, split_formula, tokenize
from antt.read.grid import Limits, Sheet

_MAX_FORMULA_CHARS = 8192
_EVAL_BUDGET = 2_000_000
_TEMPLATE_CACHE: dict[str, object] = {}
_TEMPLATE_CACHE_MAX = 20_000


class _XlError(Exception):
    """An Excel error value (#DIV/0!, #VALUE!, ...)."""


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
                raise Unsupported(f"hàm {name}")

            return unsupported
        return lambda ev, refs: impl(ev, refs, args)
    raise Unsupported(kind)


def _template_function(template: str):
    fn = _TEMPLATE_CACHE.get(template)
    if fn is None:
        try:
            if len(template) > _MAX_FORMULA_CHARS or template == "?":
                raise Unsupported("công thức không đọc được")
            fn = _compile(Parser(tokenize(template)).parse())
        except (Unsupported, ValueError) as exc:  # RecursionError propagates: may be our depth
            message = str(exc)

            def fn(ev, refs, _message=message):
                raise Unsupported(_message)

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
            raise Unsupported("tham chiếu vòng")
        self.active.add(key)
        try:
            text = self.formulas[key]
            if not text.startswith("="):
                raise Unsupported("công thức không đọc được")
            template, refs = split_formula(text)
            v = _template_function(template)(self, refs)
            if v.__class__ is tuple:
                v = self.scalar(v)
            if v is None or v is _MISSING:
                v = 0
        except (Unsupported, _XlError) as exc:
            self.done[key] = _FAILED
            self.fail_kind[key] = type(exc)
            raise
        except RecursionError:
            raise  # not remembered: retried later from the deepest cell up (see _apply_formulas)
        except (ArithmeticError, ValueError, TypeError, IndexError, InvalidOperation):
            self.done[key] = _FAILED
            self.fail_kind[key] = Unsupported
            raise Unsupported("lỗi tính") from None
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
            raise Unsupported("quá nhiều ô cần tính")
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
            raise Unsupported("vùng ô dùng như một giá trị")
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
        raise Unsupported("kiểu giá trị")

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
        raise Unsupported("kiểu giá trị")

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
            raise Unsupported("so sánh kiểu giá trị")
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
            raise Unsupported("số đối số")
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
        raise Unsupported("số đối số")
    if ev.truth(args[0](ev, refs)):
        v = args[1](ev, refs) if len(args) > 1 else True
    elif len(args) < 3:
        return False
    else:
        v = args[2](ev, refs)
    return 0 if v is _MISSING else v


def _f_iferror(ev, refs, args):
    if len(args) != 2:
        raise Unsupported("số đối số")
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


def apply_formulas(sheet: Sheet, nocache: dict[tuple[int, int], str], errors: dict, limits: Limits) -> None:
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
        except (Unsupported, _XlError):
            pass
    for key in reversed(too_deep):  # deepest first: each step then needs one level only
        try:
            ev.eval_cell(key)
        except (Unsupported, _XlError, RecursionError):
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
