"""Vietnamese text: normalisation, legacy TCVN3/VNI text, cell parsers, number formatting.

Legacy codes were written by hand from the TCVN3 (ABC) and VNI Windows tables; the TCVN3 table is
also checked against glibc's iconv (TCVN5712-1) where this machine has it.
"""

import math
import shutil
import subprocess
import unicodedata
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antt.core.text import (
    Parsed,
    decode_legacy,
    encode_tcvn3,
    encode_vni,
    fold,
    format_number,
    format_percent,
    is_missing_marker,
    needs_fonts,
    nfc,
    parse_count,
    parse_mark,
    parse_number,
    parse_percent,
    parse_year,
)

TONES = "\u0301\u0300\u0309\u0303\u0323"  # sắc, huyền, hỏi, ngã, nặng
VOWELS = "aăâeêioôơuưy"
LOWER = sorted(
    {unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES} | set("ăâêôơưđ")
)
UPPER = [c.upper() for c in LOWER]
TONED_UPPER = [c for c in UPPER if any(m in unicodedata.normalize("NFD", c) for m in TONES)]
ASCII_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
FAST = settings(max_examples=200, deadline=None)


def test_the_134_letters():
    assert len(LOWER) == 67 and len(set(LOWER + UPPER)) == 134 and len(TONED_UPPER) == 60


# --- nfc and fold ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Lộc\u00a0Ninh \n", "Lộc Ninh"),
        ("Xã\tLộc  Thái", "Xã Lộc Thái"),
        (unicodedata.normalize("NFD", "Đồng Xoài"), "Đồng Xoài"),
        ("Số KDC\nđăng ký", "Số KDC đăng ký"),
        ("\u200bKDC\ufeff", "KDC"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_nfc(raw, expected):
    assert nfc(raw) == expected
    assert unicodedata.is_normalized("NFC", nfc(raw))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Lộc Ninh", "loc ninh"),
        ('KDC đạt chuẩn "An toàn về ANTT"', "kdc dat chuan an toan ve antt"),
        ("ĐỒNG XOÀI", "dong xoai"),
        (unicodedata.normalize("NFD", "Đồng  Xoài "), "dong xoai"),
        ("X. Lộc Thái (xã NTM)", "x loc thai xa ntm"),
        ("TT. Lộc Ninh", "tt loc ninh"),
        ("Số tiêu chí đã đạt (/19)", "so tieu chi da dat 19"),
        ("QP-AN", "qp an"),
        ("✓", ""),
        ("12 m²", "12 m"),
    ],
)
def test_fold(raw, expected):
    assert fold(raw) == expected


@FAST
@given(st.text())
def test_fold_is_idempotent_and_ascii(s):
    key = fold(s)
    assert fold(key) == key
    assert key.isascii() and set(key) <= set("abcdefghijklmnopqrstuvwxyz0123456789 ")
    assert key == key.strip() and "  " not in key


# --- TCVN3 and VNI ------------------------------------------------------------------------------

TCVN3_BY_HAND = {
    "á": "¸", "à": "µ", "ả": "¶", "ã": "·", "ạ": "¹", "ă": "¨", "ắ": "¾", "ằ": "»", "ẳ": "¼",
    "ẵ": "½", "ặ": "Æ", "â": "©", "ấ": "Ê", "ầ": "Ç", "ẩ": "È", "ẫ": "É", "ậ": "Ë", "é": "Ð",
    "è": "Ì", "ẻ": "Î", "ẽ": "Ï", "ẹ": "Ñ", "ê": "ª", "ế": "Õ", "ề": "Ò",
    "ể": "Ó", "ễ": "Ô", "ệ": "Ö", "í": "Ý", "ì": "×", "ỉ": "Ø", "ĩ": "Ü", "ị": "Þ", "ó": "ã",
    "ò": "ß", "ỏ": "á", "õ": "â", "ọ": "ä", "ô": "«", "ố": "è", "ồ": "å", "ổ": "æ", "ỗ": "ç",
    "ộ": "é", "ơ": "¬", "ớ": "í", "ờ": "ê", "ở": "ë", "ỡ": "ì", "ợ": "î", "ú": "ó", "ù": "ï",
    "ủ": "ñ", "ũ": "ò", "ụ": "ô", "ư": "\xad", "ứ": "ø", "ừ": "õ", "ử": "ö", "ữ": "÷", "ự": "ù",
    "ý": "ý", "ỳ": "ú", "ỷ": "û", "ỹ": "ü", "ỵ": "þ", "đ": "®",
    "Ă": "¡", "Â": "¢", "Ê": "£", "Ô": "¤", "Ơ": "¥", "Ư": "¦", "Đ": "§",
}  # fmt: skip
VNI_BY_HAND = {
    "á": "aù", "à": "aø", "ả": "aû", "ã": "aõ", "ạ": "aï", "ă": "aê", "ắ": "aé", "ằ": "aè",
    "ẳ": "aú", "ẵ": "aü", "ặ": "aë", "â": "aâ", "ấ": "aá", "ầ": "aà", "ẩ": "aå", "ẫ": "aã",
    "ậ": "aä", "ê": "eâ", "ệ": "eä", "í": "í", "ì": "ì", "ỉ": "æ", "ĩ": "ó", "ị": "ò", "ô": "oâ",
    "ộ": "oä", "ơ": "ô", "ớ": "ôù", "ợ": "ôï", "ư": "ö", "ừ": "öø", "ự": "öï", "ý": "yù",
    "ỵ": "î", "đ": "ñ", "Đ": "Ñ", "Ư": "Ö", "Ơ": "Ô", "Ấ": "AÁ", "Ỵ": "Î", "Ỉ": "Æ",
}  # fmt: skip


