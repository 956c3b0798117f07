"""Who a prefecture's packet goes to: addressee lines, postal codes, and the mailing list."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from .model import Notice, Prefecture

# The notice's addressees are written for every prefecture at once.
EVERY_PREFECTURE = '各都道府県'


@dataclass(frozen=True)
class Recipient:
    department: str | None
    lines: tuple[str, ...]       # the addressee, as printed (without the honorific)
    honorific: str
    postal_code: str | None = None
    address: str | None = None

    @property
    def name(self) -> str:
        return ''.join(self.lines)


def recipients(notice: Notice, prefecture: Prefecture) -> list[Recipient]:
    """The departments of ``prefecture`` that ``notice`` addresses, most specific data first.

    A department the prefecture's data names is used as it is; otherwise the notice's own
    generic line is narrowed to the prefecture (各都道府県衛生主管部（局） → 東京都衛生主管部（局）).
    """
    found = []
    for addressee in notice.addressees:
        department = prefecture.departments.get(addressee.department or '')
        if department is not None:
            found.append(Recipient(addressee.department, (department.name,), addressee.honorific,
                                   department.postal_code, department.address))
            continue
        lines = [line.replace(EVERY_PREFECTURE, prefecture.name, 1) if index == 0 else line
                 for index, line in enumerate(addressee.lines)]
        if not addressee.lines[0].startswith(EVERY_PREFECTURE):
            lines = [prefecture.name, *lines]
        found.append(Recipient(addressee.department, tuple(lines), addressee.honorific))
    return found


@dataclass(frozen=True)
class MailingRow:
    code: str
    prefecture: str
    recipient: Recipient
    packet: str
    pages: int
    sha256: str
    status: str


MAILING_COLUMNS = ('code', 'prefecture', 'department', 'addressee', 'honorific', 'postal_code',
                   'address', 'packet', 'pages', 'sha256', 'status')


def mailing_csv(rows: list[MailingRow]) -> bytes:
    """The mailing list as CSV, UTF-8 with a BOM so that spreadsheet programs read Japanese."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator='\r\n')
    writer.writerow(MAILING_COLUMNS)
    for row in rows:
        recipient = row.recipient
        writer.writerow([row.code, row.prefecture, recipient.department or '', recipient.name,
                         recipient.honorific, recipient.postal_code or '', recipient.address or '',
                         row.packet, row.pages, row.sha256, row.status])
    return output.getvalue().encode('utf-8-sig')
