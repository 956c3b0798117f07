"""The click callbacks that turn option values into the Options' types, shared by every
command group (cli.py, confirm, recipients, merge): each raises click.BadParameter with
the parser's own message, so that a bad value reads the same wherever it is given."""

from __future__ import annotations


def _bad(exception: ValueError):
    import click
    return click.BadParameter(str(exception))


def iso_date(context, parameter, value):
    """YYYY-MM-DD to a date (None stays None)."""
    if value is None:
        return None
    from datetime import date
    try:
        return date.fromisoformat(value)
    except ValueError:
        import click
        raise click.BadParameter(f'expected YYYY-MM-DD, found {value!r}') from None


def prefectures(context, parameter, values):
    """--prefecture values (13, １３, tokyo, toukyou, 東京都) to sorted JIS codes, or None."""
    if not values:
        return None
    from ..model.jis import parse_prefecture
    try:
        return sorted({parse_prefecture(value) for value in values})
    except ValueError as exception:
        raise _bad(exception) from None


def languages(context, parameter, value):
    """--lang's comma-separated codes (or all, none) to language codes, or None."""
    if value is None:
        return None
    from ..model.languages import parse_languages
    try:
        return parse_languages(value)
    except ValueError as exception:
        raise _bad(exception) from None


def formats(context, parameter, value):
    """--format's comma-separated names (or all) to format names, or None."""
    if value is None:
        return None
    from .formats import parse_formats
    try:
        return parse_formats(value)
    except ValueError as exception:
        raise _bad(exception) from None
