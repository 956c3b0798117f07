"""Typed model of the sources: what templates receive, never raw dicts."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Discriminator,
                      Field, Tag, ValidationInfo, field_validator, model_validator)

from .wareki import ERAS

_ISO_DATE = re.compile(r'\d{4}-\d{2}-\d{2}')


def _parse_iso_date(value: object) -> object:
    if isinstance(value, str):
        if not _ISO_DATE.fullmatch(value):
            raise ValueError(f'expected an ISO date YYYY-MM-DD, found {value!r}')
        try:
            parsed = date.fromisoformat(value)
        except ValueError as exception:
            raise ValueError(f'{value!r} is not a real date ({exception})') from None
        if parsed < ERAS[-1][0]:
            raise ValueError(f'{value!r} is before 昭和 (1926-12-25)')
        return parsed
    if isinstance(value, date):
        return value
    raise ValueError(f'expected an ISO date YYYY-MM-DD, found {type(value).__name__} {value!r}')


IsoDate = Annotated[date, BeforeValidator(_parse_iso_date)]


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError('must not be empty')
    return value


# Lengths no real value comes near, so that a runaway value is an error at validate, not
# minutes of layout: a paragraph, a one-line value (a name, a title line), an identifier.
MAX_TEXT = 4000
MAX_LINE = 300
Text = Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(_non_blank)]
Line = Annotated[str, Field(pattern=r'^[^\n]*$', max_length=MAX_LINE), AfterValidator(_non_blank)]
Slug = Annotated[str, Field(pattern=r'^[a-z0-9][a-z0-9-]*$', max_length=80)]
Digits = Annotated[str, Field(pattern=r'^[0-9]+$')]
PhoneNumber = Annotated[str, Field(pattern=r'^0[0-9]{1,4}-[0-9]{1,4}-[0-9]{3,4}$')]

def _check_marker(value: str) -> str:
    from .numbering import parse_marker
    parse_marker(value)
    return value


Marker = Annotated[str, AfterValidator(_check_marker)]


def _check_label(value: str) -> str:
    if value.count('{n}') > 1 or re.search(r'\{(?!n\})|(?<!\{n)\}', value):
        raise ValueError(f'a label is text with at most one {{n}} (the number); found {value!r}')
    return value


LabelTemplate = Annotated[str, AfterValidator(_non_blank), Field(pattern=r'^[^\n]*$'),
                          AfterValidator(_check_label)]
Gap = Annotated[float, Field(ge=0, le=4)]

# The series of attachments, each numbered on its own: 別添, 別紙, 別紙様式, 参考.
SERIES = ('betten', 'besshi', 'yoshiki', 'sanko')
Series = Literal['betten', 'besshi', 'yoshiki', 'sanko']


class Model(BaseModel):
    model_config = ConfigDict(strict=True, extra='forbid', frozen=True)


# A claim id: the key of a fact in facts/services.yaml (or of the national data), or 'none'.
ClaimId = Annotated[str, Field(pattern=r'^[a-z0-9]+(?:[.-][a-z0-9]+)*$')]
NO_CLAIM = 'none'


class Claimed(Model):
    """A text of the leaflet or the card with the one fact it states: a claim id, or
    ``claim: none`` with the reason it states none (a heading, an instruction). A text whose
    fact does not print (unconfirmed, stale) is left out. Translations share the claims of
    their source's fields, by key: they hold the text only."""

    text: Text
    claim: ClaimId
    reason: Line | None = None

    @model_validator(mode='after')
    def _reason_for_none(self) -> Claimed:
        if self.claim == NO_CLAIM and not self.reason:
            raise ValueError('claim: none needs a reason: why the text states no fact '
                             '(a heading, an instruction)')
        if self.claim != NO_CLAIM and self.reason:
            raise ValueError(f'reason explains claim: none; the claim {self.claim!r} is the '
                             f'reason itself')
        return self


# A text field: with its claim in a source, the text alone in a translation.
Said = Claimed | Text


class Style(Model):
    """How generated parts look: numeral width, item markers and gaps, labels."""

    digits: Literal['half', 'full'] = 'half'
    # One marker per level, from the marker grammar (model/numbering.py).
    markers: list[Marker] = Field(
        default=['{n}.', '（{n}）', '{kana}', '（{kana}）'], min_length=1, max_length=7)
    # The blank after each level's marker, in em; by default 1 after a bare counter
    # (第1, 1, ア) and 0 after a closing bracket or period.
    gaps: list[Gap] | None = None
    attachment_label: LabelTemplate = '別添{n}'    # 別添 (betten)
    besshi_label: LabelTemplate = '別紙{n}'
    yoshiki_label: LabelTemplate = '別紙様式{n}'
    sanko_label: LabelTemplate = '（参考{n}）'
    copy_label: Line = '（写し）'
    note_label: Line = '（注）'
    numbered_note_label: LabelTemplate = '（注{n}）'
    # References to attachments by label (別紙2) must name one of the notice's own; turn the
    # check off for a notice that quotes another document's 別紙.
    check_references: bool = True

    @model_validator(mode='after')
    def _gaps_per_level(self) -> Style:
        if self.gaps is not None and len(self.gaps) != len(self.markers):
            raise ValueError(f'gaps has {len(self.gaps)} values but markers has '
                             f'{len(self.markers)}: one gap per level')
        return self

    def label_template(self, series: str) -> str:
        return {'betten': self.attachment_label, 'besshi': self.besshi_label,
                'yoshiki': self.yoshiki_label, 'sanko': self.sanko_label}[series]

    def gap(self, level: int) -> float:
        """The blank after the marker of ``level`` (1-based), in em."""
        if self.gaps is not None:
            return self.gaps[level - 1]
        from .numbering import parse_marker
        return parse_marker(self.markers[level - 1]).default_gap


class Addressee(Model):
    """An addressee; a name may hold line breaks, and the honorific follows its last line."""

    name: Text
    honorific: Literal['御中', '殿', '様', '各位', 'あて'] | None = '御中'
    # Which department of each prefecture this is (a key of a prefecture's `departments`);
    # cover letters and labels address that department by name where the data has it.
    department: Slug | None = None
    # A copy (写し): printed after the addressees with the style's copy_label; covers,
    # labels and the mailing list leave it out.
    is_copy: bool = Field(default=False, alias='copy')

    @property
    def lines(self) -> list[str]:
        return [line.strip() for line in self.name.splitlines() if line.strip()]


