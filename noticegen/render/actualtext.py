"""/ActualText on text runs whose glyphs do not map one to one to their characters.

HarfBuzz shapes Thai and Devanagari (and other scripts with combining marks) into glyphs
that serve two characters or sit apart from their base, and a PDF's ToUnicode map gives
each glyph one fixed text: poppler's pdftotext read the Thai 「สำหรับ」 as 「สาหรับ」 and the
Nepali 「सहयोग」 as 「सहियोग」. Wrapping each such run in a marked-content Span with its
source text as /ActualText makes screen readers, copy-paste and text extraction read the
source text. Runs of text with no combining mark (Japanese, Latin) are left as they are.

WeasyPrint 70 has no hook for this: its ``draw_text`` (the one function that paints a text
box) is wrapped once per process. WeasyPrint is pinned in the lock file.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_PATCHED = False


@lru_cache(maxsize=4096)
def needs_actual_text(text: str) -> bool:
    """Whether ``text`` has a combining mark (Mn or Mc): shaping may reorder or merge it."""
    return any(unicodedata.category(char) in ('Mn', 'Mc') for char in text)


def install() -> None:
    """Wrap WeasyPrint's ``draw_text`` so that such runs carry /ActualText."""
    global _PATCHED
    if _PATCHED:
        return
    import pydyf
    from weasyprint import draw

    original = draw.draw_text

    def draw_text(stream, textbox, *args, **kwargs):
        text = getattr(textbox, 'text', '') or ''
        if not needs_actual_text(text) or textbox.style['visibility'] != 'visible':
            return original(stream, textbox, *args, **kwargs)
        pydyf.Stream.begin_marked_content(
            stream, 'Span', pydyf.Dictionary({'ActualText': pydyf.String(text)}))
        try:
            return original(stream, textbox, *args, **kwargs)
        finally:
            pydyf.Stream.end_marked_content(stream)

    draw.draw_text = draw_text
    _PATCHED = True
