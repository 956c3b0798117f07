"""Command line: parse options, call one function, turn known errors into exit codes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__
from .errors import NoticegenError, UsageError, ValidationFailed, plural
from .layout import PREFECTURES

NATIONAL_FILE = 'national.yaml'
from .options import Options
from .plan import parameters

EXIT_CODES = """\b
Messages:   PATH:LINE:COL: error|warning: FIELD: MESSAGE, one per line, on stderr.
Exit codes:
  0    success
  1    invalid sources (nothing is written), a document failed to render, warnings
       under --strict; the output folder cannot be written, is full, or is busy
       (--no-wait); a damaged manifest; problems found by manifest check
  2    wrong command-line usage, or no project found
  130  interrupted (Ctrl-C; finished files stay in place and in the manifest)
"""
INTERRUPTED = 'interrupted: finished files are in place and in the manifest; run the command again to resume'


def _fail(exception: NoticegenError) -> None:
    if isinstance(exception, ValidationFailed):
        for error in exception.errors:
            click.echo(str(error), err=True)
        click.echo(f'{plural(len(exception.errors), "error")}; nothing was written.', err=True)
    else:
        click.echo(f'error: {exception}', err=True)
    sys.exit(exception.exit_code)


def _echo_err(message: str) -> None:
    click.echo(message, err=True)


def _bug(exception: Exception) -> None:
    """An exception that is not noticegen's own: one line, the traceback in a log."""
    import traceback

    from .output.bugs import BugLog, one_line
    log = BugLog().record('unexpected exception', ''.join(traceback.format_exception(exception)))
    where = f'the traceback is in {log}' if log else 'no log could be written'
    click.echo(f'error: unexpected {one_line(exception, name_type=True)} (a bug in noticegen: '
               f'{where})', err=True)
    sys.exit(1)


class KindsGroup(click.Group):
    """The CLI group; the registered kinds add their options and commands when it runs."""

    def make_context(self, info_name, args, parent=None, **extra):
        install_kinds(self)
        arguments = list(args)   # as typed: the no-op stamp is keyed by them
        context = super().make_context(info_name, args, parent=parent, **extra)
        context.meta[ARGUMENTS] = arguments
        return context

    def main(self, args=None, prog_name=None, **extra):
        """Run the CLI; Ctrl-C exits 130 with the same message in every command."""
        try:
            if _answer_noop(sys.argv[1:] if args is None else list(args)):
                return None
            return super().main(args, prog_name, standalone_mode=False, **extra)
        except click.exceptions.Exit as exception:
            sys.exit(exception.exit_code)
        except click.ClickException as exception:
            exception.show()
            sys.exit(exception.exit_code)
        except (KeyboardInterrupt, click.exceptions.Abort):
            click.echo(f'\n{INTERRUPTED}', err=True)
            sys.exit(130)
        except NoticegenError as exception:
            _fail(exception)
        except ModuleNotFoundError as exception:  # outside the project's virtual environment
            sys.exit(missing_package(exception.name))

    def invoke(self, context):
        try:
            return super().invoke(context)
        except NoticegenError as exception:
            _fail(exception)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:   # `noticegen … | head`: the reader left; not an error of ours
            _reader_gone()
        except OSError as exception:   # a full, read-only or forbidden folder: one line
            _cannot_write(exception)
        except ModuleNotFoundError as exception:  # outside the project's virtual environment
            sys.exit(missing_package(exception.name))
        except Exception as exception:   # a bug: never a traceback on the terminal
            _bug(exception)


ARGUMENTS = 'noticegen.arguments'


def _answer_noop(args: list[str]) -> bool:
    """A warm `build` with nothing changed since the last one: print what that build
    printed, without loading the sources (output/stamp.py). False: take the full path."""
    if 'build' not in args:
        return False
    import time
    started = time.perf_counter()
    from .output.stamp import answer
    try:
        replay = answer(args)
    except Exception:   # whatever the stamp's check meets, the full path is the truth
        return False
    if replay is None:
        return False
    try:
        for line in replay['stderr']:
            click.echo(line, err=True)
        if replay['verbosity'] > 0:
            if not sys.stderr.isatty():   # on a terminal the full path shows a bar instead
                for line in replay['unchanged']:
                    click.echo(line)
            click.echo('nothing the last build read has changed: answered from its stamp')
        for line in replay['stdout']:
            click.echo(line)
        click.echo(f'{replay["totals"]} in {time.perf_counter() - started:.1f} s')
    except BrokenPipeError:
        _reader_gone()
    return True