def test_tcvn3_table_by_hand():
    assert sorted(TCVN3_BY_HAND) == sorted(LOWER + ["Ă", "Â", "Ê", "Ô", "Ơ", "Ư", "Đ"])
    for letter, code in TCVN3_BY_HAND.items():
        assert encode_tcvn3(letter) == code, letter
        assert decode_legacy(f"x{code}x", ".VnTime")[0] == f"x{letter}x", letter


@pytest.mark.skipif(shutil.which("iconv") is None, reason="needs glibc iconv")
def test_tcvn3_table_matches_iconv():
    letters = "".join(TCVN3_BY_HAND)
    done = subprocess.run(
        ["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"],
        input=encode_tcvn3(letters).encode("latin-1"),
        capture_output=True,
        check=False,
    )
    if done.returncode:
        pytest.skip("iconv has no TCVN5712-1")
    assert unicodedata.normalize("NFC", done.stdout.decode()) == letters


def test_vni_table_by_hand():
    for letter, code in VNI_BY_HAND.items():
        assert encode_vni(letter) == code, letter
        assert decode_legacy(f"x{code}x", "VNI-Times")[0] == f"x{letter}x", letter


def decoded(expected: str, legacy: str, encoding: str) -> tuple[str, str | None]:
    """What decode_legacy returns: no encoding when the legacy text reads the same ("í" in VNI)."""
    return expected, (encoding if legacy != expected else None)


@pytest.mark.parametrize("letter", LOWER + UPPER)
def test_every_letter_round_trips(letter):
    word = f"b{letter}n"
    vni = encode_vni(word)
    assert decode_legacy(vni, "VNI-Times") == decoded(word, vni, "vni")
    upper, capitals = word.upper(), encode_tcvn3(word.upper(), capitals_font=True)
    assert decode_legacy(capitals, ".VnTimeH") == decoded(upper, capitals, "tcvn3")
    expected = word if letter not in TONED_UPPER else word.lower()  # .VnTime has no toned capitals
    tcvn3 = encode_tcvn3(word)
    assert decode_legacy(tcvn3, ".VnTime") == decoded(expected, tcvn3, "tcvn3")


@pytest.mark.parametrize(
    ("unicode", "tcvn3"),
    [
        ("Lộc Ninh", "Léc Ninh"),
        ("Đồng Xoài", "§ång Xoµi"),
        ("xã Lộc Thái", "x· Léc Th¸i"),
        ("Tổng cộng", "Tæng céng"),
        ("Tân Phú", "T©n Phó"),
        ("Người lập biểu", "Ng\xadêi lËp biÓu"),
        ("Khu dân cư", "Khu d©n c\xad"),
    ],
)
def test_encode_tcvn3(unicode, tcvn3):
    assert encode_tcvn3(unicode) == tcvn3
    assert decode_legacy(tcvn3) == (unicode, "tcvn3")
    assert decode_legacy(tcvn3, ".VnTime") == (unicode, "tcvn3")


