"""Item markers from nesting (第1 / 1 / （1） / ア / （ア）), from a small fixed grammar.

A marker is an optional opening (``第``, ``（``, ``(``, ``〔``), exactly one counter
(``{n}`` arabic numerals, ``{kana}`` アイウ, ``{iroha}`` イロハ, ``{alpha}`` abc), and an
optional closing that matches the opening (``）``, ``)``, ``〔``→``〕``) or, after a bare
counter, a period (``.``, ``．``). Nothing else: a marker is not a format string.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .wareki import widen

KANA = 'アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン'
IROHA = 'イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセス'
ALPHA = 'abcdefghijklmnopqrstuvwxyz'

COUNTERS = ('n', 'kana', 'iroha', 'alpha')
# Each opening, and the closings it allows.
PAIRS = {'': ('', '.', '．'), '第': ('',), '（': ('）',), '(': (')',), '〔': ('〕',)}
MARKER_GRAMMAR = re.compile(
    r'(?P<open>第|（|\(|〔)?\{(?P<counter>' + '|'.join(COUNTERS) + r')\}(?P<close>）|\)|〕|\.|．)?')
GRAMMAR_TEXT = ("an optional 第, （, ( or 〔; then one of {n}, {kana}, {iroha} or {alpha}; then the "
                "closing of the opening (）, ), 〕) or, after a bare counter, an optional . or ．")


class Marker(NamedTuple):
    opening: str
    counter: str
    closing: str

    @property
    def default_gap(self) -> float:
        """The blank after the marker, in em: a bare counter (第1, 1, ア) is followed by a
        full-width space; a closing bracket or period carries its own space."""
        return 1.0 if not self.closing else 0.0


def parse_marker(template: str) -> Marker:
    """The parts of a marker template; ValueError when it is outside the grammar."""
    match = MARKER_GRAMMAR.fullmatch(template)
    if not match:
        raise ValueError(f'not a marker: write {GRAMMAR_TEXT}')
    opening, counter, closing = match.group('open') or '', match.group('counter'), \
        match.group('close') or ''
    if closing not in PAIRS[opening]:
        expected = ' or '.join(repr(c) if c else 'nothing' for c in PAIRS[opening])
        raise ValueError(f'not a marker: after {opening or "a bare counter"!r} the closing is '
                         f'{expected}')
    return Marker(opening, counter, closing)


def _cycle(alphabet: str, index: int) -> str:
    if index > len(alphabet):
        raise ValueError(f'item {index} is past the last marker ({alphabet[-1]})')
    return alphabet[index - 1]


def counter_text(counter: str, index: int, digits: str) -> str:
    if counter == 'n':
        return widen(str(index), digits)
    return _cycle({'kana': KANA, 'iroha': IROHA, 'alpha': ALPHA}[counter], index)


def counter_limit(counter: str) -> int | None:
    """How many items a level with this counter can number (None: no limit)."""
    return {'kana': len(KANA), 'iroha': len(IROHA), 'alpha': len(ALPHA)}.get(counter)


def marker(template: str, index: int, digits: str) -> str:
    """Return the marker of the 1-based ``index``-th item for ``template``."""
    parts = parse_marker(template)
    return parts.opening + counter_text(parts.counter, index, digits) + parts.closing


def label_text(template: str, number: int | None, digits: str) -> str:
    """A label template (別添{n}, （注{n}）) with its number in the notice's digits."""
    return template.replace('{n}', widen(str(number), digits) if number is not None else '')


def attachment_label(notice, attachment) -> str:
    """The label of ``attachment`` in ``notice``'s style: 別添1, 別紙１, 別紙様式2 ...

    Its own ``label`` wins; a series' label without {n} is the label of its one attachment.
    """
    if attachment.label:
        return attachment.label
    return label_text(notice.style.label_template(attachment.series), attachment.number,
                      notice.style.digits)


def attachment_stem(attachment) -> str:
    """The file name of an attachment's output, without .pdf: betten-2, besshi-1 ..."""
    return f'{attachment.series}-{attachment.number}'


def text_width(text: str) -> float:
    """The width of ``text`` in em: full-width characters 1, the others half."""
    import unicodedata
    return sum(1.0 if unicodedata.east_asian_width(char) in 'WF' else 0.5 for char in text)


def label_width(notice, attachments) -> float:
    """The column the attachment list gives its labels, in em: 4, or the longest label and
    one em of blank, to the next half em."""
    widest = max((text_width(attachment_label(notice, a)) for a in attachments), default=0)
    return max(4.0, -(-(widest + 1) * 2 // 1) / 2)
