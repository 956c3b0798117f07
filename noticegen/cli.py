"""Command line: parse options, call one function, turn known errors into exit codes."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import NoticegenError, ValidationFailed
from .layout import ROOT
from .options import Options

EXIT_CODES = """\b
Exit codes:
  0  success
  1  invalid sources, or a document failed to render (nothing invalid is written);
     the output folder cannot be written, is full, or is busy (--no-wait); a damaged
     manifest; problems found by manifest --check
  2  wrong command-line usage
  130  interrupted (finished files stay in place and in the manifest)
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
        return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, context):
        try:
            return super().invoke(context)
        except NoticegenError as exception:
            _fail(exception)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exception:   # a bug: never a traceback on the terminal
            _bug(exception)


@click.group(cls=KindsGroup, epilog=EXIT_CODES,
             context_settings={'help_option_names': ['-h', '--help']})
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


def _quality(project, options: Options, quiet: bool = False) -> None:
    """Print the data-quality warnings; exit 1 if ``strict`` and there are any."""
    from .api import quality
    strict = options.strict
    warnings = quality(project, options)
    if quiet and warnings:
        click.echo(f'{len(warnings)} data-quality warnings (see `build.py validate`; '
                   f'--strict makes them errors)', err=True)
    for warning in [] if quiet else warnings:
        click.echo(str(warning), err=True)
    if warnings and strict:
        click.echo(f'{len(warnings)} data-quality warnings are errors under --strict.', err=True)
        sys.exit(1)


def _prefectures(context, parameter, values):
    """Resolve --prefecture values (13, tokyo, 東京都) to JIS codes."""
    if not values:
        return None
    from .model.jis import resolve
    codes = []
    for value in values:
        code = resolve(value)
        if code is None:
            raise click.BadParameter(f'{value!r} is not a prefecture (use a JIS code such as 13, '
                                     f'a romanised name such as tokyo, or 東京都)')
        codes.append(code)
    return sorted(set(codes))


def _languages(context, parameter, value):
    if value is None:
        return None
    from .model.languages import parse_languages
    try:
        return parse_languages(value)
    except ValueError as exception:
        raise click.BadParameter(str(exception)) from None


lang_option = click.option(
    '--lang', 'langs', metavar='LANGS', callback=_languages,
    help='Languages of the patient cards and translated leaflets: comma-separated codes '
         '(ja,en,th), all, or none. The default is the reviewed languages plus ja, ja-easy '
         'and en. The mailing itself is always Japanese.')


prefecture_option = click.option(
    '--prefecture', '-p', 'prefectures', multiple=True, callback=_prefectures,
    metavar='CODE|NAME',
    help='Only this prefecture: a JIS code (13), a romanised name (tokyo) or 東京都. '
         'Repeatable; the default is all 47.')


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
    from .api import validate as run_validate
    options = Options(root=root, strict=strict, as_of=as_of)
    try:
        checked = run_validate(options)  # every language's text is checked
    except NoticegenError as exception:
        _fail(exception)
    _quality(checked.project, options)
    project = checked.project
    sources = (sum(len(n.sources) + sum(len(t) for t in n.translations.values())
                   for n in project.notices)
               + len(project.prefectures) + (project.national is not None) + len(project.cards))
    click.echo(f'{sources} sources valid; {len(checked.jobs)} files to build.')


@main.command(name='list')
@prefecture_option
@lang_option
@click.pass_obj
def list_command(root: Path, prefectures, langs) -> None:
    """Show every source and the documents a build would write."""
    from .api import check
    try:
        checked = check(Options(root=root, prefectures=prefectures, langs=langs))
    except NoticegenError as exception:
        _fail(exception)
    for notice_set in checked.project.notices:
        notice = notice_set.notice
        click.echo(f'notice {notice.id}  {notice.date.isoformat()}  {notice.title_text}')
        click.echo(f'  source      {notice_set.source.path}')
        for attachment, source in zip(notice_set.attachments, notice_set.attachment_sources):
            click.echo(f'  別添{attachment.number:<6} {source.path}  {attachment.title}')
    click.echo('prefectures:')
    for code, data in checked.project.prefectures.items():
        prefecture = data.prefecture
        numbers = sum(len(center.printable_phones) for center in prefecture.centers)
        click.echo(f'  {code} {prefecture.name:<5} {data.source.path}  '
                   f'{len(prefecture.printable_centers)} centers, {numbers} printable numbers')
    click.echo('outputs:')
    from .plan.keys import Keys
    keys = Keys(checked.project.root, checked.fonts)
    for job in checked.jobs:
        click.echo(f'  {job.output}  ({job.kind}, inputs {keys.key(job)[:12]})')


