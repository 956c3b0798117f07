"""A print batch as a pure unit: everything a worker needs travels with it, and the worker
returns bytes. A worker needs only the same noticegen version and fonts; the batch carries
their digest, and a worker whose own digest differs refuses the batch."""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .. import __version__
from ..errors import NoticegenError, RenderError, shorten
from ..recipients.barcode import encode
from .assembly import Area, BlockSheet, Placement, assemble
from .letters import Recipient

BLOCK_TEMPLATE = 'merge-address.html'
BLOCK_STYLESHEET = 'merge-address.css'
PX = 0.75   # CSS px to PDF points


class DigestMismatch(NoticegenError):
    """A worker whose noticegen version or fonts differ from the client's."""


@dataclass(frozen=True)
class Batch:
    number: int                                   # 1-based, in mailing order
    recipients: tuple[Recipient, ...]
    shared: dict[str, tuple[bytes, bytes, Area]]  # prefecture → (letter, leaflet, area)
    templates: dict[str, str]                     # the block's template and stylesheet
    title: str
    author: str
    created: str                                  # PDF date, D:YYYYMMDD000000+09'00'
    labels: bool
    digest: str                                   # environment_digest() of the client
    point: float = 10.0

    @property
    def key(self) -> str:
        """What shapes the batch's files: a rerun skips a batch whose key is recorded."""
        hasher = hashlib.sha256()
        for part in (self.digest, self.title, self.author, self.created, str(self.labels),
                     str(self.point), *(f'{k}\0{v}' for k, v in sorted(self.templates.items()))):
            hasher.update(part.encode() + b'\0')
        for code in sorted(self.shared):
            letter, leaflet, area = self.shared[code]
            hasher.update(code.encode() + hashlib.sha256(letter).digest()
                          + hashlib.sha256(leaflet).digest() + repr(area).encode())
        for recipient in self.recipients:
            hasher.update(repr(recipient).encode() + b'\0')
        return hasher.hexdigest()


@dataclass
class Made:
    number: int
    pdf: bytes
    starts: list[int]            # each recipient's first page
    pages: int
    labels: bytes | None = None
    seconds: float = 0.0         # the worker's time on the batch


@lru_cache(maxsize=4)
def _font_digest(css: str) -> str:
    """sha256 of the font files behind the families ``css`` declares."""
    from ..check.fonts import find_font
    from ..check.fonts import declared_families
    with tempfile.NamedTemporaryFile('w', suffix='.css', encoding='utf-8') as sheet:
        sheet.write(css)
        sheet.flush()
        families = declared_families(Path(sheet.name))
    hasher = hashlib.sha256()
    for family in families:
        font = find_font(family)
        hasher.update(family.encode() + b'\0' + str(font.index).encode() + b'\0')
        hasher.update(hashlib.sha256(font.path.read_bytes()).digest())
    return hasher.hexdigest()


def environment_digest(templates: dict[str, str]) -> str:
    """The noticegen version and the fonts the block stylesheet uses, as one digest."""
    return hashlib.sha256(f'noticegen {__version__}\0{_font_digest(templates[BLOCK_STYLESHEET])}'
                          .encode()).hexdigest()


@lru_cache(maxsize=2)
def _renderer(templates_items: tuple[tuple[str, str], ...]):
    """A renderer over the carried templates, written once per process to a folder."""
    import atexit
    import shutil
    from ..render.engine import Renderer
    scratch = tempfile.mkdtemp(prefix='noticegen-merge-')
    atexit.register(shutil.rmtree, scratch, True)
    folder = Path(scratch) / 'templates'
    folder.mkdir()
    for name, text in templates_items:
        (folder / name).write_text(text, encoding='utf-8')
    return Renderer(folder)


def render_blocks(batch: Batch) -> tuple[BlockSheet, list[tuple[float, float] | None]]:
    """The batch's addressee blocks laid out in one document (one font subset), many to a
    page, with each block's band and its barcode slot's top-left corner in points from the
    block's top-left. A block whose text runs past its height fails the batch."""
    from ..render.engine import placed
    renderer = _renderer(tuple(sorted(batch.templates.items())))
    blocks = [recipient.block() for recipient in batch.recipients]
    html = renderer.html(BLOCK_TEMPLATE, blocks=blocks)
    document = renderer.render(html, [BLOCK_STYLESHEET])
    renderer.check_budget(document, f'addressee blocks of batch {batch.number}', html=html)
    found = placed(document, 'block')
    if len(found) != len(blocks):
        raise RenderError(f'batch {batch.number}: {len(found)} blocks laid out for '
                          f'{len(blocks)} recipients')
    slots_found = placed(document, 'barcode-slot')
    bands, slots = [], []
    for index, (box, block) in enumerate(zip(found, blocks)):
        if box.content_bottom > box.y + box.height + 0.5:
            raise RenderError(
                f'the addressee block of {shorten(block["name"])} ({batch.recipients[index].code}) runs '
                f'{(box.content_bottom - box.y - box.height) * PX / 72 * 25.4:.1f} mm past its '
                f'{box.height * PX / 72 * 25.4:.0f} mm: shorten its name or address in the '
                f'recipients file')
        slot = next((s for s in slots_found if s.page == box.page
                     and box.y <= s.y < box.y + box.height), None)
        if block['barcode'] and slot is None:
            raise RenderError(f'batch {batch.number}: no room for the barcode of '
                              f'{block["name"]}')
        slots.append(None if slot is None or not block['barcode']
                     else ((slot.x - box.x) * PX, (slot.y - box.y) * PX))
        bands.append((box.page, box.y, box.height))
    width, height = (found[0].width * PX, found[0].height * PX) if found else (0.0, 0.0)
    return BlockSheet(renderer.write(document), bands, width, height), slots


def make(batch: Batch) -> Made:
    """Make ``batch``'s bytes (in a worker or in the client): nothing is written here."""
    import time
    started = time.perf_counter()
    own = environment_digest(batch.templates)
    if own != batch.digest:
        raise DigestMismatch(
            f'batch {batch.number}: refused: this worker runs noticegen {__version__} with '
            f'fonts of digest {own[:12]}, the client {batch.digest[:12]}; install the same '
            f'noticegen and fonts on every worker')
    blocks, slots = render_blocks(batch)
    placements = [Placement(recipient.prefecture,
                            tuple(encode(recipient.postal_code, recipient.address_number))
                            if recipient.customer_barcode else (), slot)
                  for recipient, slot in zip(batch.recipients, slots)]
    pdf, starts, labels = assemble(batch.shared, blocks, placements, batch.title,
                                   batch.author, batch.created, batch.labels)
    pages = 0
    if starts:
        letter_pages, leaflet_pages = _page_counts(batch.shared[batch.recipients[-1].prefecture])
        pages = starts[-1] - 1 + letter_pages + leaflet_pages
    return Made(batch.number, pdf, starts, pages, labels, time.perf_counter() - started)


def _page_counts(shared: tuple[bytes, bytes, Area]) -> tuple[int, int]:
    from ..assemble.pdf import page_count
    return page_count(shared[0]), page_count(shared[1])
