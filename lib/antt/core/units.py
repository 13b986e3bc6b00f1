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
ambiguous and matches nothing.
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
_COMMUNE_PREFIXES = {
    "xa": "Xã", "x": "Xã",
    "phuong": "Phường", "p": "Phường", "ph": "Phường", "f": "Phường",
    "thi tran": "Thị trấn", "t tran": "Thị trấn", "t t": "Thị trấn", "tt": "Thị trấn",
    "ttr": "Thị trấn",
    "dac khu": "Đặc khu",
}
_DISTRICT_PREFIXES = {
    "huyen": "Huyện", "h": "Huyện", "thi xa": "Thị xã", "tx": "Thị xã",
    "thanh pho": "Thành phố", "tp": "Thành phố", "quan": "Quận", "q": "Quận",
}
_PROVINCE_PREFIXES = {"tinh": "Tỉnh", "thanh pho": "Thành phố", "tp": "Thành phố"}

#: Issuing bodies that may precede a district name written without its type ("CÔNG AN LỘC NINH").
_BODIES = ("cong an", "ubnd", "uy ban nhan dan", "ban thuong truc", "ubmttq", "mttq", "vn", "viet nam")

_NON_WORD = re.compile(r"[\W_]+")
_NON_KEY = re.compile(r"[^a-z0-9]+")
_LEADING_ZEROS = re.compile(r"(?<!\d)0+(?=\d)")
#: A trailing note: "(xã NTM)", "[1]", "(*)", "*", "- xã NTM".
_NOTE = re.compile(r"\s*(?:\([^()]*\)?|\[[^\[\]]*\]|[-–—]\s*\D.*|\*+)\s*$")
#: Leading row numbering: "1.", "2)", "3 -", "4 " before a name.
_NUMBERING = re.compile(r"^\s*\d{1,3}\s*(?:[.):/-]\s*|\s(?=\s*\D))")
#: Where the place ends in "Lộc Ninh, ngày 16 tháng 6 năm 2023".
_PLACE_END = re.compile(r",|\s+ng[àa]y\b", re.IGNORECASE)


def _fold(s: str) -> str:
    """NFC, lower case, no diacritics, đ -> d, only [a-z0-9 ], spaces collapsed."""
    s = unicodedata.normalize("NFD", s.lower().replace("đ", "d")).encode("ascii", "ignore").decode()
    return " ".join(_NON_KEY.sub(" ", s).split())


def _words(s: str) -> list[str]:
    """The words of a text, NFC, punctuation dropped ("TT.Lộc Ninh" -> ["TT", "Lộc", "Ninh"])."""
    return _NON_WORD.sub(" ", unicodedata.normalize("NFC", s)).split()


def _key(s: str) -> str:
    """Folded, no spaces, numbers without leading zeros: "Phường 05" -> "phuong5"."""
    if not (s.isascii() and s.isalnum()):  # most of the dataset's keywords are keys already
        s = _fold(s).replace(" ", "")
    s = s.lower()
    return _LEADING_ZEROS.sub("", s) if "0" in s else s


_KIND_KEYS = {k: _key(k) for kinds in _KINDS.values() for k in kinds}


def _spelling(s: str) -> str:
    """Letters with their diacritics, each word's marks sorted: "Hoà" = "Hòa" != "Hóa"."""
    out = []
    for word in _words(s.lower()):
        marks = unicodedata.normalize("NFD", word)
        out.append("".join(c for c in marks if not unicodedata.combining(c)))
        out.append("".join(sorted(c for c in marks if unicodedata.combining(c))))
    return "".join(out)


def _split_prefix(folded: str, prefixes: dict[str, str]) -> tuple[str | None, str]:
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


@dataclass(frozen=True)
class DistrictMatch:
    """The district-level unit and the province a title block names; `in_scope` when the district
    is found and in the scope; `evidence` the text it was found in."""

    district: Unit | None
    province: Unit | None
    in_scope: bool
    evidence: str | None


def _name_keys(u: Unit) -> tuple[str, list[str]]:
    """The folded short name, and the keys of the full and the short name (numbered: the number)."""
    folded = _fold(u.short)
    short = _LEADING_ZEROS.sub("", folded.replace(" ", ""))
    kind = _KIND_KEYS.get(u.kind) or _key(u.kind)
    if u.short == u.name:  # "Phường 1": also "1" after a type word
        return folded, [short, short[len(kind):]]
    return folded, [kind + short, short]


def _same_spelling(units: list[Unit], written: str) -> list[Unit]:
    """Of units whose keys agree, those spelt as written, diacritics included (all if none is)."""
    spelt = _spelling(written)
    same = [u for u in units if spelt == _spelling(u.name) or spelt.endswith(_spelling(u.short))]
    return same or units