out_option = click.option(
    '--out', type=click.Path(file_okay=False, path_type=Path), default=Path('dist'),
    show_default=True, help='Output folder (it holds manifest.json).')
jobs_option = click.option(
    '--jobs', '-j', type=click.IntRange(min=1), default=None, metavar='N',
    help='Worker processes; the default is the number of CPUs. 1 renders in this process.')
no_wait_option = click.option(
    '--no-wait', 'no_wait', is_flag=True,
    help='If another build is writing OUT, exit 1 at once instead of waiting for it.')


def _run(options: Options) -> None:
    """Check, build with a progress display, print the summary, exit 1 on failures."""
    import time

    from .api import build as run_build
    from .api import check, translation_warnings

    started = time.perf_counter()
    try:
        checked = check(options)
    except NoticegenError as exception:
        if isinstance(exception, ValidationFailed):
            from .api import mark_invalid
            try:
                mark_invalid(options, exception.errors, _echo_err)
            except NoticegenError as problem:
                for error in exception.errors:
                    click.echo(str(error), err=True)
                _fail(problem)
        _fail(exception)
    if options.command is None:
        _quality(checked.project, options, quiet=not options.strict)
        for warning in translation_warnings(checked):
            click.echo(f'warning: {warning}', err=True)
    out = options.out
    bar = None
    if sys.stderr.isatty():
        bar = click.progressbar(length=len(checked.jobs), label='building', file=sys.stderr,
                                show_pos=True, item_show_func=lambda outcome: (
                                    outcome.job.output if outcome else ''))

    def progress(outcome) -> None:
        if bar is not None:
            bar.update(1, outcome)
            if outcome.status == 'failed':
                click.echo(f'\nfailed: {out / outcome.job.output}', err=True)
        elif outcome.status != 'unchanged':
            click.echo(f'{outcome.status:>9}  {out / outcome.job.output}',
                       err=outcome.status == 'failed')

    try:
        if bar is not None:
            bar.__enter__()
        result = run_build(options, progress=progress, checked=checked, notify=_echo_err)
    except NoticegenError as exception:
        _fail(exception)
    except KeyboardInterrupt:
        click.echo('\ninterrupted: finished files are in place and in the manifest; '
                   'run the build again to resume', err=True)
        sys.exit(130)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    result.elapsed = time.perf_counter() - started
    for outcome in result.failed:
        click.echo(f'error: {outcome.message}', err=True)
    click.echo(result.summary())
    if result.failed:
        sys.exit(1)


@main.command()
@out_option
@prefecture_option
@jobs_option
@lang_option
@click.option('--force', is_flag=True, help='Render everything, even what is up to date.')
@no_wait_option
@strict_option
@as_of_option
@click.pass_obj
def build(root: Path, out: Path, prefectures, jobs, langs, force: bool, no_wait: bool,
          strict: bool, as_of, **extra) -> None:
    """Validate every source, then write every document that is not up to date.

    \b
    With no --prefecture this is the national mailing. Under OUT/<notice id>/:
      notice.pdf              the letter
      betten-N.pdf            each shared attachment (別添2–4)
      labels.pdf              A4 sheets of address labels (national mailing only)
      mailing-list.csv        one row per addressee, with packet and checksum (national only)
      leaflets/NN-name.pdf    別添1, the leaflet of each prefecture
      covers/NN-name.pdf      the 送付状 of each prefecture's packet
      bundles/NN-name.pdf     the letter and all 別添 for one prefecture, for printing
      packets/NN-name.pdf     what is mailed: the 送付状, the letter and all 別添
      leaflets/NN-name.LANG.pdf   別添1 in another language (--lang)
      cards/NN-name.LANG.pdf  the one-page patient card in each language (--lang)
    and OUT/manifest.json: path, kind, pages, bytes, sha256, input hash and status of each.

    Nothing is written unless every source is valid. Shared documents are rendered
    once; each prefecture's files are made in one task, over --jobs processes.
    A file whose inputs have not changed is not rendered again (--force renders
    all). Each file is written under a temporary name and renamed, and the manifest
    is rewritten after each one: an interrupted build leaves no partial PDF, and
    the next build resumes. A document that fails (an overflow, say) keeps its
    previous file, is marked failed in the manifest, and makes the build exit 1.
    One build writes OUT at a time: a second one waits (--no-wait: exits 1).
    """
    _run(Options(root=root, out=out, prefectures=prefectures, jobs=jobs, langs=langs,
                 force=force, wait=not no_wait, strict=strict, as_of=as_of, extra=extra))


@main.command()
@out_option
@click.option('--check', 'check_files', is_flag=True, required=True,
              help='Verify that every file in OUT matches OUT/manifest.json.')
