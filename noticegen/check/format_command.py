"""`noticegen check-format`: check built PDFs by their format's rules (registered in cli.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import NoticegenError, plural


def problems_of(out: Path, paths: list[Path] | None = None) -> list[str]:
    """``path:1:1: error: check-format: RULE: message`` for each problem of ``paths``, or of
    every file the manifest of ``out`` lists as made (PDFs only)."""
    from ..output.manifest import MANIFEST, Manifest
    from .conformance import check_file
    if paths is None:
        if not (out / MANIFEST).exists():
            raise NoticegenError(f'{out / MANIFEST} does not exist; run build first')
        manifest = Manifest.read(out)
        paths = [out / entry.path for entry in manifest.entries.values()
                 if entry.status == 'ok' and entry.path.endswith('.pdf')]
    found = []
    for path in paths:
        try:
            problems = check_file(path)
        except (OSError, NoticegenError) as error:
            problems = [f'cannot read it: {getattr(error, "strerror", None) or error}']
        found += [f'{path}:1:1: error: check-format: {problem}' for problem in problems]
    return found


@click.command(name='check-format')
@click.argument('files', nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option('--out', '-o', type=click.Path(file_okay=False, path_type=Path), default=None,
              help='The output folder whose manifest lists the files (default: dist/).')
@click.pass_context
def check_format(context, files, out) -> None:
    """Check built PDFs by the rules of their format (screen, print, archive).

    \b
    With no FILES, every PDF the output folder's manifest lists as made. The format
    is read from the name: NAME.print.pdf, NAME.archive.pdf, else screen. The rules:
      screen   fonts embedded; every marked-content item in the structure tree or an
               artifact; /Lang, a title, DisplayDocTitle; XMP pdfuaid part 1
      print    fonts; a CMYK output intent with its ICC profile; no DeviceRGB;
               XMP GTS_PDFXVersion PDF/X-4; BleedBox = TrimBox + 3 mm; crop marks in
               the slug, outside the BleedBox (an imposed sheet: MediaBox = TrimBox =
               BleedBox, and no mark in the bleed of any card on it)
      archive  fonts (an included original's too); an output intent with its ICC
               profile; XMP pdfaid part 2 conformance B; /Lang, a title, DisplayDocTitle
    The formats are made to PDF/X-4, PDF/A-2b and PDF/UA-1 and checked by these rules,
    not by a validator. Exits 1 if any file breaks a rule. `build --strict` runs it on
    every PDF it made.
    """
    from ..options import Options
    options = context.find_object(Options)
    folder = out or (options.out if options else Path('dist'))
    try:
        found = problems_of(folder, list(files) or None)
    except NoticegenError as exception:
        click.echo(f'error: {exception}', err=True)
        sys.exit(1)
    for line in found:
        click.echo(line, err=True)
    if found:
        click.echo(f'{plural(len(found), "problem")}.', err=True)
        sys.exit(1)
    click.echo('every file passes its format\'s rules.')
