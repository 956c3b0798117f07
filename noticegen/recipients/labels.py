"""``recipients labels``: a small demonstration document of the customer barcode in an
address block, read from an imported recipients.csv."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from markupsafe import Markup

from ..assemble.fonts import name_subsets
from ..errors import NoticegenError, OutputError
from ..layout import TEMPLATES
from ..output.atomic import write_atomic
from .barcode import BarcodeError, barcode_svg
from .importer import COLUMNS
from .readers import ImportFailed, decode

TEMPLATE = 'recipient-labels.html'
STYLESHEET = 'recipient-labels.css'


def read_recipients(path: Path) -> list[dict[str, str]]:
    """The rows of a recipients.csv written by ``recipients import``."""
    reader = csv.DictReader(io.StringIO(decode(path.read_bytes(), str(path)), newline=''))
    rows: list[dict[str, str]] = []
    try:
        rows.extend(reader)
    except csv.Error as exception:   # a field over csv's limit (131,072 characters)
        raise ImportFailed(f'{path}:{len(rows) + 2}: not a recipients.csv ({exception})') \
            from None
    missing = [column for column in COLUMNS if rows and column not in rows[0]]
    if not rows or missing:
        raise ImportFailed(f'{path}: not a recipients.csv of `recipients import`'
                           + (f' (no column {missing[0]!r})' if missing else ' (no rows)'))
    return rows


def label_of(row: dict[str, str], point: float) -> dict:
    person = ' '.join(part for part in (row['manager_title'], row['manager_name']) if part)
    number = row['address_number']
    barcode = Markup(barcode_svg(row['postal_code'], number, point)) \
        if row['customer_barcode'] else None
    postal = row['postal_code']
    return {'postal': f'{postal[:3]}-{postal[3:]}', 'address': row['address'],
            'name': row['name'], 'person': person, 'honorific': '様' if person else '御中',
            'barcode': barcode}


def make_labels(root: Path | None, source: Path, out: Path, point: float) -> tuple[int, int]:
    """Write the labels PDF; return (labels, labels without a barcode)."""
    from ..render.engine import Renderer
    if root is None or not (root / TEMPLATES / TEMPLATE).is_file():
        raise NoticegenError(f'no {TEMPLATES}/{TEMPLATE} in the project: run the command in '
                             f'a noticegen project')
    labels = []
    for number, row in enumerate(read_recipients(source), start=2):
        try:
            labels.append(label_of(row, point))
        except BarcodeError as error:   # an address number edited by hand
            raise ImportFailed(f'{source}:{number}: address_number: {error}') from None
    renderer = Renderer(root / TEMPLATES)
    document = renderer.render(renderer.html(TEMPLATE, labels=labels), [STYLESHEET])
    data = name_subsets(renderer.write(document))   # one name, one program, in every file
    try:
        write_atomic(out, data)
    except OSError as exception:
        raise OutputError(f'{out}: cannot be written ({exception.strerror or exception})') \
            from None
    return len(labels), sum(label['barcode'] is None for label in labels)