def _cannot_write(exception: OSError) -> None:
    """A file a command writes (schemas, previews, forms …) that the machine refuses: one
    line and exit 1, as the build says it; any other OSError is a bug."""
    import errno

    from .errors import OutputError
    from .output.lock import cannot_write
    if exception.filename is None or exception.errno not in (
            errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM):
        _bug(exception)
    _fail(OutputError(cannot_write(Path(os.fsdecode(exception.filename)), exception)))


def _reader_gone() -> None:
    """Exit quietly when stdout's reader has closed the pipe (the shell convention, 128 + SIGPIPE)."""
    # Point stdout at /dev/null so that the interpreter's final flush does not fail again.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(141)


def missing_package(name: str | None) -> str:
    """One line saying how to set up, instead of a traceback."""
    return (f'noticegen: the Python package {name!r} is not installed in this Python; run '
            f'./dev.sh (it sets up .venv and runs the command), or use .venv/bin/python')


# Commands that work outside a project (they may make one).
ROOTLESS = ('new', 'schema')


def _root(context, parameter, value):
    """--root, or the nearest folder above the working directory that holds noticegen.toml.

    None when there is none: the group then refuses every command but those that make a
    project (ROOTLESS).
    """
    from .layout import find_root
    if value is not None:
        return value.resolve()
    return find_root(Path.cwd())


def _no_project() -> UsageError:
    from .layout import MARKER
    return UsageError(f'no noticegen project found in {Path.cwd()} or its parents; '
                      f'use --root (a project holds {MARKER})')


@click.group(cls=KindsGroup, epilog=EXIT_CODES,
             context_settings={'help_option_names': ['-h', '--help']})
@click.version_option(__version__, prog_name='noticegen')
@click.option('--root', type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, callback=_root, is_eager=True,
              show_default='the nearest folder with noticegen.toml above the working '
                           'directory',
              help='Project folder holding notices/, attachments/ and templates/.')
@click.option('--cache-dir', type=click.Path(file_okay=False, path_type=Path), default=None,
              show_default="the user's cache folder",
              help='Where the checks keep their results between runs (never the project).')
@click.pass_context
def main(context: click.Context, root: Path, cache_dir: Path | None) -> None:
    """Turn the YAML sources of a notice into its printed matter (PDF).

    \b
    Sources:   notices/*.yaml       one notice letter (事務連絡) per file
               attachments/**.yaml  the 別添 of each notice
               prefectures/*.yaml   each prefecture's centers and numbers
               templates/           Jinja2 HTML and CSS
    Typical use, from any folder of the project:
      python build.py validate      check every source, write nothing
      python build.py list          show the sources and what a build writes
      python build.py build         write the PDFs into dist/
      python build.py preview       page images and a gallery of what was built
    """
    if root is None:
        if context.invoked_subcommand not in ROOTLESS:
            raise _no_project()
        context.obj = Options(root=None, out=Path('dist'), cache_dir=cache_dir)
        return
    context.obj = Options(root=root, out=root / 'dist', cache_dir=cache_dir)


def _options(context: click.Context, **fields) -> Options:
    """The group's options with this command's."""
    import dataclasses
    base = context.find_object(Options)
    given = {name: value for name, value in fields.items() if value is not None
             or name in ('prefectures', 'langs')}
    if given.get('out') is None:
        given.pop('out', None)
    return dataclasses.replace(base, **given)


strict_option = click.option(
    '--strict', is_flag=True,
    help='Fail on any warning: data quality (of what is built), stylesheets, translations '
         'and rendering (for release builds).')


def verbosity_options(function):
    function = click.option('--verbose', '-v', 'verbosity', flag_value=1,
                            help='Also list unchanged files and every data warning.')(function)
    return click.option('--quiet', '-q', 'verbosity', flag_value=-1, default=0,
                        help='Print errors and the summary only.')(function)
as_of_option = click.option(
    '--as-of', 'as_of', metavar='DATE', callback=parameters.iso_date,
    help='Judge facts at DATE (YYYY-MM-DD) instead of the data set\'s valid_as_of: what is '
         'stale, hence what prints.')


def _report_warnings(warnings, options: Options, data_in_full: bool) -> list[str]:
    """Print the warnings (and return the lines); exit 1 under --strict if there are any.

    A build prints its data-quality warnings as one count unless -v (validate lists
    them); every other warning is printed in full.
    """
    # A prefecture file's warnings are counted; those on the national data (a stale #8891,
    # an old as-of date) concern every document and are always printed in full.
    data = [w for w in warnings if w.path.startswith(PREFECTURES)
            and not w.path.endswith(NATIONAL_FILE)]
    others = [w for w in warnings if w not in data]
    lines = []
    if options.verbosity >= 0:
        lines += [str(item) for item in
                  others + (data if data_in_full or options.verbosity > 0 else [])]
        if data and not (data_in_full or options.verbosity > 0):
            lines.append(f'{plural(len(data), "data-quality warning")} (validate, or -v, '
                         f'lists them; --strict makes them errors)')
    for line in lines:
        click.echo(line, err=True)
    if warnings and options.strict:
        click.echo(f'{plural(len(warnings), "warning")}: errors under --strict.', err=True)
        sys.exit(1)
    return lines


