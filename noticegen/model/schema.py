"""Typed model of the sources: what templates receive, never raw dicts."""

from __future__ import annotations

import re
import string
from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field,
                      ValidationInfo, field_validator, model_validator)

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


Text = Annotated[str, AfterValidator(_non_blank)]
Line = Annotated[str, AfterValidator(_non_blank), Field(pattern=r'^[^\n]*$')]
Slug = Annotated[str, Field(pattern=r'^[a-z0-9][a-z0-9-]*$')]
Digits = Annotated[str, Field(pattern=r'^[0-9]+$')]
PhoneNumber = Annotated[str, Field(pattern=r'^0[0-9]{1,4}-[0-9]{1,4}-[0-9]{3,4}$')]

_MARKER_FIELDS = {'n', 'kana', 'iroha', 'alpha'}


def _check_marker(value: str) -> str:
    fields = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
    unknown = fields - _MARKER_FIELDS
    if unknown or len(fields) != 1:
        raise ValueError(
            f'a marker holds exactly one of {{n}}, {{kana}}, {{iroha}} or {{alpha}}; '
            f'found {value!r}')
    return value


Marker = Annotated[str, AfterValidator(_check_marker)]


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
    """How generated parts look: numeral width, item markers, labels."""

    digits: Literal['half', 'full'] = 'half'
    markers: list[Marker] = Field(
        default=['{n}.', '（{n}）', '{kana}', '（{kana}）'], min_length=1, max_length=7)
    attachment_label: Annotated[str, Field(pattern=r'\{n\}')] = '別添{n}'


class Addressee(Model):
    """An addressee; a name may hold line breaks, and the honorific follows its last line."""

    name: Text
    honorific: Literal['御中', '殿', '様', '各位'] = '御中'
    # Which department of each prefecture this is (a key of a prefecture's `departments`);
    # cover letters and labels address that department by name where the data has it.
    department: Slug | None = None

    @property
    def lines(self) -> list[str]:
        return [line.strip() for line in self.name.splitlines() if line.strip()]


class Item(Model):
    """A numbered item under 記; its number comes from its place, not from the source."""

    heading: Line
    paragraphs: list[Text] = []
    items: list[Item] = []


class ContactOffice(Model):
    name: Line
    staff: list[Line] = Field(min_length=1)
    extensions: list[Digits] = []
    phone: PhoneNumber
    phone_note: Line = '代表'


class Contact(Model):
    label: Line = '<照会先>'
    offices: list[ContactOffice] = Field(min_length=1)


class Cover(Model):
    """The 送付状 that opens each prefecture's packet; its wording is the notice's own data."""

    title: Line = '送付状'
    body: list[Text] = Field(min_length=1)
    enclosures_heading: Line = '送付資料'
    closing: Line | None = '以上'


class Notice(Model):
    """One notice letter (the 事務連絡 itself)."""

    id: Slug
    label: Line = '事務連絡'
    date: IsoDate
    addressees: list[Addressee] = Field(min_length=1)
    issuers: list[Line] = Field(min_length=1)
    title: Text
    body: list[Text] = Field(min_length=1)
    ki: Line | None = '記'
    items: list[Item] = []
    closing: Line | None = None
    attachments_heading: Line = '【資料】'
    contact: Contact | None = None
    cover: Cover | None = None
    style: Style = Style()

    @model_validator(mode='after')
    def _check_depth(self) -> Notice:
        def depth(items: list[Item]) -> int:
            return 1 + max((depth(item.items) for item in items), default=0) if items else 0
        levels = depth(self.items)
        if levels > len(self.style.markers):
            raise ValueError(f'items nest {levels} levels deep but style.markers '
                             f'defines {len(self.style.markers)}')
        return self

    @property
    def title_lines(self) -> list[str]:
        return [line.strip() for line in self.title.splitlines() if line.strip()]

    @property
    def title_text(self) -> str:
        """The title on one line, for PDF metadata and listings."""
        return ''.join(self.title_lines)


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
    """The front page of the leaflet: the same for every prefecture."""

    title: Said
    lead: list[Said] = Field(min_length=1)
    sections: list[Section] = Field(min_length=1)