def manifest(out: Path, check_files: bool) -> None:
    """Verify an output folder against its manifest.

    Reports files that are missing, changed since they were built, marked failed,
    or not in the manifest at all; exits 1 if there is any, so that nothing stale
    is mailed.
    """
    from .api import verify
    try:
        loaded, problems = verify(Options(out=out), _echo_err)
    except NoticegenError as exception:
        _fail(exception)
    for problem in problems:
        click.echo(f'{out}/{problem}', err=True)
    click.echo(f'{len(loaded.entries)} files in the manifest, {len(problems)} problems')
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
@click.pass_obj
def preview(root: Path, out: Path, prefectures, kinds, dpi: int) -> None:
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
    try:
        documents = run_preview(Options(root=root, out=out, prefectures=prefectures,
                                        kinds=kinds, dpi=dpi), notify=_echo_err)
    except NoticegenError as exception:
        _fail(exception)
    pages = sum(len(document.pages) for document in documents)
    click.echo(f'{len(documents)} documents, {pages} pages: {out / "preview" / "index.html"}')


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
@click.pass_obj
def diff(root: Path, out: Path, baseline: str, kinds, dpi: int, tolerance: float,
         pixel_threshold: int, report_only: bool) -> None:
    """Compare the built PDFs with a baseline, page image by page image.

    Reports documents added, removed and re-paginated, and every page that changed
    beyond the tolerance, with a diff image (changed pixels in red) and an HTML report
    in OUT/diff/index.html. Exits 1 when anything changed, so that it can gate a
    release; --report-only exits 0. Given a git ref (main, HEAD~1, a tag), it builds
    that ref in a temporary worktree first.
    """
    from .api import diff as run_diff
    if not Path(baseline).is_dir():
        click.echo(f'building {baseline} in a temporary worktree ...', err=True)
    try:
        report = run_diff(Options(root=root, out=out, kinds=kinds, dpi=dpi), baseline,
                          tolerance, pixel_threshold, _echo_err)
    except NoticegenError as exception:
        _fail(exception)
    for line in report.lines():
        click.echo(line)
    changes = (len(report.added) + len(report.removed) + len(report.repaginated)
               + sum(len(pages) for pages in report.changed.values()))
    click.echo(f'{report.compared} documents compared, {changes} changes: '
               f'{out / "diff" / "index.html"}')
    if report.anything and not report_only:
        sys.exit(1)


@main.command()
@out_option
@prefecture_option
@click.option('--host', default='127.0.0.1', show_default=True, help='Address to listen on.')
@click.option('--port', type=click.IntRange(0, 65535), default=8000, show_default=True,
              help='Port to listen on (0: any free port).')
@click.pass_obj
def serve(root: Path, out: Path, prefectures, host: str, port: int) -> None:
    """Build, preview and serve the gallery; rebuild when a source changes.

    Watches notices/, attachments/, prefectures/ and templates/. After each
    successful rebuild, open gallery pages reload by themselves. Use --prefecture
    to keep rebuilds quick while editing one prefecture.
    """
    from .preview.serve import serve as run_serve
    run_serve(root, out.resolve(), prefectures, host, port,
              echo=lambda message: click.echo(message, err=True))


@main.command()
@click.option('--extract', is_flag=True,
              help='Refresh locales/messages.pot from the templates and code, and update every '
                   'language\'s .po file (Babel extract + update), before reporting.')
@click.pass_obj
def i18n(root: Path, extract: bool) -> None:
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
    if extract:
        run_extract(root / TEMPLATES, Path(__file__).resolve().parent, root / LOCALES)
        click.echo('locales/messages.pot and the .po files are up to date with the templates')
    try:
        project = load_project(root)
    except NoticegenError as exception:
        _fail(exception)
    click.echo(f'{"lang":<8} {"document":<10} {"coverage":>9}  {"status":<10} source')
    for row in coverage(project):
        missing = f'  missing: {", ".join(row.missing[:4])}' if row.missing else ''
        click.echo(f'{row.lang:<8} {row.document:<10} {row.translated:>3}/{row.total:<3} '
                   f'{row.share:>4.0%}  {row.status:<10} {row.source}{missing}')


def _kind_command(kind) -> click.Command:
    """A command that plans only ``kind`` (and the other kinds of that command)."""
    def callback(root, out, prefectures, jobs, no_wait, **extra):
        _run(Options(root=root, out=out, prefectures=prefectures, jobs=jobs,
                     wait=not no_wait, command=kind.command, extra=extra))
    function = click.pass_obj(callback)
    for option in (no_wait_option, jobs_option, prefecture_option, out_option,
                   *kind.cli_options()):
        function = option(function) if not isinstance(option, click.Parameter) else function
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
        command = group.commands[command_name]
        names = {parameter.name for parameter in command.params}
        for option in kind.cli_options():
            if option.name not in names:
                command.params.append(option)
                names.add(option.name)
