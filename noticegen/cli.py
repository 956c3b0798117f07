"""Command line: parse options, call one function, turn known errors into exit codes."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import NoticegenError, ValidationFailed
from .project import ROOT

EXIT_CODES = """\b
Exit codes:
  0  success
  1  invalid sources, or a document failed to render (nothing invalid is written)
  2  wrong command-line usage
"""


def _fail(exception: NoticegenError) -> None:
    if isinstance(exception, ValidationFailed):
        for error in exception.errors:
            click.echo(str(error), err=True)
        noun = 'error' if len(exception.errors) == 1 else 'errors'
        click.echo(f'{len(exception.errors)} {noun}; nothing was written.', err=True)
    else:
        click.echo(f'error: {exception}', err=True)
    sys.exit(exception.exit_code)


@click.group(epilog=EXIT_CODES, context_settings={'help_option_names': ['-h', '--help']})
@click.version_option(__version__, prog_name='noticegen')
@click.option('--root', type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=ROOT, show_default='the folder of build.py',
              help='Project folder holding notices/, attachments/ and templates/.')
@click.pass_context
def main(context: click.Context, root: Path) -> None:
    """Turn the YAML sources of a notice into its printed matter (PDF).

    \b
    Sources:   notices/*.yaml       one notice letter (事務連絡) per file
               attachments/**.yaml  the 別添 of each notice
               templates/           Jinja2 HTML and CSS
    Typical use:
      python build.py validate      check every source, write nothing
      python build.py list          show the sources and what a build writes
      python build.py build         write the PDFs into dist/
    """
    context.obj = root.resolve()


def _iso_date(context, parameter, value):
    if value is None:
        return None
    from datetime import date
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f'expected YYYY-MM-DD, found {value!r}') from None


strict_option = click.option(
    '--strict', is_flag=True,
    help='Treat data-quality warnings as errors (for release builds).')
as_of_option = click.option(
    '--as-of', 'as_of', metavar='DATE', callback=_iso_date,
    help='Count data age from DATE (YYYY-MM-DD) instead of the data set\'s own date.')


def _quality(project, as_of, strict: bool) -> None:
    """Print the data-quality warnings; exit 1 if ``strict`` and there are any."""
    from .quality import report
    warnings = report(project, as_of)
    for warning in warnings:
        click.echo(str(warning), err=True)
    if warnings and strict:
        click.echo(f'{len(warnings)} data-quality warnings are errors under --strict.', err=True)
        sys.exit(1)


@main.command()
@strict_option
@as_of_option
@click.pass_obj
def validate(root: Path, strict: bool, as_of) -> None:
    """Check every source and its characters; write nothing.

    Prints each problem as PATH:LINE:COL: FIELD: MESSAGE and exits 1 if any.
    Then reports on the prefecture data: prefectures with no printable number,
    unverified and disputed numbers, and printed facts older than 3 years
    (counted from the data set's date, or from --as-of). These are warnings,
    and errors with --strict.
    """
    from .build import check
    try:
        checked = check(root)
    except NoticegenError as exception:
        _fail(exception)
    _quality(checked.project, as_of, strict)
    project = checked.project
    sources = sum(len(n.sources) for n in project.notices) + len(project.prefectures) + (
        project.national is not None)
    click.echo(f'{sources} sources valid; {len(checked.jobs)} documents to build.')


@main.command(name='list')
@click.pass_obj
def list_command(root: Path) -> None:
    """Show every source and the documents a build would write."""
    from .build import check
    try:
        checked = check(root)
    except NoticegenError as exception:
        _fail(exception)
    for notice_set in checked.project.notices:
        notice = notice_set.notice
        click.echo(f'notice {notice.id}  {notice.date.isoformat()}  {notice.title_text}')
        click.echo(f'  source      {notice_set.source.path}')
        for attachment, source in zip(notice_set.attachments, notice_set.attachment_sources):
            click.echo(f'  別添{attachment.number:<6} {source.path}  {attachment.title}')
    click.echo('outputs:')
    for job in checked.jobs:
        key = job.key(root, tuple(font.path for font in checked.fonts[job.stylesheet]))
        click.echo(f'  {job.output}  ({job.kind}, inputs {key[:12]})')


@main.command()
@click.option('--out', type=click.Path(file_okay=False, path_type=Path), default=Path('dist'),
              show_default=True, help='Folder to write the PDFs into.')
@click.pass_obj
def build(root: Path, out: Path) -> None:
    """Validate every source, then write every document as PDF.

    Nothing is written unless every source is valid. Each PDF is written to a
    temporary file and renamed, so an interrupted build never leaves a truncated
    PDF; a PDF whose bytes would not change is left untouched.
    """
    from .build import build as run_build

    def progress(outcome) -> None:
        line = f'{outcome.status:>9}  {out / outcome.job.output}'
        click.echo(line, err=outcome.status == 'failed')

    try:
        result = run_build(out, root, progress=progress)
    except NoticegenError as exception:
        _fail(exception)
    for outcome in result.failed:
        click.echo(f'error: {outcome.message}', err=True)
    click.echo(result.summary())
    if result.failed:
        sys.exit(1)
