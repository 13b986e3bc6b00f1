"""Vietnamese text: normalisation, matching keys, legacy TCVN3/VNI text, cell-value parsers, formatting.

Pure functions, no I/O. Legacy text is what a cell typed with a TCVN3 (ABC: .VnTime, .VnTimeH) or
VNI (VNI-Times) font reads as in Unicode: garbled Latin-1 ("Léc Ninh" for "Lộc Ninh", "Vieät Nam"
for "Việt Nam"). The cell parsers never raise: they return a value and a status.
"""

from __future__ import annotations

import math
import numbers
import re
import sys
import unicodedata
from datetime import date, datetime
from decimal import MAX_PREC, ROUND_HALF_UP, Context, Decimal
from functools import lru_cache
from typing import NamedTuple

__all__ = [
    "Parsed",
    "decode_legacy",
    "encode_tcvn3",
    "encode_vni",
    "fold",
    "format_number",
    "format_percent",
    "is_missing_marker",
    "needs_fonts",
    "nfc",
    "parse_count",
    "parse_mark",
    "parse_number",
    "parse_percent",
    "parse_year",
]

# ---------------------------------------------------------------------------------------------
# Normalisation and matching keys

_ZERO_WIDTH = {0x200B: None, 0xFEFF: None}
_NON_KEY = re.compile(r"[^a-z0-9]+")
# Combining marks vanish, đ becomes d (it has no decomposition).
_FOLD = {cp: None for cp in range(0x300, 0x370)} | {ord("đ"): "d"}


def nfc(s: str) -> str:
    """NFC-normalise; turn NBSP, tabs and line breaks into spaces; collapse runs of spaces; strip."""
    if not s.isascii():
        s = unicodedata.normalize("NFC", s).translate(_ZERO_WIDTH)
    return " ".join(s.split())             # the white space of ``\s``, without a regular expression


@lru_cache(maxsize=1 << 16)
def fold(s: str) -> str:
    """Matching key: lower case, no diacritics, đ -> d, only ``[a-z0-9 ]`` ("Lộc Ninh" -> "loc ninh")."""
    s = unicodedata.normalize("NFD", nfc(s).lower()).translate(_FOLD)
    return _NON_KEY.sub(" ", s).strip()


# ---------------------------------------------------------------------------------------------
# The Vietnamese letters and their legacy codes

_TONES = "\u0301\u0300\u0309\u0303\u0323"  # sắc, huyền, hỏi, ngã, nặng: the VNI key order 1-5
# Each vowel with its six forms (no tone, then the tones above), as TCVN3 codes and VNI strings.
_TCVN3_FORMS = {
    "a": "a¸µ¶·¹", "ă": "¨¾»¼½Æ", "â": "©ÊÇÈÉË", "e": "eÐÌÎÏÑ", "ê": "ªÕÒÓÔÖ", "i": "iÝ×ØÜÞ",
    "o": "oãßáâä", "ô": "«èåæçé", "ơ": "¬íêëìî", "u": "uóïñòô", "ư": "\xadøõö÷ù", "y": "yýúûüþ",
}  # fmt: skip
_TCVN3_OTHER = {"Ă": "¡", "Â": "¢", "Ê": "£", "Ô": "¤", "Ơ": "¥", "Ư": "¦", "Đ": "§", "đ": "®"}
_VNI_FORMS = {
    "a": "a aù aø aû aõ aï", "ă": "aê aé aè aú aü aë", "â": "aâ aá aà aå aã aä",
    "e": "e eù eø eû eõ eï", "ê": "eâ eá eà eå eã eä", "i": "i í ì æ ó ò",
    "o": "o où oø oû oõ oï", "ô": "oâ oá oà oå oã oä", "ơ": "ô ôù ôø ôû ôõ ôï",
    "u": "u uù uø uû uõ uï", "ư": "ö öù öø öû öõ öï", "y": "y yù yø yû yõ î",
}  # fmt: skip


def _letter(vowel: str, tone: int) -> str:
    return unicodedata.normalize("NFC", vowel + _TONES[tone - 1]) if tone else vowel


#: lower-case toned letter -> (letter without tone, tone 1-5)
_TONED = {_letter(v, t): (v, t) for v in _TCVN3_FORMS for t in range(1, 6)}
# The 134 letters outside ASCII: 12 vowels x 6 forms + đ, both cases, less the 12 plain vowels.
_LETTERS = frozenset(
    c for v in _TCVN3_FORMS for t in range(6) for c in (_letter(v, t), _letter(v, t).upper())
) - set("aeiouyAEIOUY") | {"đ", "Đ"}

