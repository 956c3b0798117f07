"""Typed model of the sources: what templates receive, never raw dicts."""

from __future__ import annotations

import re
import string
from datetime import date
from typing import Annotated, Literal

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field,
                      model_validator)

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


class Attachment(Model):
    """A 別添 of a notice."""

    notice: Slug
    number: int = Field(ge=1, le=99)
    title: Line
    source: AttachmentSource | None = None
