"""Who a prefecture's packet goes to: addressee lines and postal codes."""

from __future__ import annotations

from dataclasses import dataclass

from .schema import Notice, Prefecture

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


def recipients(notice: Notice, prefecture: Prefecture, judge=None) -> list[Recipient]:
    """The departments of ``prefecture`` that ``notice`` addresses, most specific data first.

    A department the prefecture's data names is used when its source is dated and fresh
    (``judge``: its name by the limit for names, its postal address by the limit for
    addresses, facts/limits.yaml); otherwise the notice's own generic line is narrowed to the
    prefecture (各都道府県衛生主管部（局） → 東京都衛生主管部（局））.
    """
    found = []
    for addressee in notice.main_addressees:  # copies (写し) are not mailed by prefecture
        department = prefecture.departments.get(addressee.department or '')
        if department is not None and (judge is None or judge(
                'name', 'confirmed', department.as_of).printable):
            address = judge is None or judge('address', 'confirmed', department.as_of).printable
            found.append(Recipient(addressee.department, (department.name,), addressee.honorific,
                                   department.postal_code if address else None,
                                   department.address if address else None))
            continue
        lines = [line.replace(EVERY_PREFECTURE, prefecture.name, 1) if index == 0 else line
                 for index, line in enumerate(addressee.lines)]
        if not addressee.lines[0].startswith(EVERY_PREFECTURE):
            lines = [prefecture.name, *lines]
        found.append(Recipient(addressee.department, tuple(lines), addressee.honorific))
    return found