lang_option = click.option(
    '--lang', 'langs', metavar='LANGS', callback=parameters.languages,
    help='Languages of the patient cards and translated leaflets: comma-separated codes '
         '(ja,en,th), all, or none. The default is the reviewed languages plus ja, ja-easy '
         'and en. The mailing itself is always Japanese.')


format_option = click.option(
    '--format', 'formats', metavar='FORMATS', callback=parameters.formats,
    help='Formats to make, comma-separated, or all: screen (the default: tagged, today\'s '
         'names), print (NAME.print.pdf: PDF/X-4, CMYK, 3 mm bleed and crop marks; leaflets and cards), '
         'archive (NAME.archive.pdf: PDF/A-2b; the letter, attachments and bundles). Each '
         'kind is made in the formats it supports.')


prefecture_option = click.option(
    '--prefecture', '-p', 'prefectures', multiple=True, callback=parameters.prefectures,
    metavar='CODE|NAME',
    help='Only this prefecture: a JIS code (13), a romanised name (tokyo) or 東京都. '
         'Repeatable; the default is all 47.')


@main.command()
@strict_option
@as_of_option
@verbosity_options
@click.pass_context
def validate(context, strict: bool, as_of, verbosity: int) -> None:
    """Check every source and its characters; write nothing.

    Prints each problem as PATH:LINE:COL: error: FIELD: MESSAGE and exits 1 if
    any. Templates are compiled, and stylesheets parsed by WeasyPrint: a CSS typo
    is a warning at its line and column. Then it reports on the facts, judged at the
    data set's date (or --as-of): prefectures with no printable number, every fact
    that does not print and why (unverified, disputed, undated, older than the limit
    of facts/limits.yaml), the texts left out for it, and the coverage: which
    prefectures print a direct number from a fresh, dated source. Warnings are errors
    with --strict.
    """
    from .api import validate as run_validate
    options = _options(context, strict=strict, as_of=as_of, verbosity=verbosity)
    try:
        checked = run_validate(options)  # every language's text is checked
    except NoticegenError as exception:
        _fail(exception)
    _report_warnings(checked.warnings, options, data_in_full=True)
    project = checked.project
    from .check.quality import coverage
    found = coverage(project, options.as_of)
    for line in found.lines() if found else ():
        click.echo(line)
    sources = (sum(len(n.sources) + sum(len(t) for t in n.translations.values())
                   for n in project.notices)
               + len(project.prefectures) + (project.national is not None) + len(project.cards)
               + len(project.facts_paths) + len(project.wording))
    click.echo(f'{plural(sources, "source")} valid; {plural(len(checked.jobs), "file")} to '
               f'build.')


@main.command()
@prefecture_option
@click.option('--research', type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, show_default='../shared/reference/centers-research.yaml, if there',
              help='The research file the data came from, to read its notes too.')
@click.option('--unapplied', is_flag=True, help='Only the notes not quoted in a status_note.')
@click.pass_context
def notes(context, prefectures, research, unapplied: bool) -> None:
    """List candidate research notes (要確認, 要再確認, 未確認, 移転, 不一致 ...) per fact.

    A note concerns one fact (a note about hours does not touch the number): apply it by
    hand, quoting it in that fact's status_note, and it shows as applied here. Each line is
    PATH:LINE:COL: warning: FIELD: candidate note (WORD) for FACT, status, applied or not.
    Writes nothing; exits 0.
    """
    from .api import notes as run_notes
    options = _options(context, prefectures=prefectures)
    try:
        found = run_notes(options, research)
    except NoticegenError as exception:
        _fail(exception)
    shown = [item for item in found if not (unapplied and item.applied)]
    for item in shown:
        click.echo(str(item.message()))
    applied = sum(item.applied for item in found)
    click.echo(f'{plural(len(found), "candidate note")}: {applied} applied (quoted in a '
               f'status_note), {len(found) - applied} not applied.')


