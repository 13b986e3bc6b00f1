"""The unit a return is from: the issuing unit its title block names, or failing that its file name.

``find_unit(h, texts, within)`` reads the texts of a title block against the hierarchy ``h``:

- strong evidence is a name after a type word: a commune in an issuer's line, which starts with the
  body ("CÔNG AN XÃ LỘC NINH", "UBND PHƯỜNG BÌNH LỘC", "CA P. TAM HIỆP") or with "ĐẶC KHU", and is
  no dated place line; a district anywhere ("CÔNG AN
  HUYỆN LỘC NINH", "TX. BÌNH LONG", "H. BÙ ĐĂNG"), a province ("CÔNG AN TỈNH ĐỒNG NAI"). The
  issuer is the lowest unit named: a commune named under its district is the commune. The type
  word decides between units of the same name at different levels ("Xã Lộc Ninh", "Huyện Lộc
  Ninh"), and a commune's type written must be the unit's ("Thị trấn Lộc Ninh" is no "Xã Lộc Ninh");
- weak evidence, used only without any typed name of a unit, is the place of "Lộc Ninh, ngày 16
  tháng 6 năm 2023": a district of the territory, else a commune of it.

A name shared by several units is resolved by the province (for a commune also the district) the
block names, then the territory, the spelling (diacritics as written) and the type. ``within`` bounds
the territory: codes of its provinces (or of its communes, for a former province after the reform),
None for the whole country. ``find_unit_in_filename`` is the last resort: the one unit of the
territory whose name a file name contains. Both are memoised: returns repeat their lines.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from antt.core.units import (COMMUNE, COMMUNE_TYPES, DISTRICT, DISTRICT_TYPES, PROVINCE, PROVINCE_TYPES,
                             Hierarchy, Unit, fold_name, name_key, name_words, same_spelling, split_type)

#: Issuing bodies that may precede a district name written without its type ("CÔNG AN LỘC NINH").
_BODIES = ("cong an", "ubnd", "uy ban nhan dan", "ban thuong truc", "ubmttq", "mttq", "vn", "viet nam")
#: Bodies before a commune's type word in an issuer's line ("CA P. TAM HIỆP").
_ISSUER_BODIES = _BODIES + ("ca",)
#: Where the place ends in "Lộc Ninh, ngày 16 tháng 6 năm 2023".
_PLACE_END = re.compile(r",|\s+ng[àa]y\b", re.IGNORECASE)
_DATED = re.compile(r"\bngay \d")
_MAX_NAME_WORDS = 6


@dataclass(frozen=True)
class TitleMatch:
    """What a title block names: ``unit`` (a district or a commune), the ``province`` named,
    ``in_scope`` when the unit lies within the bounds, the ``evidence`` text (the unit's, or the
    ambiguous name's), ``strong`` when a typed name (not only a place line) found it, ``typed`` when
    the block types any unit's name (found or not), and ``candidates`` when a typed name means
    several units nothing decides between."""

    unit: Unit | None
    province: Unit | None
    in_scope: bool
    evidence: str | None
    strong: bool = False
    typed: bool = False
    candidates: tuple[Unit, ...] = ()


class _Line(NamedTuple):
    """What one line of a title block says (see ``_line_evidence``)."""

    typed: list                       # [(level, units, type written, name written)]: provinces, districts
    commune: tuple | None             # (units, type written, name written) of the issuer's line
    commune_typed: bool               # a commune's type word opens the issuer's line (found or not)
    place: tuple | None               # (key, place as written, dated) of a place line


def find_unit(h: Hierarchy, texts: Iterable[str], within: frozenset[str] | None) -> TitleMatch:
    """The issuing unit a title block names (module docstring)."""
    return _find_unit(h, tuple(texts), within)


@lru_cache(maxsize=1 << 12)
def _find_unit(h: Hierarchy, texts: tuple[str, ...], within: frozenset[str] | None) -> TitleMatch:
    communes: list[tuple[list[Unit], str, str, str]] = []
    districts: list[tuple[list[Unit], str, str, str]] = []
    places: list[tuple[list[Unit], list[Unit], str, str]] = []
    province = None
    typed = False
    for text in texts:
        for line in str(text).splitlines():
            ev = _line_evidence(h, line)
            for level, units, kind, written in ev.typed:
                if level == PROVINCE:
                    province = province or units[0]
                else:
                    districts.append((units, kind, written, text))
            if ev.commune:
                communes.append((*ev.commune, text))
            typed = typed or ev.commune_typed
            if ev.place:
                places.append((ev.place, text))
    typed = typed or bool(districts) or bool(communes)
    named = {u.code for units, *_ in districts for u in units}

    def pick(units: list[Unit], kind: str | None, written: str) -> list[Unit]:
        for keep in (lambda us: [u for u in us if u.parent in named],
                     lambda us: [u for u in us if province and h.inside(u, frozenset((province.code,)))],
                     lambda us: [u for u in us if h.inside(u, within)],
                     lambda us: same_spelling(us, written),
                     lambda us: [u for u in us if u.kind == kind]):
            if len(units) > 1:
                units = keep(units) or units
        return units

    evidence = communes or districts
    if evidence:
        found = [(pick(units, kind, written), text) for units, kind, written, text in evidence]
        unit, text = next(((us[0], t) for us, t in found if len(us) == 1), (None, None))
        if unit is None:
            return TitleMatch(None, province, False, found[0][1], True, True, tuple(found[0][0]))
        return TitleMatch(unit, province, h.inside(unit, within), text, True, True)
    if not typed:
        found = [(_place_units(h, *place), place[1], text) for place, text in places]
        for level in (0, 1):                  # a district of the territory, else a commune of it
            for units, written, text in found:
                inside = [u for u in pick(units[level], None, written) if h.inside(u, within)]
                if len(inside) == 1:
                    return TitleMatch(inside[0], province, True, text)
    return TitleMatch(None, province, False, None, False, typed)


@lru_cache(maxsize=1 << 14)
def _line_evidence(h: Hierarchy, line: str) -> _Line:
    """The typed names in a line, a commune opening an issuer's line, and the place of a place line."""
    words = name_words(line)
    typed = list(_typed_names(h, words))
    folded = fold_name(line)
    commune, commune_typed = None, False
    if not _DATED.search(folded):
        rest = _strip(folded, _ISSUER_BODIES)
        kind, name = split_type(rest, COMMUNE_TYPES)
        # an issuer's line: a body first ("CÔNG AN", "UBND", "CA"), but for "ĐẶC KHU …" (a list of
        # communes, "Phường Thác Mơ", is no title)
        if kind is not None and (rest != folded or kind == "Đặc khu"):
            commune_typed = True
            # the words of the name, as written, after the type word
            written = words[len(words) - len(name.split()):] if name else []
            commune = _typed_commune(h, kind, written)
    head = _PLACE_END.split(unicodedata.normalize("NFC", line), maxsplit=1)[0]
    place = _strip(fold_name(head), _BODIES)
    place_line = (name_key(place), head, bool(_DATED.search(folded))) if place and not place.isdigit() else None
    return _Line(typed, commune, commune_typed, place_line)


def _place_units(h: Hierarchy, key: str, head: str, dated: bool) -> tuple[list[Unit], list[Unit]]:
    """The districts and (of a dated line) the communes a place line's place names. Looked up only
    for a block without a typed name: the country's commune index is not built for the others."""
    return h.names(DISTRICT).get(key), (h.names(COMMUNE).get(key) if dated else [])


def _strip(folded: str, bodies: tuple[str, ...]) -> str:
    while body := next((b for b in bodies if folded.startswith(b + " ")), None):
        folded = folded[len(body) + 1:]
    return folded


def _typed_commune(h: Hierarchy, kind: str, words: list[str]) -> tuple[list[Unit], str, str] | None:
    """The communes of the written type named by the first words (the longest name first)."""
    index = h.names(COMMUNE)
    for end in range(min(len(words), _MAX_NAME_WORDS), 0, -1):
        units = [u for u in index.get(name_key("".join(words[:end]))) if u.kind == kind]
        if units:
            return units, kind, " ".join(words[:end])
    return None


def _typed_names(h: Hierarchy, words: list[str]) -> Iterable[tuple[str, list[Unit], str, str]]:
    """(level, units, type written, name as written) for each type word followed by the name of
    a province or district, the longest name (up to 6 words) first."""
    folded = [fold_name(w) for w in words]
    provinces, districts = h.names(PROVINCE), h.names(DISTRICT)
    i = 0
    while i < len(folded):
        step = 1
        for n in (2, 1):
            prefix = " ".join(folded[i:i + n])
            if prefix not in DISTRICT_TYPES and prefix not in PROVINCE_TYPES:
                continue
            start = i + n
            for end in range(min(len(folded), start + _MAX_NAME_WORDS), start, -1):
                key = name_key("".join(folded[start:end]))
                written = " ".join(words[start:end])
                hits = []
                if prefix in PROVINCE_TYPES and (units := provinces.get(key)):
                    if prefix == "tinh" or any(u.kind == "Thành phố" for u in units):
                        hits.append((PROVINCE, units, PROVINCE_TYPES[prefix], written))
                if prefix in DISTRICT_TYPES and (units := districts.get(key)):
                    hits.append((DISTRICT, units, DISTRICT_TYPES[prefix], written))
                if hits:
                    yield from hits
                    step = end - i
                    break
            if step > 1:
                break
        i += step


def find_unit_in_filename(h: Hierarchy, filename: str, within: frozenset[str] | None,
                          levels: tuple[str, ...] = (DISTRICT, COMMUNE)) -> Unit | None:
    """The one unit within the bounds whose name (spaces and case ignored) a file name contains,
    at the first level of ``levels`` where any is found.

    Names of 4 letters or more; a name found inside another found name does not count
    ("Châu Thành" inside "Châu Thành A"). None when no unit or several are found.
    """
    text = name_key(Path(filename).stem)
    for level in levels:
        found: dict[str, set[str]] = defaultdict(set)
        for table in h.names(level).tables:
            for key, units in table.items():
                if len(key) >= 4 and not key.isdigit() and key in text:
                    found[key].update(u.code for u in units if h.inside(u, within))
        codes = {c for key, cs in found.items() if not any(key != k and key in k for k in found) for c in cs}
        if codes:
            return h.unit(codes.pop()) if len(codes) == 1 else None
    return None
