"""The 照会 form (XLSX): written from a prefecture's rows, read back as answered cells.

One sheet, 照会. Rows 2 and 3 say whose form it is and the data's as-of date; row 6 is the
header; each fact is a row from row 7. Only the answer columns (回答, 訂正後の内容, 回答者,
回答日) are unlocked; the sheet is protected without a password (protection keeps hands off
by accident; the checksum says whether a row was changed anyway).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from .rows import Row
from .xlsx import workbook_bytes

SHEET = '照会'
CODE_CELL, NAME_CELL, AS_OF_CELL, DAY_CELL = 'B2', 'D2', 'B3', 'D3'
HEADER_ROW = 6
FIRST_ROW = 7
ANSWERS = ('正', '誤', '訂正')
# The columns, in order: (letter, header, width, key).
COLUMNS = (
    ('A', 'ID', 30, 'id'),
    ('B', '項目', 11, 'what'),
    ('C', '対象', 28, 'subject'),
    ('D', '現在の内容', 36, 'value'),
    ('E', '状態', 10, 'state'),
    ('F', '印刷しない理由', 30, 'reason'),
    ('G', '出典（日付）', 40, 'source'),
    ('H', '回答（正・誤・訂正）', 12, 'answer'),
    ('I', '訂正後の内容', 36, 'correction'),
    ('J', '回答者（所属・氏名）', 22, 'person'),
    ('K', '回答日', 12, 'date'),
    ('L', '照合番号', 18, 'checksum'),
)
COLUMN = {key: letter for letter, _, _, key in COLUMNS}
INSTRUCTIONS = (
    '各行の「現在の内容」をご確認のうえ、「回答」欄で 正（このままでよい）・誤（誤りがあり、掲載を'
    'やめる）・訂正（「訂正後の内容」に改める）のいずれかを選んでください。回答した行には、回答者'
    '（所属・氏名）と回答日（YYYY-MM-DD）をご記入ください。未登録の部局名・郵便番号・住所は「訂正」'
    'でご記入ください。')
CAUTIONS = (
    '同じ出典の行（センター名とURL、部局名と郵便番号・住所）は、まとめてご回答ください。'
    '回答欄以外は変更しないでください（照合番号で変更を検出します）。同封の確認用シートは、'
    'この表の内容を印刷物の形で示したものです。')


def write_form(code: str, name: str, valid_as_of: str, day: date, rows: list[Row]) -> bytes:
    """The form of one prefecture, as bytes that depend on nothing but the arguments."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    wrap = Alignment(wrap_text=True, vertical='top')
    sheet['A1'] = f'ワンストップ支援センター等の掲載内容に関する照会（{name}）'
    sheet['A1'].font = Font(bold=True, size=14)
    sheet['A2'], sheet[CODE_CELL] = '都道府県コード', code
    sheet['C2'], sheet[NAME_CELL] = '都道府県名', name
    sheet['A3'], sheet[AS_OF_CELL] = 'データの基準日', valid_as_of
    sheet['C3'], sheet[DAY_CELL] = '印刷の判定日', day.isoformat()
    for cell, text in (('A4', INSTRUCTIONS), ('A5', CAUTIONS)):
        sheet[cell] = text
        sheet[cell].alignment = wrap
        sheet.merge_cells(f'{cell}:L{cell[1:]}')
    sheet.row_dimensions[4].height = 48
    sheet.row_dimensions[5].height = 32
    header_fill = PatternFill('solid', fgColor='D9D9D9')
    answer_fill = PatternFill('solid', fgColor='FFF2CC')
    for letter, header, width, _ in COLUMNS:
        cell = sheet[f'{letter}{HEADER_ROW}']
        cell.value = header
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = wrap
        sheet.column_dimensions[letter].width = width
    last = FIRST_ROW + len(rows) - 1
    for number, row in enumerate(rows, start=FIRST_ROW):
        values = {'id': row.id, 'what': row.what, 'subject': row.subject, 'value': row.value,
                  'state': row.state, 'reason': row.reason, 'source': row.source,
                  'checksum': row.checksum(code)}
        for letter, _, _, key in COLUMNS:
            cell = sheet[f'{letter}{number}']
            cell.alignment = wrap
            if key in values:
                cell.value = values[key]
                cell.data_type = 's'   # text as text: a value starting '=' is no formula
                cell.number_format = '@'
            else:
                cell.protection = Protection(locked=False)
                cell.fill = answer_fill
                cell.number_format = 'yyyy-mm-dd' if key == 'date' else '@'
    if rows:
        choices = DataValidation(type='list', formula1='"' + ','.join(ANSWERS) + '"',
                                 allow_blank=True, showErrorMessage=True,
                                 errorTitle='回答', error='正・誤・訂正 から選んでください。')
        choices.add(f'{COLUMN["answer"]}{FIRST_ROW}:{COLUMN["answer"]}{last}')
        dates = DataValidation(type='date', operator='greaterThan', formula1='36526',
                               allow_blank=True, showErrorMessage=True, errorTitle='回答日',
                               error='回答日を YYYY-MM-DD で記入してください。')
        dates.add(f'{COLUMN["date"]}{FIRST_ROW}:{COLUMN["date"]}{last}')
        sheet.add_data_validation(choices)
        sheet.add_data_validation(dates)
    sheet.freeze_panes = f'A{FIRST_ROW}'
    sheet.protection.sheet = True
    sheet.protection.formatCells = False      # widths and heights may still be changed
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.page_setup.orientation = 'landscape'
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f'{HEADER_ROW}:{HEADER_ROW}'
    workbook.properties.title = f'照会 {code} {name}'
    workbook.properties.creator = 'noticegen'
    return workbook_bytes(workbook, datetime(day.year, day.month, day.day))