@main.command(name='list')
@prefecture_option
@lang_option
@click.pass_context
def list_command(context, prefectures, langs) -> None:
    """Show every source and the documents a build would write."""
    from .api import check
    try:
        checked = check(_options(context, prefectures=prefectures, langs=langs))
    except NoticegenError as exception:
        _fail(exception)
    for notice_set in checked.project.notices:
        notice = notice_set.notice
        click.echo(f'notice {notice.id}  {notice.date.isoformat()}  {notice.title_text}')
        click.echo(f'  source      {notice_set.source.path}')
        from .model.numbering import attachment_label
        for attachment, source in zip(notice_set.attachments, notice_set.attachment_sources):
            click.echo(f'  {attachment_label(notice, attachment):<10} {source.path}  '
                       f'{attachment.title}')
    click.echo('prefectures:')
    from .model.facts import as_of_date, printing
    project = checked.project
    judge = project.judge(as_of_date(project.national.valid_as_of)) if project.national else None
    for code, data in project.prefectures.items():
        prefecture = data.prefecture
        printed = printing(prefecture, judge)
        click.echo(f'  {code} {prefecture.name:<5} {data.source.path}  '
                   f'{plural(len(printed.centers), "center")}, '
                   f'{plural(len(printed.numbers), "printable number")}')
    click.echo('outputs:')
    from .plan.keys import Keys
    keys = Keys(checked.project.root, checked.fonts)
    for job in checked.jobs:
        click.echo(f'  {job.output}  ({job.kind}, inputs {keys.key(job)[:12]})')


out_option = click.option(
    '--out', type=click.Path(file_okay=False, path_type=Path), default=None,
    show_default='dist/ in the project',
    help='Output folder (it holds manifest.json), relative to the working directory.')
jobs_option = click.option(
    '--jobs', '-j', type=click.IntRange(min=1), default=None, metavar='N',
    help='Worker processes; the default is the number of CPUs. 1 renders in this process.')
no_wait_option = click.option(
    '--no-wait', 'no_wait', is_flag=True,
    help='If another build is writing OUT, exit 1 at once instead of waiting for it.')


def _progress(label: str, options: Options):
    """A progress bar on a terminal; nothing otherwise. Returns (callback, close)."""
    if options.verbosity < 0 or not sys.stderr.isatty():
        return (lambda done, total, item: None), (lambda: None)
    state = {}

    def update(done: int, total: int, item: str) -> None:
        if 'bar' not in state:
            state['bar'] = click.progressbar(length=total, label=label, file=sys.stderr,
                                             show_pos=True)
            state['bar'].__enter__()
        state['bar'].update(1)

    def close() -> None:
        if 'bar' in state:
            state['bar'].__exit__(None, None, None)
    return update, close


def _kind_summaries(result, out: Path) -> list[str]:
    """What the kinds say about the files they hold (the mailing's pieces and postage)."""
    from .plan import registry
    lines = []
    for outcome in result.outcomes:
        path = out / outcome.job.output
        if outcome.status != 'failed' and path.is_file():
            lines += registry.get(outcome.job.kind).summary(outcome.job, path.read_bytes())
    return lines


def _run(options: Options) -> None:
    """Check, build with a progress display, print the summary, exit 1 on failures."""
    import time

    from .api import build as run_build
    from .api import check

    started = time.perf_counter()
    recorder = _noop_recorder(options)   # before any source is read
    try:
        checked = check(options)
    except NoticegenError as exception:
        if isinstance(exception, ValidationFailed):
            from .api import mark_invalid
            try:
                mark_invalid(options, exception.errors, _echo_err, exception.scopes)
            except NoticegenError as problem:
                for error in exception.errors:
                    click.echo(str(error), err=True)
                _fail(problem)
        _fail(exception)
    warned = _report_warnings(checked.warnings, options, data_in_full=False)
    if recorder is not None:
        recorder.fonts(font.path for fonts in checked.fonts.values() for font in fonts)
        project = checked.project
        recorder.covers([project.root / name for job in checked.jobs for name in job.inputs]
                        + [project.templates / name for job in checked.jobs
                           for name in job.stylesheets])
    out = options.out
    bar = None
    if sys.stderr.isatty() and options.verbosity >= 0:
        bar = click.progressbar(length=len(checked.jobs), label='building', file=sys.stderr,
                                show_pos=True, item_show_func=lambda outcome: (
                                    outcome.job.output if outcome else ''))

    def progress(outcome) -> None:
        if bar is not None:
            bar.update(1, outcome)
            if outcome.status == 'failed':
                click.echo(f'\nfailed: {out / outcome.job.output}', err=True)
        elif outcome.status == 'failed' or options.verbosity > 0 or (
                options.verbosity == 0 and outcome.status != 'unchanged'):
            click.echo(f'{outcome.status:>9}  {out / outcome.job.output}',
                       err=outcome.status == 'failed')

    try:
        if bar is not None:
            bar.__enter__()
        result = run_build(options, progress=progress, checked=checked, notify=_echo_err,
                           finished=recorder and (lambda result: _record_outputs(
                               recorder, checked, result)))
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    result.elapsed = time.perf_counter() - started
    for outcome in result.failed:
        click.echo(f'error: {outcome.message}', err=True)
    render_warnings = result.warnings()
    for message, documents in render_warnings.items():
        others = f' (and {plural(len(documents) - 1, "other document")})' \
            if len(documents) > 1 else ''
        click.echo(f'{out / documents[0]}:1:1: warning: render: {message}{others}', err=True)
    summaries = _kind_summaries(result, out)
    for line in summaries:
        click.echo(line)
    click.echo(result.summary())
    if result.failed:
        sys.exit(1)
    if options.strict:   # every PDF made, by its format's rules (check-format)
        from .check.format_command import problems_of
        broken = problems_of(out, [out / outcome.job.output for outcome in result.outcomes
                                   if outcome.job.output.endswith('.pdf')])
        for line in broken:
            click.echo(line, err=True)
        if broken:
            click.echo(f'{plural(len(broken), "format problem")}: errors under --strict.',
                       err=True)
            sys.exit(1)
    if render_warnings and options.strict:
        click.echo(f'{plural(len(render_warnings), "render warning")}: errors under --strict.',
                   err=True)
        sys.exit(1)
    if recorder is not None:
        _write_noop(recorder, checked, options, warned, summaries)


