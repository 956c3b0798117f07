"""Japanese era (和暦) dates and the width of generated numerals."""

from __future__ import annotations

from datetime import date

# (first day, era name), newest first.
ERAS = (
    (date(2019, 5, 1), '令和'),
    (date(1989, 1, 8), '平成'),
    (date(1926, 12, 25), '昭和'),
)

_FULLWIDTH = str.maketrans('0123456789', '０１２３４５６７８９')


def widen(text: str, digits: str) -> str:
    """Return ``text`` with ASCII digits made full-width when ``digits`` is 'full'."""
    return text.translate(_FULLWIDTH) if digits == 'full' else text


def era_year(day: date) -> tuple[str, int]:
    """Return the era name and era year of ``day``."""
    for start, name in ERAS:
        if day >= start:
            return name, day.year - start.year + 1
    raise ValueError(f'{day.isoformat()} is before 昭和 (1926-12-25)')


def _year_text(year: int, digits: str) -> str:
    return '元' if year == 1 else widen(str(year), digits)


def format_wareki(day: date, digits: str = 'half') -> str:
    """Format ``day`` as 令和6年10月8日; year 1 is 元年."""
    era, year = era_year(day)
    return (f'{era}{_year_text(year, digits)}年'
            f'{widen(str(day.month), digits)}月{widen(str(day.day), digits)}日')


def format_wareki_month(day: date, digits: str = 'half') -> str:
    """Format the month of ``day`` as 令和6年10月."""
    era, year = era_year(day)
    return f'{era}{_year_text(year, digits)}年{widen(str(day.month), digits)}月'


def format_wareki_year(day: date, digits: str = 'half') -> str:
    """Format the year of ``day`` as 令和6年."""
    era, year = era_year(day)
    return f'{era}{_year_text(year, digits)}年'