# code -> letter, for every code outside ASCII ("ý" is its own code).
_TCVN3_DECODE = dict(zip(_TCVN3_OTHER.values(), _TCVN3_OTHER))
_VNI_DECODE = {"ñ": "đ", "Ñ": "Đ"}
for _v in _TCVN3_FORMS:
    for _t, (_code, _vni) in enumerate(zip(_TCVN3_FORMS[_v], _VNI_FORMS[_v].split())):
        if not _code.isascii():
            _TCVN3_DECODE[_code] = _letter(_v, _t)
        if not _vni.isascii():
            _VNI_DECODE[_vni] = _letter(_v, _t)
            _VNI_DECODE[_vni.upper()] = _letter(_v, _t).upper()
del _v, _t, _code, _vni
_TCVN3_CODES = frozenset(_TCVN3_DECODE)
_TCVN3_DEC = str.maketrans(_TCVN3_DECODE)
_TCVN3_ENCODE = {u: c for c, u in _TCVN3_DECODE.items()}
# .VnTime has no capitals with a tone mark: they are typed with the lower-case code.
_TCVN3_ENC = str.maketrans(_TCVN3_ENCODE | {u.upper(): _TCVN3_ENCODE[u] for u in _TONED})
_VNI_ENC = str.maketrans({u: c for c, u in _VNI_DECODE.items()})
_VNI_RE = re.compile("|".join(sorted(map(re.escape, _VNI_DECODE), key=len, reverse=True)))


def _decode_vni(s: str) -> str:
    return _VNI_RE.sub(lambda m: _VNI_DECODE[m[0]], s)


def encode_tcvn3(s: str, capitals_font: bool = False) -> str:
    """Unicode -> the text a cell typed in TCVN3 reads as (font .VnTime).

    .VnTime has no capitals with tone marks; they get the lower-case code, as TCVN3 keyboards do.
    With ``capitals_font`` the codes of ``s.lower()`` are written, for the .VnTimeH font that draws
    them as capitals.
    """
    s = unicodedata.normalize("NFC", s)
    return (s.lower() if capitals_font else s).translate(_TCVN3_ENC)


def encode_vni(s: str) -> str:
    """Unicode -> the text a cell typed in VNI (font VNI-Times) reads as ("Việt" -> "Vieät")."""
    return unicodedata.normalize("NFC", s).translate(_VNI_ENC)


# ---------------------------------------------------------------------------------------------
# Detecting legacy text

# Characters a legacy cell can hold: Latin-1 and what Windows-1252 puts in 0x80-0x9F (“ ” – …).
_NOT_LEGACY = re.compile(
    "[^\x00-\xff" + re.escape(bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore")) + "]"
)
_LATIN1_LETTERS = frozenset(c for c in map(chr, range(0xC0, 0x100)) if c.isalpha())
# Letters that TCVN3 text never holds (no code), so their presence says the text is Unicode.
_NOT_TCVN3 = re.compile("[" + "".join(sorted(_LATIN1_LETTERS - _TCVN3_CODES)) + "]")
_VI_LATIN1 = _LETTERS & _LATIN1_LETTERS
# A word: ASCII letters, TCVN3 codes, Latin-1 letters.
_WORD = re.compile("[A-Za-z" + re.escape("".join(sorted(_TCVN3_CODES | _LATIN1_LETTERS))) + "]+")
# Letters read both as Unicode Vietnamese and as TCVN3 codes, weighed by how much more common
# the TCVN3 letter is in Vietnamese text: +1 é (ộ), è (ố); -1 where the Unicode letter wins.
_TCVN3_LEAN = {"é": 1, "è": 1, "á": -1, "â": -1, "ã": -1, "ì": -1, "ò": -1, "ô": -1, "ú": -1}

