"""`noticegen confirm`: the click group of the 照会 round (registered in cli.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import plural
from ..options import Options
from ..plan import parameters


@click.group()
def confirm() -> None:
    """The 照会 round: each prefecture confirms or corrects what is printed about it.

    \b
    1. confirm export --out DIR   a form (DIR/NN-name.xlsx) and a proof sheet
                                  (DIR/proof/NN-name.pdf) for each prefecture
    2. send them; collect the answered forms
    3. confirm import --as-of DATE DIR/*.xlsx
                                  applies the answers to prefectures/*.yaml, prints
                                  the diff and what is still unconfirmed
    4. review the diff (git diff), commit, and build the proofs again
    """


@confirm.command(name='export')
@click.option('--out', type=click.Path(file_okay=False, path_type=Path), required=True,
              help='Folder for the forms and proof sheets (relative to the working directory).')
@click.option('--prefecture', '-p', 'prefectures', multiple=True, callback=parameters.prefectures,
              metavar='CODE|NAME', help='Only this prefecture (repeatable); the default is all.')
@click.option('--force', is_flag=True,
              help='Overwrite forms in OUT that already hold answers.')
@click.pass_context
def export_command(context, out: Path, prefectures, force: bool) -> None:
    """Write each prefecture's 照会 form and proof sheet.

    \b
    OUT/NN-name.xlsx        the form: one row per fact the prefecture's documents print
                            or withhold (center names, numbers, hours, URLs, and the
                            addressed departments' names, postal codes and addresses,
                            empty where unknown), with its value, whether it prints and
                            why not, its source, and columns for the answer (正 / 誤 /
                            訂正), the correction, who answered and when; a checksum per row
    OUT/proof/NN-name.pdf   the proof sheet of the same facts, as the `proof` command
                            writes it
    Facts are judged at the data's valid_as_of (prefectures/national.yaml); the forms are
    dated from it, so the same data gives the same bytes. A file in OUT that holds answers,
    or is not a form, is not overwritten (--force does).

    \b
    Example:  python build.py confirm export --out dist/照会
    """
    from .round import export
    base = context.find_object(Options)
    options = Options(**{**vars(base), 'prefectures': prefectures, 'jobs': None})
    bar = None
    if sys.stderr.isatty():
        bar = click.progressbar(length=len(prefectures or range(47)), label='proof sheets',
                                file=sys.stderr, show_pos=True)
        bar.__enter__()
    try:
        written = export(options, out, force, progress=(lambda outcome: bar.update(1))
                         if bar is not None else None,
                         notify=lambda message: click.echo(message, err=True))
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    forms = [path for path in written if path.suffix == '.xlsx']
    click.echo(f'{plural(len(forms), "form")} and {plural(len(written) - len(forms), "proof sheet")} '
               f'in {out}')


@confirm.command(name='import')
@click.option('--as-of', 'as_of', required=True, metavar='DATE', callback=parameters.iso_date,
              help='The date (YYYY-MM-DD) the answered data is valid for: it becomes the '
                   'data\'s valid_as_of; an answer dated after it is refused.')
@click.option('--dry-run', is_flag=True, help='Check the forms and print the diff; change '
                                              'nothing.')
@click.option('--verbose', '-v', is_flag=True,
              help='List every fact still unconfirmed, with its value and reason.')
@click.argument('files', nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def import_command(context, as_of, dry_run: bool, verbose: bool, files) -> None:
    """Apply answered forms to prefectures/*.yaml; print the diff and what is left.

    \b
    正    confirms the value: status confirmed, source 「都道府県回答 YYYY-MM-DD（回答者）」
    訂正  writes the correction, with that source
    誤    marks it wrong: a center or number becomes disputed; hours, a URL, a
          postal code or an address is removed; a department named wrongly is removed
    Rows that share a source (a center's name and URL; a department's name, postal
    code and address) are answered together. Every form is checked before any file is
    changed: an edited ID, value or checksum, a form from another prefecture, an answer
    dated after --as-of, or a correction the sources' validators refuse (a phone number,
    a URL, a postal code unknown to Japan Post's data) is an error naming the file, sheet
    and cell (forms/13-tokyo.xlsx:照会!I7: error: ...), and nothing is changed. Each file
    is rewritten in place, keeping comments, key order and quoting; prefectures/
    national.yaml's valid_as_of becomes --as-of. Nothing is committed: review the diff.
    Exits 1 on a rejected form.

    \b
    Example:  python build.py confirm import --as-of 2026-12-15 dist/照会/*.xlsx
    """
    from .round import FormsRejected, import_answers
    root = context.find_object(Options).root
    cwd = Path.cwd()
    try:
        result = import_answers(root, as_of, list(files), dry_run, display=lambda path: str(
            path.relative_to(cwd) if path.is_absolute() and path.is_relative_to(cwd) else path))
    except FormsRejected as rejected:
        for error in rejected.errors:
            click.echo(str(error), err=True)
        click.echo(f'{plural(len(rejected.errors), "error")}; nothing was changed.', err=True)
        sys.exit(1)
    if result.diff:
        click.echo(result.diff, nl=False)
    for line in result.report(verbose):
        click.echo(line)
    if dry_run:
        click.echo('dry run: nothing was changed.')