def test_tcvn3_capitals():
    assert encode_tcvn3("LỘC NINH", capitals_font=True) == "léc ninh"
    assert encode_tcvn3("Lộc Ninh", capitals_font=True) == "léc ninh"
    assert decode_legacy("léc ninh", ".VnTimeH") == ("LỘC NINH", "tcvn3")
    assert decode_legacy("LéC NINH", ".VnTimeH") == ("LỘC NINH", "tcvn3")  # typed with caps lock
    assert decode_legacy("c«ng an huyÖn léc ninh", ".VnArialH") == ("CÔNG AN HUYỆN LỘC NINH", "tcvn3")
    assert decode_legacy("Loc Ninh", ".VnTimeH") == ("LOC NINH", "tcvn3")  # the font draws capitals
    assert encode_tcvn3("Ộ") == "é"  # no toned capitals in .VnTime: the lower-case code


@pytest.mark.parametrize(
    ("unicode", "vni"),
    [
        ("Xin chào", "Xin chaøo"),
        ("Việt Nam", "Vieät Nam"),
        ("Đồng Xoài", "Ñoàng Xoaøi"),
        ("TRƯỜNG ĐẠI HỌC", "TRÖÔØNG ÑAÏI HOÏC"),
        ("Thị xã Bình Long", "Thò xaõ Bình Long"),
    ],
)
def test_vni(unicode, vni):
    assert encode_vni(unicode) == vni
    assert decode_legacy(vni) == (unicode, "vni")
    assert decode_legacy(vni, "VNI-Times") == (unicode, "vni")


def test_decode_without_font():
    assert decode_legacy("Léc Ninh") == ("Lộc Ninh", "tcvn3")
    assert decode_legacy("  Léc   Ninh ") == ("Lộc Ninh", "tcvn3")
    assert decode_legacy("KDC ®¹t chuÈn “An toµn vÒ ANTT”") == ("KDC đạt chuẩn “An toàn về ANTT”", "tcvn3")
    assert decode_legacy("Sè §K") == ("Số ĐK", "tcvn3")
    assert decode_legacy("BIÓU THèNG K£ KÕT QU¶") == ("BIểU THốNG KÊ KếT QUả", "tcvn3")


@pytest.mark.parametrize(
    "text",
    [
        "Lộc Ninh", "Đồng Xoài", "xã Lộc Thái", "Tổng cộng", "✓", "Loc Thai", "KDC", "x", "",
        "12 m²", "café", "Tân Phú", "TÂN PHÚ", "Bình Long", "BÌNH LONG", "Xã", "Có", "CÓ", "TÊN",
        "Hoà Bình", "Müller", "naïve", "Résumé", "São Paulo", "2 × 3", "Ghi chú",
        unicodedata.normalize("NFD", "Tân Phú"),
    ],
)  # fmt: skip
def test_unicode_and_weak_evidence_untouched(text):
    assert decode_legacy(text) == (nfc(text), None)


def test_font_hint():
    assert decode_legacy("Tân Phú", ".VnTime") == ("Tõn Phỳ", "tcvn3")  # what the font shows
    assert decode_legacy("Tân Thành", ".VnTime") == ("Tân Thành", None)  # à has no TCVN3 code
    assert decode_legacy("Lộc Ninh", ".VnTime") == ("Lộc Ninh", None)
    assert decode_legacy("Tân", "VNI-Times") == ("Tân", None)  # a lone â is no VNI
    assert decode_legacy("Loc Ninh", ".VnTime") == ("Loc Ninh", None)
    assert decode_legacy("Léc Ninh", "Times New Roman") == ("Lộc Ninh", "tcvn3")


VI_TEXT = st.text(st.sampled_from(ASCII_LETTERS + "".join(LOWER + UPPER) + " "), max_size=30)


@FAST
@given(VI_TEXT)
def test_tcvn3_round_trip(s):
    assert decode_legacy(encode_tcvn3(s, capitals_font=True), ".VnTimeH")[0] == nfc(s).upper()
    lowered = "".join(c.lower() if c in TONED_UPPER else c for c in s)
    assert decode_legacy(encode_tcvn3(s), ".VnTime")[0] == nfc(lowered)


@FAST
@given(VI_TEXT)
def test_vni_round_trip(s):
    assert decode_legacy(encode_vni(s), "VNI-Times")[0] == nfc(s)


def test_needs_fonts_ignores_genuine_vietnamese():
    assert not needs_fonts([])
    assert not needs_fonts(["Bình Long", "Thanh Bình", "Lộc Ninh", "Đồng Xoài"])
    assert not needs_fonts(["Phú Riềng", "é à ô", "Tân Phú"])
    assert needs_fonts(["§ång Xoµi"])                  # TCVN3 "Đồng Xoài"
    assert needs_fonts(["Xin chaøo"])                  # VNI "Xin chào"
    assert not needs_fonts(["Số µm đo được"])          # µ beside letters only Unicode has
    # Only letters both encodings have: the fonts decide (Unicode "Thèn" or TCVN3 "Thốn").
    assert needs_fonts(["Bình Long", "X. Hoang Thèn"])


