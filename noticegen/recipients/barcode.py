"""Japan Post's customer barcode (カスタマバーコード): extraction, encoding, drawing.

Sources (Japan Post, 郵便番号・バーコードマニュアル, https://www.post.japanpost.jp/zipcode/zipmanual/,
pages as stored by the research search tool on 2026-11-26):

- p12.html バーコード(3/4): the dimension table (10 pt: a/10 = 1; 8 ≤ a ≤ 11.5), the format
  (start 1 + postal code 7 + 住所表示番号 13 + check digit 1 + stop 1), a letter is a control
  code plus a digit (two places), more than 13 places are cut (a letter's control code in the
  13th place is kept), fewer are filled with CC4.
- p13.html バーコード(4/4): at least 2 mm blank above, below, left and right of the barcode;
  written horizontally, the barcode is printed alone directly below the addressee's name.
- p17.html 抜き出し法(1/9): split the address into 住所A (up to the town name, which sets the
  postal code) and 住所B (the rest, which gives the 住所表示番号).
- p18.html 抜き出し法(2/9): a representative code (「以下に掲載がない場合」) gets no barcode.
- p19.html 抜き出し法(3/9): the basic extraction rules 1–6 (quoted at ``extract``).
- p20.html 抜き出し法(4/9): postal code + data, cut after 20 places; a letter across places
  20–21 keeps its control code only.
- p21.html 抜き出し法(5/9): the check digit: the check values of the 20 characters add up,
  with the check digit's, to a multiple of 19 (0–9 → 0–9, '-' → 10, CC1–CC8 → 11–18).
- p22.html 抜き出し法(6/9): a 大口事業所 (individual) postal code is encoded alone, the 13
  address places all CC4.

What could not be read in the stored pages, and where it comes from instead:

- The supplementary rules (抜き出しの補足ルール 1–5) of p19: the stored excerpt stops at their
  first line. Their wording is quoted from the comments of a public implementation that cites
  p19 (CustomerBarcode.java, ALP Okinawa, 2016), and every example of p25 (抜き出し法 9/9) —
  transcribed, with its full character sequence, by several public test suites that cite p25
  — passes with them (tests/test_barcode.py).
- The bar table (which three bars make each character, and the start and stop codes) is a
  figure on p11 (バーコード(2/4)), not text. The table below is the one of Zint / OkapiBarcode
  (JapanPost: JAPAN_TABLE, KASUT_SET); the tests check its structure (19 distinct patterns,
  each of three bars) but could not compare it with the figure itself.
- The length of the semi-long bars is not in p12's table; it is inferred from the 4-state
  construction described there (ロングバー 6 units, タイミングバー 2 units in the middle): a
  semi-long bar runs from one end of the long bar through the timing zone, 4 units.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html import escape

from .places import Place, matchable
from .postal import lookup

# --- bar classes -------------------------------------------------------------------------

LONG = 'long'               # ロングバー: top to bottom
UPPER = 'semi-long-upper'   # セミロングバー(上): top through the timing zone
LOWER = 'semi-long-lower'   # セミロングバー(下): the timing zone to the bottom
TIMING = 'timing'           # タイミングバー: the middle only
BAR_CLASSES = (LONG, UPPER, LOWER, TIMING)

_LETTERS = {'F': LONG, 'A': UPPER, 'D': LOWER, 'T': TIMING}
# Characters in the order of Zint's KASUT_SET, each with its three bars (JAPAN_TABLE).
_TABLE = dict(zip(
    ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-',
     'CC1', 'CC2', 'CC3', 'CC4', 'CC5', 'CC6', 'CC7', 'CC8'],
    ['FFT', 'FDA', 'DFA', 'FAD', 'FTF', 'DAF', 'AFD', 'ADF', 'TFF', 'FTT', 'TFT',
     'DAT', 'DTA', 'ADT', 'TDA', 'ATD', 'TAD', 'TTF', 'FFF']))
BARS = {char: tuple(_LETTERS[letter] for letter in bars) for char, bars in _TABLE.items()}
START = (LONG, LOWER)   # STC
STOP = (LOWER, LONG)    # SPC

# p21: the check value of each barcode character.
CHECK_VALUES = {**{str(n): n for n in range(10)}, '-': 10,
                **{f'CC{n}': 10 + n for n in range(1, 9)}}
CHECK_CHARACTERS = {value: char for char, value in CHECK_VALUES.items()}
# p12: a letter is a control code and a digit: A–J CC1+0–9, K–T CC2+0–9, U–Z CC3+0–5.
LETTER_CODES = {letter: (f'CC{1 + index // 10}', str(index % 10))
                for index, letter in enumerate('ABCDEFGHIJKLMNOPQRSTUVWXYZ')}
ADDRESS_PLACES = 13
FILLER = 'CC4'


class BarcodeError(ValueError):
    """A value the customer barcode cannot hold (never a reason to print a lesser one)."""


# --- extraction (抜き出し法) ----------------------------------------------------------------

_KANJI_DIGITS = {'〇': 0, '零': 0, '一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6,
                 '七': 7, '八': 8, '九': 9}
_KANJI_UNITS = {'十': 10, '百': 100, '千': 1000}
_KANJI_NUMERAL = '[〇零一二三四五六七八九十百千]+'
# 補足ルール1: the words after which a kanji numeral is a number to extract.
_NUMBER_WORDS = ('丁目', '丁', '番地', '番', '号', '地割', '線', 'の', 'ノ')
_DROPPED = '&/・.'    # rule 2 (after NFKC: ＆ → &, ／ → /, ． → .)


def kanji_number(text: str) -> int:
    """二十一 → 21, 十九 → 19, 百五 → 105, 一〇 → 10 (digits without units read in place)."""
    if not any(char in _KANJI_UNITS for char in text):
        return int(''.join(str(_KANJI_DIGITS[char]) for char in text))
    total, digit = 0, None
    for char in text:
        if char in _KANJI_UNITS:
            total += (1 if digit is None else digit) * _KANJI_UNITS[char]
            digit = None
        else:
            digit = _KANJI_DIGITS[char]
    return total + (digit or 0)


def _supplement_1(text: str) -> str:
    """補足ルール1: a kanji numeral before 丁目, 丁, 番地, 番, 号, 地割, 線, の or ノ is
    extracted as arabic digits."""
    words = '|'.join(_NUMBER_WORDS)
    return re.sub(f'({_KANJI_NUMERAL})(?=({words}))',
                  lambda match: str(kanji_number(match.group(1))), text)


def extract_number(address_b: str) -> str:
    """The 住所表示番号 of 住所B (the address after the town name), by p19's rules.

    1. Lower-case letters become upper case.  2. ``&``, ``/``, ``・`` and ``.`` are removed.
    3. Arabic digits, hyphens and single (not consecutive) letters are extracted.
    4. What stands before an extracted character (kanji, kana, kanji numerals, blanks, two or
       more consecutive letters) becomes one hyphen.  5. Consecutive hyphens become one.
    6. A leading hyphen is removed.
    補足1: see ``_supplement_1``.  補足2: a single ``F`` after a digit is not extracted;
    補足3: but if something is extracted after it, the ``F`` becomes a hyphen.  補足4: the
    hyphens before and after a letter are removed.  補足5: letters that then stand together
    stay as they are.
    The result may be empty (nothing to extract).
    """
    text = unicodedata.normalize('NFKC', address_b).upper()                        # 1
    text = ''.join(char for char in text if char not in _DROPPED)                  # 2
    text = _supplement_1(text)
    tokens: list[tuple[str, str]] = []       # (kind, text): digit, hyphen, letter, other
    for match in re.finditer(r'[0-9]+|-+|[A-Z]+|[^0-9A-Z-]+', text):
        part = match.group()
        if part[0].isdigit():
            tokens.append(('digit', part))
        elif part[0] == '-':
            tokens.append(('hyphen', '-'))
        elif part[0].isascii() and part[0].isalpha():
            tokens.append(('letter', part) if len(part) == 1 else ('other', part))    # 3
        else:
            tokens.append(('other', part))
    # 補足2, 3: F after a digit.
    for index, (sort, part) in enumerate(tokens):
        if sort == 'letter' and part == 'F' and index and tokens[index - 1][0] == 'digit':
            later = any(k in ('digit', 'letter') for k, _ in tokens[index + 1:])
            tokens[index] = ('hyphen', '-') if later else ('other', part)
    # 4: what is not extracted becomes one hyphen when something extracted follows it.
    out: list[tuple[str, str]] = []
    for index, (sort, part) in enumerate(tokens):
        if sort != 'other':
            out.append((sort, part))
        elif any(k != 'other' for k, _ in tokens[index + 1:]):
            out.append(('hyphen', '-'))
    # A hyphen at the end carries nothing: p19's figures end on the last digit or letter
    # (not written as a rule; inferred from the examples, as other implementations do).
    while out and out[-1][0] == 'hyphen':
        out.pop()
    merged: list[tuple[str, str]] = []
    for sort, part in out:                                                         # 5
        if sort == 'hyphen' and merged and merged[-1][0] == 'hyphen':
            continue
        merged.append((sort, part))
    while merged and merged[0][0] == 'hyphen':                                     # 6
        merged.pop(0)
    result = []
    for index, (sort, part) in enumerate(merged):                                  # 補足4
        if sort == 'hyphen' and (
                (index and merged[index - 1][0] == 'letter')
                or (index + 1 < len(merged) and merged[index + 1][0] == 'letter')):
            continue
        result.append(part)
    return ''.join(result)                                                         # 補足5


def split_address(address: str, places: list[Place]) -> tuple[str, str] | None:
    """(住所A, 住所B): the address up to the town name of one of ``places``, and the rest.

    The prefecture may be left out, and so may a 郡 before a town or village, and 大字 or 字
    before the town name. None if no place's town (or, for a place without one, its city)
    is found at the start of the address.
    """
    text, where = matchable(address)
    for place in places:
        prefecture, _ = matchable(place.prefecture)
        city, _ = matchable(place.city)
        town, _ = matchable(place.town)
        cities = [city]
        county = re.match(r'(.+?郡)(.+)', city)
        if county:
            cities.append(county.group(2))
        for start in ([len(prefecture)] if text.startswith(prefecture) else []) + [0]:
            for name in cities:
                if not text.startswith(name, start):
                    continue
                position = start + len(name)
                for prefix in ('', '大字', '字'):
                    if town and text.startswith(prefix + town, position):
                        end = position + len(prefix) + len(town)
                        cut = where[end] if end < len(where) else len(address)
                        return address[:cut], address[cut:]
                if not town:
                    cut = where[position] if position < len(where) else len(address)
                    return address[:cut], address[cut:]
    return None


def extract(address: str, postal_code: str | None = None) -> str | None:
    """The 住所表示番号 of ``address``, or None when there is none to extract.

    With ``postal_code`` the address is split at the end of that code's town name (p17);
    without, ``address`` is taken as 住所B already. None when the town name cannot be found
    in the address, when the code is a representative one (p18), or when nothing can be
    extracted. A 大口事業所 code has no address number: ``''`` (p22).
    """
    if postal_code is None:
        return extract_number(address) or None
    found = lookup(postal_code)
    if found is None or found.representative:
        return None
    if found.office:
        return ''
    parts = split_address(address, found.places)
    if parts is None:
        return None
    return extract_number(parts[1]) or None


# --- encoding ----------------------------------------------------------------------------

def characters(postal: str, addr_number: str) -> list[str]:
    """The barcode characters: START, 7 + 13 data characters, the check digit, STOP."""
    digits = re.sub(r'[-\s〒]', '', unicodedata.normalize('NFKC', postal))
    if not re.fullmatch(r'\d{7}', digits):
        raise BarcodeError(f'a postal code has 7 digits, not {postal!r}')
    number = unicodedata.normalize('NFKC', addr_number).upper()
    if not re.fullmatch(r'[0-9A-Z-]*', number):
        raise BarcodeError(f'an address number holds digits, letters and hyphens, not '
                           f'{addr_number!r}')
    data = list(digits)
    for char in number:
        data.extend(LETTER_CODES[char] if char.isalpha() else [char])
    if len(data) > 7 + ADDRESS_PLACES:   # p12/p20: cut; a letter's control code is kept
        data = data[:7 + ADDRESS_PLACES]
    data += [FILLER] * (7 + ADDRESS_PLACES - len(data))
    check = (-sum(CHECK_VALUES[char] for char in data)) % 19
    return ['STC', *data, CHECK_CHARACTERS[check], 'SPC']


def encode(postal: str, addr_number: str) -> list[str]:
    """The bar classes of the customer barcode of ``postal`` and ``addr_number`` (67 bars)."""
    bars: list[str] = []
    for char in characters(postal, addr_number):
        bars.extend(START if char == 'STC' else STOP if char == 'SPC' else BARS[char])
    return bars


# --- drawing -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Dimensions:
    """p12's table at ``point`` (a): millimetres."""

    point: float = 10.0

    def __post_init__(self):
        if not 8 <= self.point <= 11.5:
            raise BarcodeError(f'the manual allows 8 to 11.5 points, not {self.point}')

    @property
    def scale(self) -> float:
        return self.point / 10

    @property
    def long(self) -> float:
        return 3.6 * self.scale

    @property
    def timing(self) -> float:
        return 1.2 * self.scale

    @property
    def semi_long(self) -> float:   # inferred: 4 of the long bar's 6 units
        return 2.4 * self.scale

    @property
    def pitch(self) -> float:
        return 1.2 * self.scale

    @property
    def width(self) -> float:
        return 0.6 * self.scale


