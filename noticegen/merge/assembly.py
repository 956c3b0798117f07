"""The merge's PDF assembly (pikepdf only): shared pages placed by reference, each
recipient's addressee block placed as a Form XObject, the customer barcode drawn as bars.

The boundary is ``assemble``: given each prefecture's shared pages (laid out once), the
batch's block document (one page per recipient, one font subset) and where each block's
barcode goes, it returns the batch's PDF. The letter's first page is one Form XObject for
the whole batch; every other page of the letter and the leaflet is a page dictionary that
points at the same content stream and resources. Per recipient, only a page dictionary, a
short content stream and the block's Form XObject are new.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from ..assemble.subsets import name_by_program, unite_fonts
from ..recipients.barcode import LONG, LOWER, QUIET_ZONE_MM, TIMING, UPPER, Dimensions

MM = 72 / 25.4
# Page keys a shared page keeps; /Parent, annotations and structure keys are the source's.
PAGE_KEYS = ('/MediaBox', '/CropBox', '/BleedBox', '/TrimBox', '/Rotate', '/Group')


@dataclass(frozen=True)
class Area:
    """Where the addressee block goes on the letter's first page, in PDF points."""

    x: float
    y: float          # the bottom edge, from the page's bottom
    width: float
    height: float


@dataclass(frozen=True)
class BlockSheet:
    """The batch's addressee blocks: a PDF of tall pages, many blocks to a page, and each
    block's (page index, top, height) in CSS px; the block's size in points."""

    pdf: bytes
    bands: list[tuple[int, float, float]]
    width: float
    height: float


@dataclass(frozen=True)
class Placement:
    """One recipient: its prefecture, and its barcode's bars and slot (block points, the
    slot's top-left corner from the block's top-left), or no barcode."""

    prefecture: str
    bars: tuple[str, ...] = ()
    slot: tuple[float, float] | None = None


def _copy(out, source, value):
    """``value`` of ``source`` as an object of ``out`` (direct values copied through an
    indirect one: qpdf copies only indirect objects between files)."""
    import pikepdf
    if isinstance(value, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)):
        if not value.is_indirect:
            value = source.make_indirect(value)
        return out.copy_foreign(value)
    return value


def _open(data: bytes):
    import pikepdf
    return pikepdf.Pdf.open(io.BytesIO(data))


def bar_operators(bars, left: float, top: float, point: float = 10.0) -> str:
    """PDF operators filling ``bars`` with the quiet zone's corner at (left, top), y up."""
    size = Dimensions(point)
    quiet = QUIET_ZONE_MM
    spans = {LONG: (0.0, size.long), UPPER: (0.0, size.semi_long),
             LOWER: ((size.long - size.timing) / 2, size.semi_long),
             TIMING: ((size.long - size.timing) / 2, size.timing)}
    rects = []
    for index, bar in enumerate(bars):
        offset, length = spans[bar]
        x = left + (quiet + index * size.pitch) * MM
        y = top - (quiet + offset + length) * MM
        rects.append(f'{x:.3f} {y:.3f} {size.width * MM:.3f} {length * MM:.3f} re')
    return '0 g\n' + '\n'.join(rects) + '\nf\n' if rects else ''