class _Names:
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
            folded = _fold(" ".join(_words(variant)))
            kind, rest = _split_prefix(folded, _COMMUNE_PREFIXES)
            keys = [_LEADING_ZEROS.sub("", k.replace(" ", "")) for k in (folded, rest)[:2 if kind else 1]]
            for table in self.tables:
                if hit := next((table[k] for k in keys if k in table), None):
                    if len(hit) > 1:
                        hit = _same_spelling(hit, variant)
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
        self._communes: dict[str, _Names] = {}  # built on first use: see _communes_in
        self._memo: dict[tuple, object] = {}
        self._districts, self._provinces = _Names(), _Names()
        for u in self._units.values():
            self._children[u.parent].append(u)
            if u.level != COMMUNE:  # names without their type: "thixadongxoai" -> "dongxoai"; "hcm"
                folded, names = _name_keys(u)
                types = [_KIND_KEYS[k] for k in _KINDS[u.level]] + ["tx", "tp"]
                shorts = {next((k[len(t):] for t in types if k.startswith(t) and k != t), k)
                          for k in map(_key, keywords.get(u.code, ()))}
                index = self._districts if u.level == DISTRICT else self._provinces
                index.add(u, folded, names[1:], shorts - {names[1]})

    def _communes_in(self, code: str) -> _Names:
        """The name index of the communes in a unit, at any depth (built once, on first use)."""
        names = self._communes.get(code)
        if names is None:
            names, units = _Names(), [code]
            while units:
                for u in self._children[units.pop()]:
                    if u.level == COMMUNE:
                        folded, keys = _name_keys(u)
                        aliases = dict.fromkeys(_key(w) for w in self._keywords.get(u.code, ()))
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

    def find_district(self, texts: list[str], scope: str) -> DistrictMatch:
        """Memoised ``_find_district``."""
        key = (tuple(texts), scope)
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = self._find_district(list(texts), scope)
        return hit

    def _find_district(self, texts: list[str], scope: str) -> DistrictMatch:
        """The district-level unit a return's title block names, and the province if it names one.

        Strong evidence is a district name after a type word ("CÔNG AN HUYỆN LỘC NINH", "TX. BÌNH
        LONG", "H. BÙ ĐĂNG", "TP Đồng Xoài"): the first that resolves, maybe outside `scope` (a
        province code or "all"). Only without any, a line that is a district name of the scope (the
        place in "Lộc Ninh, ngày 16 tháng 6 năm 2023") is weak evidence. A name shared by several
        districts is resolved by the province named, then the scope, the spelling and the type.
        """
        strong: list[tuple[list[Unit], str, str, str]] = []
        weak: list[tuple[list[Unit], str, str]] = []
        province = None
        for text in texts:
            for line in str(text).splitlines():
                typed, place = self._line_evidence(line)
                for level, units, kind, written in typed:
                    if level == PROVINCE:
                        province = province or units[0]
                    else:
                        strong.append((units, kind, written, text))
                if place:
                    weak.append((*place, text))

        def pick(units: list[Unit], kind: str | None, written: str) -> Unit | None:
            for keep in (lambda us: [u for u in us if province and u.parent == province.code],
                         lambda us: [u for u in us if scope in ("all", u.parent)],
                         lambda us: _same_spelling(us, written),
                         lambda us: [u for u in us if u.kind == kind]):
                if len(units) > 1:
                    units = keep(units) or units
            return units[0] if len(units) == 1 else None

        if strong:
            found = [(pick(units, kind, written), text) for units, kind, written, text in strong]
        else:
            found = [(u, text) for units, written, text in weak
                     if (u := pick(units, None, written)) and scope in ("all", u.parent)]
        district, evidence = next(((u, t) for u, t in found if u is not None), (None, None))
        in_scope = district is not None and scope in ("all", district.parent)
        return DistrictMatch(district, province, in_scope, evidence)

    def _line_evidence(self, line: str) -> tuple[list, tuple | None]:
        """Memoised per line: the typed names in it, and (units, place) if it reads as a place line."""
        key = ("line", line)
        hit = self._memo.get(key)
        if hit is None:
            typed = list(self._typed_names(_words(line)))
            head = _PLACE_END.split(unicodedata.normalize("NFC", line), maxsplit=1)[0]
            place = _fold(head)
            while body := next((b for b in _BODIES if place.startswith(b + " ")), None):
                place = place[len(body) + 1:]
            units = self._districts.get(_key(place))
            hit = self._memo[key] = (typed, (units, head) if units and not place.isdigit() else None)
        return hit

    def _typed_names(self, words: list[str]) -> Iterable[tuple[str, list[Unit], str, str]]:
        """(level, units, type written, name as written) for each type word followed by the name of
        a province or district, the longest name (up to 6 words) first."""
        folded = [_fold(w) for w in words]
        i = 0
        while i < len(folded):
            step = 1
            for n in (2, 1):
                prefix = " ".join(folded[i:i + n])
                if prefix not in _DISTRICT_PREFIXES and prefix not in _PROVINCE_PREFIXES:
                    continue
                start = i + n
                for end in range(min(len(folded), start + 6), start, -1):
                    key = _key("".join(folded[start:end]))
                    written = " ".join(words[start:end])
                    hits = []
                    if prefix in _PROVINCE_PREFIXES and (units := self._provinces.get(key)):
                        if prefix == "tinh" or any(u.kind == "Thành phố" for u in units):
                            hits.append((PROVINCE, units, _PROVINCE_PREFIXES[prefix], written))
                    if prefix in _DISTRICT_PREFIXES and (units := self._districts.get(key)):
                        hits.append((DISTRICT, units, _DISTRICT_PREFIXES[prefix], written))
                    if hits:
                        yield from hits
                        step = end - i
                        break
                if step > 1:
                    break
            i += step

    def find_district_in_filename(self, filename: str, scope: str) -> Unit | None:
        """The one district of `scope` whose name (spaces and case ignored) a file name contains.

        Names of 4 letters or more; a name found inside another found name does not count
        ("Châu Thành" inside "Châu Thành A"). None when no district or several are found.
        """
        text = _key(Path(filename).stem)
        found: dict[str, set[str]] = defaultdict(set)
        for table in self._districts.tables:
            for key, units in table.items():
                if len(key) >= 4 and not key.isdigit() and key in text:
                    found[key].update(u.code for u in units if scope in ("all", u.parent))
        codes = {c for key, cs in found.items()
                 if not any(key != k and key in k for k in found) for c in cs}
        return self._units[codes.pop()] if len(codes) == 1 else None


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
