"""Place names in the form used to find them in an address."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

_VARIANTS = str.maketrans({'ヶ': 'ケ', 'ヵ': 'カ', 'が': 'ケ', 'ガ': 'ケ', 'の': 'ノ', '之': 'ノ',
                           '　': '', ' ': ''})


def matchable(text: str) -> tuple[str, list[int]]:
    """``text`` in the form used to find place names, with each character's original index.

    NFKC per character, ケ/ヶ/が and の/ノ unified, blanks dropped.
    """
    chars, where = [], []
    for index, char in enumerate(text):
        for part in unicodedata.normalize('NFKC', char).translate(_VARIANTS):
            chars.append(part)
            where.append(index)
    return ''.join(chars), where


@dataclass(frozen=True)
class Place:
    """What a postal code names: the prefecture, the city (市区町村) and the town (町域)."""

    prefecture: str
    city: str
    town: str