@FAST
@given(st.text(), st.sampled_from([None, ".VnTime", ".VnTimeH", "VNI-Times", "Arial"]))
def test_decode_never_raises_and_keeps_real_unicode(s, font):
    text, encoding = decode_legacy(s, font)
    assert isinstance(text, str) and encoding in (None, "tcvn3", "vni")
    if any(ord(c) > 0xFF and c not in "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ" for c in s):
        assert (text, encoding) == (nfc(s), None)


# --- cell parsers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12, Parsed(12, "ok")),
        (12.0, Parsed(12, "ok")),
        (12.5, Parsed(12.5, "ok")),
        (-3, Parsed(-3, "ok")),
        (True, Parsed(None, "invalid")),
        (None, Parsed(0, "blank")),
        (float("nan"), Parsed(0, "blank")),
        ("", Parsed(0, "blank")),
        ("   ", Parsed(0, "blank")),
        ("-", Parsed(0, "blank")),
        ("–", Parsed(0, "blank")),
        ("—", Parsed(0, "blank")),
        ("?", Parsed(None, "missing")),
        ("??", Parsed(None, "missing")),
        ("chưa có số liệu", Parsed(None, "missing")),
        ("chua co so lieu", Parsed(None, "missing")),
        ("CHƯA CÓ SỐ LIỆU", Parsed(None, "missing")),
        ("Chưa có", Parsed(None, "missing")),
        ("không có số liệu", Parsed(None, "missing")),
        ("2.100", Parsed(2100, "ok")),
        ("1.234.567", Parsed(1234567, "ok")),
        ("1.234,5", Parsed(1234.5, "ok")),
        ("12,5", Parsed(12.5, "ok")),
        ("0,125", Parsed(0.125, "ok")),
        (" 12 ", Parsed(12, "ok")),
        ("12 KDC", Parsed(12, "ok")),
        ("12 mô hình", Parsed(12, "ok")),
        ("2.100 mắt camera", Parsed(2100, "ok")),
        ("-3", Parsed(-3, "ok")),
        ("2.5", Parsed(None, "invalid")),
        ("1,234", Parsed(None, "invalid")),
        ("0.500", Parsed(None, "invalid")),
        ("abc", Parsed(None, "invalid")),
        ("12 13", Parsed(None, "invalid")),
        ("1/2", Parsed(None, "invalid")),
        ("12%", Parsed(None, "invalid")),
        ("n/a", Parsed(None, "invalid")),
        (datetime(2023, 6, 14), Parsed(None, "invalid")),
        (float("inf"), Parsed(None, "invalid")),
        (10**400, Parsed(None, "invalid")),
        ("9" * 400, Parsed(None, "invalid")),
    ],
)
def test_parse_count(value, expected):
    got = parse_count(value)
    assert got == expected and type(got.value) is type(expected.value)


def test_parse_number():
    assert parse_number("89,5") == Parsed(89.5, "ok")
    assert parse_number(89.5) == Parsed(89.5, "ok")
    assert parse_number("89") == Parsed(89, "ok")
    assert parse_number("-") == Parsed(0, "blank")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.95, 0.95),
        (95, 0.95),
        (1, 1.0),
        (1.5, 1.5),
        (150, 1.5),
        ("95%", 0.95),
        ("95,0 %", 0.95),
        ("95 %", 0.95),
        ("100%", 1.0),
        ("1%", 0.01),
        ("79,1 %", 0.791),
        ("0,95", 0.95),
        ("95", 0.95),
    ],
)
def test_parse_percent(value, expected):
    got = parse_percent(value)
    assert got.status == "ok" and got.value == pytest.approx(expected) and isinstance(got.value, float)


def test_parse_percent_other_statuses():
    assert parse_percent(None) == Parsed(None, "blank")
    assert parse_percent(" ") == Parsed(None, "blank")
    assert parse_percent("?") == Parsed(None, "missing")
    assert parse_percent("95.5%") == Parsed(None, "invalid")
    assert parse_percent("95 KDC") == Parsed(None, "invalid")
    assert parse_percent(True) == Parsed(None, "invalid")


@pytest.mark.parametrize(
    "value",
    ["x", "X", " x ", "✓", "✔", "Đạt", "ĐẠT", "đạt", "Đã đạt", "Dat", "Da dat", "Đạt chuẩn", "Có",
     "Co", "1", 1, 1.0, True, unicodedata.normalize("NFD", "Đã đạt")],
)  # fmt: skip
def test_parse_mark_yes(value):
    assert parse_mark(value) == Parsed(True, "ok")