# A syllable: onset, then rhyme (the k/c spelling rule aside for Unicode text, which also holds
# names such as "Kô").
_ONSET = "(ngh(?=[ieê])|ng(?![ieê])|gh(?=[ieê])|gi|ch|kh|nh|ph|qu|th|tr|g(?![eê])|{kc}|[bdđhlmnprstvx])?"
_RHYMES = """a ai ao au ay ac ach ak am an ang anh ap at ăc ăk ăm ăn ăng ăp ăt âc âk âm ân âng âp ât âu ây
    e eo ec ek em en eng ep et ê êu êch êk êm ên ênh êp êt i ia iu ich ik im in inh ip it
    iêc iêm iên iêng iêp iêt iêu yêm yên yêt yêu o oi oc ok om on ong op ot ooc oong
    oa oai oay oao oac oach oam oan oang oanh oap oat oăc oăm oăn oăng oăt oe oeo oen oet
    ô ôi ôc ôk ôm ôn ông ôp ôt ơ ơi ơk ơm ơn ơp ơt u ua ui uc uk um un ung up ut uơ uân uâng uât uây
    uê uêch uênh uy uya uyu uych uynh uyt uyp uyên uyêt uôc uôi uôm uôn uông uôt
    ư ưa ưi ưu ưc ưk ưm ưn ưng ưt ươc ươi ươm ươn ương ươp ươt ươu y ynh yt ych"""
_SYLLABLE_PATTERN = _ONSET + "(?:" + "|".join(sorted(_RHYMES.split(), key=len, reverse=True)) + ")"
_ABBREVIATION = re.compile("[BCDĐFGHJKLMNPQRSTVWXZ]+")
_SYLLABLE = {
    True: re.compile(_SYLLABLE_PATTERN.replace("{kc}", "k(?=[ieêy])|c(?![ieêy])")),
    False: re.compile(_SYLLABLE_PATTERN.replace("{kc}", "k|c")),
}
_NUCLEUS = re.compile("[aăâeêioôơuưy]*")
_STOP_FINAL = re.compile("(?:c|ch|k|p|t)$")


@lru_cache(maxsize=1 << 14)
def _is_syllable(word: str, spelling: bool = True) -> bool:
    """Is ``word`` one Vietnamese syllable, its tone mark (one at most) where Vietnamese puts it
    and only sắc/nặng before c, ch, k, p, t; or an abbreviation of capital consonants ("ĐK")?"""
    if _ABBREVIATION.fullmatch(word):
        return True
    bare, tones = [], []
    for i, ch in enumerate(word.lower()):
        base, tone = _TONED.get(ch, (ch, 0))
        bare.append(base)
        if tone:
            tones.append((i, tone))
    bare_word = "".join(bare)
    m = _SYLLABLE[spelling].fullmatch(bare_word)
    if not tones:
        return bool(m)
    if not m or len(tones) > 1:
        return False
    (at, tone), start = tones[0], max(m.end(1), 0)
    if tone not in (1, 5) and _STOP_FINAL.search(bare_word):
        return False
    # Tone on the last vowel with a diacritic (ươ: on ơ); else on the last vowel before a final
    # consonant; else on the only, the first (also the second of oa, oe, uy), or the middle vowel.
    nucleus = _NUCLEUS.match(bare_word, start)[0]
    marked = [k for k, c in enumerate(nucleus) if c in "ăâêôơư"]
    if marked:
        return at - start == marked[-1]
    if start + len(nucleus) < len(bare_word) or len(nucleus) == 1:
        return at - start == len(nucleus) - 1
    if len(nucleus) == 2:
        return at == start or (at == start + 1 and nucleus in ("oa", "oe", "uy"))
    return at - start == 1


@lru_cache(maxsize=1 << 14)
def _readings(word: str) -> tuple[bool, bool, bool]:
    """Does ``word`` read as Vietnamese as it stands, decoded as TCVN3, decoded as VNI?"""
    as_unicode = (
        all(c.isascii() or c in _VI_LATIN1 for c in word)
        and (word.islower() or word.isupper() or word.istitle())
        and _is_syllable(word, spelling=False)
    )
    as_tcvn3 = all(c.isascii() or c in _TCVN3_CODES for c in word) and _is_syllable(
        word.translate(_TCVN3_DEC)
    )
    as_vni = _VNI_RE.sub("", word).isascii() and _is_syllable(_decode_vni(word))
    return as_unicode, as_tcvn3, as_vni