class LeafletBack(Model):
    """The fixed wording of the back page; numbers come from prefectures/."""

    heading: Said                      # {prefecture} is replaced by the prefecture's name
    no_number: Said                    # shown where a center has no printable number
    fallback: Said                     # shown where the prefecture has no printable number
    short_dial_lead: Said              # what #8891 reaches
    short_dial_cost: Said              # what a call to #8891 costs
    ip_phones: Said                    # the IP-phone caveat
    hikari_lead: Said
    night_holiday: Said
    sns_lead: Said
    as_of: Said                        # {date}: the oldest source date of what prints
    sources_note: Said


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
    number: int = Field(ge=1, le=99)
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


Attachment = Annotated[LeafletAttachment | SummaryAttachment | PdfAttachment,
                       Field(discriminator='kind')]


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
    return value  # the grouping the source uses is kept: never regrouped


def _check_url(value: str) -> str:
    if not re.fullmatch(r'https?://[A-Za-z0-9.-]+(?::\d+)?(?:/[^\s<>"\']*)?', value):
        raise ValueError(f'expected an http:// or https:// address, found {value!r}')
    return value


JapanesePhone = Annotated[str, AfterValidator(_check_phone)]
WebUrl = Annotated[str, AfterValidator(_check_url)]
ShortDial = Annotated[str, Field(pattern=r'^#[0-9]{4}$')]


FactStatus = Literal['confirmed', 'unverified', 'disputed']

# A prefecture's written answer to our 照会 is a source of its own kind: no page, no URL,
# dated by the answer itself. Written as the whole source: 都道府県回答 2026-12-10.
_ANSWER = re.compile(r'都道府県回答\s*(\d{4}-\d{2}-\d{2})')


def answer_date(source: str | None) -> str | None:
    """The date of a prefecture's answer (都道府県回答 YYYY-MM-DD), or None for a page."""
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


class Phone(Model):
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

    @property
    def dated(self) -> str | None:
        """The date of the number's source: as_of, or a prefecture's answer."""
        return self.as_of or answer_date(self.source)

    @property
    def hours_dated(self) -> str | None:
        if self.hours_source:
            return self.hours_as_of or answer_date(self.hours_source)
        return self.dated


class Center(Model):
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
        return self

    @property
    def dated(self) -> str | None:
        return self.as_of or answer_date(self.source)

    @property
    def hours_dated(self) -> str | None:
        if self.hours_source:
            return self.hours_as_of or answer_date(self.hours_source)
        return self.dated


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


class ServiceFact(Model):
    """A fact that a text of the leaflet or the card states (its claim id is its key)."""

    kind: FactKind
    statement: Text                        # what the sources support, in our words
    status: FactStatus
    status_note: Text | None = None
    sources: list[FactSource] = Field(min_length=1)
    languages: list[Line] = []             # for a fact of which languages a service answers in

    @model_validator(mode='after')
    def _check_sources(self) -> ServiceFact:
        _check_dating('fact', self.status, None, self.dated, None, self.status_note)
        return self

    @property
    def dated(self) -> str | None:
        """The newest date a source states: the fact is as fresh as its freshest source."""
        dates = [source.dated for source in self.sources if source.dated]
        return max(dates, key=partial_date_end) if dates else None


class FactsFile(Model):
    """facts/services.yaml: the service facts, by claim id."""

    facts: dict[ClaimId, ServiceFact]


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
        """A translation keeps every number and time of its Japanese (16:00, #8891)."""
        for part in ('phone_labels', 'hours', 'names'):
            for japanese, translated in getattr(self, part).items():
                missing = [n for n in _NUMBERS.findall(japanese) if n not in translated]
                if missing:
                    raise ValueError(f'{part}[{japanese!r}]: the translation drops '
                                     f'{", ".join(missing)}')
        return self


CARD_FIELDS = ('title', 'intro', 'no_police_report', 'short_dial_lead', 'short_dial_cost',
               'ip_phones', 'short_dial_languages', 'hikari_lead', 'centers_heading',
               'no_number', 'night_holiday', 'sns_lead', 'sns_languages', 'abroad', 'as_of',
               'hours_in_japanese', 'in_japanese', 'unreviewed')


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

    @property
    def missing(self) -> list[str]:
        return [name for name in CARD_FIELDS if getattr(self, name) is None]