class Issuer(Model):
    """An issuing office or official; the seal note (（公印省略）) prints but is not a name."""

    name: Text
    seal_note: Line | None = None

    @property
    def lines(self) -> list[str]:
        return [line.strip() for line in self.name.splitlines() if line.strip()]

    @property
    def text(self) -> str:
        return ''.join(self.lines)


# --- Blocks: what body paragraphs, items and attachments are made of ----------------------

# The tags of the unions below: pydantic puts them in an error's location, where they name
# no key of the source (load/project.py leaves them out of messages).
BRANCH_TAGS = {'paragraph', 'table-block', 'note-block', 'notes-block', 'plain', 'item',
               'issuer-name', 'issuer', 'cell-list', 'sized-row', 'cell-text', 'cell-spec'}


def _either(text_tag: str, mapping_tag: str, other=None):
    """A callable discriminator: text (or null) → ``text_tag``, a mapping → ``mapping_tag``."""
    def tag(value: object) -> str | None:
        if value is None or isinstance(value, str):
            return text_tag
        if isinstance(value, (dict, BaseModel)):
            return mapping_tag
        if other is not None and isinstance(value, list):
            return other
        return None
    return tag


IssuerOrName = Annotated[
    Annotated[Text, Tag('issuer-name')] | Annotated[Issuer, Tag('issuer')],
    Discriminator(_either('issuer-name', 'issuer'), custom_error_type='issuer',
                  custom_error_message='expected an issuer: a name, or a mapping with name: '
                                       'and seal_note:')]


class CellSpec(Model):
    """A cell with more than text: how many columns it spans, its alignment."""

    text: str | None = None
    span: int = Field(default=1, ge=1, le=20)
    align: Literal['left', 'center', 'right'] | None = None
    entry: bool = False    # in a form: a box to fill in, with this text printed in it


Cell = Annotated[
    Annotated[str | None, Tag('cell-text')] | Annotated[CellSpec, Tag('cell-spec')],
    Discriminator(_either('cell-text', 'cell-spec'), custom_error_type='cell',
                  custom_error_message='expected a cell: text, null (empty) or a mapping '
                                       'with text:, span:, align:')]


class SizedRow(Model):
    """A row with a height (forms: room to write in)."""

    cells: list[Cell] = Field(min_length=1)
    height: Gap | None = None    # in lines of the table's text


Row = Annotated[
    Annotated[list[Cell], Tag('cell-list')] | Annotated[SizedRow, Tag('sized-row')],
    Discriminator(_either('', 'sized-row', 'cell-list'), custom_error_type='row',
                  custom_error_message='expected a row: a list of cells, or a mapping with '
                                       'cells: and height:')]


class Table(Model):
    """A ruled table: a header row (repeated on each page), rows, column alignment."""

    caption: Line | None = None
    header: list[Cell] = []
    align: list[Literal['left', 'center', 'right']] = []
    widths: list[Annotated[float, Field(gt=0, le=38)]] = []   # in em
    rows: list[Row] = Field(min_length=1)

    @staticmethod
    def cells_of(row) -> list:
        return list(row.cells if isinstance(row, SizedRow) else row)

    @staticmethod
    def height_of(row) -> float | None:
        return row.height if isinstance(row, SizedRow) else None

    @staticmethod
    def width_of(cells) -> int:
        return sum(cell.span if isinstance(cell, CellSpec) else 1 for cell in cells)

    @property
    def columns(self) -> int:
        if self.header:
            return self.width_of(self.header)
        if self.align:
            return len(self.align)
        if self.widths:
            return len(self.widths)
        return self.width_of(self.cells_of(self.rows[0]))

    def column_align(self, index: int) -> str:
        return self.align[index] if index < len(self.align) else 'left'

    def problems(self):
        """(loc, message) of each row whose cells do not make the table's columns."""
        columns = self.columns
        what = ('the header has' if self.header else 'align lists' if self.align else
                'widths lists' if self.widths else 'the first row has')
        for name, values in (('align', self.align), ('widths', self.widths)):
            if values and len(values) != columns:
                yield (name,), (f'{name} has {len(values)} values, but {what} {columns} '
                                f'columns')
        for index, row in enumerate(self.rows):
            count = self.width_of(self.cells_of(row))
            if count != columns:
                yield ('rows', index), (f'row {index + 1} has {count} cells, but {what} '
                                        f'{columns} columns')


class TableBlock(Model):
    block: ClassVar[str] = 'table'
    table: Table


class NoteBlock(Model):
    """（注） and its text; ``notes`` numbers several: （注1）（注2）."""

    block: ClassVar[str] = 'note'
    note: Text


class NotesBlock(Model):
    block: ClassVar[str] = 'notes'
    notes: list[Text] = Field(min_length=1)


def _block_tag(value: object) -> str | None:
    if isinstance(value, str):
        return 'paragraph'
    if isinstance(value, dict):
        for key in ('table', 'note', 'notes'):
            if key in value:
                return f'{key}-block'
    if isinstance(value, (TableBlock, NoteBlock, NotesBlock)):
        return {TableBlock: 'table-block', NoteBlock: 'note-block',
                NotesBlock: 'notes-block'}[type(value)]
    return None


Block = Annotated[
    Annotated[Text, Tag('paragraph')] | Annotated[TableBlock, Tag('table-block')]
    | Annotated[NoteBlock, Tag('note-block')] | Annotated[NotesBlock, Tag('notes-block')],
    Discriminator(_block_tag, custom_error_type='block',
                  custom_error_message='expected a paragraph (text), or a mapping with one '
                                       'of table:, note: or notes:')]


def blocks_problems(blocks: list, loc: tuple):
    for index, block in enumerate(blocks):
        if isinstance(block, TableBlock):
            for where, message in block.table.problems():
                yield loc + (index, 'table') + where, message