def _detect(text: str) -> str | None:
    """The legacy encoding that reads more of the text's non-ASCII words as Vietnamese syllables
    than Unicode does (and at least half of them), or None."""
    words = [w for w in _WORD.findall(text) if not w.isascii() and (len(w) > 1 or w.isalpha())]
    if not words:
        return None
    unicode_ok, tcvn3_ok, vni_ok = (sum(col) for col in zip(*map(_readings, words)))
    if tcvn3_ok != vni_ok:
        encoding = "tcvn3" if tcvn3_ok > vni_ok else "vni"
    else:  # VNI's base + mark pairs ("aø") and its ơ ư đ ị (ô ö ñ ò) tip it: rare in TCVN3 text
        vni = any(len(m[0]) == 2 or m[0] in "ôöñò" for m in _VNI_RE.finditer(text))
        encoding = "vni" if vni else "tcvn3"
    ok = max(tcvn3_ok, vni_ok)
    if not ok or 2 * ok < len(words) or ok < unicode_ok:
        return None
    if ok == unicode_ok:  # both readings hold: TCVN3 only when its letters are likelier
        lean = sum(_TCVN3_LEAN.get(c, 0) for w in words for c in w)
        return "tcvn3" if encoding == "tcvn3" and lean > 0 else None
    return encoding


_VNI_FONT = re.compile(r"vni[-_ ]", re.IGNORECASE)


def _font_hint(font: str | None) -> tuple[str | None, bool]:
    """(encoding, capitals) that a font name implies."""
    name = (font or "").strip()
    if name[:3].lower() == ".vn":
        return "tcvn3", name.endswith("H")
    if _VNI_FONT.match(name):
        return "vni", False
    return None, False


@lru_cache(maxsize=1 << 16)
def decode_legacy(s: str, font: str | None = None) -> tuple[str, str | None]:
    """Detect and decode TCVN3 or VNI text; return ``(nfc text, "tcvn3" | "vni" | None)``.

    None: nothing was decoded (Unicode or plain text, or weak evidence); the text is only ``nfc``'d.
    ``font`` is the cell's font name: ".Vn..." means TCVN3 (ending in "H", e.g. ".VnTimeH": drawn
    as capitals, so the result is upper case), "VNI-..." means VNI; the text is then decoded unless
    it holds letters that encoding never produces. Without a font hint, the text is decoded when
    more of its words read as Vietnamese syllables decoded than as they stand; on a tie, TCVN3 wins
    only on letters far likelier in TCVN3 ("Léc" -> "Lộc"), so "Tân Phú" or "Có" stay as they are.
    """
    text = nfc(s)
    if _NOT_LEGACY.search(s):
        return text, None
    encoding, capitals = _font_hint(font)
    if encoding == "tcvn3" and _NOT_TCVN3.search(text):
        return text, None
    if encoding == "vni" and not set(_VNI_RE.sub("", text)).isdisjoint(_LATIN1_LETTERS):
        return text, None
    if encoding is None:
        encoding = _detect(text)
    if encoding == "tcvn3":
        decoded = text.translate(_TCVN3_DEC)
        decoded = decoded.upper() if capitals else decoded
    elif encoding == "vni":
        decoded = _decode_vni(text)
    else:
        return text, None
    return (decoded, encoding) if decoded != text else (text, None)


# Characters TCVN3 (ABC) or VNI text produces when read as Latin-1 and that Unicode Vietnamese
# never contains. à á â ã è é ê ì í ò ó ô õ ù ú ý are left out on purpose ("Bình Long" must not
# count); the list is the one tried on real returns, not derived from the tables above.
_LEGACY_MARKS = re.compile("[%s]" % re.escape("§µ¸¹¶·ªº»¼½¾ÆÇËÎÏÐÑÖ×ØÛÜÞßæçëîïðñö÷øûüþ¡¢£¤¥¦¨©«¬\xad®"))
# Letters only Unicode Vietnamese has (ă đ ĩ ũ ơ ư and U+1EA0-U+1EF9): no legacy text holds them.
_UNICODE_ONLY = re.compile("[" + "".join(sorted(_LETTERS - _LATIN1_LETTERS)) + "]")


def needs_fonts(texts: list[str]) -> bool:
    """Whether a workbook's texts may be legacy TCVN3/VNI, so that the fonts of its cells are worth
    reading: a character only such text produces, in a text without a letter only Unicode has; or
    a text :func:`decode_legacy` reads as legacy without a font ("X. Hoang Thèn" is Unicode in Times
    New Roman, "X. Hoang Thốn" in .VnTime)."""
    if _LEGACY_MARKS.search("\n".join(texts)) is not None and any(
            _LEGACY_MARKS.search(t) and not _UNICODE_ONLY.search(t) for t in texts):
        return True
    return any(decode_legacy(t, None)[1] is not None for t in texts if not t.isascii())