@pytest.mark.parametrize(
    "value", ["Không", "KHÔNG", "Khong", "Chưa đạt", "Chua dat", "Chưa", "0", 0, 0.0, False, "-"]
)
def test_parse_mark_no(value):
    assert parse_mark(value) == Parsed(False, "ok")


@pytest.mark.parametrize("value", [None, "", "  ", float("nan")])
def test_parse_mark_blank(value):
    assert parse_mark(value) == Parsed(False, "blank")


@pytest.mark.parametrize("value", ["v", "Rồi", "2", 2, 0.5, "xx", "Không áp dụng", datetime(2023, 1, 1)])
def test_parse_mark_invalid(value):
    assert parse_mark(value) == Parsed(None, "invalid")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2019, Parsed(2019, "ok")),
        (2019.0, Parsed(2019, "ok")),
        ("2019", Parsed(2019, "ok")),
        ("2019 ", Parsed(2019, "ok")),
        ("năm 2019", Parsed(2019, "ok")),
        ("Năm 2019", Parsed(2019, "ok")),
        (date(2019, 6, 15), Parsed(2019, "ok")),
        (datetime(1905, 7, 11), Parsed(2019, "ok")),  # 2019 typed into a date-formatted cell
        (None, Parsed(None, "blank")),
        ("", Parsed(None, "blank")),
        ("-", Parsed(None, "blank")),
        ("?", Parsed(None, "missing")),
        (1899, Parsed(None, "invalid")),
        (2101, Parsed(None, "invalid")),
        ("19", Parsed(None, "invalid")),
        (2019.5, Parsed(None, "invalid")),
        (True, Parsed(None, "invalid")),
        ("năm nay", Parsed(None, "invalid")),
    ],
)
def test_parse_year(value, expected):
    assert parse_year(value) == expected


def test_is_missing_marker():
    for text in ("?", " ?? ", "? ?", "chưa có số liệu", "Chưa có số liệu.", "(chưa có)", "KHÔNG CÓ SỐ LIỆU"):
        assert is_missing_marker(text), text
    for value in ("", "0", "-", "không", "n/a", None, 0, float("nan")):
        assert not is_missing_marker(value), value


CELLS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
    st.text("0123456789.,-–% ?", max_size=12), st.dates(), st.datetimes(),
)  # fmt: skip
STATUSES = {"ok", "blank", "missing", "invalid"}


@FAST
@given(CELLS)
def test_parsers_never_raise(v):
    for parse in (parse_count, parse_number, parse_percent, parse_mark, parse_year):
        got = parse(v)
        assert isinstance(got, Parsed) and got.status in STATUSES
        assert (got.value is None) == (got.status in ("missing", "invalid")) or got.status == "blank"


@FAST
@given(st.integers(min_value=0, max_value=10**15))
def test_count_reads_its_own_format(n):
    assert parse_count(format_number(n)) == Parsed(n, "ok")


@FAST
@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_count_reads_plain_digits(n):
    assert parse_count(str(n)) == Parsed(n, "ok")


@FAST
@given(st.floats(min_value=-1e9, max_value=1e9))
def test_number_reads_its_own_format(x):
    got = parse_number(format_number(x, 2))
    assert got.status == "ok" and math.isclose(got.value, x, abs_tol=0.0051)


# --- formatting ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "decimals", "expected"),
    [
        (1234, 0, "1.234"),
        (1234.5, 1, "1.234,5"),
        (1234.5, 0, "1.235"),
        (2165, 0, "2.165"),
        (0, 0, "0"),
        (-1234567, 0, "-1.234.567"),
        (-0.4, 0, "0"),
        (89.25, 1, "89,3"),
        (12, 2, "12,00"),
        (10**20, 0, "100.000.000.000.000.000.000"),
        (None, 0, "–"),
        (float("nan"), 0, "–"),
    ],
)
def test_format_number(x, decimals, expected):
    assert format_number(x, decimals) == expected


@pytest.mark.parametrize(
    ("fraction", "decimals", "expected"),
    [
        (0.791, 1, "79,1 %"),
        (1.0, 1, "100,0 %"),
        (0.95, 0, "95 %"),
        (68 / 86, 1, "79,1 %"),
        (None, 1, "–"),
        (float("nan"), 1, "–"),
    ],
)
def test_format_percent(fraction, decimals, expected):
    assert format_percent(fraction, decimals) == expected