class Item(Model):
    """A numbered item; its number comes from its place, not from the source.

    A headed item (Gothic, bookmarked) has ``heading``; a plain numbered line or paragraph
    (Mincho, no bookmark) has ``text``, or is written as a plain string.
    """

    heading: Line | None = None
    text: Text | None = None
    paragraphs: list[Block] = []
    items: Items = []

    @model_validator(mode='after')
    def _heading_or_text(self) -> Item:
        if (self.heading is None) == (self.text is None):
            raise ValueError('an item has a heading (a headed item) or a text (a plain '
                             'numbered line), not both and not neither')
        return self


ItemOrText = Annotated[
    Annotated[Text, Tag('plain')] | Annotated[Item, Tag('item')],
    Discriminator(_either('plain', 'item'), custom_error_type='item',
                  custom_error_message='expected an item: a plain line (text) or a mapping '
                                       'with heading: or text:')]


def _as_items(items: list) -> list:
    """Plain strings as plain numbered items."""
    return [Item(text=item) if isinstance(item, str) else item for item in items]


Items = Annotated[list[ItemOrText], AfterValidator(_as_items)]
Item.model_rebuild()


def items_depth(items: list) -> int:
    return 1 + max((items_depth(item.items) for item in items), default=0) if items else 0


def items_problems(items: list, loc: tuple, style: Style, level: int = 1):
    """(loc, message) for items deeper than the markers, or past the last marker."""
    from .numbering import counter_limit, parse_marker
    if level > len(style.markers):
        from ..errors import plural
        yield loc + (0,), (f'item at level {level}, but style.markers defines '
                           f'{plural(len(style.markers), "level")}: add a marker or nest less '
                           f'deeply')
        return
    limit = counter_limit(parse_marker(style.markers[level - 1]).counter)
    if limit is not None and len(items) > limit:
        yield loc + (limit,), (f'item {limit + 1} is past the last marker of level {level} '
                               f'({style.markers[level - 1]!r} numbers {limit} items)')
    for index, item in enumerate(items):
        yield from blocks_problems(item.paragraphs, loc + (index, 'paragraphs'))
        if item.items:
            yield from items_problems(item.items, loc + (index, 'items'), style, level + 1)


class ContactOffice(Model):
    """One office of the 照会先: only what is given is printed, nothing is invented."""

    name: Text
    staff: list[Line] = []
    extensions: list[Digits] = []
    phone: PhoneNumber | None = None
    phone_note: Line | None = None      # e.g. 代表 or 直通: printed only when given
    fax: PhoneNumber | None = None
    email: Annotated[str, Field(pattern=r'^[^@\s]+@[^@\s]+\.[^@\s]+$')] | None = None

    @property
    def lines(self) -> list[str]:
        return [line.strip() for line in self.name.splitlines() if line.strip()]


class Contact(Model):
    """The 照会先: a boxed block at the right, or one line; it always stays in the text."""

    label: Line = '<照会先>'
    layout: Literal['block', 'line'] = 'block'
    offices: list[ContactOffice] = Field(min_length=1)


class Cover(Model):
    """The 送付状 that opens each prefecture's packet; its wording is the notice's own data."""

    title: Line = '送付状'
    body: list[Text] = Field(min_length=1)
    enclosures_heading: Line = '送付資料'
    closing: Line | None = '以上'


# --- The mailing: envelopes, paper (what a piece weighs and how its cover is laid out) -----

# The envelopes a mailing can use: (width, height) in mm, JIS S 5502, and how the A4 goes in.
ENVELOPE_SIZES = {'naga3': ('長形3号', 120.0, 235.0, 'tri-folded'),
                  'kaku2': ('角形2号', 240.0, 332.0, 'flat')}
Millimetres = Annotated[float, Field(ge=0, le=1000)]
Grams = Annotated[float, Field(gt=0, le=1000)]


class EnvelopeProduct(Model):
    """The envelope product: its maker and number, and the page that publishes its geometry."""

    maker: Line
    number: Line
    source: Text | None = None     # the maker's page (URL) and its date
    example: bool = False          # a documented example, not a real product


class Window(Model):
    """An address window, in mm from the envelope's top-left: the envelope held landscape,
    address side up, its opening (flap) at the right."""

    x: Millimetres
    y: Millimetres
    width: Millimetres
    height: Millimetres


class SheetOffset(Model):
    """Where the folded sheet's top-left lies, in mm from the envelope's top-left."""

    x: Millimetres
    y: Millimetres


class Envelope(Model):
    """The envelope every piece of the mailing goes in."""

    size: Literal['naga3', 'kaku2']
    weight_g: Grams                      # one empty envelope, weighed or from its maker
    product: EnvelopeProduct | None = None
    window: Window | None = None
    # Where the folded sheet's top-left rests in the envelope (mm from the envelope's
    # top-left, landscape): by default the 210 × 99 mm panel centred in 235 × 120 mm.
    sheet_offset: SheetOffset | None = None

    @model_validator(mode='after')
    def _check(self) -> Envelope:
        name, width, height, _ = ENVELOPE_SIZES[self.size]
        if self.size == 'kaku2' and self.window is not None:
            raise ValueError(f'{name} holds the A4 flat and is addressed by a label: it has no '
                             f'window here (use naga3 for a window envelope)')
        if self.size == 'naga3':
            if self.window is None or self.product is None:
                raise ValueError(f'{name} carries the tri-folded A4 with its address in a '
                                 f'window: give product (maker, number) and window (x, y, '
                                 f'width, height in mm from its top-left, held landscape)')
            window = self.window
            long, short = height, width   # held landscape: 235 wide, 120 high
            if window.x + window.width > long or window.y + window.height > short:
                raise ValueError(f'the window ({window.x:g}, {window.y:g}, {window.width:g} × '
                                 f'{window.height:g} mm) does not lie on a {name} envelope held '
                                 f'landscape ({long:g} × {short:g} mm)')
            if window.width < 80 or window.height < 45:
                raise ValueError(f'an address window must be at least 80 × 45 mm (Japan Post); '
                                 f'found {window.width:g} × {window.height:g} mm')
        return self


class Paper(Model):
    """The paper the pieces are printed on (A4)."""

    gsm: Annotated[float, Field(gt=0, le=400)] = 64.0            # grams per square metre
    thickness_mm: Annotated[float, Field(gt=0, le=1)] = 0.09     # one sheet


class Mailing(Model):
    """How the pieces are mailed: the envelope and the paper."""

    envelope: Envelope
    paper: Paper = Paper()
