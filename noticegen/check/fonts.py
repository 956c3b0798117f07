"""The fonts a stylesheet declares, where they live, and which characters they hold."""

from __future__ import annotations

import functools
import subprocess
from dataclasses import dataclass
from pathlib import Path

import tinycss2

from ..errors import NoticegenError

GENERIC_FAMILIES = {'serif', 'sans-serif', 'monospace', 'cursive', 'fantasy', 'system-ui'}


class FontMissing(NoticegenError):
    """A font that a stylesheet declares is not installed."""


@dataclass(frozen=True, eq=False)
class Font:
    family: str
    path: Path
    index: int = 0          # the face within a collection (.ttc)

    @functools.cached_property
    def codepoints(self) -> frozenset[int]:
        """The characters the font has (read on first use: it takes a while)."""
        from fontTools.ttLib import TTFont
        with TTFont(self.path, lazy=True, fontNumber=self.index) as font:
            return frozenset(font.getBestCmap())


def _family_names(tokens) -> list[list[str]]:
    """Split a font-family value into its families (quoted or bare words)."""
    families, current = [], []
    for token in tokens:
        if token.type == 'literal' and token.value == ',':
            families.append(current)
            current = []
        elif token.type == 'string':
            current.append(token.value)
        elif token.type == 'ident':
            current.append(token.value)
    families.append(current)
    return [' '.join(words) for words in families if words]


@functools.cache
def declared_families(css_path: Path) -> tuple[str, ...]:
    """Return the first named family of every font-family declaration in ``css_path``."""
    rules = tinycss2.parse_stylesheet(css_path.read_text(encoding='utf-8'),
                                      skip_comments=True, skip_whitespace=True)
    found: list[str] = []

    def visit(content) -> None:
        for declaration in tinycss2.parse_blocks_contents(content, skip_comments=True,
                                                          skip_whitespace=True):
            if declaration.type == 'declaration' and declaration.lower_name == 'font-family':
                families = [f for f in _family_names(declaration.value)
                            if f.lower() not in GENERIC_FAMILIES]
                if families and families[0] not in found:
                    found.append(families[0])
            elif declaration.type in {'qualified-rule', 'at-rule'} and declaration.content:
                visit(declaration.content)

    for rule in rules:
        if rule.type in {'qualified-rule', 'at-rule'} and rule.content:
            visit(rule.content)
    return tuple(found)


@functools.cache
def find_font(family: str) -> Font:
    """Locate ``family`` through fontconfig, refusing any substitute."""
    try:
        result = subprocess.run(
            ['fc-match', '--format=%{family}\n%{file}\n%{index}',
             f'{family}:style=Regular'], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as exception:
        raise FontMissing(f'cannot ask fontconfig for {family!r}: {exception}') from None
    names, file, index = (result.stdout.split('\n') + ['', '', ''])[:3]
    if family not in [name.strip() for name in names.split(',')]:
        raise FontMissing(
            f'the font {family!r} is not installed (fontconfig offers {names!r} instead); '
            f'run ./dev.sh build to install the fonts')
    return Font(family, Path(file), int(index or 0))


def fonts_for(css_path: Path) -> list[Font]:
    """Return the installed fonts behind every family ``css_path`` declares."""
    return [find_font(family) for family in declared_families(css_path)]


@functools.cache
def declared_stack(css_path: Path) -> tuple[str, ...]:
    """Every named family of every font-family declaration in ``css_path``, in order.

    A language's stylesheet declares a fallback stack (Thai, then Latin, then Japanese for
    names): a character is covered when any font of the stack has it.
    """
    rules = tinycss2.parse_stylesheet(css_path.read_text(encoding='utf-8'),
                                      skip_comments=True, skip_whitespace=True)
    found: list[str] = []
    for rule in rules:
        if rule.type != 'qualified-rule':
            continue
        for declaration in tinycss2.parse_blocks_contents(rule.content, skip_comments=True,
                                                          skip_whitespace=True):
            if declaration.type == 'declaration' and declaration.lower_name == 'font-family':
                for family in _family_names(declaration.value):
                    if family.lower() not in GENERIC_FAMILIES and family not in found:
                        found.append(family)
    return tuple(found)


def stack_for(css_path: Path) -> list[Font]:
    return [find_font(family) for family in declared_stack(css_path)]
