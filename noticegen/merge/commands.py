"""The ``merge`` command: one letter per medical institution, in print batches."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..errors import NoticegenError, plural


@click.command()
@click.argument('recipients_csv', metavar='RECIPIENTS.csv',
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option('--out', type=click.Path(file_okay=False, path_type=Path), default=None,
              show_default='dist/ in the project',
              help='Output folder (it holds manifest.json); the merge writes under '
                   'OUT/merge/<notice id>/.')
@click.option('--notice', 'notice_id', default=None, metavar='ID',
              help='The notice whose `merge:` letter is mailed (default: the only one).')
@click.option('--batch-size', 'size', type=click.IntRange(min=1), default=500,
              show_default=True, help='Recipients per print batch (one PDF each).')
@click.option('--jobs', '-j', type=click.IntRange(min=1), default=None, metavar='N',
              help='Worker processes (local pool or LocalCluster); default: the number of '
                   'CPUs. 1 makes the batches in this process.')
@click.option('--executor', type=click.Choice(['local', 'dask']), default='local',
              show_default=True,
              help='local: a process pool on this machine. dask: a Dask cluster (needs '
                   'dask[distributed]).')
@click.option('--scheduler', default=None, metavar='ADDRESS',
              help='With --executor dask: the scheduler of a running cluster '
                   '(tcp://host:8786); without it a LocalCluster of --jobs workers is started '
                   'and closed.')
@click.option('--labels', is_flag=True,
              help='Also write A4 label sheets (2 × 6) of the same addressee blocks, for '
                   'envelopes without a window.')
@click.option('--no-wait', 'no_wait', is_flag=True,
              help='If another build or merge is writing OUT, exit 1 at once.')
@click.pass_context
def merge(context, recipients_csv: Path, out: Path | None, notice_id: str | None, size: int,
          jobs: int | None, executor: str, scheduler: str | None, labels: bool,
          no_wait: bool) -> None:
    """Mail-merge the notice's `merge:` letter to every recipient of RECIPIENTS.csv.

    \b
    RECIPIENTS.csv is the file `recipients import` writes. Each recipient gets the letter
    (issued by its prefecture's department, as the data has it) addressed to it:
      〇〇病院 院長 〇〇 〇〇 殿   the list names the manager (院長 when no title is given)
      〇〇病院 院長 殿            the list gives the manager's title only
      〇〇病院 御中               the list names no manager
    with its postal code, address and Japan Post's customer barcode where the import made
    one, followed by its prefecture's leaflet (別添1).

    \b
    Writes under OUT/merge/<notice id>/:
      batches/0001.pdf ...   print batches of --batch-size letters, in postal-code then
                             address order (the boundaries depend only on that order)
      labels/0001.pdf ...    with --labels: label sheets of the same addressees
      logs/0001.csv, .xlsx   per batch: recipient, page range, addressee
      summary.csv, .xlsx     pieces per 郵便区番号, per batch and in total
    all listed in OUT/manifest.json. A rerun skips the batches already made; a merge stopped
    at any moment and run again gives the same bytes. The tool does not decide whether a
    mailing qualifies for Japan Post's discounts (see docs/merge.md).
    """
    from ..options import Options
    from .run import merge as run_merge
    options = context.find_object(Options)
    target = out if out is not None else options.out
    if scheduler is not None and executor != 'dask':
        click.echo('error: --scheduler is the address of a Dask cluster: give --executor dask '
                   'with it', err=True)
        sys.exit(2)
    bar = None
    if sys.stderr.isatty():
        bar = click.progressbar(length=0, label='merging', file=sys.stderr, show_eta=True)

    def progress(what: str, count: int) -> None:
        if bar is None:
            return
        if what == 'total':
            bar.length = count
        elif count:
            bar.update(count)

    try:
        if bar is not None:
            bar.__enter__()
        result = run_merge(options.root, recipients_csv, target, notice_id=notice_id,
                           size=size, jobs=jobs or os.cpu_count() or 1, executor=executor,
                           scheduler=scheduler, labels=labels, cache=options.cache,
                           wait=not no_wait, progress=progress,
                           notify=lambda message: click.echo(message, err=True))
    except NoticegenError as exception:
        if bar is not None:
            bar.__exit__(None, None, None)
        click.echo(f'error: {exception}', err=True)
        sys.exit(exception.exit_code)
    if bar is not None:
        bar.__exit__(None, None, None)
    click.echo(f'wrote {target / result.folder}: {plural(result.batches, "batch", "batches")} '
               f'({result.made} made, {result.skipped} already current), '
               f'{plural(result.pages, "page")}')
    click.echo(result.summary())