class MergeLetter(Model):
    """The letter a prefecture mails to each medical institution with its leaflet (``merge``).

    A 公用文 like the notice: its issuer is the prefecture's department that the notice
    addresses as ``department`` (its name from the prefecture's data, else the notice's
    generic line narrowed to the prefecture); its addressee varies per recipient.
    """

    label: Line | None = '事務連絡'
    numbers: list[Line] = []
    date: IsoDate | None = None        # None: the date line is left blank to be filled in
    department: Slug                   # the key of the notice's addressee that sends it
    title: Text
    body: list[Block] = Field(min_length=1)
    ki: Line | None = '記'
    items: Items = []
    closing: Line | None = None

    @property
    def title_lines(self) -> list[str]:
        return [line.strip() for line in self.title.splitlines() if line.strip()]

    @property
    def title_text(self) -> str:
        return ''.join(self.title_lines)


class Notice(Model):
    """One notice letter (公用文: 通知, 事務連絡, 依頼 ...)."""

    id: Slug
    # Document numbers (医政発1008第1号), one per issuing office; a notice without one is
    # labelled (事務連絡). With numbers, label defaults to none.
    numbers: list[Line] = []
    label: Line | None = '事務連絡'
    date: IsoDate
    addressees: list[Addressee] = Field(min_length=1)
    issuers: list[IssuerOrName] = Field(min_length=1)
    title: Text
    body: list[Block] = Field(min_length=1)
    ki: Line | None = '記'
    items: Items = []
    closing: Line | None = None
    attachments_heading: Line | None = '【資料】'
    list_attachments: bool = True     # the list after the items (or 以上) of every attachment
    contact: Contact | None = None
    cover: Cover | None = None
    merge: MergeLetter | None = None   # the letter of ``noticegen merge``, with the leaflet
    # The printed matter the notice makes besides its letter and attachments: names of
    # document kinds (see docs/reference.md); nothing is made that the notice does not list.
    outputs: list[Slug] = []
    mailing: Mailing | None = None      # the envelope and paper of the mailed pieces
    style: Style = Style()

    @model_validator(mode='before')
    @classmethod
    def _numbered_notices_have_no_label(cls, data: object) -> object:
        if isinstance(data, dict) and data.get('numbers') and 'label' not in data:
            data = {**data, 'label': None}
        return data

    @field_validator('issuers', mode='after')
    @classmethod
    def _issuers(cls, issuers: list) -> list:
        return [Issuer(name=issuer) if isinstance(issuer, str) else issuer for issuer in issuers]

    @field_validator('outputs', mode='after')
    @classmethod
    def _unique_outputs(cls, outputs: list) -> list:
        repeated = sorted({name for name in outputs if outputs.count(name) > 1})
        if repeated:
            raise ValueError(f'{", ".join(repeated)} listed twice')
        return outputs

    def problems(self):
        """(loc, message) of what the fields' own types cannot see: table shapes, depth."""
        yield from blocks_problems(self.body, ('body',))
        if self.items:
            yield from items_problems(self.items, ('items',), self.style)
        if self.merge is not None:
            yield from blocks_problems(self.merge.body, ('merge', 'body'))
            if self.merge.items:
                yield from items_problems(self.merge.items, ('merge', 'items'), self.style)
            departments = [a.department for a in self.main_addressees if a.department]
            if self.merge.department not in departments:
                yield (('merge', 'department'),
                       f'{self.merge.department!r} is not the department of an addressee '
                       f'(the addressees name: {", ".join(departments) or "none"})')

    @property
    def issuer_names(self) -> list[str]:
        """The issuers without their seal notes: /Author, the cover's sender block."""
        return [issuer.text for issuer in self.issuers]

    @property
    def main_addressees(self) -> list[Addressee]:
        return [addressee for addressee in self.addressees if not addressee.is_copy]

    @property
    def copy_addressees(self) -> list[Addressee]:
        return [addressee for addressee in self.addressees if addressee.is_copy]

    @property
    def title_lines(self) -> list[str]:
        return [line.strip() for line in self.title.splitlines() if line.strip()]

    @property
    def title_text(self) -> str:
        """The title on one line, for PDF metadata and listings."""
        return ''.join(self.title_lines)

    @property
    def heading(self) -> str:
        """What names the notice in listings and bookmarks: its label or first number."""
        return self.label or (self.numbers[0] if self.numbers else '')


class AttachmentSource(Model):
    """Where an attachment comes from, printed under its title: (date by)（抄）."""

    date: IsoDate | None = None
    by: Line
    excerpt: bool = False


class Section(Model):
    """A headed block of an attachment: paragraphs, then bullets."""

    heading: Said
    paragraphs: list[Said] = []
    bullets: list[Said] = []
    note: Said | None = None


class LeafletFront(Model):
    """The front page of the leaflet: the same for every prefecture, down to its band of the
    numbers to call (the national numbers, then the prefecture's centers that have one)."""

    title: Said
    issuer: Said                       # who issues it (内閣府・厚生労働省), under the title
    lead: list[Said] = Field(min_length=1)
    sections: list[Section] = Field(min_length=1)
    numbers_heading: Said              # the heading of the band of numbers that ends the page


class Step(Model):
    """One step of the referral guide: what to do (``title``) and why (``text``), both
    claiming the fact the step rests on. A step whose fact does not print is left out."""

    title: Said
    text: Said


class Guide(Model):
    """The referral guide that opens the back page: what to do when a patient discloses."""

    heading: Said
    steps: list[Step] = Field(min_length=1)


class LeafletBack(Model):
    """The fixed wording of the back page; numbers come from prefectures/."""

    guide: Guide
    heading: Said                      # {prefecture} is replaced by the prefecture's name
    no_number: Said                    # shown where a center has no printable number
    national_heading: Said             # heads the national services
    no_center: Said                    # why no center's number prints ({prefecture})
    fallback: Said                     # shown where the prefecture has no printable number
    short_dial_lead: Said              # what #8891 reaches
    short_dial_cost: Said              # what a call to #8891 costs
    ip_phones: Said                    # the IP-phone caveat
    hikari_lead: Said
    night_holiday: Said
    sns_lead: Said
    as_of: Said                        # {date}: the oldest source date of what prints