def _noop_recorder(options: Options):
    """The no-op stamp's recorder of this `build` (output/stamp.py), or None."""
    from .output.stamp import Recorder, split
    context = click.get_current_context(silent=True)
    args = context.meta.get(ARGUMENTS) if context is not None else None
    if args is None or options.command is not None:
        return None
    if options.force:   # leaves the stamp of the same build without --force, if it is one
        parts = split(args)
        rest = [arg for arg in args[parts[1] + 1:] if arg != '--force'] if parts else []
        try:   # click reads the rest as the same build with force off
            same = parts is not None and context.command.make_context(
                context.info_name, list(rest), parent=context.parent).params == {
                    **context.params, 'force': False}
        except click.ClickException:
            same = False
        args = args[:parts[1] + 1] + rest if same else None
    return Recorder.start(args, options.root, options.out, options.cache)


def _record_outputs(recorder, checked, result) -> None:
    """Under the output folder's lock: the files as this build left them."""
    from .output.manifest import Manifest
    if result.failed:
        return recorder.fail('a file failed')
    try:
        entries = Manifest.read(recorder.out).entries
    except NoticegenError:
        return recorder.fail('the manifest cannot be read')
    recorder.outputs([job.output for job in checked.jobs],
                     {path: entry.sha256 for path, entry in entries.items()
                      if entry.status == 'ok'})


def _write_noop(recorder, checked, options: Options, warned: list[str],
                summaries: list[str]) -> None:
    """Leave the stamp: what this build would print if run again with nothing changed."""
    from .build import BuildResult, Outcome, groups
    from .plan import registry
    phases = groups(checked.jobs)
    order = [output for phase in registry.PHASES for group in phases[phase]
             for output in group]
    summary = BuildResult([Outcome(job, 'unchanged') for job in checked.jobs]).summary()
    recorder.write({'stderr': warned, 'stdout': summaries,
                    'unchanged': [f'{"unchanged":>9}  {options.out / output}'
                                  for output in order],
                    'totals': summary.rpartition(' in ')[0], 'verbosity': options.verbosity})


@main.command()
@out_option
@prefecture_option
@jobs_option
@lang_option
@format_option
@click.option('--force', is_flag=True, help='Render everything, even what is up to date.')
@no_wait_option
@strict_option
@as_of_option
@verbosity_options
@click.pass_context
def build(context, out: Path, prefectures, jobs, langs, formats, force: bool, no_wait: bool,
          strict: bool, as_of, verbosity: int, **extra) -> None:
    """Validate every source, then write every document that is not up to date.

    \b
    With no --prefecture this is the national mailing. Under OUT/<notice id>/:
      notice.pdf              the letter
      betten-N.pdf            each shared attachment (別添; besshi-, yoshiki-, sanko-N.pdf
                              for 別紙, 別紙様式, 参考)
    and, when the notice lists them in its outputs (or has a leaflet):
      labels.pdf              A4 sheets of address labels (national mailing only)
      mailing-list.csv        one row per addressee, with packet and checksum, each
                              piece's weight, class and postage, and the totals (national)
      leaflets/NN-name.pdf    別添1, the leaflet of each prefecture
      covers/NN-name.pdf      the 送付状 of each prefecture's packet
      bundles/NN-name.pdf     the letter and all 別添 for one prefecture, for printing
      packets/NN-name.pdf     what is mailed: the 送付状, the letter and all 別添
      leaflets/NN-name.LANG.pdf   別添1 in another language (--lang)
      cards/NN-name.LANG.pdf  the folded patient card (4 faces, 105 × 74 mm) per language
      cards/sheets/NN-name.LANG.pdf   the card imposed on A4 with crop marks, for printing
    and, with --format print or archive, beside each file a kind makes in that format:
      NAME.print.pdf          PDF/X-4 for the print shop (leaflet, cards, card sheets):
                            bleed, トンボ, CMYK
      NAME.archive.pdf        PDF/A-2b for the records (letter, attachments, bundles)
    and OUT/manifest.json: path, kind, format, pages, bytes, sha256, input hash and status.

    Nothing is written unless every source is valid. Shared documents are rendered
    once; each prefecture's files are made in one task, over --jobs processes.
    A file whose inputs have not changed is not rendered again (--force renders
    all). Each file is written under a temporary name and renamed, and the manifest
    is rewritten after each one: an interrupted build leaves no partial PDF, and
    the next build resumes. A document that fails (an overflow, say) keeps its
    previous file, is marked failed in the manifest, and makes the build exit 1.
    One build writes OUT at a time: a second one waits (--no-wait: exits 1).
    """
    _run(_options(context, out=out, prefectures=prefectures, jobs=jobs, langs=langs,
                  formats=formats, force=force, wait=not no_wait, strict=strict, as_of=as_of,
                  verbosity=verbosity, extra=extra))