@dataclass
class FormRow:
    """One row of an answered form, as read (cells as the form holds them)."""

    number: int          # the sheet row
    id: str
    value: str
    checksum: str
    answer: str
    correction: str
    person: str
    date: object         # a date, or the text written, or None

    def cell(self, key: str) -> str:
        return f'{COLUMN[key]}{self.number}'


@dataclass
class Form:
    path: str            # as given on the command line
    code: str
    name: str
    rows: list[FormRow]


class FormUnreadable(Exception):
    """Not an XLSX file, or not a 照会 form; the message says which."""

    def __init__(self, message: str, cell: str | None = None):
        super().__init__(message)
        self.cell = cell


def _text(value) -> str:
    if value is None:
        return ''
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _raw(value) -> str:
    """A locked cell as written: compared exactly, so nothing is stripped."""
    return '' if value is None else str(value)


def form_cells(path: Path) -> dict[int, tuple]:
    """Each row of the 照会 sheet with a value in columns A–L: its number → those values.

    The sheet is streamed (openpyxl's read-only mode) and its recorded dimension is not
    trusted, so that a stray cell at XFD1048576 costs a pass over the file, not a cell
    object for every row up to it (94 s and 3.3 GB before). Raises FormUnreadable.
    """
    import warnings

    from openpyxl import load_workbook
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')     # openpyxl warns about parts it cannot place
            workbook = load_workbook(path, read_only=True)
            try:
                if SHEET not in workbook.sheetnames:
                    raise FormUnreadable(f'no sheet named {SHEET}: not a 照会 form written by '
                                         f'`noticegen confirm export`')
                sheet = workbook[SHEET]
                sheet.reset_dimensions()
                return {number: row for number, row in enumerate(
                            sheet.iter_rows(max_col=len(COLUMNS), values_only=True), start=1)
                        if any(value not in (None, '') for value in row)}
            finally:
                workbook.close()
    except FormUnreadable:
        raise
    except Exception as error:   # a damaged file: openpyxl and its XML parser raise many kinds
        raise FormUnreadable(f'not an XLSX file that can be read ({error})') from None


def _at(cells: dict[int, tuple], coordinate: str):
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
    letter, number = coordinate_from_string(coordinate)
    row = cells.get(number, ())
    index = column_index_from_string(letter) - 1
    return row[index] if index < len(row) else None


def read_form(path: Path, display: str) -> Form:
    """The cells of an answered form; raises FormUnreadable."""
    cells = form_cells(path)
    if _text(_at(cells, f'A{HEADER_ROW}')) != COLUMNS[0][1] or \
            _text(_at(cells, f'L{HEADER_ROW}')) != COLUMNS[-1][1]:
        raise FormUnreadable(f'row {HEADER_ROW} is not the form\'s header (ID … 照合番号): '
                             f'not a 照会 form, or its columns were moved', f'A{HEADER_ROW}')
    rows = []
    for number in sorted(number for number in cells if number >= FIRST_ROW):
        cells_of_row = {key: value for (_, _, _, key), value in zip(COLUMNS, cells[number])}
        date_value = cells_of_row['date']
        if isinstance(date_value, datetime):
            date_value = date_value.date()
        elif date_value is not None and not isinstance(date_value, date):
            date_value = _text(date_value) or None
        rows.append(FormRow(number, _raw(cells_of_row['id']), _raw(cells_of_row['value']),
                            _raw(cells_of_row['checksum']), _text(cells_of_row['answer']),
                            _text(cells_of_row['correction']), _text(cells_of_row['person']),
                            date_value))
    return Form(display, _text(_at(cells, CODE_CELL)), _text(_at(cells, NAME_CELL)), rows)