class Fact(Model):
    """One row of a summary sheet: a statement and where it comes from."""

    text: Text
    source: Text


class SummarySection(Model):
    heading: Line
    facts: list[Fact] = Field(min_length=1)


class TableRow(Model):
    label: Line
    text: Text | None = None
    bullets: list[Text] = []
    source: Text


class _AttachmentBase(Model):
    translatable: ClassVar[bool] = False  # may have translations beside it (1-leaflet.en.yaml)

    notice: Slug
    series: Series = 'betten'   # 別添, 別紙 (besshi), 別紙様式 (yoshiki), 参考 (sanko)
    number: int = Field(ge=1, le=99)
    label: Line | None = None   # instead of the series' label in the notice's style
    title: Line
    source: AttachmentSource | None = None


class LeafletAttachment(_AttachmentBase):
    """別添1: the leaflet, one per prefecture."""

    translatable: ClassVar[bool] = True

    kind: Literal['leaflet']  # the attachment's kind, not a document kind
    front: LeafletFront
    back: LeafletBack


class SummaryAttachment(_AttachmentBase):
    """A sheet that summarises a document we do not have; never presented as the original."""

    kind: Literal['summary']  # the attachment's kind, not a document kind
    banner: Line = '概要（原文ではありません）'
    original_title: Text
    original_date: IsoDate | None = None
    original_kind: Line | None = None
    issuer: Line | None = None
    obtain: Text                      # where the original can be obtained
    sections: list[SummarySection] = Field(min_length=1)
    table: list[TableRow] = []


class PdfAttachment(_AttachmentBase):
    """An existing PDF, included as-is and stamped with its 別添N label."""

    kind: Literal['pdf']
    file: Annotated[str, Field(pattern=r'^[^/\\][^\\]*\.pdf$')]  # relative to the YAML file


class TextAttachment(_AttachmentBase):
    """A 別紙 or 別添 typeset like the letter: its title, paragraphs, tables, items."""

    kind: Literal['text']
    heading: Text | None = None        # the centred title; default: the attachment's title
    body: list[Block] = []
    items: Items = []
    closing: Line | None = None

    def problems(self, style: Style):
        yield from blocks_problems(self.body, ('body',))
        if self.items:
            yield from items_problems(self.items, ('items',), style)


class FormAttachment(_AttachmentBase):
    """A 別紙様式: a form to fill in. Text cells are printed labels (記入欄 names); empty
    cells (null) are the boxes to write in, as high as the row's height."""

    kind: Literal['form']
    series: Series = 'yoshiki'
    heading: Text | None = None        # the form's centred title; default: the title
    addressee: Text | None = None      # printed at the left above the table (提出先)
    before: list[Line] = []            # lines at the right above the table (日付, 記入者)
    lead: list[Block] = []             # paragraphs before the table
    table: Table
    after: list[Block] = []            # 記入上の注意, notes

    def problems(self, style: Style):
        yield from blocks_problems(self.lead, ('lead',))
        for where, message in self.table.problems():
            yield ('table',) + where, message
        yield from blocks_problems(self.after, ('after',))


Attachment = Annotated[LeafletAttachment | SummaryAttachment | PdfAttachment | TextAttachment
                       | FormAttachment, Field(discriminator='kind')]


# --- Prefectures and their centers -------------------------------------------------------

_PARTIAL_DATE = re.compile(r'(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?')


def _parse_partial_date(value: object) -> object:
    """Accept YYYY, YYYY-MM or YYYY-MM-DD (a real date) and keep it as text."""
    if isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2100:
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f'expected a date as YYYY, YYYY-MM or YYYY-MM-DD, found '
                         f'{type(value).__name__} {value!r}')
    match = _PARTIAL_DATE.fullmatch(value)
    if not match:
        raise ValueError(f'expected a date as YYYY, YYYY-MM or YYYY-MM-DD, found {value!r}')
    year, month, day = match.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError as exception:
        raise ValueError(f'{value!r} is not a real date ({exception})') from None
    return value


PartialDate = Annotated[str, BeforeValidator(_parse_partial_date)]


def partial_date_end(value: str) -> date:
    """The last day a partial date can mean: 2023 → 2023-12-31, 2023-11 → 2023-11-30."""
    import calendar
    parts = [int(part) for part in value.split('-')]
    year, month = parts[0], parts[1] if len(parts) > 1 else 12
    day = parts[2] if len(parts) > 2 else calendar.monthrange(year, month)[1]
    return date(year, month, day)


def partial_date_start(value: str) -> date:
    parts = [int(part) for part in value.split('-')] + [1, 1]
    return date(parts[0], parts[1], parts[2])


def _check_phone(value: str) -> str:
    import phonenumbers
    if not re.fullmatch(r'0\d{1,4}-\d{1,4}-\d{2,4}', value):
        raise ValueError(f'expected a Japanese phone number grouped with hyphens, such as '
                         f'03-5253-1111; found {value!r}')
    try:
        parsed = phonenumbers.parse(value, 'JP')
    except phonenumbers.NumberParseException as exception:
        raise ValueError(f'{value!r} is not a Japanese phone number ({exception})') from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(f'{value!r} is not a Japanese phone number')
    # A premium-rate number (0990, ダイヤルQ2, closed in 2014) bills the caller per minute;
    # a pager number (020) answers no voice. Neither is printed as a number to call.
    never = {phonenumbers.PhoneNumberType.PREMIUM_RATE: 'premium-rate (0990)',
             phonenumbers.PhoneNumberType.PAGER: 'pager (020)'}
    kind = phonenumbers.number_type(parsed)
    if kind in never:
        raise ValueError(f'{value!r} is a {never[kind]} number: never printed as a number to '
                         f'call')
    return value  # the grouping the source uses is kept: never regrouped


# A URL of this length always fits a QR code (version 40, level M, holds 2,331 bytes) and
# is still one a person could type; a longer one is an error, not a crash while rendering.
MAX_URL = 1000


