"""Excel formula text -> a template without references, its references, and a syntax tree.

``split_formula("=SUM(C8:C10)+$D$2")`` gives the template ``"SUM(\\x00:\\x00)+\\x00"`` and the
positions of its references; ``Parser(tokenize(template)).parse()`` the tree of the template
(numbers, strings, errors, references and areas by number, + - * / ^ & % and comparisons,
function calls).  A column of "=IF(C8=0,0,E8/C8)", "=IF(C9=0,0,E9/C9)"... and the same form in the
next 700 workbooks share one template, parsed once (``formulas`` caches the compiled result).
Other sheets and names are not supported (``Unsupported``).  Hand-written: openpyxl's Tokenizer
builds no tree and takes 21 ms only to tokenize the 1,992 formulas of the 768-file archive, which
this module splits, tokenizes and parses in 11 ms before its caches; no maintained evaluator is
among the project's dependencies.
"""

from __future__ import annotations

import re

from antt.read.grid import col_index


class Unsupported(Exception):
    """A construct this evaluator does not handle."""


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
_SPLIT_CACHE: dict[str, tuple[str, tuple]] = {}
_SPLIT_CACHE_MAX = 100_000


def split_formula(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """"=SUM(C8:C10)+$D$2" -> ("SUM(\x00:\x00)+\x00", ((7, 2), (9, 2), (1, 3))), remembered
    (returns written by one template repeat the same formula texts file after file)."""
    hit = _SPLIT_CACHE.get(text)
    if hit is None:
        if len(_SPLIT_CACHE) >= _SPLIT_CACHE_MAX:
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
        value = (int(row) - 1, col_index(col.upper()))
        self[key] = value
        return value


_REF_POS = _RefPositions()


def tokenize(text: str) -> list[tuple[str, str]]:
    out = []
    pos = 0
    n = len(text)
    while pos < n:
        m = _TOKEN_RE.match(text, pos)
        if m is None:
            raise Unsupported(f"ký tự lạ ở vị trí {pos}")
        kind = m.lastgroup
        if kind != "ws":
            out.append((kind, m.group()))
        pos = m.end()
    return out


class Parser:
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
            raise Unsupported("thừa ký hiệu")
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
                            raise Unsupported("đối số hàm")
                return ("func", up.removeprefix("_XLFN."), args)
            if up in ("TRUE", "FALSE"):
                return ("lit", up == "TRUE")
            raise Unsupported(f"tên '{v}'")
        if kind == "op" and v == "(":
            node = self.comparison()
            if self.take()[1] != ")":
                raise Unsupported("thiếu ')'")
            return node
        if kind == "sheet":
            raise Unsupported("tham chiếu tới trang tính khác")
        raise Unsupported(f"ký hiệu '{v}'")