@main.group(invoke_without_command=True)
@out_option
@click.option('--check', 'check_files', is_flag=True,
              help='The same as `manifest check` (kept for scripts).')
@click.pass_context
def manifest(context, out: Path, check_files: bool) -> None:
    """The output folder's manifest.json: `manifest check` verifies the folder against it."""
    if context.invoked_subcommand is None:
        if not check_files:
            click.echo(context.get_help())
            sys.exit(2)
        context.invoke(manifest_check, out=out)


@manifest.command(name='check')
@out_option
@click.pass_context
def manifest_check(context, out: Path) -> None:
    """Verify an output folder against its manifest.

    Reports files that are missing, changed since they were built, marked failed,
    or not in the manifest at all; exits 1 if there is any, so that nothing stale
    is mailed.
    """
    from .api import verify
    options = _options(context, out=out)
    out = options.out
    try:
        loaded, problems = verify(options, _echo_err)
    except NoticegenError as exception:
        _fail(exception)
    for problem in problems:
        click.echo(f'{out}/{problem}', err=True)
    click.echo(f'{plural(len(loaded.entries), "file")} in the manifest, '
               f'{plural(len(problems), "problem")}')
    sys.exit(1 if problems else 0)


def _kinds(context, parameter, values):
    """--kind values must name a registered kind's group (checked when the CLI runs)."""
    from .plan import registry
    known = registry.groups()
    unknown = [value for value in values if value not in known]
    if unknown:
        raise click.BadParameter(f'unknown kind {", ".join(unknown)}; choose from '
                                 f'{", ".join(known)}')
    return tuple(values)


kinds_option = click.option(
    '--kind', 'kinds', multiple=True, callback=_kinds, metavar='KIND',
    help='Only these kinds of document (repeatable). The default leaves out bundles and '
         'packets, whose pages repeat the other documents.')
dpi_option = click.option('--dpi', type=click.IntRange(24, 600), default=100, show_default=True,
                          help='Resolution of the page images.')


@main.command()
@out_option
@prefecture_option
@kinds_option
@dpi_option
@click.option('--update-goldens', is_flag=True,
              help='Instead: build the golden set (prefecture 08; letter, leaflet, cover, one card '
                   'per script; in print the leaflet and the card sheet) and write its pages at '
                   '50 dpi to tests/goldens/ (say why in the commit).')
@verbosity_options
@click.pass_context
def preview(context, out: Path, prefectures, kinds, dpi: int, update_goldens: bool,
            verbosity: int) -> None:
    """Render PNG pages of the built PDFs, a gallery and contact sheets.

    \b
    Reads OUT/manifest.json (run build first) and writes, under OUT/preview/:
      index.html              the gallery: by notice, kind, prefecture and language,
                              thumbnails linking to full-size pages and to the PDFs
      <document>/page-N.png   each page at --dpi; thumb-N.png beside it
      contact-<kind>.png      every document of a kind, one row per prefecture
    A document whose PDF has not changed is not rendered again.
    """
    from .api import preview as run_preview
    options = _options(context, out=out, prefectures=prefectures, kinds=kinds, dpi=dpi,
                       verbosity=verbosity)
    if update_goldens:
        from .api import update_goldens as run_update
        try:
            written = run_update(options, notify=_echo_err)
        except NoticegenError as exception:
            _fail(exception)
        click.echo(f'{plural(len(written), "golden page")} in {written[0].parent}')
        return
    out = options.out
    update, close = _progress('previewing', options)
    try:
        documents = run_preview(options, update, notify=_echo_err)
    except NoticegenError as exception:
        _fail(exception)
    finally:
        close()
    pages = sum(len(document.pages) for document in documents)
    click.echo(f'{plural(len(documents), "document")}, {plural(pages, "page")}: '
               f'{out / "preview" / "index.html"}')