def _check_url(value: str) -> str:
    if len(value) > MAX_URL:
        raise ValueError(f'a URL of {len(value):,} characters is longer than {MAX_URL:,}: it '
                         f'would not fit a QR code')
    match = re.fullmatch(r'https?://([A-Za-z0-9.-]+)(?::\d+)?(?:/[^\s<>"\']*)?', value)
    if not match:
        raise ValueError(f'expected an http:// or https:// address, found {value!r}')
    if not _PUBLIC_HOST.fullmatch(match[1]) or \
            match[1].lower().rsplit('.', 1)[-1] in _LOCAL_SUFFIXES:
        raise ValueError(f'expected the address of a public web page, named by its domain '
                         f'(such as www.pref.tokyo.lg.jp), found {value!r}: an IP address or a '
                         f'local name (localhost) is no public page')
    return value


# A public host name: dot-separated labels that neither start nor end with a hyphen, the
# last one a top-level domain (letters, or an IDN's xn--), so that an IP address
# (127.0.0.1, 10.0.0.1, 169.254.169.254) or a bare name (localhost, intranet) is refused.
_LABEL = r'[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
_PUBLIC_HOST = re.compile(rf'(?:{_LABEL}\.)+(?:[A-Za-z]{{2,63}}|xn--[A-Za-z0-9-]{{1,59}})\.?')
# Special-use names (RFC 6761, RFC 6762, RFC 8375, ICANN's .internal) that never reach the
# public web.
_LOCAL_SUFFIXES = frozenset({'localhost', 'local', 'localdomain', 'internal', 'invalid',
                             'arpa', 'onion', 'lan', 'home'})


def _host(url: str) -> str:
    """The host of a checked URL, lower-case, without a leading www."""
    host = url.split('://', 1)[1].split('/', 1)[0].split(':', 1)[0].lower().rstrip('.')
    return host[4:] if host.startswith('www.') else host


JapanesePhone = Annotated[str, AfterValidator(_check_phone)]
WebUrl = Annotated[str, AfterValidator(_check_url)]
ShortDial = Annotated[str, Field(pattern=r'^#[0-9]{4}$')]


FactStatus = Literal['confirmed', 'unverified', 'disputed']

# A prefecture's written answer to our 照会 is a source of its own kind: no page, no URL,
# dated by the answer itself. Written as the whole source: 都道府県回答 2026-12-10, with who
# answered in brackets where known: 都道府県回答 2026-12-10（保健医療局 山田）.
_ANSWER = re.compile(r'都道府県回答\s*(\d{4}-\d{2}-\d{2})(?:\s*[（(][^\n]{1,80}[）)])?')


def answer_date(source: str | None) -> str | None:
    """The date of a prefecture's answer (都道府県回答 YYYY-MM-DD（who）), or None for a page."""
    match = _ANSWER.fullmatch(source.strip()) if source else None
    return match[1] if match else None


def _check_dating(what: str, status: str, source: str | None, as_of: str | None,
                  retrieved: str | None, status_note: str | None) -> None:
    """The rules every fact's source follows; raise ValueError naming the broken one.

    A confirmed fact needs a dated source: the date its page states (as_of), or a
    prefecture's answer. A page that states no date gets ``retrieved`` (when it was read),
    and a fact that rests on it is not confirmed.
    """
    answered = answer_date(source)
    if answered:
        if as_of is not None and as_of != answered:
            raise ValueError(f'{what}: a prefecture\'s answer is dated by the answer: as_of '
                             f'must be {answered} or left out; found {as_of}')
        if retrieved is not None:
            raise ValueError(f'{what}: a prefecture\'s answer has no page to retrieve: '
                             f'remove retrieved')
    if status == 'confirmed' and not (as_of or answered):
        raise ValueError(f'{what}: a confirmed fact needs a dated source: as_of (the date the '
                         f'page itself states) or a prefecture\'s answer (都道府県回答 '
                         f'YYYY-MM-DD); a page that states no date gets retrieved: YYYY-MM-DD '
                         f'and status unverified')
    if status != 'confirmed' and not status_note:
        article = 'an' if status[0] in 'aeiou' else 'a'
        raise ValueError(f'{article} {status} {what} needs a status_note saying why')


def _check_hours_source(hours: str | None, hours_source: str | None,
                        hours_as_of: str | None) -> None:
    if (hours_source or hours_as_of) and not hours:
        raise ValueError('hours_source and hours_as_of date the hours, but hours is missing')
    if hours_as_of and not hours_source:
        raise ValueError('hours_as_of is the date of hours_source, but hours_source is missing')
    answered = answer_date(hours_source)
    if answered and hours_as_of is not None and hours_as_of != answered:
        raise ValueError(f'hours: a prefecture\'s answer is dated by the answer: hours_as_of '
                         f'must be {answered} or left out; found {hours_as_of}')


class _Dated:
    """The dates of a fact with hours (a phone, a center): its source's, and its hours'."""

    @property
    def dated(self) -> str | None:
        """The date of the source: as_of, or a prefecture's answer."""
        return self.as_of or answer_date(self.source)

    @property
    def hours_dated(self) -> str | None:
        if self.hours_source:
            return self.hours_as_of or answer_date(self.hours_source)
        return self.dated


class Phone(_Dated, Model):
    number: JapanesePhone
    label: Line
    hours: Text | None = None
    # Where and when the hours were stated, when that is not the number's own source.
    hours_source: Text | None = None
    hours_as_of: PartialDate | None = None
    status: FactStatus
    status_note: Text | None = None     # why it is not confirmed: quote the research note
    source: Text
    as_of: PartialDate | None = None    # the date the source itself states
    retrieved: PartialDate | None = None  # when a page that states no date was read
    prefecture_only: bool = False   # 県内限定: reachable only from inside the prefecture

    @model_validator(mode='after')
    def _check_source(self) -> Phone:
        _check_dating('number', self.status, self.source, self.as_of, self.retrieved,
                      self.status_note)
        _check_hours_source(self.hours, self.hours_source, self.hours_as_of)
        return self



