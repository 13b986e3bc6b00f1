"""Administrative units of Việt Nam by date: codes, names, and matching the names written in returns.

Everything comes from the dataset shipped in the `vietnamadminunits` package, read once at first use
(straight from its sqlite file: importing the package itself loads its address parsers, ~0.6 s):

- `legacy()`: 63 provinces -> 696 district-level units -> 10 035 communes, valid until 1 July 2025
  (table `admin_units_legacy`; 5 island districts have no communes and are not expected to report);
- `current()`: 34 provinces -> 3 321 communes, from 1 July 2025 (table `admin_units`): districts are
  gone and a commune's parent is its province.

`hierarchy_on(day)` picks from `_REGISTRY`; a further hierarchy is one loader and one registry row
(and a `_CROSSWALKS` entry if the package maps codes into it).

Names: the type word leads the name, its case normalised ("Thị Trấn Prao" -> "Thị trấn Prao"), and
`kind` is read from it (the dataset's type column disagrees for a few units, e.g. "Phường 5" of Phú
Nhuận typed "Xã"). `short` is the name without its type, except for numbered units ("Phường 1",
"Quận 1"), whose short is the whole name.

Matching compares keys: folded text (lower case, no diacritics, đ -> d, punctuation as space) without
spaces, numbers without leading zeros. A unit is found by its full name, its short name (a numbered
one also by its number after a type word) and, failing those, by the dataset's keywords (spelling
variants such as "Đak Ơ"/"Đắc Ơ", "Sa Pa"/"Xa Pa", former names and types such as "Thị xã Đồng Xoài").
Where folding merges two names ("Xã Lộc Thạnh" / "Xã Lộc Thành" in Lộc Ninh), the diacritics as
written decide (tone placement "Hoà"/"Hòa" ignored), then the type written; otherwise the name is
ambiguous and matches nothing. The unit a title block or a file name names is found by
``antt.core.issuer`` over these indexes (``Hierarchy.names``).
"""

from __future__ import annotations

import difflib
import json
import re
import sqlite3
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.util import find_spec
from pathlib import Path

#: The day the 2025 reform took effect: districts abolished, 63 provinces merged into 34.
REFORM_2025 = date(2025, 7, 1)

PROVINCE, DISTRICT, COMMUNE = "province", "district", "commune"

#: The type words of each level, as names start with them.
_KINDS = {
    PROVINCE: ("Thành phố", "Tỉnh"),
    DISTRICT: ("Thành phố", "Thị xã", "Huyện", "Quận"),
    COMMUNE: ("Thị trấn", "Đặc khu", "Phường", "Xã"),
}

#: Type words and their abbreviations as written in returns, folded.
COMMUNE_TYPES = {
    "xa": "Xã", "x": "Xã",
    "phuong": "Phường", "p": "Phường", "ph": "Phường", "f": "Phường",
    "thi tran": "Thị trấn", "t tran": "Thị trấn", "t t": "Thị trấn", "tt": "Thị trấn",
    "ttr": "Thị trấn",
    "dac khu": "Đặc khu",
}
DISTRICT_TYPES = {
    "huyen": "Huyện", "h": "Huyện", "thi xa": "Thị xã", "tx": "Thị xã",
    "thanh pho": "Thành phố", "tp": "Thành phố", "quan": "Quận", "q": "Quận",
}
PROVINCE_TYPES = {"tinh": "Tỉnh", "thanh pho": "Thành phố", "tp": "Thành phố"}

_NON_WORD = re.compile(r"[\W_]+")
_NON_KEY = re.compile(r"[^a-z0-9]+")
_LEADING_ZEROS = re.compile(r"(?<!\d)0+(?=\d)")
#: A trailing note: "(xã NTM)", "[1]", "(*)", "*", "- xã NTM".
_NOTE = re.compile(r"\s*(?:\([^()]*\)?|\[[^\[\]]*\]|[-–—]\s*\D.*|\*+)\s*$")
#: Leading row numbering: "1.", "2)", "3 -", "4 " before a name.
_NUMBERING = re.compile(r"^\s*\d{1,3}\s*(?:[.):/-]\s*|\s(?=\s*\D))")


