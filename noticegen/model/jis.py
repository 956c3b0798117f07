"""JIS X 0401 prefecture codes, names and their standard romanised forms, and reading a
prefecture as people type it (13, １３, toukyou, Tōkyō-to, 東京), with a did-you-mean."""

from __future__ import annotations

import re
import unicodedata

from .nearest import nearest

PREFECTURES: dict[str, tuple[str, str]] = {
    '01': ('北海道', 'Hokkaido'), '02': ('青森県', 'Aomori'), '03': ('岩手県', 'Iwate'),
    '04': ('宮城県', 'Miyagi'), '05': ('秋田県', 'Akita'), '06': ('山形県', 'Yamagata'),
    '07': ('福島県', 'Fukushima'), '08': ('茨城県', 'Ibaraki'), '09': ('栃木県', 'Tochigi'),
    '10': ('群馬県', 'Gunma'), '11': ('埼玉県', 'Saitama'), '12': ('千葉県', 'Chiba'),
    '13': ('東京都', 'Tokyo'), '14': ('神奈川県', 'Kanagawa'), '15': ('新潟県', 'Niigata'),
    '16': ('富山県', 'Toyama'), '17': ('石川県', 'Ishikawa'), '18': ('福井県', 'Fukui'),
    '19': ('山梨県', 'Yamanashi'), '20': ('長野県', 'Nagano'), '21': ('岐阜県', 'Gifu'),
    '22': ('静岡県', 'Shizuoka'), '23': ('愛知県', 'Aichi'), '24': ('三重県', 'Mie'),
    '25': ('滋賀県', 'Shiga'), '26': ('京都府', 'Kyoto'), '27': ('大阪府', 'Osaka'),
    '28': ('兵庫県', 'Hyogo'), '29': ('奈良県', 'Nara'), '30': ('和歌山県', 'Wakayama'),
    '31': ('鳥取県', 'Tottori'), '32': ('島根県', 'Shimane'), '33': ('岡山県', 'Okayama'),
    '34': ('広島県', 'Hiroshima'), '35': ('山口県', 'Yamaguchi'), '36': ('徳島県', 'Tokushima'),
    '37': ('香川県', 'Kagawa'), '38': ('愛媛県', 'Ehime'), '39': ('高知県', 'Kochi'),
    '40': ('福岡県', 'Fukuoka'), '41': ('佐賀県', 'Saga'), '42': ('長崎県', 'Nagasaki'),
    '43': ('熊本県', 'Kumamoto'), '44': ('大分県', 'Oita'), '45': ('宮崎県', 'Miyazaki'),
    '46': ('鹿児島県', 'Kagoshima'), '47': ('沖縄県', 'Okinawa'),
}


# The words accepted after a romanised name (tokyo-to, osaka-fu, ibaraki-ken, saitama
# prefecture), and the characters after a Japanese one (東京都, 大阪府). 北海道's 道 is part of
# its romanised name. A wrong suffix (osaka-ken, 大阪県) still names one prefecture.
_ROMANISED_SUFFIXES = ('', 'to', 'fu', 'ken', 'prefecture')
_SUFFIXES = ('', '都', '道', '府', '県')


def fold(romaji: str) -> str:
    """A romanised name in the form in which names are compared; '' if it is not one.

    Case, accents and the long-vowel spellings of wāpuro, Hepburn and passports are folded:
    ō ô ou oo oh → o, ū û uu → u, ā â → a ('ei' is kept); spaces, hyphens and dots are
    dropped. So hokkaidou, Hokkaidō, HOKKAIDO and Hokkai-do all fold to hokkaido.
    """
    text = unicodedata.normalize('NFKD', romaji.casefold())
    text = ''.join(char for char in text
                   if not unicodedata.combining(char) and char not in " -'’._\t")
    if not re.fullmatch(r'[a-z]+', text):
        return ''
    text = re.sub(r'o[ou]+', 'o', text)
    text = re.sub(r'oh(?![aiueoy])', 'o', text)
    return re.sub(r'uu+', 'u', text)


def _keys(names: dict[str, str], suffixes: tuple[str, ...]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for code, name in names.items():
        for suffix in suffixes:
            assert keys.setdefault(name + suffix, code) == code, name + suffix
    return keys


_ROMANISED = _keys({code: fold(romaji) for code, (_, romaji) in PREFECTURES.items()},
                   _ROMANISED_SUFFIXES)
_JAPANESE = _keys({code: name[:-1] for code, (name, _) in PREFECTURES.items()}, _SUFFIXES)


def _normalize(value: str) -> str:
    return unicodedata.normalize('NFKC', value).strip()


def resolve(value: str) -> str | None:
    """Return the code for a code ('13', '8', '１３'), a romanised name ('tokyo', 'toukyou',
    'Tōkyō-to') or a Japanese name (東京都, 東京); None if it is none of these."""
    value = _normalize(value)
    if value.isascii() and value.isdigit():
        code = f'{int(value):02d}'
        return code if code in PREFECTURES else None
    if value in _JAPANESE:
        return _JAPANESE[value]
    return _ROMANISED.get(fold(value)) if fold(value) else None


def describe(code: str) -> str:
    """'13' → 'tokyo (13 東京都)', as suggestions name a prefecture."""
    name, romaji = PREFECTURES[code]
    return f'{romaji.lower()} ({code} {name})'


def suggest(value: str, limit: int = 3) -> list[str]:
    """The codes of the prefectures whose code or name is closest to ``value``, best first."""
    value = _normalize(value)
    if value.isascii() and value.isdigit():
        return nearest(value.zfill(2), ((code, code) for code in PREFECTURES), 0.6, limit)
    if fold(value):
        return nearest(fold(value), _ROMANISED.items(), 0.6, limit)
    # Most Japanese names have two characters: one right character is a hint.
    return nearest(value, _JAPANESE.items(), 0.5, limit)


def parse_prefecture(value: str) -> str:
    """Like ``resolve``, but raises ValueError with a did-you-mean for an unknown value."""
    code = resolve(value)
    if code is not None:
        return code
    codes = suggest(value)
    if codes:
        raise ValueError(f'{value!r} is not a prefecture; did you mean '
                         f'{" or ".join(describe(code) for code in codes)}?')
    raise ValueError(f'{value!r} is not a prefecture (use a JIS code 01-47 such as 13, '
                     f'a romanised name such as tokyo, or 東京都)')