# ---------------------------------------------------------------------------------------------
# Cell values


class Parsed(NamedTuple):
    """A parsed cell: ``value`` (None when not available) and ``status``."""

    value: object
    status: str  # "ok" | "blank" | "missing" | "invalid"


_INVALID = Parsed(None, "invalid")
_MISSING = Parsed(None, "missing")
_DASH = re.compile(r"[-–—−]+")
_QUESTION = re.compile(r"[?？][?？ ]*")
_MISSING_KEYS = frozenset({"chua co so lieu", "chua co", "khong co so lieu"})
# Vietnamese number format: dots group thousands (exactly 3 digits), comma before decimals.
_NUMBER = re.compile(
    r"(?P<sign>[-+−–] ?)?(?P<int>[1-9][0-9]{0,2}(?:\.[0-9]{3})+|[0-9]+)(?:,(?P<frac>[0-9]+))?"
)
_UNIT = re.compile(r" ?[^\W\d_][^\d]*")  # "12 KDC", "12 mô hình"
_PERCENT = re.compile(r" ?%")


def _is_null(v) -> bool:
    """None, NaN, or pandas NA/NaT."""
    if v is None or type(v).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(v, numbers.Real) and not isinstance(v, numbers.Integral) and math.isnan(v)


def _number_value(v) -> float | int | None:
    """A real (not bool) within float range as int when whole, else float; None otherwise."""
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        return None
    if isinstance(v, numbers.Integral):
        return int(v) if abs(v) <= sys.float_info.max else None
    x = float(v)
    if not math.isfinite(x):
        return None
    return int(x) if x.is_integer() else x


def _text_number(text: str, suffix: re.Pattern) -> float | int | None:
    """Vietnamese number text followed by what ``suffix`` allows; None when invalid or ambiguous
    ("2.5", "1,234": English-looking)."""
    m = _NUMBER.match(text)
    if not m or (m.end() < len(text) and not suffix.fullmatch(text, m.end())):
        return None
    digits, frac = m["int"], m["frac"]
    if frac and len(frac) == 3 and "." not in digits and len(digits) <= 3 and digits[0] != "0":
        return None  # "1,234": a thousands comma in English
    digits = digits.replace(".", "")
    x = _number_value(float(f"{digits}.{frac}") if frac else int(digits))
    return -x if x is not None and m["sign"] and m["sign"][0] != "+" else x


def parse_number(v) -> Parsed:
    """A number cell: a number, or text such as "2.100", "1.234,5", "12,5", "12 KDC", "-3".

    Blank or a dash -> ``Parsed(0, "blank")``; "?", "chưa có số liệu" -> missing; bool, dates,
    ambiguous text ("2.5", "1,234") and anything else -> invalid. Whole floats become int.
    """
    if isinstance(v, str):
        text = nfc(v)
        if not text or _DASH.fullmatch(text):
            return Parsed(0, "blank")
        x = _text_number(text, _UNIT)
        if x is None:
            return _MISSING if is_missing_marker(text) else _INVALID
    elif _is_null(v):
        return Parsed(0, "blank")
    else:
        x = _number_value(v)
    return _INVALID if x is None else Parsed(x, "ok")


def parse_count(v) -> Parsed:
    """A count cell, read as :func:`parse_number`; the caller flags non-integers and negatives."""
    return parse_number(v)


def parse_percent(v) -> Parsed:
    """A percentage as a fraction: 0.95, 95, "95%", "95,0 %" -> 0.95.

    Text with "%" is always a percent. Otherwise a number above 1.5 is a percent (95 -> 0.95) and
    one up to 1.5 a fraction (0.95 -> 0.95, 1 -> 1.0). Blank or a dash -> ``Parsed(None, "blank")``.
    """
    percent = False
    if isinstance(v, str):
        text = nfc(v)
        if not text or _DASH.fullmatch(text):
            return Parsed(None, "blank")
        x = _text_number(text, _PERCENT)
        if x is None:
            return _MISSING if is_missing_marker(text) else _INVALID
        percent = text.endswith("%")
    elif _is_null(v):
        return Parsed(None, "blank")
    else:
        x = _number_value(v)
        if x is None:
            return _INVALID
    return Parsed(round(x / 100, 12) if percent or x > 1.5 else float(x), "ok")