def fold_name(s: str) -> str:
    """NFC, lower case, no diacritics, đ -> d, only [a-z0-9 ], spaces collapsed."""
    s = unicodedata.normalize("NFD", s.lower().replace("đ", "d")).encode("ascii", "ignore").decode()
    return " ".join(_NON_KEY.sub(" ", s).split())


def name_words(s: str) -> list[str]:
    """The words of a text, NFC, punctuation dropped ("TT.Lộc Ninh" -> ["TT", "Lộc", "Ninh"])."""
    return _NON_WORD.sub(" ", unicodedata.normalize("NFC", s)).split()


def name_key(s: str) -> str:
    """Folded, no spaces, numbers without leading zeros: "Phường 05" -> "phuong5"."""
    if not (s.isascii() and s.isalnum()):  # most of the dataset's keywords are keys already
        s = fold_name(s).replace(" ", "")
    s = s.lower()
    return _LEADING_ZEROS.sub("", s) if "0" in s else s


_KIND_KEYS = {k: name_key(k) for kinds in _KINDS.values() for k in kinds}


def _spelling(s: str) -> str:
    """Letters with their diacritics, each word's marks sorted: "Hoà" = "Hòa" != "Hóa"."""
    out = []
    for word in name_words(s.lower()):
        marks = unicodedata.normalize("NFD", word)
        out.append("".join(c for c in marks if not unicodedata.combining(c)))
        out.append("".join(sorted(c for c in marks if unicodedata.combining(c))))
    return "".join(out)


def split_type(folded: str, prefixes: dict[str, str]) -> tuple[str | None, str]:
    """(type, rest) when the folded text starts with one of `prefixes` followed by more words."""
    for prefix, kind in prefixes.items():
        if folded.startswith(prefix + " "):
            return kind, folded[len(prefix) + 1:]
    return None, folded


def _variants(text: str) -> Iterable[str]:
    """The text, then without trailing notes, without leading numbering, without both."""
    yield text
    bare = text
    while (m := _NOTE.search(bare)) and m.start() > 0:
        bare = bare[:m.start()]
    seen = {text}
    for v in (bare, _NUMBERING.sub("", text, count=1), _NUMBERING.sub("", bare, count=1)):
        if v.strip() and v not in seen:
            seen.add(v)
            yield v


@dataclass(frozen=True)
class Unit:
    """One administrative unit: `code` as in the dataset ("70", "692", "25297"), `level` "province",
    "district" or "commune", `parent` the code of the unit above (None for a province)."""

    code: str
    name: str
    short: str
    kind: str
    level: str
    parent: str | None
    lat: float | None
    lon: float | None


@dataclass(frozen=True)
class CommuneMatch:
    """What a commune name in a return means: `unit` in the district, else `other` (the one commune
    of that name elsewhere in the province) and up to 3 `candidates` (full names) of the district."""

    unit: Unit | None
    other: Unit | None
    candidates: tuple[str, ...]


def _name_keys(u: Unit) -> tuple[str, list[str]]:
    """The folded short name, and the keys of the full and the short name (numbered: the number)."""
    folded = fold_name(u.short)
    short = _LEADING_ZEROS.sub("", folded.replace(" ", ""))
    kind = _KIND_KEYS.get(u.kind) or name_key(u.kind)
    if u.short == u.name:  # "Phường 1": also "1" after a type word
        return folded, [short, short[len(kind):]]
    return folded, [kind + short, short]


def same_spelling(units: list[Unit], written: str) -> list[Unit]:
    """Of units whose keys agree, those spelt as written, diacritics included (all if none is)."""
    spelt = _spelling(written)
    same = [u for u in units if spelt == _spelling(u.name) or spelt.endswith(_spelling(u.short))]
    return same or units


