"""Recipients in mailing order, batches, and each recipient's addressee block."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import NoticegenError
from ..model.jis import PREFECTURES
from ..recipients.postal import lookup

# The 管理者 of a 病院 or 診療所 is addressed as 院長 by custom when the list gives a name but
# no title (the 地方厚生局's 一覧表 has the name only).
DEFAULT_TITLE = '院長'
CODE_OF_NAME = {names[0]: code for code, names in PREFECTURES.items()}


@dataclass(frozen=True)
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


def from_rows(rows: list[dict[str, str]]) -> list[Recipient]:
    """Recipients from the rows of a recipients.csv, in mailing order."""
    found = []
    for row in rows:
        postal = row['postal_code'].replace('-', '').strip()
        found.append(Recipient(
            row['code'].strip(), row['name'].strip(), row['type'].strip(), postal,
            row['address'].strip(), row['manager_title'].strip(), row['manager_name'].strip(),
            row['address_number'].strip(), row['customer_barcode'].strip(),
            prefecture_of(postal, row['address'].strip())))
    return in_order(found)


def in_order(recipients: list[Recipient]) -> list[Recipient]:
    """Postal code, then address; name and code only break ties, so the order is total."""
    return sorted(recipients, key=lambda r: (r.postal_code, r.address, r.name, r.code))


def batches(recipients: list[Recipient], size: int) -> list[list[Recipient]]:
    """Cut the sorted list every ``size`` recipients: boundaries depend on nothing else."""
    return [recipients[start:start + size] for start in range(0, len(recipients), size)]
