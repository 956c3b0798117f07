"""Locale formats: dates, phone numbers as dialled from abroad, hours, names."""

from __future__ import annotations

import re

from .languages import LANGUAGES
from .schema import partial_date_start
from .wareki import format_wareki_month, format_wareki_year

# Types of Japanese number that can be dialled from abroad: fixed lines and mobiles.
# Toll-free (0120, 0800) and navi-dial (0570) numbers generally cannot.
_DIALLABLE_TYPES = {0, 1, 2}   # FIXED_LINE, MOBILE, FIXED_LINE_OR_MOBILE


def month_text(valid_as_of: str, lang: str, digits: str = 'half') -> str:
    """The month of a partial date: 令和8年11月 in Japanese, Babel's form elsewhere.

    やさしい日本語 takes Babel's Japanese form (2026年11月): the guidelines for easy
    Japanese prefer the Western year, which foreign residents know.
    """
    day = partial_date_start(valid_as_of)
    language = LANGUAGES[lang]
    if lang == 'ja':
        return format_wareki_month(day, digits)
    from babel.dates import format_skeleton
    return format_skeleton('yMMMM', day, locale=language.babel)


def date_text(dated: str, lang: str, digits: str = 'half') -> str:
    """A source's date at its own precision: a month (令和5年11月, November 2023), or only
    the year where the source gives only a year (令和6年, 2024): never a made-up month."""
    if len(dated) > 4:
        return month_text(dated, lang, digits)
    day = partial_date_start(dated)
    if lang == 'ja':
        return format_wareki_year(day, digits)
    from babel.dates import format_skeleton
    return format_skeleton('y', day, locale=LANGUAGES[lang].babel)


def international(number: str, prefecture_only: bool = False) -> str | None:
    """'+81 3-5607-0799' for a number that can be dialled from abroad, else None.

    The source's own grouping is kept; only the trunk 0 becomes +81.
    """
    if prefecture_only or not number.startswith('0'):
        return None
    import phonenumbers
    parsed = phonenumbers.parse(number, 'JP')
    if phonenumbers.number_type(parsed) not in _DIALLABLE_TYPES:
        return None
    return '+81 ' + number[1:]


_EVERY_DAY = re.compile(r'毎日\s*(\d{1,2}:\d{2})\s*[〜~～-]\s*(\d{1,2}:\d{2})')


def hours_text(text: str | None, lang: str, gettext) -> tuple[str | None, bool]:
    """The hours in ``lang`` where their shape is known, else the Japanese text.

    Returns the text and whether it is still Japanese (to be marked as such).
    """
    if text is None:
        return None, False
    if LANGUAGES[lang].japanese:
        return text, False
    stripped = text.strip()
    if stripped == '24時間365日':
        return gettext('24 hours a day, every day of the year'), False
    if stripped == '24時間':
        return gettext('24 hours a day'), False
    match = _EVERY_DAY.fullmatch(stripped)
    if match:
        return gettext('Every day, %(start)s–%(end)s') % {'start': match[1], 'end': match[2]}, False
    return text, True


def prefecture_name(prefecture, lang: str) -> str:
    """東京都 in Japanese; 'Tokyo (東京都)' elsewhere, by the standard romanisation."""
    if LANGUAGES[lang].japanese:
        return prefecture.name
    return f'{prefecture.name_romaji} ({prefecture.name})'