_YES = frozenset({"x", "dat", "da dat", "dat chuan", "da dat chuan", "co", "1"})
_NO = frozenset({"khong", "khong dat", "chua dat", "chua dat chuan", "chua", "0"})


def parse_mark(v) -> Parsed:
    """A yes/no mark: "x", "✓", "Đạt", "Đã đạt", "Có", 1, True -> True; "Không", "Chưa đạt",
    "Chưa", "-", 0, False -> False (any case, with or without diacritics).

    Blank -> ``Parsed(False, "blank")``; anything else ("v", "2") -> invalid.
    """
    if isinstance(v, str):
        text = nfc(v)
        if not text:
            return Parsed(False, "blank")
        if text in ("✓", "✔"):
            return Parsed(True, "ok")
        if _DASH.fullmatch(text):
            return Parsed(False, "ok")
        key = fold(text)
        return Parsed(True, "ok") if key in _YES else Parsed(False, "ok") if key in _NO else _INVALID
    if _is_null(v):
        return Parsed(False, "blank")
    if isinstance(v, bool):
        return Parsed(v, "ok")
    x = _number_value(v)
    return Parsed(x == 1, "ok") if x in (0, 1) else _INVALID


_YEAR = re.compile(r"(?:nam )?([0-9]{4})")
_EXCEL_EPOCH = date(1899, 12, 30)


def parse_year(v) -> Parsed:
    """A year: 2019, 2019.0, "2019", "năm 2019" -> 2019; outside 1900-2100 -> invalid.

    A date gives its year, except a date in 1905 that is a year typed into a date-formatted cell
    (Excel serial 1900-2100: 2019 shows as 11/07/1905), which gives the serial.
    Blank or a dash -> ``Parsed(None, "blank")``.
    """
    if isinstance(v, str):
        text = nfc(v)
        if not text or _DASH.fullmatch(text):
            return Parsed(None, "blank")
        m = _YEAR.fullmatch(fold(text))
        if not m:
            return _MISSING if is_missing_marker(text) else _INVALID
        year = int(m[1])
    elif _is_null(v):
        return Parsed(None, "blank")
    elif isinstance(v, date):
        days = ((v.date() if isinstance(v, datetime) else v) - _EXCEL_EPOCH).days
        year = days if 1900 <= days <= 2100 else v.year
    else:
        year = _number_value(v)
    return Parsed(year, "ok") if isinstance(year, int) and 1900 <= year <= 2100 else _INVALID


def is_missing_marker(v) -> bool:
    """Is ``v`` text saying the figure is not available ("?", "??", "chưa có số liệu", "chưa có",
    "không có số liệu"), as opposed to zero?"""
    return isinstance(v, str) and (bool(_QUESTION.fullmatch(nfc(v))) or fold(v) in _MISSING_KEYS)


# ---------------------------------------------------------------------------------------------
# Formatting for readers

_DECIMAL = Context(prec=MAX_PREC, rounding=ROUND_HALF_UP)
_VI_SEPARATORS = str.maketrans(",.", ".,")


def _decimal(x) -> Decimal | None:
    """An int exactly, another finite real by its shortest repr; None for None, NaN, inf, other."""
    if isinstance(x, numbers.Integral):
        return Decimal(int(x))
    if not isinstance(x, numbers.Real) or not math.isfinite(x):
        return None
    return Decimal(repr(float(x)))


def _format(x: Decimal | None, decimals: int) -> str:
    if x is None:
        return "–"
    q = _DECIMAL.quantize(x, Decimal(1).scaleb(-decimals))
    return f"{abs(q) if q == 0 else q:,f}".translate(_VI_SEPARATORS)


def format_number(x, decimals: int = 0) -> str:
    """Vietnamese format, half rounded up: 1234 -> "1.234"; (1234.5, 1) -> "1.234,5"; None/NaN -> "–"."""
    return _format(_decimal(x), decimals)


def format_percent(fraction, decimals: int = 1) -> str:
    """A fraction as a Vietnamese percentage: 0.791 -> "79,1 %"; 1.0 -> "100,0 %"; None/NaN -> "–"."""
    x = _decimal(fraction)
    return "–" if x is None else _format(_DECIMAL.multiply(x, 100), decimals) + " %"


def format_target(fraction: float) -> str:
    """A target share as it is written: 0.95 -> "95 %"; 0.925 -> "92,5 %" (a decimal only where it has one)."""
    return format_percent(fraction, 0 if round(fraction * 100, 6).is_integer() else 1)
