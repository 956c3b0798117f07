"""The merge's tables: per-batch logs (CSV and a deterministic XLSX) and the 区分 summary."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections import Counter

from .letters import Recipient

LOG_COLUMNS = ('batch', 'sequence', 'first_page', 'last_page', 'prefecture', 'code', 'name',
               'addressee', 'postal_code', 'address', 'customer_barcode')
SUMMARY_COLUMNS = ('batch', 'district', 'pieces', 'with_barcode')
FIXED_TIME = datetime.datetime(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def csv_bytes(rows) -> bytes:
    """UTF-8 with BOM and CRLF, as recipients.csv (Excel opens it as UTF-8)."""
    output = io.StringIO()
    csv.writer(output, lineterminator='\r\n').writerows(rows)
    return output.getvalue().encode('utf-8-sig')


def log_rows(number: int, recipients: list[Recipient], starts: list[int],
             pages: int) -> list[tuple]:
    """One row per letter: where it is in the batch's PDF, and whom it is for."""
    rows = [LOG_COLUMNS]
    ends = [start - 1 for start in starts[1:]] + [pages]
    for sequence, (recipient, start, end) in enumerate(zip(recipients, starts, ends), start=1):
        person, honorific = recipient.addressee()
        addressee = f'{recipient.name} {person} {honorific}'.replace('  ', ' ')
        rows.append((number, sequence, start, end, recipient.prefecture, recipient.code,
                     recipient.name, addressee, recipient.postal, recipient.address,
                     recipient.customer_barcode))
    return rows


def xlsx_bytes(rows, title: str) -> bytes:
    """An XLSX of ``rows`` whose bytes depend only on them: fixed document dates and zip
    entry times (openpyxl stamps both with the clock)."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = 's'   # text as text: a name starting '=' is no formula
    book.properties.created = FIXED_TIME
    book.properties.creator = 'noticegen'
    first = io.BytesIO()
    with zipfile.ZipFile(first, 'w', zipfile.ZIP_DEFLATED) as archive:
        book.properties.modified = FIXED_TIME
        ExcelWriter(book, archive).save()
    fixed = io.BytesIO()
    with zipfile.ZipFile(first) as source, \
            zipfile.ZipFile(fixed, 'w', zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info.filename))
    return fixed.getvalue()


def summary_rows(batches: list[list[Recipient]]) -> list[tuple]:
    """Pieces per 郵便区番号 (the postal code's first three digits), per batch and in total."""
    rows = [SUMMARY_COLUMNS]
    total: Counter = Counter()
    barcoded: Counter = Counter()
    for number, batch in enumerate(batches, start=1):
        pieces = Counter(r.district for r in batch)
        with_barcode = Counter(r.district for r in batch if r.customer_barcode)
        for district in sorted(pieces):
            rows.append((number, district, pieces[district], with_barcode[district]))
        total += pieces
        barcoded += with_barcode
    for district in sorted(total):
        rows.append(('total', district, total[district], barcoded[district]))
    rows.append(('total', 'all', sum(total.values()), sum(barcoded.values())))
    return rows
