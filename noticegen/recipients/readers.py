"""Read a list into tables of text cells: CSV or text (UTF-8 with or without BOM, or cp932),
.xlsx (openpyxl), .xls (python-calamine) and .zip containers of those."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import NoticegenError

TEXT_SUFFIXES = ('.csv', '.txt', '.tsv')
SHEET_SUFFIXES = ('.xlsx', '.xlsm', '.xls')
# A zip may hold zips (a bureau's all-prefecture zip of per-prefecture zips), one level deep;
# members (those of the zips it holds included) larger than this in all, unpacked, are
# refused rather than read into memory.
ZIP_DEPTH = 2
MEMBER_LIMIT = 512 * 1024 * 1024


class ImportFailed(NoticegenError):
    """A list that cannot be read: one line naming the file (and the column)."""


@dataclass
class Table:
    """One sheet or one text file: its rows of text cells, and where they came from."""

    source: str                 # the path as given, with !member for a zip, [sheet] for a book
    rows: list[list[str]]
    name: str                   # the file's own name (a zip member's), to recognise a list by


def decode(data: bytes, source: str) -> str:
    """UTF-8 (with or without BOM), else cp932; anything else is an error."""
    if data.startswith(b'\xef\xbb\xbf'):
        data = data[3:]
    for encoding in ('utf-8', 'cp932'):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFailed(f'{source}: not text in UTF-8 or Shift_JIS (cp932); save it as CSV '
                       f'in one of those, or as .xlsx')


def _text_table(data: bytes, source: str, name: str) -> Table:
    text = decode(data, source)
    lines = text.splitlines()
    sample = '\n'.join(lines[:50])
    delimiter = '\t' if sample.count('\t') > sample.count(',') else ','
    reader = csv.reader(io.StringIO(text, newline=''), delimiter=delimiter)
    try:
        rows = [[cell.strip() for cell in row] for row in reader]
    except csv.Error as exception:   # a field over csv's limit (131,072 characters)
        raise ImportFailed(f'{source}: line {reader.line_num}: not a list of institutions '
                           f'({exception})') from None
    return Table(source, rows, name)


def _cell(value) -> str:
    if value is None:
        return ''
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    return str(value).strip()


def _xlsx_tables(data: bytes, source: str, name: str) -> list[Table]:
    import openpyxl
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exception:   # openpyxl raises many kinds for a damaged file
        raise ImportFailed(f'{source}: not a readable .xlsx workbook ({exception})') from None
    try:
        return [Table(f'{source}[{sheet.title}]', _sheet_rows(sheet), name)
                for sheet in book.worksheets]
    finally:
        book.close()


def _sheet_rows(sheet) -> list[list[str]]:
    """A read-only sheet's rows, each as long as its last cell; no empty rows at the end.

    The sheet's recorded dimension is not trusted: openpyxl pads every row to it, so one
    stray cell at XFD1048576 (or a format applied to whole columns) would make a million
    rows of 16,384 cells (it took 24 GB before it was killed). Empty rows between rows
    with values share one empty list, so that rows keep their numbers.
    """
    sheet.reset_dimensions()
    rows: list[list[str]] = []
    empty: list[str] = []
    pending = 0
    for row in sheet.iter_rows(values_only=True):
        cells = [_cell(value) for value in row]
        if not any(cells):
            pending += 1
            continue
        rows.extend([empty] * pending)
        pending = 0
        rows.append(cells)
    return rows


def _xls_tables(data: bytes, source: str, name: str) -> list[Table]:
    from python_calamine import CalamineWorkbook
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return [Table(f'{source}[{sheet}]',
                      [[_cell(value) for value in row]
                       for row in book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)],
                      name)
                for sheet in book.sheet_names]
    except ImportFailed:
        raise
    except Exception as exception:   # calamine's errors are not one class
        raise ImportFailed(f'{source}: not a readable Excel workbook ({exception})') from None


def _tables(data: bytes, source: str, name: str, depth: int = 0,
            budget: list[int] | None = None) -> list[Table]:
    """The tables of one file; ``budget`` holds the bytes a zip (with the zips it holds)
    may still unpack, so that many members, or zips in zips, stay within MEMBER_LIMIT."""
    budget = [MEMBER_LIMIT] if budget is None else budget
    suffix = PurePosixPath(name).suffix.lower()
    if suffix == '.zip' or (not suffix and data[:4] == b'PK\x03\x04' and depth == 0):
        if depth >= ZIP_DEPTH:
            raise ImportFailed(f'{source}: zips nested deeper than {ZIP_DEPTH} levels are not '
                               f'read; unpack them first')
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            raise ImportFailed(f'{source}: not a readable zip file') from None
        found = []
        for member in sorted(archive.infolist(), key=lambda info: info.filename):
            member_name = _member_name(member)
            if member.is_dir() or member_name.startswith(('__MACOSX/', '.')) or \
                    '/.' in member_name:
                continue
            if PurePosixPath(member_name).suffix.lower() not in \
                    TEXT_SUFFIXES + SHEET_SUFFIXES + ('.zip',):
                continue
            if member.file_size > budget[0]:
                raise ImportFailed(f'{source}!{member_name}: {member.file_size:,} bytes '
                                   f'unpacked, past {MEMBER_LIMIT:,} for the whole zip; more '
                                   f'than lists of institutions hold')
            budget[0] -= member.file_size
            found += _tables(archive.read(member), f'{source}!{member_name}',
                             PurePosixPath(member_name).name, depth + 1, budget)
        if not found:
            raise ImportFailed(f'{source}: the zip holds no .csv, .txt, .xlsx, .xls or .zip file')
        return found
    if suffix in ('.xlsx', '.xlsm'):
        return _xlsx_tables(data, source, name)
    if suffix == '.xls':
        return _xls_tables(data, source, name)
    if suffix in TEXT_SUFFIXES or not suffix:
        return [_text_table(data, source, name)]
    if suffix == '.pdf':
        raise ImportFailed(f'{source}: a PDF list cannot be read; use the bureau\'s Excel or '
                           f'text file of the same list')
    raise ImportFailed(f'{source}: unknown kind of file {suffix!r}; expected .csv, .txt, .xlsx, '
                       f'.xls or .zip')


def _member_name(member: zipfile.ZipInfo) -> str:
    """A zip member's name; names that were stored in cp932 without the UTF-8 flag are read
    back as such (Japanese archivers on Windows write them so)."""
    if member.flag_bits & 0x800:
        return member.filename
    try:
        return member.filename.encode('cp437').decode('cp932')
    except (UnicodeEncodeError, UnicodeDecodeError):
        return member.filename


def read_tables(path: Path) -> list[Table]:
    """Every table of the file at ``path``."""
    try:
        data = path.read_bytes()
    except OSError as exception:
        raise ImportFailed(f'{path}: cannot be read ({exception.strerror or exception})') \
            from None
    if not data.strip():
        raise ImportFailed(f'{path}: the file is empty')
    return _tables(data, str(path), path.name)
