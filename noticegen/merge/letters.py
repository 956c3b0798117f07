"""Recipients in mailing order, batches, and each recipient's addressee block."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import NoticegenError
from ..model.jis import PREFECTURES
from ..recipients.importer import COLUMNS
from ..recipients.barcode import BarcodeError, characters
from ..recipients.postal import lookup
from ..recipients.readers import ImportFailed, decode

# The 管理者 of a 病院 or 診療所 is addressed as 院長 by custom when the list gives a name but
# no title (the 地方厚生局's 一覧表 has the name only).
DEFAULT_TITLE = '院長'
CODE_OF_NAME = {names[0]: code for code, names in PREFECTURES.items()}
# The columns the addressee block prints (its fonts must have every character of them).
PRINTED = ('name', 'address', 'manager_title', 'manager_name')


@dataclass(frozen=True, slots=True)
class Recipient:
    """One row of recipients.csv, with the prefecture it is mailed in."""

    code: str
    name: str
    type: str
    postal_code: str          # 7 digits
    address: str
    manager_title: str
    manager_name: str
    address_number: str       # the 住所表示番号; '' when none
    customer_barcode: str     # '' when the recipient gets no barcode
    prefecture: str           # JIS code

    @property
    def postal(self) -> str:
        return f'{self.postal_code[:3]}-{self.postal_code[3:]}'

    @property
    def district(self) -> str:
        """The 郵便区番号: the first three digits of the postal code."""
        return self.postal_code[:3]

    def addressee(self) -> tuple[str, str]:
        """(person, honorific): the manager by title and name 殿, the title alone 殿, or
        nobody and 御中 when the list names no manager."""
        title, name = self.manager_title.strip(), self.manager_name.strip()
        if name:
            return f'{title or DEFAULT_TITLE} {name}', '殿'
        if title:
            return title, '殿'
        return '', '御中'

    def block(self) -> dict:
        person, honorific = self.addressee()
        return {'postal': self.postal, 'address': self.address, 'name': self.name,
                'person': person, 'honorific': honorific,
                'barcode': bool(self.customer_barcode)}


def prefecture_of(postal_code: str, address: str) -> str:
    """The JIS code of the prefecture ``address`` is in, by its postal code's places."""
    found = lookup(postal_code)
    if found is None:
        raise NoticegenError(f'postal code {postal_code}: not in the postal data (run '
                             f'`recipients import` to check the list)')
    names = list(dict.fromkeys(place.prefecture for place in found.places))
    chosen = next((name for name in names if address.startswith(name)), None)
    if chosen is None:
        chosen = next((place.prefecture for place in found.places
                       if address.startswith(place.city)), names[0])
    return CODE_OF_NAME[chosen]


def read(path: Path,
         unprintable: Callable[[str], str | None] | None = None) -> list[Recipient]:
    """The recipients of a recipients.csv written by ``recipients import``, in mailing
    order (read row by row: a national list stays small in memory).

    ``unprintable(text)`` says what of a printed cell the block's fonts cannot set (or
    None); each such cell, a barcode that is not its address's, and a postal code not in
    the postal data is an error at its row."""
    try:
        text = decode(path.read_bytes(), str(path))
    except OSError as error:
        raise NoticegenError(f'{path}: cannot be read ({error.strerror or error})') from None
    reader = csv.reader(io.StringIO(text, newline=''))
    try:
        header = next(reader, None) or []
        missing = [column for column in COLUMNS if column not in header]
        if missing:
            raise ImportFailed(f'{path}: not a recipients.csv of `recipients import` (no '
                               f'column {missing[0]!r})')
        at = {column: header.index(column) for column in COLUMNS}
        found = [recipient for number, row in enumerate(reader, start=2)
                 if (recipient := _recipient(path, number, row, header, at, unprintable))]
    except csv.Error as exception:   # a field over csv's limit (131,072 characters)
        raise ImportFailed(f'{path}:{reader.line_num}: not a recipients.csv ({exception})') \
            from None
    del text
    if not found:
        raise ImportFailed(f'{path}: no recipients')
    return in_order(found)


def _recipient(path: Path, number: int, row: list[str], header: list[str], at: dict,
               unprintable: Callable[[str], str | None] | None) -> Recipient | None:
    """Row ``number`` of the file as a recipient (None for an empty row), checked."""
    if not any(cell.strip() for cell in row):
        return None
    if len(row) < len(header):
        raise ImportFailed(f'{path}:{number}: {len(row)} cells, the header has '
                           f'{len(header)}')
    value = {column: row[index].strip() for column, index in at.items()}
    postal = value['postal_code'].replace('-', '')
    if not (len(postal) == 7 and postal.isdigit()):
        raise ImportFailed(f'{path}:{number}: postal code {value["postal_code"]!r} is not '
                           f'7 digits')
    for column in PRINTED if unprintable else ():
        problem = unprintable(value[column])
        if problem:
            raise ImportFailed(f'{path}:{number}: {column}: {problem}: the addressee block '
                               f'cannot print it')
    if value['customer_barcode']:
        try:
            expected = ' '.join(characters(postal, value['address_number'])[1:-1])
        except BarcodeError as error:
            raise ImportFailed(f'{path}:{number}: address_number: {error}') from None
        if value['customer_barcode'] != expected:
            raise ImportFailed(f'{path}:{number}: customer_barcode: not the barcode of postal '
                               f'code {postal} and address number '
                               f'{value["address_number"]!r} ({expected}); run `recipients '
                               f'import` again rather than editing the file')
    try:
        prefecture = prefecture_of(postal, value['address'])
    except NoticegenError as error:
        raise ImportFailed(f'{path}:{number}: {error}') from None
    return Recipient(value['code'], value['name'], value['type'], postal, value['address'],
                     value['manager_title'], value['manager_name'], value['address_number'],
                     value['customer_barcode'], prefecture)


def in_order(recipients: list[Recipient]) -> list[Recipient]:
    """Postal code, then address; name and code only break ties, so the order is total."""
    return sorted(recipients, key=lambda r: (r.postal_code, r.address, r.name, r.code))


def batches(recipients: list[Recipient], size: int) -> list[list[Recipient]]:
    """Cut the sorted list every ``size`` recipients: boundaries depend on nothing else."""
    return [recipients[start:start + size] for start in range(0, len(recipients), size)]