@main.command()
@out_option
@click.option('--baseline', required=True, metavar='DIR_OR_GIT_REF',
              help='A built output folder (with manifest.json), or a git ref to build and '
                   'compare with.')
@kinds_option
@dpi_option
@click.option('--tolerance', type=click.FloatRange(0, 1), default=0.00001, show_default=True,
              help='Share of a page\'s pixels that may differ before the page counts as changed.')
@click.option('--pixel-threshold', type=click.IntRange(0, 255), default=16, show_default=True,
              help='Grey-level difference (0-255) above which a pixel differs.')
@click.option('--report-only', is_flag=True, help='Exit 0 even when something changed.')
@verbosity_options
@click.pass_context
def diff(context, out: Path, baseline: str, kinds, dpi: int, tolerance: float,
         pixel_threshold: int, report_only: bool, verbosity: int) -> None:
    """Compare the built PDFs with a baseline, page image by page image.

    Reports documents added, removed and re-paginated, and every page that changed
    beyond the tolerance, with a diff image (changed pixels in red) and an HTML report
    in OUT/diff/index.html. Exits 1 when anything changed, so that it can gate a
    release; --report-only exits 0. Given a git ref (main, HEAD~1, a tag), it builds
    that ref in a temporary worktree first.
    """
    from .api import diff as run_diff
    options = _options(context, out=out, kinds=kinds, dpi=dpi, verbosity=verbosity)
    out = options.out
    if not Path(baseline).is_dir() and verbosity >= 0:
        click.echo(f'building {baseline} in a temporary worktree ...', err=True)
    update, close = _progress('comparing', options)
    try:
        report = run_diff(options, baseline, tolerance, pixel_threshold, update,
                          notify=_echo_err)
    except NoticegenError as exception:
        _fail(exception)
    finally:
        close()
    for line in report.lines():
        click.echo(line)
    changes = (len(report.added) + len(report.removed) + len(report.repaginated)
               + sum(len(pages) for pages in report.changed.values()))
    click.echo(f'{plural(report.compared, "document")} compared, {plural(changes, "change")}: '
               f'{out / "diff" / "index.html"}')
    if report.anything and not report_only:
        sys.exit(1)


@main.command()
@out_option
@prefecture_option
@click.option('--host', default='127.0.0.1', show_default=True, help='Address to listen on.')
@click.option('--port', type=click.IntRange(0, 65535), default=8000, show_default=True,
              help='Port to listen on (0: any free port).')
@click.pass_context
def serve(context, out: Path, prefectures, host: str, port: int) -> None:
    """Serve the gallery, build and preview, and rebuild when a source changes.

    Binds its port first (a port in use is one line), then builds and previews. Watches
    notices/, attachments/, prefectures/, templates/, cards/ and locales/ (watchfiles:
    a burst of saves is one rebuild; editors' temporary files are ignored). After each
    rebuild, open pages reload by themselves; a failed build shows as a red banner on
    every page until a rebuild succeeds. Use --prefecture to keep rebuilds quick while
    editing one prefecture.
    """
    from .preview.serve import serve as run_serve
    options = _options(context, out=out)
    run_serve(options.root, options.out.resolve(), prefectures, host, port,
              echo=lambda message: click.echo(message, err=True))


@main.command()
@click.option('--extract', is_flag=True,
              help='Refresh locales/messages.pot from the templates and code, and update every '
                   'language\'s .po file (Babel extract + update: a changed string becomes '
                   'fuzzy, keeping its translation), before reporting. Files whose messages '
                   'did not change are left as they are.')
@click.pass_context
def i18n(context, extract: bool) -> None:
    """Report translation coverage per language and document: coverage, status, source.

    \b
    Documents: templates (the gettext catalog locales/LANG/LC_MESSAGES/messages.po),
    card (cards/patient-card.LANG.yaml) and leaflet (attachments/.../*.LANG.yaml).
    Status: source (the original), reviewed, unreviewed, missing. By default a build
    makes only reviewed languages, plus ja, ja-easy and en; --lang all makes every one.
    """
    from .check.i18n import coverage
    from .check.i18n import extract as run_extract
    from .layout import LOCALES, TEMPLATES
    from .load.project import load_project
    root = context.find_object(Options).root
    if extract:
        written = run_extract(root / TEMPLATES, Path(__file__).resolve().parent, root / LOCALES)
        for path in written:
            click.echo(f'updated {path.relative_to(root)}')
        click.echo(f'{LOCALES}/: the catalogs are up to date with the templates and the code '
                   f'({plural(len(written), "file")} changed)')
    try:
        project = load_project(root)
    except NoticegenError as exception:
        _fail(exception)
    click.echo(f'{"lang":<8} {"document":<10} {"coverage":>9}  {"status":<10} source')
    for row in coverage(project):
        missing = f'  missing: {", ".join(row.missing[:4])}' if row.missing else ''
        click.echo(f'{row.lang:<8} {row.document:<10} {row.translated:>3}/{row.total:<3} '
                   f'{row.share:>4.0%}  {row.status:<10} {row.source}{missing}')