class Center(_Dated, Model):
    name: Line
    name_romaji: Line | None = None        # printed on non-Japanese outputs only, if sourced
    name_romaji_source: Text | None = None
    # candidate: a center the research names but that may not be a (separate) one-stop center.
    status: Literal['confirmed', 'unverified', 'disputed', 'candidate']
    status_note: Text | None = None
    hours: Text | None = None
    hours_source: Text | None = None
    hours_as_of: PartialDate | None = None
    url: WebUrl | None = None         # the QR code carries this one
    url_display: WebUrl | None = None  # a short official address to print, if url is long
    source: Text
    as_of: PartialDate | None = None
    retrieved: PartialDate | None = None
    phones: list[Phone] = []
    note: Text | None = None

    @model_validator(mode='after')
    def _check_source(self) -> Center:
        _check_dating('center', self.status, self.source, self.as_of, self.retrieved,
                      self.status_note)
        _check_hours_source(self.hours, self.hours_source, self.hours_as_of)
        return self

    @model_validator(mode='after')
    def _romaji_needs_source(self) -> Center:
        if self.name_romaji and not self.name_romaji_source:
            raise ValueError('name_romaji needs name_romaji_source: a romanised name is printed '
                             'only when a source gives it')
        return self

    @model_validator(mode='after')
    def _display_needs_url(self) -> Center:
        if self.url_display and not self.url:
            raise ValueError('url_display is the short form of url, but url is missing')
        if self.url_display and _host(self.url_display) != _host(self.url):
            # The printed address and the QR code must lead to the same site.
            raise ValueError(f'url_display is the short form of url, on the same site: '
                             f'{_host(self.url_display)} is not {_host(self.url)}')
        return self



class Department(Model):
    """A prefecture department that receives the mailing; all but the name are optional."""

    name: Line
    postal_code: Annotated[str, Field(pattern=r'^[0-9]{3}-[0-9]{4}$')] | None = None
    address: Line | None = None
    source: Text
    as_of: PartialDate | None = None


def _check_jis_code(value: str) -> str:
    from .jis import PREFECTURES
    if value not in PREFECTURES:
        raise ValueError(f'{value!r} is not a JIS X 0401 prefecture code (01-47)')
    return value


class Prefecture(Model):
    code: Annotated[str, AfterValidator(_check_jis_code)]
    name: Line
    name_romaji: Line
    centers: list[Center] = []
    departments: dict[Slug, Department] = {}

    @field_validator('name', 'name_romaji')
    @classmethod
    def _check_names(cls, value: str, info: ValidationInfo) -> str:
        from .jis import PREFECTURES
        code = info.data.get('code')
        if code in PREFECTURES:
            expected = PREFECTURES[code][0 if info.field_name == 'name' else 1]
            if value != expected:
                raise ValueError(f'code {code} is {expected}, found {value!r}')
        return value


class ShortDialEntry(Model):
    number: ShortDial
    reading: Line
    note: Text
    source: Text
    as_of: PartialDate


class NationalPhone(Model):
    number: JapanesePhone
    label: Line
    source: Text
    as_of: PartialDate


class NationalService(Model):
    """A national service printed when its fact is confirmed and fresh."""

    name: Line
    operator: Line
    hours: Text | None = None
    note: Text | None = None
    status: FactStatus = 'confirmed'
    status_note: Text | None = None
    source: Text
    as_of: PartialDate

    @model_validator(mode='after')
    def _check_source(self) -> NationalService:
        _check_dating('service', self.status, self.source, self.as_of, None, self.status_note)
        return self


class NationalData(Model):
    """The data set: the date it is valid for and the numbers every leaflet prints."""

    valid_as_of: PartialDate
    short_dial: ShortDialEntry
    hikari_denwa: NationalPhone
    night_holiday_call_center: NationalService
    sns: NationalService


# --- Facts: limits and the service facts that texts claim ---------------------------------

# The kinds of fact, each with its own limit of age (facts/limits.yaml).
FactKind = Literal['number', 'hours', 'name', 'url', 'address', 'postage', 'service', 'policy',
                   'clinical']
FACT_KINDS: tuple[str, ...] = FactKind.__args__
Quotation = Annotated[str, AfterValidator(_non_blank), Field(max_length=80)]


class Limits(Model):
    """How old a fact's source may be, in whole years before the as-of date, per kind."""

    stale_after_years: dict[FactKind, Annotated[int, Field(ge=1, le=50)]]

    @model_validator(mode='after')
    def _every_kind(self) -> Limits:
        missing = [kind for kind in FACT_KINDS if kind not in self.stale_after_years]
        if missing:
            raise ValueError(f'stale_after_years needs a limit for every kind of fact; '
                             f'missing {", ".join(missing)}')
        return self


class FactSource(Model):
    """One page (or a prefecture's answer) that states a fact."""

    title: Line                            # who published it, and the page: 神奈川県「かならいん」
    url: WebUrl | None = None
    as_of: PartialDate | None = None       # the date the page itself states
    retrieved: PartialDate | None = None   # when a page that states no date was read
    answer: IsoDate | None = None          # a prefecture's answer: dated by itself, no page
    quote: Quotation | None = None         # the line that states the fact, at most 80 characters

    @model_validator(mode='after')
    def _one_kind(self) -> FactSource:
        if self.answer is not None and (self.url or self.as_of or self.retrieved):
            raise ValueError('a prefecture\'s answer has no page: no url, as_of or retrieved')
        return self

    @property
    def dated(self) -> str | None:
        return self.as_of or (self.answer.isoformat() if self.answer else None)


class _DatedBySources(Model):
    """A record whose date is its freshest source's (``sources``), judged as ``_dating``:
    a status that claims a check needs a dated source (_check_dating)."""

    _dating: ClassVar[str]

    @model_validator(mode='after')
    def _check_sources(self):
        _check_dating(self._dating, self.status, None, self.dated, None, self.status_note)
        return self

    @property
    def dated(self) -> str | None:
        """The newest date a source states: the record is as fresh as its freshest source."""
        dates = [source.dated for source in self.sources if source.dated]
        return max(dates, key=partial_date_end) if dates else None


class ServiceFact(_DatedBySources):
    """A fact that a text of the leaflet or the card states (its claim id is its key)."""

    kind: FactKind
    statement: Text                        # what the sources support, in our words
    status: FactStatus
    status_note: Text | None = None
    sources: list[FactSource] = Field(min_length=1)
    languages: list[Line] = []             # for a fact of which languages a service answers in

    _dating = 'fact'



class FactsFile(Model):
    """facts/services.yaml: the service facts, by claim id."""

    facts: dict[ClaimId, ServiceFact]