class NameIndex:
    """Units found by key: their names first, the dataset's keywords second."""

    def __init__(self) -> None:
        self.tables: tuple[dict[str, list[Unit]], ...] = (defaultdict(list), defaultdict(list))
        self.folded: dict[str, list[Unit]] = defaultdict(list)

    def add(self, u: Unit, folded: str, names: Iterable[str], aliases: Iterable[str]) -> None:
        self.folded[folded].append(u)
        primary, alias = self.tables
        for k in names:
            primary[k].append(u)
        for k in aliases:
            alias[k].append(u)

    def get(self, key: str) -> list[Unit]:
        return next((table[key] for table in self.tables if key in table), [])

    def lookup(self, text: str) -> tuple[list[Unit], str]:
        """The communes a written name means (type word, notes and numbering allowed), and the
        folded name part of the last form tried."""
        rest = ""
        for variant in _variants(text):
            folded = fold_name(" ".join(name_words(variant)))
            kind, rest = split_type(folded, COMMUNE_TYPES)
            keys = [_LEADING_ZEROS.sub("", k.replace(" ", "")) for k in (folded, rest)[:2 if kind else 1]]
            for table in self.tables:
                if hit := next((table[k] for k in keys if k in table), None):
                    if len(hit) > 1:
                        hit = same_spelling(hit, variant)
                    if len(hit) > 1 and kind:
                        hit = [u for u in hit if u.kind == kind] or hit
                    return hit, rest
        return [], rest

    def closest(self, folded: str) -> tuple[str, ...]:
        """Full names of up to 3 units whose folded short name is closest to `folded`."""
        near = difflib.get_close_matches(folded, list(self.folded), n=3, cutoff=0.6) if folded else []
        return tuple(u.name for f in near for u in self.folded[f])[:3]


class Hierarchy:
    """Administrative units valid over [valid_from, valid_to)."""

    def __init__(self, name: str, valid_from: date | None, valid_to: date | None,
                 units: Iterable[Unit], keywords: dict[str, tuple[str, ...]]):
        self.name, self.valid_from, self.valid_to = name, valid_from, valid_to
        self._units = {u.code: u for u in sorted(units, key=lambda u: (len(u.code), u.code))}
        self._children: dict[str | None, list[Unit]] = defaultdict(list)
        self._keywords = keywords
        self._communes: dict[str, NameIndex] = {}  # built on first use: see _communes_in
        self._memo: dict[tuple, object] = {}
        self._districts, self._provinces = NameIndex(), NameIndex()
        for u in self._units.values():
            self._children[u.parent].append(u)
            if u.level != COMMUNE:  # names without their type: "thixadongxoai" -> "dongxoai"; "hcm"
                folded, names = _name_keys(u)
                types = [_KIND_KEYS[k] for k in _KINDS[u.level]] + ["tx", "tp"]
                shorts = {next((k[len(t):] for t in types if k.startswith(t) and k != t), k)
                          for k in map(name_key, keywords.get(u.code, ()))}
                index = self._districts if u.level == DISTRICT else self._provinces
                index.add(u, folded, names[1:], shorts - {names[1]})

    def _communes_in(self, code: str) -> NameIndex:
        """The name index of the communes in a unit, at any depth (built once, on first use)."""
        names = self._communes.get(code)
        if names is None:
            names, units = NameIndex(), [code]
            while units:
                for u in self._children[units.pop()]:
                    if u.level == COMMUNE:
                        folded, keys = _name_keys(u)
                        aliases = dict.fromkeys(name_key(w) for w in self._keywords.get(u.code, ()))
                        names.add(u, folded, keys, [k for k in aliases if k not in keys])
                    else:
                        units.append(u.code)
            self._communes[code] = names
        return names

    def __repr__(self) -> str:
        return f"Hierarchy({self.name!r}, {self.valid_from} – {self.valid_to})"

    def unit(self, code: str) -> Unit:
        return self._units[code]

    def provinces(self) -> list[Unit]:
        return list(self._children[None])

    def districts(self, province: str) -> list[Unit]:
        """District-level units of a province code, or of the country for "all", in code order."""
        provinces = self.provinces() if province == "all" else [self._units[province]]
        return [d for p in provinces for d in self._children[p.code] if d.level == DISTRICT]

    def communes(self, parent: str) -> list[Unit]:
        """Communes of a district (or of a province, in a hierarchy without districts), in code order."""
        return [u for u in self._children[parent] if u.level == COMMUNE]

    def districts_expected(self, province: str) -> list[Unit]:
        """The districts of `province` ("all" allowed) that have communes, hence report."""
        return [d for d in self.districts(province) if self._children[d.code]]

    def match_commune(self, name: str, district: str) -> CommuneMatch:
        """Memoised ``_match_commune``: returns repeat the same names cycle after cycle."""
        key = (name, district)
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = self._match_commune(name, district)
        return hit

    def _match_commune(self, name: str, district: str) -> CommuneMatch:
        """The commune of `district` that `name` means, written as returns write it (module doc).

        An ambiguous name matches nothing and lists the units it may mean as candidates. A name that
        is no commune of `district` gives as `other` the one commune of that name elsewhere in the
        province (None if several), and as candidates the closest names in `district`.
        """
        if district not in self._units:
            raise KeyError(f"unknown unit code {district!r} in hierarchy {self.name}")
        names = self._communes_in(district)
        units, rest = names.lookup(name)
        if len(units) == 1:
            return CommuneMatch(units[0], None, ())
        if units:
            return CommuneMatch(None, None, tuple(u.name for u in units[:3]))
        province = self._units[district].parent
        elsewhere = self._communes_in(province).lookup(name)[0] if province is not None else []
        return CommuneMatch(None, elsewhere[0] if len(elsewhere) == 1 else None, names.closest(rest))

    def communes_named(self, name: str, parent: str) -> list[Unit]:
        """The communes of ``parent`` (any depth) a written name means, type word, notes and
        numbering allowed, without the search for close names of ``match_commune``: a cheap test
        of whether a text names a given commune."""
        return self._communes_in(parent).lookup(name)[0]

    def names(self, level: str) -> NameIndex:
        """The name index of the provinces, districts or communes of the whole country."""
        if level == COMMUNE:
            return self._communes_in(None)
        return self._districts if level == DISTRICT else self._provinces

    def inside(self, unit: Unit, within: frozenset[str] | None) -> bool:
        """Whether ``unit`` or a unit above it is one of the codes ``within`` (None: the country)."""
        while within is not None and unit.code not in within:
            if unit.parent is None:
                return False
            unit = self._units[unit.parent]
        return True