@main.group()
def new() -> None:
    """Start a source from a commented skeleton: `new notice ID`."""


@new.command(name='notice')  # a source: notices/ID.yaml (not the document kind)
@click.argument('notice_id', metavar='ID')
@click.pass_context
def new_notice(context, notice_id: str) -> None:
    """Write notices/ID.yaml: a minimal, valid notice, with comments.

    Outside a project, the working directory becomes one: it also writes noticegen.toml,
    the default templates/ and schemas/. Then `validate` and `build` work at once.
    """
    from .api import new_notice as run_new_notice
    root = context.find_object(Options).root
    try:
        written = run_new_notice(root, notice_id)
    except NoticegenError as exception:
        _fail(exception)
    base = root or Path.cwd()
    for path in written:
        click.echo(f'wrote {path.relative_to(base) if path.is_relative_to(base) else path}')


@main.command()
@click.option('--out', type=click.Path(file_okay=False, path_type=Path), default=None,
              show_default='schemas/ in the project',
              help='Folder to write the schemas into.')
@click.option('--check', 'check_only', is_flag=True,
              help='Write nothing; exit 1 if the schemas in the folder are not current.')
@click.pass_context
def schema(context, out: Path | None, check_only: bool) -> None:
    """Write the JSON Schema of each kind of source: schemas/<kind>.schema.json.

    \b
    One per folder of sources: notices, attachments, translations (of attachments),
    prefectures, national (prefectures/national.yaml), cards. A YAML file names its schema
    in its first line, for editors (the YAML language server):
      # yaml-language-server: $schema=../schemas/notices.schema.json
    """
    root = context.find_object(Options).root
    if out is None:
        if root is None:
            raise _no_project()
        out = root / 'schemas'
    if check_only:
        import json
        from .model.jsonschema import schemas
        stale = [name for name, data in schemas().items()
                 if not (out / f'{name}.schema.json').is_file()
                 or (out / f'{name}.schema.json').read_text(encoding='utf-8')
                 != json.dumps(data, ensure_ascii=False, indent=2) + '\n']
        for name in stale:
            click.echo(f'{out / f"{name}.schema.json"}: not current; run `schema`', err=True)
        click.echo(f'{plural(len(stale), "schema")} not current')
        sys.exit(1 if stale else 0)
    from .api import write_schemas
    for path in write_schemas(out):
        click.echo(f'wrote {path}')


from .confirm.command import confirm  # noqa: E402  (the 照会 round: export, import)
main.add_command(confirm)
from .check.format_command import check_format  # noqa: E402  (the formats' rules)
main.add_command(check_format)

def _kind_command(kind) -> click.Command:
    """A command that plans only ``kind`` (and the other kinds of that command)."""
    def callback(context, out, prefectures, jobs, no_wait, verbosity, as_of, **extra):
        _run(_options(context, out=out, prefectures=prefectures, jobs=jobs, as_of=as_of,
                      wait=not no_wait, verbosity=verbosity, command=kind.command,
                      extra=extra))
    function = click.pass_context(callback)
    for option in (verbosity_options, as_of_option, no_wait_option, jobs_option,
                   prefecture_option,
                   out_option):
        function = option(function)
    return click.command(kind.command, help=kind.command_help or kind.__doc__)(function)


def install_kinds(group: click.Group) -> None:
    """Add the registered kinds' commands, and their options to the commands that plan them.

    Run each time the CLI starts, so that a kind registered from outside the package (an
    entry point, or a register() call before main()) shows in --help and works.
    """
    from .plan import registry
    for kind in registry.kinds():
        command_name = kind.command or 'build'
        if kind.command and kind.command not in group.commands:
            group.add_command(_kind_command(kind))
        for extra in kind.commands():   # a kind's maintenance commands (card-readings)
            group.commands.setdefault(extra.name, extra)
        command = group.commands[command_name]
        names = {parameter.name for parameter in command.params}
        for option in kind.cli_options():
            if option.name not in names:
                command.params.append(option)
                names.add(option.name)


from .recipients.commands import recipients as _recipients  # noqa: E402 (a command group)
main.add_command(_recipients)
from .merge.commands import merge as _merge  # noqa: E402 (the mail merge)
main.add_command(_merge)
