"""Template filters: escaping, unbreakable tokens, punctuation spacing, line breaks (phrases,
Korean words, furigana), QR codes."""

from __future__ import annotations

import functools
import re

from markupsafe import Markup, escape

from ..model import breaking

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


def ja_runs(value: object, language) -> Markup:
    """``jtext`` in a Japanese document; in another, ``jruns``: only the Japanese runs of
    ``value`` are marked ``lang="ja"``, so that Latin text inside them ("Cure time
    （キュアタイム）") keeps the document language's fonts."""
    return jtext(value) if language.japanese else jruns(value)


def nobr(value: object) -> Markup:
    """Escape ``value`` and keep it on one line."""
    return Markup(f'<span class="nobr">{escape(str(value))}</span>')


@functools.lru_cache(maxsize=512)
def qr_data_uri(url: str) -> str:
    """A QR code for ``url`` as an SVG data URI (segno; about 20 ms, so cached per URL)."""
    import segno
    return segno.make(url, error='m', micro=False).svg_data_uri(border=4, scale=1)


# --- line breaking (see model/breaking.py) ---------------------------------------------

def _kept(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in UNBREAKABLE.finditer(text)]


def _spans(pieces, inner) -> Markup:
    """Each piece in a nowrap span (a line breaks only between two), its space after it.
    A piece with furigana is an inline block itself: WeasyPrint breaks between two inline
    blocks even inside a nowrap span."""
    out = []
    for piece in pieces:
        html = inner(piece.text)
        kind = 'nobr phrase' if 'class="ruby"' in html else 'nobr'
        out.append(f'<span class="{kind}">{html}</span>' + (' ' if piece.space_after else ''))
    return Markup(''.join(out))


def _plain(text: str) -> str:
    return _mark_punctuation(str(escape(text)))


def phrases(value: object) -> Markup:
    """Japanese display text (a title, a name): a line breaks only between BudouX phrases
    and at the spaces written, never inside a number or date."""
    text = str(value)
    return _spans(breaking.phrases(text, _kept(text)), _plain)


def words(value: object) -> Markup:
    """Korean text: each word (어절) whole; a line breaks only at the spaces between them.
    A word longer than the line runs past its box, which fails the document."""
    text = str(value)
    return _spans(breaking.words(text, _kept(text)), _plain)


def ruby(value: object, readings) -> Markup:
    """Japanese text in phrases, with furigana over every kanji (inline blocks: WeasyPrint
    has no ruby). ``readings`` maps each word with a kanji to its reading; a kanji that no
    word covers prints without furigana (the kind warns: breaking.missing_readings)."""
    text = str(value)

    def furigana(phrase: str) -> str:
        out = []
        for run in breaking.ruby(phrase, readings, lenient=True):
            if run.reading is None:
                out.append(_plain(run.text))
            else:
                out.append(f'<span class="ruby"><span class="rt" data-overhang>'
                           f'{escape(run.reading)}</span>'
                           f'{escape(run.text)}</span>')
        return ''.join(out)
    return _spans(breaking.phrases(text, _kept(text)), furigana)


def spaced(value: object) -> Markup:
    """Japanese text with a space between its phrases (for screen readers), in phrases."""
    text = str(value)
    text = breaking.spaced(text, _kept(text))
    return _spans(breaking.words(text, _kept(text)), _plain)


# Japanese script (kana, kanji, full-width punctuation and forms): set in a Japanese font.
JAPANESE_RUN = re.compile(
    r'[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60]'
    r'(?:[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60\s0-9]*'
    r'[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60])?')


def jruns(value: object) -> Markup:
    """Text of another language that quotes Japanese (a name, 'Cure time（キュアタイム）'):
    only the Japanese runs are marked lang="ja", so that the Latin letters around them
    stay in the language's own fonts."""
    text = str(value)
    out, position = [], 0
    for match in JAPANESE_RUN.finditer(text):
        out.append(str(jtext(text[position:match.start()])))
        out.append(f'<span lang="ja">{jtext(match.group())}</span>')
        position = match.end()
    out.append(str(jtext(text[position:])))
    return Markup(''.join(out))


def wrap(value: object, language, readings=None) -> Markup:
    """``value`` broken the way ``language`` breaks: Korean by words, Japanese by phrases
    (with furigana when ``readings`` are given), other languages at their spaces."""
    if language.code == 'ko':
        return words(value)
    if language.japanese:
        return ruby(value, readings) if readings is not None else phrases(value)
    return jtext(value)