QUIET_ZONE_MM = 2.0   # p13: at least 2 mm on every side


def draw_svg(bars: list[str], point: float = 10.0, label: str = '') -> str:
    """An inline SVG of ``bars`` at ``point``, sized in millimetres, quiet zones included."""
    size = Dimensions(point)
    quiet = QUIET_ZONE_MM
    width = quiet * 2 + size.pitch * (len(bars) - 1) + size.width
    height = quiet * 2 + size.long
    top = quiet
    timing_top = top + (size.long - size.timing) / 2
    spans = {LONG: (top, size.long), UPPER: (top, size.semi_long),
             LOWER: (timing_top, size.semi_long), TIMING: (timing_top, size.timing)}
    rects = []
    for index, bar in enumerate(bars):
        y, length = spans[bar]
        x = quiet + index * size.pitch
        rects.append(f'<rect x="{x:.4f}" y="{y:.4f}" width="{size.width:.4f}" '
                     f'height="{length:.4f}"/>')
    title = f'<title>{escape(label)}</title>' if label else ''
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="customer-barcode" '
            f'width="{width:.4f}mm" height="{height:.4f}mm" '
            f'viewBox="0 0 {width:.4f} {height:.4f}" role="img" '
            f'aria-label="カスタマバーコード">{title}<g fill="#000">{"".join(rects)}</g></svg>')


def barcode_svg(postal: str, addr_number: str, point: float = 10.0) -> str:
    """The SVG for templates: ``draw_svg(encode(postal, addr_number), point)``."""
    return draw_svg(encode(postal, addr_number), point,
                    label=' '.join(characters(postal, addr_number)))
