"""Template filters: escaping, unbreakable tokens, punctuation spacing, QR codes."""

from __future__ import annotations

import functools
import re

from markupsafe import Markup, escape

# Tokens that must never be split across lines: era dates, phone numbers, extensions,
# short dials and URLs. They are wrapped in a nowrap span.
UNBREAKABLE = re.compile(
    r'(?:令和|平成|昭和)(?:元|[0-9０-９]+)年(?:度|[0-9０-９]+月(?:[0-9０-９]+日)?)?'
    r'|0[0-9]{1,4}\s?-\s?[0-9]{1,4}\s?-\s?[0-9]{3,4}'
    r'|内線\s?[0-9０-９]+'
    r'|#[0-9]{3,5}'
    r'|https?://[^\s<>"、。「」（）]+')

# Full-width punctuation carries half an em of blank space. Where a closing mark is
# followed by another mark, the blank halves add up to a full em: trim the first one.
CLOSING = '、。，．」』）】〕〉》'
OPENING = '「『（【〔〈《'
_DOUBLED = re.compile(f'([{CLOSING}])(?=[{CLOSING}{OPENING}])')


def _mark_punctuation(escaped: str) -> str:
    return _DOUBLED.sub(r'<span class="trim">\1</span>', escaped)


def jtext(value: object) -> Markup:
    """Escape ``value`` and protect its unbreakable tokens and doubled punctuation."""
    text = str(value)
    out = []
    position = 0
    for match in UNBREAKABLE.finditer(text):
        out.append(_mark_punctuation(str(escape(text[position:match.start()]))))
        out.append(f'<span class="nobr">{escape(match.group())}</span>')
        position = match.end()
    out.append(_mark_punctuation(str(escape(text[position:]))))
    return Markup(''.join(out))


def jline(value: object) -> Markup:
    """``jtext`` for a line that starts where the text author broke it (a title's line, a
    heading): an opening bracket at its start loses its blank half (class open-trim)."""
    text = str(value)
    if text[:1] in OPENING:
        return Markup(f'<span class="open-trim">{escape(text[0])}</span>') + jtext(text[1:])
    return jtext(text)


# Runs of Japanese script (kana, kanji, full-width forms and the marks between them).
_JAPANESE_RUN = re.compile(r'[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff01-\uff9f]+')


def ja_runs(value: object, language) -> Markup:
    """``jtext`` where only the Japanese runs of ``value`` are marked ``lang="ja"``, so that
    Latin text inside them ("Cure time（キュアタイム）") keeps the document language's fonts.
    In a Japanese document, plain ``jtext``."""
    text = str(value)
    if language.japanese:
        return jtext(text)
    out, position = [], 0
    for match in _JAPANESE_RUN.finditer(text):
        out.append(str(jtext(text[position:match.start()])))
        out.append(f'<span lang="ja">{jtext(match.group())}</span>')
        position = match.end()
    out.append(str(jtext(text[position:])))
    return Markup(''.join(out))


def nobr(value: object) -> Markup:
    """Escape ``value`` and keep it on one line."""
    return Markup(f'<span class="nobr">{escape(str(value))}</span>')


@functools.lru_cache(maxsize=512)
def qr_data_uri(url: str) -> str:
    """A QR code for ``url`` as an SVG data URI (segno; about 20 ms, so cached per URL)."""
    import segno
    return segno.make(url, error='m', micro=False).svg_data_uri(border=4, scale=1)
