"""The patient card imposed for printing: A4 landscape, two folded cards a sheet, printed on
both sides, with crop marks at each card's trim corners and fold marks at its fold.

The card (card.py) is four faces of 105 × 74 mm. Flat, a card is an A6 sheet (105 × 148 mm)
folded across its middle, the fold at the top of the front. Page 1 of the sheet is the
outside (the front below the fold, the back above it, turned 180° so that it reads the right
way up when the card is turned over); page 2 the inside (faces 2 and 3, top to bottom).
Print both sides, turning the sheet over its long edge (top to bottom).
"""

from __future__ import annotations

from ..assemble.pdf import Placed, impose
from ..plan.registry import DocumentKind, register
from .card import Card

MM = 72 / 25.4
SHEET = (297 * MM, 210 * MM)          # A4 landscape
FACE = (105 * MM, 74 * MM)            # one face of the folded card
GAP = 12 * MM                         # between the two cards: room for both cards' marks
OFFSET, LENGTH = 2 * MM, 4 * MM       # a mark starts 2 mm from the trim and is 4 mm long


def card_origins() -> list[tuple[float, float]]:
    """The lower left trim corner of each flat card on the sheet."""
    width, height = FACE[0], 2 * FACE[1]
    left = (SHEET[0] - 2 * width - GAP) / 2
    bottom = (SHEET[1] - height) / 2
    return [(left, bottom), (left + width + GAP, bottom)]


def trim_corners() -> list[tuple[float, float]]:
    """Every trim corner of every card on the sheet (what the crop marks point at)."""
    return [(x + dx, y + dy) for x, y in card_origins()
            for dx in (0, FACE[0]) for dy in (0, 2 * FACE[1])]


def marks() -> list[tuple[float, float, float, float]]:
    """Crop marks at each trim corner (outside the card, along both edges), and a fold mark
    on each side of each card's fold."""
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


def sheets() -> list[list[Placed]]:
    outside, inside = [], []
    for x, y in card_origins():
        outside += [Placed(0, x, y), Placed(3, x, y + FACE[1], turned=True)]
        inside += [Placed(2, x, y), Placed(1, x, y + FACE[1])]
    return [outside, inside]


@register
class CardSheet(DocumentKind):
    name = 'card-sheet'
    title = '患者さん向けカード（面付け）'
    order = 21
    phase = 'prefecture'
    pages = 2
    previewed = False   # its faces are the card's

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
        prefecture = job.prefecture.prefecture
        return impose(context.parts[job.parts[0]], SHEET, sheets(), marks(),
                      f'患者さん向けカード（面付け） {prefecture.name} {job.lang}')
