"""Glyph check: every character must exist in every font the stylesheet declares."""

from __future__ import annotations

import unicodedata

from ..errors import SourceError
from .fonts import Font
from ..load.sources import Source, format_loc, strings

# Characters that are layout, not glyphs.
_IGNORED = {'\n', '\r', '\t', '\u2060', '\u200b'}




def _missing(text: str, fonts: list[Font], any_font: bool = False):
    """Characters not covered: by every font, or with ``any_font`` by any font of a stack."""
    for offset, char in enumerate(text):
        if char in _IGNORED:
            continue
        if any_font:
            if not any(ord(char) in font.codepoints for font in fonts):
                yield offset, char, fonts
            continue
        for font in fonts:
            if ord(char) not in font.codepoints:
                yield offset, char, font
                break


def _describe(char: str, font) -> str:
    name = unicodedata.name(char, 'unnamed character')
    if isinstance(font, list):
        return (f'U+{ord(char):04X} {char!r} ({name}) is in none of the fonts '
                f'{", ".join(repr(f.family) for f in font)}')
    return (f'U+{ord(char):04X} {char!r} ({name}) is not in the font '
            f'{font.family!r} ({font.path.name})')


def first_missing(text: str, fonts: list[Font]) -> str | None:
    """The first character of ``text`` that a font of ``fonts`` lacks, described, or None
    (for text that is data but not a source, such as a row of a recipients file)."""
    for offset, char, font in _missing(text, fonts):
        return f'character {offset + 1} of the value: {_describe(char, font)}'
    return None


def check_source(source: Source, fonts: list[Font], any_font: bool = False) -> list[SourceError]:
    """Check every string value of ``source``."""
    errors = []
    for loc, text in strings(source.data, ()):
        for offset, char, font in _missing(text, fonts, any_font):
            line, col = source.char_position(loc, text, offset)
            errors.append(SourceError(
                source.path, line, col,
                f'{format_loc(loc)}: character {offset + 1} of the value: {_describe(char, font)}'))
    return errors


def check_text(path: str, text: str, fonts: list[Font],
               any_font: bool = False) -> list[SourceError]:
    """Check a template or other literal text, reporting the exact line and column."""
    errors = []
    for number, line in enumerate(text.splitlines(), start=1):
        for offset, char, font in _missing(line, fonts, any_font):
            if char.isascii():
                continue  # markup and CSS, never printed as such
            errors.append(SourceError(path, number, offset + 1, _describe(char, font)))
    return errors


