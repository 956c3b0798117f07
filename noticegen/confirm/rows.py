"""The rows of a prefecture's 照会 form: every fact its documents print or withhold.

One row per fact: a center's name, URL and hours, each number and its hours, and each
addressed department's name, postal code and address (a department the data does not know
has its rows too, empty, so that the prefecture can give them). A row's id is the fact's
place in the prefecture file (``centers[0].phones[1].number``); rows that share one source
in the data share a ``group`` and are answered together.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..model.addressing import EVERY_PREFECTURE
from ..model.facts import Judge, reason_ja
from ..model.schema import Center, Department, Notice, Phone, Prefecture

PRINTED = '印刷する'
WITHHELD = '印刷しない'
UNKNOWN = '未登録'


@dataclass(frozen=True)
class Row:
    id: str            # the fact's place in the prefecture file: centers[0].phones[1].number
    loc: tuple         # the same, as a location: ('centers', 0, 'phones', 1, 'number')
    what: str          # センター名, 電話, 受付時間, URL, 部局名, 郵便番号, 住所
    subject: str       # the center, the number's label, or the department's role
    value: str         # '' where the data has none
    state: str         # PRINTED, WITHHELD or UNKNOWN
    reason: str        # why it does not print ('' when it does)
    source: str        # the source and its date, as the data gives them
    group: tuple       # the location of what carries the source: answered together
    model: type        # the model and field whose validator checks a correction
    field: str
    follows: bool = False   # withheld only because another fact is (its center, its number)

    @property
    def unconfirmed(self) -> bool:
        """Not printed for a reason of its own: unverified, undated, stale, or unknown."""
        return self.state != PRINTED and not self.follows

    def checksum(self, code: str) -> str:
        return checksum(code, self.id, self.value)


def checksum(code: str, fact_id: str, value: str) -> str:
    """A row's checksum: of the prefecture, the fact id and the exported value.

    It catches accidents (a value typed over, a row pasted from another form); anyone can
    compute it, so it is not a security control.
    """
    text = '\x1f'.join((code, fact_id, value))
    return hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]


def fact_id(loc: tuple) -> str:
    out = ''
    for part in loc:
        out += f'[{part}]' if isinstance(part, int) else (f'.{part}' if out else part)
    return out


def _dated(source: str | None, dated: str | None) -> str:
    if not source:
        return ''
    return f'{source}（{dated or "日付なし"}）'


def _row(loc, what, subject, value, verdict, reason_override, source, dated, group, model,
         field) -> Row:
    if verdict is None:
        state, reason = UNKNOWN, reason_override
    elif reason_override:
        state, reason = WITHHELD, reason_override
    else:
        state = PRINTED if verdict.printable else WITHHELD
        reason = reason_ja(verdict)
    return Row(fact_id(loc), loc, what, subject, value or '', state, reason,
               _dated(source, dated), group, model, field,
               follows=bool(verdict is not None and reason_override))


def department_keys(notices: list[Notice]) -> list[str]:
    """The departments the notices address, in the order they first name them."""
    keys: list[str] = []
    for notice in notices:
        for addressee in notice.main_addressees:
            if addressee.department and addressee.department not in keys:
                keys.append(addressee.department)
    return keys


def rows(prefecture: Prefecture, notices: list[Notice], judge: Judge) -> list[Row]:
    """Every fact of ``prefecture`` its documents print or withhold, in the leaflet's order.

    Verdicts follow ``model.facts.printing``: a center prints when its name does, and its
    numbers, hours and URL only with it; a center's own hours print only where none of its
    numbers does.
    """
    found = []
    for c, center in enumerate(prefecture.centers):
        at = ('centers', c)
        name = judge('name', center.status, center.dated)
        gone = '' if name.printable else 'センターが印刷されないため'
        found.append(_row(at + ('name',), 'センター名', center.name, center.name, name, '',
                          center.source, center.dated, at, Center, 'name'))
        printed_phones = 0
        phone_rows = []
        for p, phone in enumerate(center.phones):
            loc = at + ('phones', p)
            verdict = judge('number', phone.status, phone.dated)
            phone_rows.append(_row(loc + ('number',), '電話', phone.label, phone.number, verdict,
                                   gone if verdict.printable else '', phone.source,
                                   phone.dated, loc, Phone, 'number'))
            shown = verdict.printable and name.printable
            printed_phones += shown
            if phone.hours:
                hours = judge('hours', 'confirmed', phone.hours_dated)
                phone_rows.append(_row(
                    loc + ('hours',), '受付時間', f'{phone.label}（{phone.number}）', phone.hours,
                    hours, '' if shown else 'この番号が印刷されないため',
                    phone.hours_source or phone.source, phone.hours_dated,
                    loc + ('hours',), Phone, 'hours'))
        if center.hours:
            hours = judge('hours', 'confirmed', center.hours_dated)
            why = gone or ('番号ごとの受付時間を印刷するため' if printed_phones else '')
            found.append(_row(at + ('hours',), '受付時間', center.name, center.hours, hours, why,
                              center.hours_source or center.source, center.hours_dated,
                              at + ('hours',), Center, 'hours'))
        for field, what in (('url', 'URL・QRコード'), ('url_display', 'URL（印刷）')):
            value = getattr(center, field)
            if value:
                verdict = judge('url', center.status, center.dated)
                found.append(_row(at + (field,), what, center.name, value, verdict,
                                  gone if verdict.printable else '', center.source,
                                  center.dated, at, Center, field))
        found += phone_rows
    for key in department_keys(notices):
        department = prefecture.departments.get(key)
        at = ('departments', key)
        role = next((_narrowed(''.join(a.lines), prefecture.name) for notice in notices
                     for a in notice.main_addressees if a.department == key), key)
        generic = role   # what covers and labels print when the data cannot name it
        for field, what, kind in (('name', '部局名', 'name'), ('postal_code', '郵便番号', 'address'),
                                  ('address', '住所', 'address')):
            value = getattr(department, field) if department else None
            if department is None:
                verdict, why = None, f'登録なし：送付状・ラベルには「{generic}」と印刷'
            elif value is None:
                verdict, why = None, '登録なし'
            else:
                verdict, why = judge(kind, 'confirmed', department.as_of), ''
                if not verdict.printable and field == 'name':
                    why = f'{reason_ja(verdict)}：送付状・ラベルには「{generic}」と印刷'
            found.append(_row(at + (field,), what, role, value, verdict, why,
                              department.source if department else None,
                              department.as_of if department else None, at, Department,
                              field))
    return found


def _narrowed(line: str, prefecture: str) -> str:
    """The notice's addressee line for one prefecture, as covers and labels print it."""
    if line.startswith(EVERY_PREFECTURE):
        return line.replace(EVERY_PREFECTURE, prefecture, 1)
    return prefecture + line
