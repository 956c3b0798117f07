"""The 送付状 that opens each prefecture's packet: sender, enclosures in sheets, 照会先.

With a window envelope (the notice's ``mailing.envelope``: 長形3号 with a window), the
addressee block — 〒 and address where known, each department, 御中 — is placed where the
window falls on the tri-folded A4 (model.postage.window_on_sheet), in a type size that fits
it; a block that cannot fit at 8 pt fails the cover. Nothing of the window is drawn in the
PDF (preview images draw its outline).
"""

from __future__ import annotations

import math
import unicodedata

from ..assemble.info import WINDOW_KEY, with_info
from ..assemble.pdf import page_count
from ..errors import RenderError
from ..model.addressing import recipients
from ..model.postage import PANEL_MM, PLAY_MM, sheets, window_on_sheet
from ..plan.registry import DocumentKind, register

# A duplex build's covers and packets: their fingerprint (part of the input hash) and the
# suffix of their names (covers/NN-name.duplex.pdf, packets/NN-name.duplex.pdf).
DUPLEX = 'duplex'

# The cover's page margins (cover.css: @page margin top and left), in mm: the window's
# place on the sheet is turned into a place in the page area with them.
PAGE_TOP_MM, PAGE_LEFT_MM = 20.0, 25.0
PT_MM = 25.4 / 72
WINDOW_SIZES_PT = (10.5, 10.0, 9.5, 9.0, 8.5, 8.0)
WINDOW_LINE_HEIGHT = 1.3


def is_duplex(context) -> bool:
    return bool(context.extra.get('duplex'))


def duplex_suffix(context) -> str:
    return f'.{DUPLEX}' if is_duplex(context) else ''


def _em_width(text: str) -> float:
    """Width of ``text`` in em in the cover's monospaced font: wide characters are 1 em."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in 'WFA' else 0.5 for ch in text)


def window_lines(items) -> list[str]:
    """The addressee block, line by line: for each department, 〒 and the address where
    known, its name's lines, the honorific at the end of the last."""
    lines = []
    for item in items:
        if item.postal_code:
            lines.append(f'〒{item.postal_code}')
        if item.address:
            lines.append(item.address)
        names = list(item.lines)
        if item.honorific:
            names[-1] = f'{names[-1]}\u3000{item.honorific}'
        lines += names
    return lines


def window_block(mailing, items, describe: str) -> dict | None:
    """Where and how large the addressee block prints for a window envelope, or None."""
    area = window_on_sheet(mailing) if mailing is not None else None
    if area is None:
        return None
    x, y, width, height = area
    lines = window_lines(items)
    widest = max(_em_width(line) for line in lines)
    for size in WINDOW_SIZES_PT:
        size_mm = size * PT_MM
        # Whole lines only: the block's height is rounded up to the line pitch's 0.1 mm.
        if (widest * size_mm <= width
                and math.ceil(len(lines) * size * WINDOW_LINE_HEIGHT * PT_MM * 10) / 10
                <= height):
            return {'lines': lines, 'size': size, 'line_height': WINDOW_LINE_HEIGHT,
                    'left': x - PAGE_LEFT_MM, 'top': y - PAGE_TOP_MM,
                    'width': width, 'height': height, 'bottom': y + height - PAGE_TOP_MM}
    raise RenderError(f'{describe}: the addressee block ({len(lines)} lines, the widest '
                      f'{widest:g} em) does not fit the window ({width:g} × {height:g} mm '
                      f'inside its 3 mm of play) even at {WINDOW_SIZES_PT[-1]:g} pt')


@register
class Cover(DocumentKind):
    name = 'cover'
    title = '送付状'
    order = 40
    phase = 'prefecture'
    template = 'cover.html'
    stylesheet = 'cover.css'
    pages = 1
    declared = True
    outputs_help = ("the 送付状 opening each prefecture's packet, in the notice's `cover:` "
                    'wording')

    def notice_problems(self, notice_set, project):
        notice = notice_set.notice
        if notice.cover is None:
            yield (), 'needs its wording: add cover: (title, body, enclosures_heading, closing)'
        area = window_on_sheet(notice.mailing) if notice.mailing is not None else None
        if area is not None:
            x, y, width, height = area
            if x < 0 or y < 0 or x + width > PANEL_MM[0] or y + height > PANEL_MM[1]:
                yield ('mailing', 'envelope', 'window'), (
                    f'the window falls on the folded A4 at x {x:g}–{x + width:g} mm, y '
                    f'{y:g}–{y + height:g} mm (inside its 3 mm of play), outside the first '
                    f'panel (0–{PANEL_MM[0]:g} × 0–{PANEL_MM[1]:g} mm) that faces it: check '
                    f'window and sheet_offset against the product')

    def jobs(self, context):
        notice_set = context.notice_set
        cover = notice_set.notice.cover
        if cover is None or not context.declares(self):
            return
        suffix = duplex_suffix(context)
        for prefecture in context.prefectures:
            parts = tuple(job.output for job in context.enclosures(prefecture))
            yield context.make(self, f'{context.base}/covers/{context.stem(prefecture)}{suffix}.pdf',
                               (notice_set.source.path, prefecture.source.path,
                                *context.project.facts_paths),
                               prefecture=prefecture, parts=parts, title=cover.title,
                               as_of=context.as_of,
                               fingerprint=DUPLEX if suffix else '')

    def describe(self, job):
        prefecture = job.prefecture.prefecture
        return f'cover letter for {prefecture.code} {prefecture.name}'

    def produce(self, job, context):
        """Lay out the cover; for a window envelope, record where the window falls on the
        page (mm: x, y, width, height, play) for the preview's outline."""
        pdf = super().produce(job, context)
        area = window_on_sheet(job.notice.notice.mailing) if job.notice.notice.mailing else None
        if area is None:
            return pdf
        x, y, width, height = area
        return with_info(pdf, WINDOW_KEY, ' '.join(f'{value:.2f}' for value in (
            x - PLAY_MM, y - PLAY_MM, width + 2 * PLAY_MM, height + 2 * PLAY_MM, PLAY_MM)))

    def html(self, job, context):
        notice = job.notice.notice
        prefecture = job.prefecture.prefecture
        items = recipients(notice, prefecture, context.project.judge(job.as_of))
        duplex = job.fingerprint == DUPLEX
        return context.renderer.html(
            self.template, notice=notice, cover=notice.cover, prefecture=prefecture,
            recipients=items, window=window_block(notice.mailing, items, self.describe(job)),
            enclosures=[{'title': context.jobs[part].title,
                         'sheets': sheets(page_count(context.parts[part]), duplex)}
                        for part in job.parts])