# --- the package's dataset -----------------------------------------------------------------------

def _data_dir() -> Path:
    spec = find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the vietnamadminunits package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _rows(sql: str) -> list[tuple]:
    with closing(sqlite3.connect(f"file:{_data_dir() / 'dataset.db'}?mode=ro", uri=True)) as conn:
        return conn.execute(sql).fetchall()


def _build(name: str, valid_from: date | None, valid_to: date | None,
           queries: dict[str, str]) -> Hierarchy:
    """A hierarchy from one query per level giving (code, name, parent, lat, lon, type, keywords)."""
    units: list[Unit] = []
    keywords: dict[str, tuple[str, ...]] = {}
    for level, sql in queries.items():
        found = _rows(sql)
        words = json.loads("[" + ",".join(r[6] or "[]" for r in found) + "]")  # one call: fast
        kinds = {k.lower(): k for k in _KINDS[level]}
        starts = re.compile("(" + "|".join(map(re.escape, kinds)) + ") ", re.IGNORECASE).match
        for (code, full, parent, lat, lon, typed, _), kw in zip(found, words):
            m = starts(full)
            kind = kinds[m[1].lower()] if m else typed
            rest = full[m.end():].strip() if m else full
            full = f"{kind} {rest}"
            short = full if rest.isdigit() else rest
            units.append(Unit(code, full, short, kind, level, parent, lat, lon))
            keywords[code] = tuple(kw)
    return Hierarchy(name, valid_from, valid_to, units, keywords)


@cache
def legacy() -> Hierarchy:
    """The 63-province hierarchy (province -> district -> commune), valid until 2025-07-01."""
    return _build("legacy-63", None, REFORM_2025, {
        PROVINCE: """SELECT DISTINCT provinceCode, province, NULL, provinceLat, provinceLon, NULL,
                     provinceKeywords FROM admin_units_legacy""",
        DISTRICT: """SELECT DISTINCT districtCode, district, provinceCode, districtLat, districtLon,
                     districtType, districtKeywords FROM admin_units_legacy""",
        COMMUNE: """SELECT wardCode, ward, districtCode, wardLat, wardLon, wardType, wardKeywords
                    FROM admin_units_legacy WHERE wardCode IS NOT NULL""",
    })


