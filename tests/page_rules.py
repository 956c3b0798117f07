"""Page rules measured on a printed PDF (issue #17): fill, type sizes, line starts, whole
tokens, overlapping boxes, direction words and QR codes. Helpers for the tests, with no
assertion of their own: each returns what it measured."""

from __future__ import annotations

import re
from dataclasses import dataclass

PT_PER_MM = 72 / 25.4
# Line height of a block's last line, whose next baseline is not in the block: the body's
# minimum line height (issue #17), so that fill is never overstated.
LAST_LINE_HEIGHT = 1.5
ASCENT = 0.88          # BIZ UD and Noto: the ascender, in em, above the baseline
LINE_STARTS = '、。」）'
DIRECTION_WORDS = {
    'ja': ['上記', '下記', '下の', '上の', '左', '右', '次のページ', '次ページ', '裏面'],
    'en': ['above', 'below', 'left', 'right', 'overleaf', 'next page'],
}


@dataclass
class Line:
    """A run of characters on one baseline, with no gap wider than two characters."""

    chars: list[dict]

    @property
    def text(self) -> str:
        return ''.join(c['text'] for c in self.chars)

    @property
    def baseline(self) -> float:
        return self.chars[0]['baseline']

    @property
    def size(self) -> float:
        return max(c['size'] for c in self.chars)

    @property
    def x0(self) -> float:
        return min(c['x0'] for c in self.chars)

    @property
    def x1(self) -> float:
        return max(c['x1'] for c in self.chars)


def lines_of(page, bbox=None) -> list[Line]:
    """The page's text lines (in reading order: top to bottom, then left to right)."""
    height = page.height
    chars = []
    for char in page.chars:
        if not char['text'].strip():
            continue
        baseline = height - char['matrix'][5]
        chars.append({**char, 'baseline': round(baseline, 1)})
    chars.sort(key=lambda c: (c['baseline'], c['x0']))
    rows: list[list[dict]] = []
    for char in chars:
        if rows and abs(rows[-1][-1]['baseline'] - char['baseline']) < 1.0:
            rows[-1].append(char)
        else:
            rows.append([char])
    lines = []
    for row in rows:
        row.sort(key=lambda c: c['x0'])
        current = [row[0]]
        for char in row[1:]:
            if char['x0'] - current[-1]['x1'] > 2 * max(char['size'], current[-1]['size']):
                lines.append(Line(current))
                current = []
            current.append(char)
        lines.append(Line(current))
    return lines


def line_heights(lines: list[Line]) -> list[tuple[Line, float]]:
    """Each line with its height: the distance to the next baseline of its block (the next
    line below it that overlaps it horizontally, in the same type size, at most two lines
    below), else its size times the last-line height."""
    result = []
    for line in lines:
        below = [other for other in lines
                 if other.baseline > line.baseline + 0.5
                 and other.x0 < line.x1 and other.x1 > line.x0]
        height = line.size * LAST_LINE_HEIGHT
        if below:
            following = min(below, key=lambda other: other.baseline)
            gap = following.baseline - line.baseline
            if abs(following.size - line.size) < 0.6 and gap <= 2.2 * line.size:
                height = gap
        result.append((line, height))
    return result


def _union(intervals: list[tuple[float, float]]) -> float:
    total, end = 0.0, float('-inf')
    for start, stop in sorted(intervals):
        if stop <= end:
            continue
        total += stop - max(start, end)
        end = stop
    return total


@dataclass
class Fill:
    value: float
    text: float
    images: float
    content_height: float


def fill(page, margins_mm: tuple[float, float], images: list[tuple[float, float]]) -> Fill:
    """The page's fill (issue #17): the heights of its text lines and content images over
    the content box's height. ``margins_mm``: the page's top and bottom margins;
    ``images``: the (top, bottom) of each content image (QR codes, the numbers band); the
    lines inside an image count as the image. Where lines or images sit side by side, their
    heights are counted once (the union of their vertical extents), so that two columns
    never add up to more than the page."""
    top = margins_mm[0] * PT_PER_MM
    bottom = page.height - margins_mm[1] * PT_PER_MM
    intervals, text = [], []
    for line, height in line_heights(lines_of(page)):
        if any(start - 1 <= line.baseline <= stop + 1 for start, stop in images):
            continue
        start = line.baseline - line.size * ASCENT - (height - line.size) / 2
        intervals.append((start, start + height))
        text.append((start, start + height))
    content = bottom - top
    return Fill(_union(intervals + list(images)) / content, _union(text) / content,
                _union(list(images)) / content, content)


def filled_rects(page, colour: tuple[float, ...], min_width: float = 0) -> list[dict]:
    """Rectangles painted in ``colour`` (RGB, 0–1), at least ``min_width`` wide."""
    found = []
    for rect in page.rects:
        fill_colour = rect.get('non_stroking_color')
        if (rect.get('fill') and fill_colour is not None and len(fill_colour) == 3
                and all(abs(a - b) < 0.01 for a, b in zip(fill_colour, colour))
                and rect['width'] >= min_width):
            found.append(rect)
    return found


def hex_colour(value: str) -> tuple[float, float, float]:
    value = value.lstrip('#')
    return tuple(int(value[i:i + 2], 16) / 255 for i in (0, 2, 4))


def small_text(page, minimum: float) -> list[str]:
    """Characters set smaller than ``minimum`` pt."""
    return [c['text'] for c in page.chars if c['text'].strip() and c['size'] < minimum - 0.05]


def bad_line_starts(page) -> list[str]:
    return [line.text for line in lines_of(page) if line.text[0] in LINE_STARTS]


def broken(page, token: str) -> bool:
    """Whether ``token`` (spaces ignored) is printed on the page but never whole on a line."""
    wanted = re.sub(r'\s+', '', token)
    joined = [re.sub(r'\s+', '', line.text) for line in lines_of(page)]
    whole = any(wanted in text for text in joined)
    everywhere = re.sub(r'\s+', '', ''.join(joined))
    return not whole and wanted[:4] in everywhere


def direction_words(text: str, lang: str) -> list[str]:
    words = DIRECTION_WORDS['ja' if lang.startswith('ja') else 'en']
    if lang.startswith('ja'):
        return [word for word in words if word in text]
    return [word for word in words
            if re.search(rf'(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])', text, re.IGNORECASE)]


def overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """Whether two (x0, top, x1, bottom) boxes share any area."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def qr_codes(pdf_path, page_index: int, scale: float = 4) -> list[tuple[str, float, float]]:
    """Each QR code on the page: its text, and its top and bottom in PDF points."""
    import pypdfium2
    import zxingcpp
    document = pypdfium2.PdfDocument(str(pdf_path))
    image = document[page_index].render(scale=scale).to_pil()
    found = []
    for result in zxingcpp.read_barcodes(image):
        position = result.position
        ys = [point.y for point in (position.top_left, position.top_right,
                                    position.bottom_left, position.bottom_right)]
        found.append((result.text, min(ys) / scale, max(ys) / scale))
    return found
