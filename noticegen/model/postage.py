"""What a mailed piece weighs, its class (定形, 定形外 規格内/規格外) and its postage.

Everything here is data: the paper and the envelope come from the notice's `mailing`, the
classes and fees from facts/postage.yaml (Japan Post's, with sources). A fee is given only
from a confirmed table; a stale one still gives fees, and is a warning (check/quality).
Nothing is guessed: no table, no class or no fee step means "unknown".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from .schema import ENVELOPE_SIZES, Mailing, Paper, PostageFile

A4_MM = (210.0, 297.0)
# A4 tri-folded into a 長形3号: folds at 99 and 198 mm from the top edge.
FOLDS_MM = (99.0, 198.0)
PANEL_MM = (A4_MM[0], FOLDS_MM[0])   # the first panel: the top 99 mm of the sheet, 210 wide
PLAY_MM = 3.0                        # how far the folded sheet may shift in the envelope


def sheet_weight(paper: Paper) -> float:
    """Grams of one A4 sheet: 64 g/m² × 0.210 × 0.297 m = 3.99 g."""
    return paper.gsm * (A4_MM[0] / 1000) * (A4_MM[1] / 1000)


def sheets(pages: int, duplex: bool) -> int:
    """Sheets of paper for ``pages`` printed pages: one a page, or two a sheet in duplex."""
    return math.ceil(pages / 2) if duplex else pages


@dataclass(frozen=True)
class Estimate:
    """One piece: what goes in, what it weighs, its class and fee (None: unknown)."""

    sheets: int
    weight_g: float
    thickness_mm: float
    mail_class: str | None
    yen: int | None
    unknown: str = ''     # why the class or the fee is unknown ('' when both are known)


def envelope_name(mailing: Mailing) -> str:
    return ENVELOPE_SIZES[mailing.envelope.size][0]


def estimate(sheet_count: int, mailing: Mailing, postage: PostageFile | None) -> Estimate:
    """The estimate for a piece of ``sheet_count`` A4 sheets in the mailing's envelope.

    Weight: the sheets at the paper's weight, plus the envelope's. Thickness: the sheets'
    layers (three a sheet when tri-folded; the envelope's own walls are not counted).
    Size: the envelope's. The class is the first of the table's classes whose limits admit
    the piece; the fee is that class's first step at or above the weight.
    """
    envelope = mailing.envelope
    _, width, height, fold = ENVELOPE_SIZES[envelope.size]
    layers = 3 if fold == 'tri-folded' else 1
    weight = sheet_count * sheet_weight(mailing.paper) + envelope.weight_g
    thickness = sheet_count * layers * mailing.paper.thickness_mm
    if postage is None:
        return Estimate(sheet_count, weight, thickness, None, None,
                        'no rate table (facts/postage.yaml)')
    length, short = max(width, height), min(width, height)
    for mail_class in postage.classes:
        limits = mail_class.limits
        admitted = (length >= limits.min_length_mm and short >= limits.min_width_mm
                    and weight <= limits.max_weight_g
                    and (limits.max_length_mm is None or length <= limits.max_length_mm)
                    and (limits.max_width_mm is None or short <= limits.max_width_mm)
                    and (limits.max_thickness_mm is None
                         or thickness <= limits.max_thickness_mm)
                    and (limits.max_sum_mm is None
                         or length + short + thickness <= limits.max_sum_mm))
        if not admitted:
            continue
        if postage.status != 'confirmed':
            return Estimate(sheet_count, weight, thickness, mail_class.name, None,
                            f'the rate table is {postage.status}')
        step = next(step for step in mail_class.fees if weight <= step.up_to_g)
        if step.yen is None:
            return Estimate(sheet_count, weight, thickness, mail_class.name, None,
                            f'no sourced fee for {mail_class.name} up to {step.up_to_g} g')
        return Estimate(sheet_count, weight, thickness, mail_class.name, step.yen)
    return Estimate(sheet_count, weight, thickness, None, None,
                    f'no class of the rate table admits {weight:.1f} g, {thickness:.1f} mm')


def later_change(postage: PostageFile, as_of: date) -> date | None:
    """A rate change on record after the table took effect (and by ``as_of``), if any."""
    later = [day for day in postage.changes if postage.effective < day <= as_of]
    return min(later) if later else None


def window_on_sheet(mailing: Mailing) -> tuple[float, float, float, float] | None:
    """The window as it falls on the A4 sheet, shrunk by the play: (x, y, width, height) in
    mm from the sheet's top-left; None for an envelope without a window.

    The sheet is tri-folded at 99 and 198 mm with its first panel (the top 99 mm, printed
    side out) against the envelope's address side; the envelope held landscape (235 × 120
    mm, opening at the right) shows that panel upright, its top-left at ``sheet_offset``
    (by default centred: 12.5 and 10.5 mm). The folded sheet may shift by PLAY_MM either
    way, so what must be read through the window lies inside the window shrunk by it.
    """
    envelope = mailing.envelope
    window = envelope.window
    if window is None:
        return None
    _, width, height, _ = ENVELOPE_SIZES[envelope.size]
    if envelope.sheet_offset is not None:
        dx, dy = envelope.sheet_offset.x, envelope.sheet_offset.y
    else:
        dx = (max(width, height) - PANEL_MM[0]) / 2
        dy = (min(width, height) - PANEL_MM[1]) / 2
    return (window.x - dx + PLAY_MM, window.y - dy + PLAY_MM,
            window.width - 2 * PLAY_MM, window.height - 2 * PLAY_MM)