def assemble(shared: dict[str, tuple[bytes, bytes, Area]], blocks: BlockSheet,
             placements: list[Placement], title: str, author: str, created: str,
             labels: bool = False) -> tuple[bytes, list[int], bytes | None]:
    """The batch's PDF, the first page (1-based) of each recipient's letter, and, with
    ``labels``, A4 label sheets of the same blocks (2 × 6 of 105 × 49.5 mm)."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name

    out = pikepdf.new()
    block_source = _open(blocks.pdf)
    if len(blocks.bands) != len(placements):
        raise ValueError(f'{len(blocks.bands)} blocks for {len(placements)} recipients')
    block_forms = split_blocks(block_source, blocks.bands, blocks.width, blocks.height)
    sources = []
    imported: dict[str, tuple] = {}

    def shared_page(source, page):
        """A page's content and resources, copied once into ``out``, as indirect objects."""
        obj = page.obj
        contents = obj.get('/Contents')
        if contents is not None and not contents.is_indirect:
            contents = source.make_indirect(contents)
        resources = obj.get('/Resources', Dictionary())
        if not resources.is_indirect:
            resources = source.make_indirect(resources)
        keys = {key: obj[key] for key in PAGE_KEYS if key in obj}
        return (out.copy_foreign(contents) if contents is not None else None,
                out.copy_foreign(resources),
                {key: _copy(out, source, value) for key, value in keys.items()})

    for code in sorted({placement.prefecture for placement in placements}):
        letter_pdf, leaflet_pdf, area = shared[code]
        letter, leaflet = _open(letter_pdf), _open(leaflet_pdf)
        sources += [letter, leaflet]
        first = pikepdf.Page(letter.pages[0]).as_form_xobject()
        rest = [shared_page(letter, page) for page in list(letter.pages)[1:]]
        rest += [shared_page(leaflet, page) for page in leaflet.pages]
        imported[code] = (out.copy_foreign(first), rest, area,
                          [float(v) for v in letter.pages[0].mediabox])

    starts = []
    forms = [out.copy_foreign(form) for form in block_forms]
    block_height = blocks.height

    def block_operators(form_name: str, placement: Placement, x: float, y: float) -> str:
        """Draw a block with its bottom-left corner at (x, y), and its barcode."""
        text = f'q 1 0 0 1 {x:.3f} {y:.3f} cm /{form_name} Do Q\n'
        if placement.bars and placement.slot is not None:
            left, top = placement.slot
            text += bar_operators(placement.bars, x + left, y + block_height - top)
        return text

    for index, placement in enumerate(placements):
        first, rest, area, box = imported[placement.prefecture]
        starts.append(len(out.pages) + 1)
        content = ('q /Letter Do Q\n'
                   + block_operators('Addressee', placement, area.x, area.y)).encode()
        page = Dictionary(
            Type=Name.Page, MediaBox=Array(box),
            Resources=Dictionary(XObject=Dictionary(Letter=first, Addressee=forms[index])),
            Contents=out.make_stream(content))
        out.pages.append(pikepdf.Page(page))
        for contents, resources, keys in rest:
            page = Dictionary(Type=Name.Page, Resources=resources, **{k[1:]: v for k, v in
                                                                       keys.items()})
            if contents is not None:
                page.Contents = contents
            out.pages.append(pikepdf.Page(page))

    out.docinfo['/Title'] = title
    out.docinfo['/Author'] = author
    out.docinfo['/Creator'] = 'noticegen merge'
    out.docinfo['/CreationDate'] = created
    out.docinfo['/ModDate'] = created
    out.Root.Lang = pikepdf.String('ja')
    # The prefectures' letters and leaflets and the blocks were laid out apart: one font
    # program per face, named after its bytes, so that no two programs share a subset
    # name in a batch or across the batches (a print RIP may cache fonts by name).
    unite_fonts(out)
    name_by_program(out)
    data = _save(out)

    sheets = None
    if labels:
        sheets = _label_sheets(block_source, block_forms, blocks, placements, block_operators,
                               title, created)
    return data, starts, sheets


LABEL_W, LABEL_H = 105 * MM, 49.5 * MM
A4 = (595.276, 841.89)