@cache
def current() -> Hierarchy:
    """The 34-province hierarchy from 2025-07-01 (province -> commune: districts abolished)."""
    return _build("2025-34", REFORM_2025, None, {
        PROVINCE: """SELECT DISTINCT provinceCode, province, NULL, provinceLat, provinceLon, NULL,
                     provinceKeywords FROM admin_units""",
        COMMUNE: """SELECT wardCode, ward, provinceCode, wardLat, wardLon, wardType, wardKeywords
                    FROM admin_units""",
    })


def is_current(h: Hierarchy) -> bool:
    """Whether ``h`` is today's hierarchy (the one without an end), asked without building it."""
    return h.valid_to is None


@cache
def province_codes(today: bool) -> frozenset[str]:
    """The codes of today's provinces (``today``) or of the 63 former ones, read without building
    a hierarchy (a scope is checked in every process that reads, most of which need one only)."""
    return frozenset(r[0] for r in _rows(f"SELECT DISTINCT provinceCode FROM {'admin_units' if today else 'admin_units_legacy'}"))


#: (valid_from, valid_to, factory): the hierarchy in force over [valid_from, valid_to).
_REGISTRY: list[tuple[date | None, date | None, Callable[[], Hierarchy]]] = [
    (None, REFORM_2025, legacy),
    (REFORM_2025, None, current),
]


def hierarchy_on(day: date) -> Hierarchy:
    """The hierarchy valid on `day`."""
    for start, end, factory in _REGISTRY:
        if (start is None or start <= day) and (end is None or day < end):
            return factory()
    raise LookupError(f"no administrative hierarchy registered for {day}")


@cache
def _converter_2025() -> dict[str, tuple[str, ...]]:
    """Legacy commune code -> 2025 commune codes, from the package's converter_2025.json, whose keys
    are "<provinceKey>_<districtKey>_<wardKey>" (legacy) and "<provinceKey>", "<wardKey>" (2025)."""
    data = json.loads((_data_dir() / "converter_2025.json").read_text(encoding="utf-8"))
    old = {f"{p}_{d}_{w}": code for p, d, w, code in _rows(
        "SELECT provinceKey, districtKey, wardKey, wardCode FROM admin_units_legacy"
        " WHERE wardCode IS NOT NULL")}
    new = {(p, w): code for p, w, code in _rows("SELECT provinceKey, wardKey, wardCode FROM admin_units")}
    out: dict[str, list[str]] = defaultdict(list)
    for province, wards in data["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, parts in wards.items():
            for part in sorted(parts, key=lambda p: not p["isDefaultNewWard"]):
                out[old[old_key]].append(new[(province, part["newWardKey"])])
    for province, wards in data["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward, old_keys in wards.items():
            for old_key in old_keys:
                if old_key in old:  # not the island districts, listed as "<province>_<district>_"
                    out[old[old_key]].append(new[(province, ward)])
    return {code: tuple(dict.fromkeys(codes)) for code, codes in out.items()}


#: (old hierarchy name, new hierarchy name) -> the crosswalk between them.
_CROSSWALKS: dict[tuple[str, str], Callable[[], dict[str, tuple[str, ...]]]] = {
    ("legacy-63", "2025-34"): _converter_2025,
}


def crosswalk(old: Hierarchy, new: Hierarchy) -> dict[str, tuple[str, ...]]:
    """Old commune code -> the new commune code(s) its area went to.

    Legacy -> 2025 covers all 10 035 legacy communes (island districts have no commune and are not
    in it); a commune divided between new communes (471 of them) maps to all of those, the
    package's default one first. Bình Phước's communes are none of them.
    """
    source = _CROSSWALKS.get((old.name, new.name))
    if source is None:
        raise LookupError(f"no crosswalk from {old.name} to {new.name}")
    return source()
