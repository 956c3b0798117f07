"""The patient card imposed for printing: A4 landscape, two folded cards a sheet, printed on
both sides, with crop marks at each card's trim corners and fold marks at its fold.

The card (card.py) is four faces of 105 × 74 mm. Flat, a card is an A6 sheet (105 × 148 mm)
folded across its middle, the fold at the top of the front. Page 1 of the sheet is the
outside (the front below the fold, the back above it, turned 180° so that it reads the right
way up when the card is turned over); page 2 the inside (faces 2 and 3, top to bottom).
Print both sides, turning the sheet over its long edge (top to bottom).
"""

from __future__ import annotations

from ..assemble import conformance
from ..assemble.pdf import Placed, impose
from ..plan.formats import BLEED as FACE_BLEED, SLUG as FACE_SLUG
from ..plan.registry import DocumentKind, register
from .card import Card

MM = 72 / 25.4
SHEET = (297 * MM, 210 * MM)          # A4 landscape
FACE = (105 * MM, 74 * MM)            # one face of the folded card
GAP = 20 * MM                         # between the two cards: room for both cards' トンボ
OFFSET, LENGTH = 2 * MM, 4 * MM       # a screen mark starts 2 mm from the trim, 4 mm long
SLUG = 10 * MM                        # print: the トンボ end 0.5 mm short of this, out of trim


def card_origins() -> list[tuple[float, float]]:
    """The lower left trim corner of each flat card on the sheet."""
    width, height = FACE[0], 2 * FACE[1]
    left = (SHEET[0] - 2 * width - GAP) / 2
    bottom = (SHEET[1] - height) / 2
    return [(left, bottom), (left + width + GAP, bottom)]


def card_trims() -> list[list[float]]:
    """The trim box (x0, y0, x1, y1) of each flat card (105 × 148 mm) on the sheet."""
    return [[x, y, x + FACE[0], y + 2 * FACE[1]] for x, y in card_origins()]


def trim_corners() -> list[tuple[float, float]]:
    """Every trim corner of every card on the sheet (what the crop marks point at)."""
    return [(x + dx, y + dy) for x, y in card_origins()
            for dx in (0, FACE[0]) for dy in (0, 2 * FACE[1])]


def marks() -> list[tuple[float, float, float, float]]:
    """The screen sheet's marks (for cutting an office print): crop marks at each trim
    corner (outside the card, along both edges), and a fold mark on each side of each
    card's fold."""
    lines = []
    for x, y in card_origins():
        for dx, sx in ((0, -1), (FACE[0], 1)):
            for dy, sy in ((0, -1), (2 * FACE[1], 1)):
                cx, cy = x + dx, y + dy
                lines.append((cx + sx * OFFSET, cy, cx + sx * (OFFSET + LENGTH), cy))
                lines.append((cx, cy + sy * OFFSET, cx, cy + sy * (OFFSET + LENGTH)))
            fold = y + FACE[1]
            lines.append((x + dx + sx * OFFSET, fold, x + dx + sx * (OFFSET + LENGTH), fold))
    return lines


def print_marks(bleed: float) -> list[tuple[float, float, float, float]]:
    """The print sheet's marks: each card's own トンボ (double crop marks, on its trim and
    its bleed edge) and centre marks, as a single card's print file draws them
    (``conformance.crop_marks``); the centre marks on the long sides mark the fold. They
    end ``SLUG`` − 0.5 mm out of the trim, short of the other card's bleed."""
    return [line for trim in card_trims() for line in conformance.crop_marks(trim, bleed, SLUG)]


def screen_marks_stream() -> bytes:
    """The screen sheet's marks: 0.25 pt black, an artifact."""
    lines = ''.join(f'{x1:.3f} {y1:.3f} m {x2:.3f} {y2:.3f} l S\n'
                    for x1, y1, x2, y2 in marks())
    return f'/Artifact BMC q 0 G 0.25 w\n{lines}Q EMC\n'.encode('ascii')


def sheets(bleed: float = 0.0) -> list[list[Placed]]:
    """The faces placed on the two sheets (outside, inside); the left card's are tagged (a
    screen reader reads one card, in the card's own order), the right card is a copy.
    With a ``bleed``, each face paints its bleed on the card's three outer sides and stops
    at the fold."""
    outside, inside = [], []
    for number, (x, y) in enumerate(card_origins()):
        tagged = number == 0
        width, fold = FACE[0], y + FACE[1]
        lower = (x - bleed, y - bleed, x + width + bleed, fold)
        upper = (x - bleed, fold, x + width + bleed, fold + FACE[1] + bleed)
        outside += [Placed(0, x, y, clip=lower, tagged=tagged),
                    Placed(3, x, fold, turned=True, clip=upper, tagged=tagged)]
        inside += [Placed(2, x, y, clip=lower, tagged=tagged),
                   Placed(1, x, fold, clip=upper, tagged=tagged)]
    return [outside, inside]


def _face_marks(page, stream) -> bool:
    """Whether ``stream`` is the crop marks a single card's print file draws around a face
    (left out on the sheet: the sheet draws each card's own)."""
    trim = [float(v) for v in page.obj.get('/TrimBox', page.mediabox)]
    return stream.read_bytes() == conformance.marks_stream(
        conformance.crop_marks(trim, FACE_BLEED, FACE_SLUG))


@register
class CardSheet(DocumentKind):
    name = 'card-sheet'
    title = '患者さん向けカード（面付け）'
    order = 21
    phase = 'prefecture'
    pages = 2
    previewed = False   # its faces are the card's
    formats = ('screen', 'print')

    def jobs(self, context):
        for job in [job for job in context.jobs if job.kind == Card.name
                    and job.fingerprint != 'screen']:
            output = job.output.replace('/cards/', '/cards/sheets/', 1)
            yield context.make(self, output, prefecture=job.prefecture, lang=job.lang,
                               parts=(job.output,), title=job.title)

    def describe(self, job):
        prefecture = job.prefecture.prefecture
        return f'imposed card sheet ({job.lang}) for {prefecture.code} {prefecture.name}'

    def produce(self, job, context):
        """Screen: the card's faces with their tags, the marks an artifact. Print (a format
        with a bleed): the print card's faces with their bleed, each card's トンボ in
        registration colour; the card's output intent and PDF/X-4 XMP."""
        prefecture = job.prefecture.prefecture
        bleed = context.format.bleed
        if bleed:
            drawn = conformance.marks_stream(print_marks(bleed))
            skip = _face_marks
        else:
            drawn, skip = screen_marks_stream(), (lambda page, stream: False)
        return impose(context.parts[job.parts[0]], SHEET, sheets(bleed), [drawn, drawn],
                      f'患者さん向けカード（面付け） {prefecture.name} {job.lang}', skip=skip)
