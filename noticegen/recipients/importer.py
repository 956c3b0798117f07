"""``recipients import``: lists in, one checked recipients file and its rejects out."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import OutputError, SourceError, plural, warning
from ..output.atomic import write_atomic
from . import layouts
from .barcode import characters, extract
from .layouts import Record
from .postal import address_problem, lookup, postal_code_for
from .readers import ImportFailed, read_tables

RECIPIENTS = 'recipients.csv'
REJECTS = 'rejects.csv'
COLUMNS = ('code', 'name', 'type', 'postal_code', 'address', 'manager_title', 'manager_name',
           'departments', 'address_number', 'customer_barcode')
REJECT_COLUMNS = ('file', 'row', 'reason', 'original')
DEPARTMENT_SEPARATOR = '、'


@dataclass
class Result:
    recipients: list[Record] = field(default_factory=list)
    rejects: list[tuple[Record, str]] = field(default_factory=list)
    warnings: list[SourceError] = field(default_factory=list)
    layouts: dict[str, str] = field(default_factory=dict)     # table source → layout name
    address_numbers: dict[int, str | None] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)

    @property
    def without_barcode(self) -> list[Record]:
        return [r for r in self.recipients if self.address_numbers.get(id(r)) is None]


def _position(source: str) -> tuple[str, int]:
    path, _, row = source.rpartition(':')
    return path, int(row) if row.isdigit() else 0


def _layout(table, mapping: layouts.MappingLayout | None) -> tuple[str | None, str]:
    """The layout of ``table`` (None if none fits), and why none does."""
    if layouts.is_bureau_list(table):
        return 'bureau', ''
    if layouts.is_navii_facility(table):
        return 'navii', ''
    if layouts.is_navii_hours(table):
        return 'navii-hours', ''
    if mapping is None:
        return None, (f'{table.source}: unknown layout: not a {layouts.TITLE} of a 地方厚生局, '
                      f'not a 医療情報ネット open-data file; give a column mapping with '
                      f'--mapping MAP.yaml (fields: {", ".join(layouts.FIELDS)})')
    try:
        mapping.header_row(table)
    except ImportFailed as exception:
        return None, str(exception)
    return 'mapping', ''


def read_all(paths: list[Path], mapping: layouts.MappingLayout | None,
             warnings: list[SourceError] | None = None) -> tuple[list[Record], dict[str, str]]:
    """Every record of every file, after recognising each table's layout.

    A file none of whose tables has a known layout is an error; a sheet without one in a
    workbook that has one (a sheet of notes) is skipped with a warning.
    """
    records: list[Record] = []
    hours: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    navii: list[Record] = []
    for path in paths:
        tables = [table for table in read_tables(path)
                  if any(any(cell.strip() for cell in row) for row in table.rows)]
        found = [(table, *_layout(table, mapping)) for table in tables]
        if not any(layout for _, layout, _ in found):
            problem = next((why for _, _, why in found), f'{path}: no rows')
            raise ImportFailed(problem)
        for table, layout, why in found:
            if layout == 'bureau':
                kinds[table.source] = layouts.TITLE
                records += layouts.read_bureau_list(table)
            elif layout == 'navii':
                kinds[table.source] = '医療情報ネット (facility)'
                read = layouts.read_navii_facility(table)
                navii += read
                records += read
            elif layout == 'navii-hours':
                kinds[table.source] = '医療情報ネット (departments)'
                for key, value in layouts.read_navii_hours(table).items():
                    hours.setdefault(key, []).extend(value)
            elif layout == 'mapping':
                kinds[table.source] = f'mapping {mapping.path}'
                records += mapping.read(table)
            elif warnings is not None:
                warnings.append(warning(table.source, 1, 1, f'skipped: {why.split(": ", 1)[1]}'))
    for record in navii:
        record.departments = list(dict.fromkeys(record.departments + hours.get(record.code, [])))
    return records, kinds


def check(record: Record) -> str | None:
    """Why ``record`` cannot be a recipient, or None."""
    if record.problem:
        return record.problem
    if not record.name:
        return 'no name'
    if not record.address:
        return 'no address'
    if record.type not in layouts.TYPES:
        return 'no type (病院, 診療所 or 歯科)'
    if not record.postal_code:
        found = postal_code_for(record.address)
        if found is None:
            return ('no postal code, and the address does not give exactly one (its town is '
                    'not in the postal data, or is split between codes)')
        record.postal_code, record.postal_derived = found, True
    if not re.fullmatch(r'\d{7}', record.postal_code):
        hint = (' (a number cell that lost its leading 0? format the column as text)'
                if re.fullmatch(r'\d{6}', record.postal_code) else '')
        return f'postal code {record.postal_code!r} is not 7 digits{hint}'
    if record.from_bureau and not record.address.startswith(layouts.PREFECTURES):
        record.address = with_prefecture(record.postal_code, record.address)
    return address_problem(record.postal_code, record.address)


def with_prefecture(postal_code: str, address: str) -> str:
    """A bureau list's address (one list, one prefecture: its addresses start with the
    city) with the prefecture of its postal code's place whose city it starts with; the
    address unchanged if none (the check then says why)."""
    found = lookup(postal_code)
    for place in (found.places if found else []):
        county = re.match(r'.+?郡(.+)', place.city)
        if address.startswith(place.city) or (county and address.startswith(county.group(1))):
            return place.prefecture + address
    return address


def _key(text: str) -> str:
    return re.sub(r'\s', '', layouts.clean(text))


def merge_duplicates(records: list[Record], warnings: list[SourceError]) -> list[Record]:
    """One record per institution: the same code, or the same name and address, is merged
    into the first (its empty fields filled, departments joined), with a warning."""
    kept: list[Record] = []
    by_code: dict[str, Record] = {}
    by_name: dict[tuple[str, str], Record] = {}
    for record in records:
        first = (by_code.get(record.code) if record.code else None) or \
            by_name.get((_key(record.name), _key(record.address)))
        if first is None:
            kept.append(record)
            if record.code:
                by_code[record.code] = record
            by_name[(_key(record.name), _key(record.address))] = record
            continue
        why = f'the same code {record.code}' if record.code and record.code == first.code \
            else 'the same name and address'
        path, row = _position(record.source)
        warnings.append(warning(path, row, 1, f'{record.name}: a duplicate of {first.source} '
                                             f'({why}); merged into it'))
        for name in ('code', 'manager_title', 'manager_name'):
            if not getattr(first, name) and getattr(record, name):
                setattr(first, name, getattr(record, name))
        first.departments = list(dict.fromkeys(first.departments + record.departments))
    return kept


def run(paths: list[Path], out: Path, mapping_path: Path | None = None,
        progress=None) -> Result:
    """Read, check, merge and write; on any error in a file, write nothing."""
    mapping = layouts.load_mapping(mapping_path) if mapping_path else None
    warnings: list[SourceError] = []
    records, kinds = read_all(paths, mapping, warnings)
    result = Result(layouts=kinds, warnings=warnings)
    accepted = []
    for record in (progress(records) if progress else records):
        reason = check(record)
        if reason:
            result.rejects.append((record, reason))
        else:
            accepted.append(record)
    result.recipients = merge_duplicates(accepted, result.warnings)
    for record in result.recipients:
        result.address_numbers[id(record)] = extract(record.address, record.postal_code)
        if result.address_numbers[id(record)] is None:
            path, row = _position(record.source)
            found = lookup(record.postal_code)
            why = ('its postal code is a representative one (以下に掲載がない場合)'
                   if found and found.representative else
                   'no address number (住所表示番号) can be extracted from its address')
            result.warnings.append(warning(path, row, 1, f'{record.name}: no customer barcode: '
                                                         f'{why}'))
    recipients_bytes, rejects_bytes = recipients_csv(result), rejects_csv(result.rejects)
    try:
        out.mkdir(parents=True, exist_ok=True)
        write_atomic(out / RECIPIENTS, recipients_bytes)
        write_atomic(out / REJECTS, rejects_bytes)
    except OSError as exception:
        raise OutputError(f'{out}: cannot be written ({exception.strerror or exception})') \
            from None
    result.written = [out / RECIPIENTS, out / REJECTS]
    return result


def _csv(rows) -> bytes:
    output = io.StringIO()
    writer = csv.writer(output, lineterminator='\r\n')
    writer.writerows(rows)
    return output.getvalue().encode('utf-8-sig')


def recipients_csv(result: Result) -> bytes:
    rows = [COLUMNS]
    for record in result.recipients:
        number = result.address_numbers.get(id(record))
        barcode = '' if number is None else ' '.join(characters(record.postal_code, number)[1:-1])
        rows.append((record.code, record.name, record.type, record.postal_code, record.address,
                     record.manager_title, record.manager_name,
                     DEPARTMENT_SEPARATOR.join(record.departments),
                     '' if number is None else number, barcode))
    return _csv(rows)


def rejects_csv(rejects: list[tuple[Record, str]]) -> bytes:
    rows = [REJECT_COLUMNS]
    for record, reason in rejects:
        path, row = _position(record.source)
        original = '\n'.join('\t'.join(cell for cell in line) for line in record.original)
        rows.append((path, row, reason, original))
    return _csv(rows)


def summary(result: Result) -> str:
    barcodes = len(result.recipients) - len(result.without_barcode)
    return (f'{plural(len(result.recipients), "recipient")} ({barcodes} with a customer '
            f'barcode), {plural(len(result.rejects), "row")} rejected, '
            f'{plural(sum("duplicate" in w.message for w in result.warnings), "duplicate")} '
            f'merged')