def _label_sheets(block_source, block_forms, blocks: BlockSheet, placements, block_operators,
                  title: str, created: str) -> bytes:
    """A4 sheets of 12 labels (2 × 6, 105 × 49.5 mm, edge to edge, as ``recipients
    labels``), each holding one addressee block with its barcode."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name
    sheet_pdf = pikepdf.new()
    forms = [sheet_pdf.copy_foreign(form) for form in block_forms]
    width, height = blocks.width, blocks.height
    for start in range(0, len(placements), 12):
        operators, xobjects = [], Dictionary()
        for slot, index in enumerate(range(start, min(start + 12, len(placements)))):
            column, row = slot % 2, slot // 2
            x = column * LABEL_W + (LABEL_W - width) / 2
            y = A4[1] - (row + 1) * LABEL_H + (LABEL_H - height) / 2
            name = f'B{slot}'
            xobjects[f'/{name}'] = forms[index]
            operators.append(block_operators(name, placements[index], x, y))
        page = Dictionary(Type=Name.Page, MediaBox=Array([0, 0, *A4]),
                          Resources=Dictionary(XObject=xobjects),
                          Contents=sheet_pdf.make_stream(''.join(operators).encode()))
        sheet_pdf.pages.append(pikepdf.Page(page))
    sheet_pdf.docinfo['/Title'] = f'{title}（宛名ラベル）'
    sheet_pdf.docinfo['/Creator'] = 'noticegen merge'
    sheet_pdf.docinfo['/CreationDate'] = created
    sheet_pdf.docinfo['/ModDate'] = created
    sheet_pdf.Root.Lang = pikepdf.String('ja')
    name_by_program(sheet_pdf)
    return _save(sheet_pdf)


def _save(document) -> bytes:
    import pikepdf
    output = io.BytesIO()
    document.save(output, deterministic_id=True, compress_streams=True,
                  object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return output.getvalue()


# --- the addressee blocks: laid out many to a tall page, cut into one Form XObject each ----

# Operators a block page may hold. WeasyPrint writes the text of a page in one text object,
# each run placed by an absolute text matrix; anything else (a drawn rule, an image, a clip)
# would not be cut by its position, so it is refused rather than misplaced.
_STATE = {'gs', 'rg', 'RG', 'g', 'G', 'k', 'K', 'cs', 'CS', 'sc', 'scn', 'SC', 'SCN', 'w'}
_TEXT_STATE = {'Tf', 'Tc', 'Tw', 'Tz', 'TL', 'Ts', 'Tr'}
_SHOW = {'TJ', 'Tj'}
_MARKS = {'BDC', 'BMC', 'EMC', 'MP', 'DP'}   # tags: a block's form is not tagged


class BlockSplitError(ValueError):
    """A block page holds something the cutter does not place by position."""


def split_blocks(source, bands: list[tuple[int, float, float]], width: float,
                 height: float) -> list:
    """One Form XObject (in ``source``) per band: ``bands`` are (page index, top, height)
    in CSS px of each block, in order; ``width`` and ``height`` the block's size in points.

    Each text run goes to the band its baseline is in; the form draws it at the same place
    relative to the band's top, with the page's resources (so every block of the batch
    shares the one font subset)."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name, Operator
    forms: list = [None] * len(bands)
    pages: dict[int, list[int]] = {}
    for index, (page, _, _) in enumerate(bands):
        pages.setdefault(page, []).append(index)
    for page_index, indexes in pages.items():
        page = source.pages[page_index]
        if not page.obj.Resources.is_indirect:
            page.obj.Resources = source.make_indirect(page.obj.Resources)
        page_height = float(page.mediabox[3]) - float(page.mediabox[1])
        transforms, state = [], []
        segments: dict[int, list] = {index: [] for index in indexes}
        text_state: dict[str, list] = {}
        current = None
        in_text = False
        for operands, operator in pikepdf.parse_content_stream(page):
            name = str(operator)
            if name in _MARKS:
                continue
            if name == 'BT':
                in_text, current = True, None
            elif name == 'ET':
                in_text, current = False, None
            elif not in_text:
                if name == 'cm':
                    if current is not None or any(segments.values()):
                        raise BlockSplitError('a transformation after the text')
                    transforms.append([float(value) for value in operands])
                elif name in ('q', 'Q'):
                    continue
                elif name in _STATE:
                    state.append((list(operands), name))
                else:
                    raise BlockSplitError(f'the operator {name} outside text')
            elif name in _TEXT_STATE:
                text_state[name] = list(operands)
                if current is not None:
                    segments[current].append((list(operands), name))
            elif name == 'Tm':
                y = float(operands[5])
                found = next((index for index in indexes
                              if bands[index][1] <= y < bands[index][1] + bands[index][2]), None)
                if found is None:
                    raise BlockSplitError(f'text at {y:.1f} px is in no block')
                if found != current:
                    current = found
                    segments[found] += [(values, key) for key, values in text_state.items()]
                values = [float(value) for value in operands]
                values[5] = y - bands[found][1]
                segments[found].append((values, 'Tm'))
            elif name in _SHOW:
                if current is None:
                    raise BlockSplitError('text shown before it is placed')
                segments[current].append((list(operands), name))
            else:
                raise BlockSplitError(f'the operator {name} in text')
        if not transforms or transforms[0][:5] != [1, 0, 0, -1, 0] \
                or abs(transforms[0][5] - page_height) > 0.01:
            raise BlockSplitError('the page does not start with its usual flip')
        for index in indexes:
            instructions = [([1, 0, 0, -1, 0, height], 'cm')]
            instructions += [(values, 'cm') for values in transforms[1:]]
            instructions += state
            instructions += [([], 'BT'), *segments[index], ([], 'ET')]
            content = pikepdf.unparse_content_stream(
                [pikepdf.ContentStreamInstruction(operands, Operator(op))
                 for operands, op in instructions])
            form = pikepdf.Stream(source, content)
            form.Type = Name.XObject
            form.Subtype = Name.Form
            form.BBox = Array([0, 0, width, height])
            form.Resources = page.obj.Resources
            forms[index] = form
    return forms
