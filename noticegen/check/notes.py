"""The research-notes lint: candidate notes (要再確認, 移転 ...) for each fact, to apply by hand.

A note says something about one fact: a number, its hours, the center. Which one is for a
person to decide (a note about hours does not touch the number), so this lists candidates
and whether each is applied: quoted in the fact's ``status_note``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import SourceError, ValidationFailed, warning
from ..load.project import Project
from ..load.sources import format_loc, load_yaml

# The words that mark a research note as one that may change a fact's status. The issue's
# five, and the research's own ways of saying that a number could not be confirmed again.
NOTE_WORDS = ('要確認', '要再確認', '未確認', '移転', '不一致', '確認できず', '確認はできず',
              '確認は今回もできず')
_WORDS = re.compile('|'.join(sorted(map(re.escape, NOTE_WORDS), key=len, reverse=True)))
_SENTENCE = re.compile(r'[^。；;\n]+[。]?')
_YEARS = re.compile(r'\((\d{4})-(\d{4})\)')
RESEARCH = Path('..') / 'shared' / 'reference' / 'centers-research.yaml'


@dataclass(frozen=True)
class Candidate:
    path: str
    loc: tuple           # the fact, in its prefecture file
    fact: str            # 'number 076-471-7879', 'hours of 076-...', 'center とやま'
    status: str
    note: str            # the sentence that holds a note word
    word: str
    origin: str          # where the note is: the data's field, or the research file's
    applied: bool        # quoted in the fact's status_note

    def message(self) -> SourceError:
        state = 'applied' if self.applied else 'not applied'
        return warning(self.path, *self.line_col, (
            f'{format_loc(self.loc)}: candidate note ({self.word}) for {self.fact}, status '
            f'{self.status}, {state}: 「{self.note}」 [{self.origin}]'))

    line_col: tuple = (1, 1)


def sentences(text: str | None) -> list[tuple[str, str]]:
    """The sentences of ``text`` that hold a note word, with the word."""
    found = []
    for match in _SENTENCE.finditer(text or ''):
        sentence = match[0].strip().rstrip('。')
        word = _WORDS.search(sentence)
        if word:
            found.append((sentence, word[0]))
    return found


def _about(sentence: str, number: str | None) -> str:
    """Which fact a note sentence is about, by its words: 'number', 'hours' or 'center'."""
    if number and number in sentence or '番号' in sentence:
        return 'number'
    if '時間' in sentence or '受付' in sentence:
        return 'hours'
    return 'center'


def _applied(sentence: str, status_note: str | None) -> bool:
    """The note is applied when its sentence (or the part with the note word) is quoted."""
    if not status_note:
        return False
    if sentence in status_note:
        return True
    parts = [part for part in re.split(r'[、，,（）()]', sentence) if _WORDS.search(part)]
    return bool(parts) and all(part.strip() in status_note for part in parts)


def _research_entries(path: Path) -> tuple[dict, list[str]]:
    """The research file's prefectures by code, and its data-set-wide notes."""
    source, errors = load_yaml(path, str(path))
    if not errors and not (isinstance(source.data, dict)
                           and isinstance(source.data.get('prefectures', []), list)):
        errors = [source.error((), 'not a research file: expected a mapping with a list of '
                                   '`prefectures` (and `meta`)')]
    if errors:   # never read as if it held no notes: the user would miss them
        raise ValidationFailed(errors)
    data = source.data
    meta = data.get('meta') or {}
    wide = [meta.get('caution')] if isinstance(meta, dict) and meta.get('caution') else []
    entries = {str(item.get('code')): item for item in data.get('prefectures') or []
               if isinstance(item, dict)}
    return entries, wide


def _research_center(entry: dict, name: str, index: int) -> dict | None:
    centers = [c for c in entry.get('centers') or [] if isinstance(c, dict)]
    for center in centers:
        if str(center.get('name', '')).startswith(name) or name in str(center.get('name', '')):
            return center
    return centers[index] if index < len(centers) else None


def _dated_in(wide: str, dated: str | None) -> bool:
    """A data-set-wide note that names a span of years (2009-2018) concerns facts dated in it."""
    span = _YEARS.search(wide)
    if not span:
        return True
    return dated is not None and int(span[1]) <= int(dated[:4]) <= int(span[2])


def candidates(project: Project, research: Path | None = None,
               prefectures: list[str] | None = None) -> list[Candidate]:
    """Every candidate note for every fact of the selected prefectures."""
    entries, wide = _research_entries(research) if research and research.is_file() else ({}, [])
    found: list[Candidate] = []
    for code, data in project.prefectures.items():
        if prefectures is not None and code not in prefectures:
            continue
        path = data.source.path
        entry = entries.get(code, {})
        for c, center in enumerate(data.prefecture.centers):
            at = ('centers', c)
            origin_center = _research_center(entry, center.name, c) if entry else None
            texts = [(center.note, f'{path}: {format_loc(at + ("note",))}'),
                     (center.status_note, f'{path}: {format_loc(at + ("status_note",))}')]
            if origin_center:
                for key in ('note', 'hours', 'source', 'name'):
                    value = origin_center.get(key)
                    if isinstance(value, str):
                        texts.append((value, f'research: prefectures[{code}].{key}'))
                if isinstance(entry.get('multiple_centers_note'), str):
                    texts.append((entry['multiple_centers_note'],
                                  f'research: prefectures[{code}].multiple_centers_note'))
            research_phones = {str(p.get('number')): p for p in
                               (origin_center or {}).get('phones') or [] if isinstance(p, dict)}
            facts = [(at, f'center {center.name}', center.status, center.status_note, None,
                      'center', center.dated)]
            for p, phone in enumerate(center.phones):
                loc = at + ('phones', p)
                facts.append((loc, f'number {phone.number}', phone.status, phone.status_note,
                              phone.number, 'number', phone.dated))
                if phone.hours:
                    facts.append((loc + ('hours',), f'hours of {phone.number}', phone.status,
                                  phone.status_note, phone.number, 'hours', phone.hours_dated))
            for loc, what, status, status_note, number, about, dated in facts:
                notes = list(texts)
                if number:
                    phone = center.phones[loc[3]]
                    notes += [(phone.label, f'{path}: {format_loc(loc[:4] + ("label",))}')]
                    if number in research_phones:
                        for key in ('label', 'hours'):
                            value = research_phones[number].get(key)
                            if isinstance(value, str):
                                notes.append((value, f'research: phone {number} {key}'))
                if about == 'number':
                    notes += [(text, 'research: meta.caution') for text in wide
                              if _dated_in(text, dated)]
                seen = set()
                for text, origin in notes:
                    for sentence, word in sentences(text):
                        if _about(sentence, number) != about or sentence in seen:
                            continue
                        seen.add(sentence)
                        found.append(Candidate(path, loc, what, status, sentence, word, origin,
                                               _applied(sentence, status_note),
                                               data.source.where(loc)))
    return found
