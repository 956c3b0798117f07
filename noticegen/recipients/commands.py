"""The ``recipients`` command group: import the lists, print labels with the customer barcode."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import NoticegenError, plural


@click.group()
def recipients() -> None:
    """Medical institutions as recipients: import their lists, print labels.

    \b
    recipients import FILE... --out DIR   lists → DIR/recipients.csv, DIR/rejects.csv
    recipients labels DIR/recipients.csv --out labels.pdf
                                          address labels with Japan Post's customer barcode
    """


@recipients.command(name='import')
@click.argument('files', nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option('--mapping', type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar='MAP.yaml',
              help='Column mapping for a list in another layout: YAML lines `field: column '
                   'header`; fields code, name, type, postal_code, address (name, type, '
                   'postal_code and address are required), manager_title, manager_name, '
                   'departments.')
@click.option('--out', required=True, type=click.Path(file_okay=False, path_type=Path),
              help='Folder to write recipients.csv and rejects.csv into.')
def import_command(files: tuple[Path, ...], mapping: Path | None, out: Path) -> None:
    """Read lists of medical institutions into one checked recipients file.

    \b
    Reads, recognising each by its content:
      - the 地方厚生局's コード内容別医療機関一覧表 (.xlsx, .xls, text, or a zip of them),
      - 医療情報ネット (ナビイ) open data: 01-1_hospital_facility_info_*.csv,
        02-1_clinic_…, 03-1_dental_… (and 0N-2_*_speciality_hours_*.csv for departments),
      - any other CSV or XLSX with --mapping.
    Text is read as UTF-8 (with or without BOM) or Shift_JIS (cp932).

    \b
    Writes DIR/recipients.csv (UTF-8): code, name, type (病院, 診療所, 歯科), postal code,
    address, manager's title and name, departments, the 住所表示番号 and the customer
    barcode's characters (empty when none can be made; such recipients are listed as
    warnings), and DIR/rejects.csv: each rejected row, its file and row, the reason, the
    row as read. A row is rejected when its postal code does not exist, or its address is
    not in that code's prefecture and city. Duplicates (the same code, or the same name and
    address) are merged, with a warning. An unreadable file, an unknown layout or a missing
    column is one error, and nothing is written.
    """
    from .importer import run, summary
    try:
        if sys.stderr.isatty():   # a bar for the terminal; nothing for a log
            with click.progressbar(length=0, label='checking', file=sys.stderr,
                                   show_eta=False) as bar:
                def progress(records):
                    bar.length = len(records)
                    for record in records:
                        yield record
                        bar.update(1)
                result = run(list(files), out, mapping, progress=progress)
        else:
            result = run(list(files), out, mapping)
    except NoticegenError as exception:
        click.echo(f'error: {exception}', err=True)
        click.echo('nothing was written.', err=True)
        sys.exit(exception.exit_code)
    for source, layout in result.layouts.items():
        click.echo(f'read {source}: {layout}', err=True)
    for item in result.warnings:
        click.echo(str(item), err=True)
    for path in result.written:
        click.echo(f'wrote {path}')
    click.echo(summary(result))


@recipients.command()
@click.argument('recipients_csv', metavar='RECIPIENTS.csv',
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option('--out', required=True, type=click.Path(dir_okay=False, path_type=Path),
              help='The PDF to write.')
@click.option('--point', type=click.FloatRange(8, 11.5), default=10.0, show_default=True,
              help='Size of the customer barcode in points (the manual allows 8 to 11.5).')
@click.pass_context
def labels(context, recipients_csv: Path, out: Path, point: float) -> None:
    """Address labels (A4, 2 × 6) for RECIPIENTS.csv, each with its customer barcode.

    The barcode is drawn below the addressee's name, alone, with 2 mm blank around it, at
    the manual's dimensions for --point. A recipient without a barcode gets its label
    without one (the import listed it); a postal-code-only barcode is never printed.
    """
    from ..options import Options
    from .labels import make_labels
    root = context.find_object(Options).root
    try:
        count, without = make_labels(root, recipients_csv, out, point)
    except NoticegenError as exception:
        click.echo(f'error: {exception}', err=True)
        sys.exit(exception.exit_code)
    click.echo(f'wrote {out}: {plural(count, "label")}, {without} without a barcode')
