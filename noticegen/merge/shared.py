"""The pages every recipient of a prefecture gets: the merge letter with its addressee area
left empty, and the prefecture's leaflet, each laid out once."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import NoticegenError, RenderError
from ..model.addressing import recipients as addressed
from .assembly import Area

LETTER_TEMPLATE = 'merge-letter.html'
LETTER_STYLESHEETS = ('letter.css', 'merge-letter.css')
AREA_CLASS = 'addressee-area'
PX = 0.75


@dataclass(frozen=True)
class Shared:
    letter: bytes
    leaflet: bytes
    area: Area
    issuer: tuple[str, ...]


def issuer_lines(notice, prefecture, judge) -> tuple[str, ...]:
    """The department that sends the letter: its name where the prefecture's data has a
    fresh one, else the notice's generic line narrowed to the prefecture."""
    key = notice.merge.department
    for recipient in addressed(notice, prefecture, judge):
        if recipient.department == key:
            return recipient.lines
    raise NoticegenError(f'merge.department {key!r}: not the department of an addressee')


def render_letter(renderer, notice, issuer: tuple[str, ...], name: str) -> tuple[bytes, Area]:
    """The merge letter with an empty addressee area, and where that area is."""

    def lay_out(numbered: bool):
        html = renderer.html(LETTER_TEMPLATE, notice=notice, merge=notice.merge,
                             issuer=issuer, numbered=numbered)
        return renderer.render(html, list(LETTER_STYLESHEETS)), html

    document, html = lay_out(numbered=True)
    if len(document.pages) == 1:
        document, html = lay_out(numbered=False)
    renderer.check_budget(document, name, html=html)
    from ..render.engine import placed
    area = next((box for box in placed(document, AREA_CLASS) if box.page == 0), None)
    if area is None:
        raise RenderError(f'{name}: the template has no .{AREA_CLASS} on its first page')
    height = document.pages[0].height * PX
    x, top, width, tall = area.x * PX, area.y * PX, area.width * PX, area.height * PX
    return renderer.write(document), Area(round(x, 3), round(height - top - tall, 3),
                                         round(width, 3), round(tall, 3))
