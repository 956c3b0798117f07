"""Where a line may break, and the furigana over kanji, as plain text (no HTML, no layout).

WeasyPrint 70 has no ``word-break: keep-all``, no ``line-break`` and no ruby. The templates
get the same effect from spans (render/filters.py); this module says what goes in them:

- ``phrases``: Japanese display text cut into the phrases BudouX finds (and at the spaces the
  author typed); a line breaks only between two of them.
- ``words``: Korean text cut into its space-separated words (어절); a line breaks only at the
  spaces between them.
- ``ruby``: a text cut into runs with their reading: each word that has a kanji gets the
  reading the maintainer's readings give it (``noticegen card readings`` makes them with
  SudachiPy; the build only looks them up).

``keep`` spans (numbers, dates, URLs) are never cut, whatever BudouX says, and neither is a
run of ASCII letters and digits (BudouX cuts 2024 as 202|4).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

SPACE = re.compile(r'[ \u3000]+')
KANJI = re.compile(r'[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u3006\u30f6]')
KANA = re.compile(r'[\u3041-\u309f\u30a0-\u30ff]')


@functools.lru_cache(maxsize=1)
def _parser():
    import budoux
    return budoux.load_default_japanese_parser()


@dataclass(frozen=True)
class Piece:
    """A phrase or word that must stay on one line, and whether a space follows it."""

    text: str
    space_after: bool


def _cut(text: str, boundaries: Iterable[int], keep: Iterable[tuple[int, int]]) -> list[int]:
    """``boundaries`` without those that fall strictly inside a ``keep`` span."""
    spans = list(keep)
    return [b for b in boundaries if not any(start < b < end for start, end in spans)
            and not (text[b - 1].isascii() and text[b - 1].isalnum()
                     and text[b].isascii() and text[b].isalnum())]


def _pieces(text: str, inner: Callable[[str], list[int]],
            keep: Iterable[tuple[int, int]]) -> list[Piece]:
    """Split ``text`` at its spaces, then each chunk at ``inner(chunk)``'s boundaries."""
    keep = list(keep)
    pieces: list[Piece] = []
    merged: list[tuple[int, int, bool]] = []
    position = 0
    for match in SPACE.finditer(text):
        # A space inside a kept span (a number written with spaces) separates nothing.
        if any(s < match.start() and match.end() < e for s, e in keep):
            continue
        merged.append((position, match.start(), True))
        position = match.end()
    merged.append((position, len(text), False))
    for start, end, spaced in merged:
        if start == end:
            continue
        chunk = text[start:end]
        inner_keep = [(s - start, e - start) for s, e in keep if s < end and e > start]
        cuts = _cut(chunk, inner(chunk), inner_keep)
        edges = [0, *cuts, len(chunk)]
        for index in range(len(edges) - 1):
            part = chunk[edges[index]:edges[index + 1]]
            if part:
                pieces.append(Piece(part, spaced and index == len(edges) - 2))
    return pieces


def _budoux_boundaries(chunk: str) -> list[int]:
    found, position = [], 0
    for phrase in _parser().parse(chunk)[:-1]:
        position += len(phrase)
        found.append(position)
    return found


def phrases(text: str, keep: Iterable[tuple[int, int]] = ()) -> list[Piece]:
    """Japanese ``text`` as BudouX phrases, cut also at the spaces the author typed."""
    return _pieces(text, _budoux_boundaries, keep)


def words(text: str, keep: Iterable[tuple[int, int]] = ()) -> list[Piece]:
    """Text whose words are separated by spaces (Korean 어절), word by word."""
    return _pieces(text, lambda chunk: [], keep)


def spaced(text: str, keep: Iterable[tuple[int, int]] = ()) -> str:
    """Japanese ``text`` with one space between its phrases (the screen-reader edition)."""
    return ' '.join(piece.text for piece in phrases(text, keep))


# --- furigana -------------------------------------------------------------------------

@dataclass(frozen=True)
class Run:
    """Text and the reading printed over it (None: no furigana)."""

    text: str
    reading: str | None = None


class MissingReading(ValueError):
    """A kanji that no reading covers (``word``: it and the kanji after it)."""

    def __init__(self, word: str, position: int):
        super().__init__(word)
        self.word = word
        self.position = position


def has_kanji(text: str) -> bool:
    return KANJI.search(text) is not None


