"""The text fields of the leaflet and the card, each with the fact it claims.

A source (the Japanese leaflet and card) gives every text field a claim id, or ``claim: none``
with a reason; a translation gives the text only, and shares its source's claim by key. A
field whose claim does not print (unconfirmed, undated, stale) is left out of the document.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator

from pydantic import BaseModel

from .schema import NO_CLAIM, CardText, Claimed

# Fields of these models that are not texts of the document.
NOT_TEXT = {'lang', 'translation', 'readings'}

# What a text with claim: none must not hold, in any language: a number, a time or a day's
# name (Babel's names for the language; in Japanese also 月曜 and lists like 月・水・土).
TIME = re.compile(r'\d{1,2}\s*[:：]\s*\d{2}|\d{1,2}\s*時')
JAPANESE_DAYS = re.compile(r'[日月火水木金土]曜|[月火水木金土日](?:・[月火水木金土日])+')
_DAY_PATTERNS: dict[str, re.Pattern] = {}


def _day_pattern(lang: str) -> re.Pattern:
    """The day names of ``lang``: every wide name, and abbreviations of two or more letters."""
    if lang not in _DAY_PATTERNS:
        from babel import Locale

        from .languages import LANGUAGES
        locale = Locale.parse(LANGUAGES[lang].babel)
        names = set()
        for context in ('format', 'stand-alone'):
            for width in ('wide', 'abbreviated'):
                for name in locale.days[context].get(width, {}).values():
                    name = name.rstrip('.')
                    if width == 'wide' or len(name) >= (3 if name.isascii() else 2):
                        names.add(name)
        # Latin names only as whole words (or plurals: Mondays); other scripts as they stand.
        alternatives = [rf'(?<!\w){re.escape(name)}s?(?!\w)' if name.isascii() else re.escape(name)
                        for name in sorted(names, key=len, reverse=True)]
        _DAY_PATTERNS[lang] = re.compile('|'.join(alternatives), re.IGNORECASE)
    return _DAY_PATTERNS[lang]


def stated_facts(text: str, lang: str) -> str | None:
    """What in ``text`` states a fact although it claims none: a number, a time or a day."""
    time = TIME.search(text)
    if time:
        return f'a time ({time[0]!r})'
    digit = next((char for char in text if char.isdecimal()), None)
    if digit is not None:
        return f'a number ({digit!r})'
    day = _day_pattern(lang).search(text) or (JAPANESE_DAYS.search(text)
                                               if lang in ('ja', 'ja-easy') else None)
    if day:
        return f'a day ({day[0]!r})'
    return None


def text_fields(value: Any, loc: tuple = ()) -> Iterator[tuple[tuple, Claimed | str]]:
    """Every text field of ``value`` (a leaflet's front or back, a card) with its place."""
    if isinstance(value, (Claimed, str)):
        yield loc, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            if name in NOT_TEXT:
                continue
            yield from text_fields(getattr(value, name), loc + (name,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from text_fields(item, loc + (index,))


_NUMBER = re.compile(r'#?\d+(?::\d{2})?')
# What a caller dials or when: a phone number, a short dial (#8891), a time (17:00).
_CONTACT = re.compile(r'#\d{3,}|\d{1,5}-\d{1,4}-\d{2,4}|\d{1,2}:\d{2}')


def _numbers(text: str, pattern: re.Pattern = _NUMBER) -> dict[str, str]:
    """The numbers and times of ``text`` as written, by value (digits of any script, and
    full-width ones, read as the number they write)."""
    return {re.sub(r'\d+', lambda digits: str(int(digits[0])), found): found
            for found in pattern.findall(text)}


def numbers_changed(source: str, translated: str, contact_only: bool = False) -> str:
    """How a translation changes the numbers of its source text ('' when it does not):
    'drops 72', 'adds 120'. A number only a translation has is backed by no source.
    ``contact_only``: only phone numbers, short dials and times count (a phrase may say
    "every day of the year" as 365日)."""
    pattern = _CONTACT if contact_only else _NUMBER
    before, after = _numbers(source, pattern), _numbers(translated, pattern)
    dropped = [written for value, written in before.items() if value not in after]
    added = [written for value, written in after.items() if value not in before]
    return '; '.join(part for part in (
        f'drops {", ".join(dropped)}' if dropped else '',
        f'adds {", ".join(added)}' if added else '') if part)


def text_of(value: Claimed | str | None) -> str | None:
    return value.text if isinstance(value, Claimed) else value


def claims_of(source: Any) -> dict[tuple, Claimed]:
    """The claims of a source's text fields, by place."""
    return {loc: value for loc, value in text_fields(source) if isinstance(value, Claimed)}


def resolve(source: Any, translation: Any, prints: Callable[[str], bool]) -> Any:
    """Plain texts for a template: ``translation``'s text (or ``source``'s, where the
    translation is None or lacks the field) for every field of ``source``, with the field
    left out (None) where its claim does not print."""
    if isinstance(source, Claimed):
        if source.claim != NO_CLAIM and not prints(source.claim):
            return None
        chosen = text_of(translation)
        return chosen if chosen is not None else source.text
    if isinstance(source, str):
        chosen = text_of(translation)
        return chosen if chosen is not None else source
    if isinstance(source, BaseModel):
        return {name: resolve(getattr(source, name),
                              getattr(translation, name, None) if translation is not None
                              else None, prints)
                for name in type(source).model_fields if name not in NOT_TEXT}
    if isinstance(source, list):
        others = translation if isinstance(translation, list) else []
        return [resolve(item, others[index] if index < len(others) else None, prints)
                for index, item in enumerate(source)]
    return source


def printed_claims(source: Any, prints: Callable[[str], bool]) -> list[str]:
    """The claim ids of the fields of ``source`` that print."""
    return list(dict.fromkeys(value.claim for value in claims_of(source).values()
                              if value.claim != NO_CLAIM and prints(value.claim)))


def card_fields(card: CardText) -> Iterator[tuple[tuple, Claimed | str]]:
    return text_fields(card)