class FeeStep(Model):
    """One step of a rate table: the fee of a piece weighing at most ``up_to_g``."""

    up_to_g: Annotated[int, Field(gt=0, le=100000)]
    yen: Annotated[int, Field(gt=0, le=100000)] | None   # null: not sourced (unknown)


class ClassLimits(Model):
    """What a piece of a class may be: sizes in mm (length is the longer side), weight in g."""

    min_length_mm: Millimetres = 0
    min_width_mm: Millimetres = 0
    max_length_mm: Millimetres | None = None
    max_width_mm: Millimetres | None = None
    max_thickness_mm: Millimetres | None = None
    max_sum_mm: Millimetres | None = None      # length + width + thickness
    max_weight_g: Annotated[float, Field(gt=0)]


class MailClass(Model):
    name: Line                         # 定形, 定形外（規格内）, 定形外（規格外）
    limits: ClassLimits
    fees: list[FeeStep] = Field(min_length=1)

    @model_validator(mode='after')
    def _ascending(self) -> MailClass:
        steps = [step.up_to_g for step in self.fees]
        if steps != sorted(set(steps)):
            raise ValueError('fees: up_to_g must rise from step to step')
        if steps[-1] < self.limits.max_weight_g:
            raise ValueError(f'fees stop at {steps[-1]} g but the class allows '
                             f'{self.limits.max_weight_g:g} g: add the steps up to it')
        return self


class PostageFile(_DatedBySources):
    """facts/postage.yaml: Japan Post's classes and fees for letters (第一種郵便物)."""

    status: FactStatus
    status_note: Text | None = None
    effective: IsoDate                 # the day these rates took effect
    changes: list[IsoDate] = []        # rate changes on record: one after `effective` makes
                                       # this table stale
    sources: list[FactSource] = Field(min_length=1)
    classes: list[MailClass] = Field(min_length=1)   # tried in order: the first that admits

    _dating = 'postage'



# --- Translations -------------------------------------------------------------------------

class Translation(Model):
    """Where a translation came from, and whether a fluent speaker has reviewed it."""

    source: Text
    reviewed: bool = False
    reviewer: Line | None = None

    @model_validator(mode='after')
    def _reviewer_named(self) -> Translation:
        if self.reviewed and not self.reviewer:
            raise ValueError('a reviewed translation names its reviewer')
        return self


class LeafletTranslation(Model):
    """別添1 in another language: its own front page and back-page wording."""

    lang: Line
    translation: Translation
    title: Line
    front: LeafletFront
    back: LeafletBack


_NUMBERS = re.compile(r'#?\d+(?::\d{2})?')


class DataWording(Model):
    """prefectures/wording.LANG.yaml: phone labels, hours and center names in one language,
    each keyed by its Japanese text as the prefecture data has it. When the Japanese text
    changes, its old translation no longer matches, and the Japanese prints (with the
    "in Japanese" note) until someone translates it again."""

    lang: Line
    translation: Translation
    phone_labels: dict[str, Text] = {}   # phone labels
    hours: dict[str, Text] = {}     # hours of a shape the code does not translate
    names: dict[str, Text] = {}     # center names; the Japanese name prints beside them

    @model_validator(mode='after')
    def _keep_the_numbers(self) -> DataWording:
        """A translation keeps every number and time of its Japanese (16:00, #8891), and
        adds none: a number or time only a translation has is backed by no source."""
        for part in ('phone_labels', 'hours', 'names'):
            for japanese, translated in getattr(self, part).items():
                missing = [n for n in _NUMBERS.findall(japanese) if n not in translated]
                if missing:
                    raise ValueError(f'{part}[{japanese!r}]: the translation drops '
                                     f'{", ".join(missing)}')
                source = set(_NUMBERS.findall(japanese))
                added = [n for n in _NUMBERS.findall(translated) if n not in source]
                if added:
                    raise ValueError(f'{part}[{japanese!r}]: the translation adds '
                                     f'{", ".join(dict.fromkeys(added))}, which its Japanese '
                                     f'does not have')
        return self


CARD_FIELDS = ('title', 'intro', 'no_police_report', 'short_dial_lead', 'short_dial_cost',
               'ip_phones', 'short_dial_languages', 'hikari_lead', 'centers_heading',
               'no_number', 'night_holiday', 'sns_lead', 'sns_languages', 'abroad', 'as_of',
               'hours_in_japanese', 'in_japanese', 'unreviewed')


def _check_reading(value: str) -> str:
    if not re.fullmatch(r'[^\s]{1,40}', value):
        raise ValueError('a word or its reading: up to 40 characters, no spaces')
    return value


Reading = Annotated[str, AfterValidator(_check_reading)]


class CardText(Model):
    """The patient card's text in one language. The Japanese source has every field, each
    with its claim; a translation may lack some, which then fall back to English, with a
    warning."""

    lang: Line
    translation: Translation | None = None    # None only for the Japanese source
    title: Said | None = None
    intro: Said | None = None                 # what the centers do
    no_police_report: Said | None = None      # no police report is needed to consult
    short_dial_lead: Said | None = None       # what #8891 reaches
    short_dial_cost: Said | None = None       # what a call to #8891 costs
    ip_phones: Said | None = None             # some IP phones cannot reach #8891
    short_dial_languages: Said | None = None  # the languages #8891 and the centers answer in
    hikari_lead: Said | None = None
    centers_heading: Said | None = None       # {prefecture}
    no_number: Said | None = None
    night_holiday: Said | None = None
    sns_lead: Said | None = None
    sns_languages: Said | None = None         # the languages Cure time answers in
    abroad: Said | None = None                # introduces the +81 forms
    as_of: Said | None = None                 # {date}
    hours_in_japanese: Said | None = None     # a note beside hours printed in Japanese
    in_japanese: Said | None = None           # a note beside a label or name left in Japanese
    unreviewed: Said | None = None            # the mark on an unreviewed card
    # Furigana (ja-easy): each word with a kanji → its reading in hiragana. Written by the
    # maintainer's `noticegen card readings` (SudachiPy) and reviewed here; the build only
    # looks them up, and fails on a kanji that no word covers.
    readings: dict[Reading, Reading] | None = None

    @property
    def missing(self) -> list[str]:
        return [name for name in CARD_FIELDS if getattr(self, name) is None]