def to_hiragana(text: str) -> str:
    return ''.join(chr(ord(c) - 0x60) if 'ァ' <= c <= 'ヶ' else c for c in text)


def align(surface: str, reading: str) -> list[Run]:
    """``surface`` (a word with kanji) cut into runs: each kanji run with its part of
    ``reading``, each kana run without furigana (the okurigana: 助ける → 助[たす]ける).
    Falls back to the whole word under the whole reading where the kana do not line up."""
    parts = re.findall(f'(?:{KANJI.pattern})+|(?:(?!{KANJI.pattern}).)+', surface)
    pattern = ''.join('(.+?)' if has_kanji(part) else f'({re.escape(to_hiragana(part))})'
                      for part in parts)
    match = re.fullmatch(pattern, to_hiragana(reading))
    if match is None:
        return [Run(surface, reading)]
    return [Run(part, match.group(index + 1)) if has_kanji(part) else Run(part)
            for index, part in enumerate(parts)]


def ruby(text: str, readings: Mapping[str, str], lenient: bool = False) -> list[Run]:
    """``text`` as runs, each run of kanji under its reading from ``readings``.

    ``readings`` maps each run of kanji, whole, to its reading (性暴力被害者:
    せいぼうりょくひがいしゃ; okurigana stay outside: 助 of 助ける is たす): a run is
    looked up whole, never pieced together from shorter ones, so that 年中 is not read
    年[ねん]中[なか] from two other words. A key with kana (a word whose kana SudachiPy's reading does not line up with) is
    matched as it stands, first. A run no key covers raises MissingReading, or with
    ``lenient`` stays without furigana."""
    mixed = sorted((word for word in readings if KANA.search(word) and has_kanji(word)),
                   key=len, reverse=True)
    runs: list[Run] = []
    plain: list[str] = []

    def flush():
        if plain:
            runs.append(Run(''.join(plain)))
            plain.clear()
    position = 0
    while position < len(text):
        word = next((key for key in mixed if text.startswith(key, position)), None)
        if word is not None:
            flush()
            runs.append(Run(word, readings[word]))
            position += len(word)
            continue
        if not KANJI.match(text, position):
            plain.append(text[position])
            position += 1
            continue
        end = position
        while end < len(text) and KANJI.match(text, end):
            end += 1
        found = text[position:end]
        if found in readings:
            flush()
            runs.append(Run(found, readings[found]))
        elif lenient:
            plain.append(found)
        else:
            raise MissingReading(found, position)
        position = end
    flush()
    return runs


def reading_runs(text: str) -> dict[str, str]:
    """Each run of kanji of ``text`` with its reading, from SudachiPy (the maintainer's
    ``card-readings``): the readings of the words that make it up, put together."""
    found: dict[str, str] = {}
    current: list[Run] = []

    def close():
        if current:
            found.setdefault(''.join(r.text for r in current),
                             ''.join(r.reading for r in current))
            current.clear()
    for surface, reading in analyse(text):
        for run in align(surface, reading) if has_kanji(surface) else [Run(surface)]:
            if run.reading is None:
                close()
            elif KANA.search(run.text):     # the kana did not line up: the word as it stands
                close()
                found.setdefault(run.text, run.reading)
            else:
                current.append(run)
    close()
    return found


def analyse(text: str) -> list[tuple[str, str]]:
    """(surface, reading in hiragana) of each morpheme of ``text``, by SudachiPy with
    sudachidict-core: the maintainer's ``card readings`` command, never the build."""
    tokenizer = _sudachi()
    from sudachipy import SplitMode
    return [(m.surface(), to_hiragana(m.reading_form()))
            for m in tokenizer.tokenize(text, SplitMode.C)]


@functools.lru_cache(maxsize=1)
def _sudachi():
    try:
        from sudachipy import Dictionary
        return Dictionary(dict='core').create()
    except ImportError as error:
        raise ImportError('the readings need SudachiPy and its dictionary: pip install '
                          '"noticegen[maint]"') from error


def missing_readings(texts: Iterable[str], readings: Mapping[str, str]) -> list[str]:
    """The kanji words of ``texts`` that no reading covers, each once, in order."""
    found: list[str] = []
    for text in texts:
        position = 0
        while True:
            try:
                ruby(text[position:], readings)
                break
            except MissingReading as missing:
                if missing.word not in found:
                    found.append(missing.word)
                position += missing.position + len(missing.word)
    return found
