"""The API the CLI maps onto: validate, build, preview, diff. Tests and benchmarks call it too."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from .build import BuildResult, Outcome
from .build import build as run_build
from .build import mark_invalid as run_mark_invalid
from .check.lint import lint_layouts
from .check.outputs import output_errors
from .check.validate import Checked, check_glyphs
from .errors import NoticegenError, UsageError, ValidationFailed, plural, warning
from .layout import LOCALES, NOTICES, TEMPLATES, catalog_path
from .load.project import Project, load_project, notice_scopes
from .model.languages import ALWAYS_BUILT, LANGUAGES
from .options import Options
from .output.lock import locked
from .output.manifest import MANIFEST, Manifest
from .plan import registry
from .plan.job import plan


def default_languages(project: Project) -> list[str]:
    """What a build makes by default: reviewed languages, plus ja, やさしい日本語 and en."""
    return [code for code in LANGUAGES if code in ALWAYS_BUILT or project.is_reviewed(code)]


def check(options: Options) -> Checked:
    """Load and validate every source, plan the command's jobs and glyph-check them.

    Raises ValidationFailed listing every error, or NoticegenError.
    """
    project = load_project(options.root)
    if options.prefectures is not None:
        unknown = [code for code in options.prefectures if code not in project.prefectures]
        if unknown:
            raise NoticegenError(f'no data for prefecture {", ".join(unknown)} in prefectures/')
    if not project.notices:
        raise UsageError(f'{project.relative(project.root / NOTICES)}/ holds no notice: '
                         f'nothing to build in {project.root}')
    try:
        declared = output_errors(project)
        if declared:
            raise ValidationFailed(declared)
        langs = default_languages(project) if options.langs is None else options.langs
        jobs = plan(project, options.prefectures, langs, options.command, options.extra,
                    options.as_of, options.formats)
        # Templates, stylesheets and catalogs first: the glyph check reads them as text.
        layouts = sorted({name for job in jobs for name in job.inputs
                          if name.startswith((f'{TEMPLATES}/', f'{LOCALES}/'))})
        found = lint_layouts(project, layouts, options.cache)
        errors = [item for item in found if item.severity == 'error']
        if errors:
            raise ValidationFailed(errors)
        checked = check_glyphs(project, jobs, options.cache)
    except ValidationFailed as exception:
        exception.scopes = {**notice_scopes(project), **exception.scopes}
        raise
    checked.warnings = found + translation_warnings(checked)
    if options.command is None:
        checked.warnings += quality(project, options, jobs)
    return checked


def validate(options: Options) -> Checked:
    """Check every source and every language's text; write nothing."""
    return check(Options(**{**vars(options), 'langs': list(LANGUAGES)}))


def notes(options: Options, research: Path | None = None) -> list:
    """The research-notes lint: candidate notes for each fact of the selected prefectures.

    ``research`` defaults to ../shared/reference/centers-research.yaml beside the project,
    where the data came from; without it, the notes kept in the data are listed.
    """
    from .check.notes import RESEARCH, candidates
    project = load_project(options.root)
    if research is None and (options.root / RESEARCH).is_file():
        research = options.root / RESEARCH
    return candidates(project, research, options.prefectures)


def quality(project: Project, options: Options, jobs: list) -> list:
    """The data-quality warnings on the prefecture data the planned jobs print.

    Only data some notice uses is judged: the prefectures of the jobs that print the
    centers' facts (those that declare the national data as an input), within what is
    being built (-p narrows them). A notice that makes no per-prefecture document judges
    none. The as-of date's lag behind today is always judged.
    """
    from .check.quality import as_of_lag, report
    from .options import current_date
    lag = as_of_lag(project, options.as_of, current_date(options))
    postage = project.postage_source.path if project.postage_source else None
    if postage and any(postage in job.inputs for job in jobs):   # a build that weighs its mailing
        from .check.quality import postage_warnings
        lag += postage_warnings(project, options.as_of)
    national = project.national_source.path if project.national_source else None
    used = sorted({job.code for job in jobs if job.code and national in job.inputs})
    if not used:
        return lag
    return lag + report(project, options.as_of, used, missing_files=options.prefectures is None)


def translation_warnings(checked: Checked) -> list:
    """Texts and template strings of the languages being built that fall back to English."""
    from .check.i18n import template_messages
    from .render.catalogs import load_catalog
    project = checked.project
    langs = sorted({job.lang for job in checked.jobs if job.language_stylesheet})
    messages = template_messages(project.root / LOCALES)
    warnings = []
    for lang in langs:
        for kind in registry.kinds():
            warnings += kind.translation_warnings(project, lang)
        if lang != 'en':
            catalog = load_catalog(project.root / LOCALES, lang)
            missing = [message for message in messages if message not in catalog.messages]
            if missing:
                path = project.relative(catalog_path(project.root / LOCALES, lang))
                warnings.append(warning(path, 1, 1, (
                    f'{lang}: {plural(len(missing), "template string")} '
                    f'{"falls" if len(missing) == 1 else "fall"} back to English: {", ".join(repr(m) for m in missing[:3])}'
                    f'{" ..." if len(missing) > 3 else ""}')))
    return warnings


def build(options: Options, progress: Callable[[Outcome], None] | None = None,
          checked: Checked | None = None,
          notify: Callable[[str], None] | None = None,
          finished: Callable[[BuildResult], None] | None = None) -> BuildResult:
    """Validate, then write every file of the command that is not up to date into ``out``.

    On invalid sources nothing is written, and what they shaped is marked failed in an
    existing manifest, so that nobody mails a stale file as current. The build holds
    ``out``'s lock: another build waits for it (``notify`` hears so), or with
    ``options.wait`` False fails with OutputError. ``finished`` hears the result while
    the lock is still held.
    """
    if checked is None:
        try:
            checked = check(options)
        except ValidationFailed as exception:
            mark_invalid(options, exception.errors, notify, exception.scopes)
            raise
    return run_build(checked, options.out, progress, options.jobs, options.force,
                     options.wait, notify, finished)


def mark_invalid(options: Options, errors: list,
                 notify: Callable[[str], None] | None = None,
                 scopes: dict[str, str] | None = None) -> None:
    """Mark in ``out``'s manifest what invalid sources shaped as failed (under the lock)."""
    run_mark_invalid(options.out, errors, options.wait, notify, scopes)


def verify(options: Options, notify: Callable[[str], None] | None = None):
    """``manifest --check``: the manifest and its problems, read under a shared lock.

    Raises NoticegenError if there is no manifest or it is damaged.
    """
    out = options.out
    with locked(out, exclusive=False, wait=options.wait, waiting=notify):
        if not (out / MANIFEST).exists():
            raise NoticegenError(f'{out / MANIFEST} does not exist; run build first')
        manifest = Manifest.read(out)
        return manifest, manifest.check()


def preview(options: Options, progress=None,
            notify: Callable[[str], None] | None = None) -> list:
    """Page images and the gallery of the built PDFs, read under a shared lock."""
    from .preview.gallery import preview as run_preview
    with locked(options.out, exclusive=False, wait=options.wait, waiting=notify):
        return run_preview(options.out, options.prefectures, options.kinds or None,
                           options.dpi, progress)


def update_goldens(options: Options, notify: Callable[[str], None] | None = None) -> list[Path]:
    """Build the golden set into a temporary folder and write its pages as the goldens
    (``tests/goldens/`` of the project; see preview/goldens.py)."""
    import dataclasses
    import tempfile

    from .preview import goldens
    with tempfile.TemporaryDirectory(prefix='noticegen-goldens-') as temporary:
        out = Path(temporary)
        result = build(dataclasses.replace(options, out=out, prefectures=[goldens.PREFECTURE],
                                           langs=list(goldens.LANGS),
                                           formats=list(goldens.FORMATS)),
                       notify=notify)
        if result.failed:
            raise NoticegenError(f'the golden set did not build: {result.failed[0].message}')
        notice = load_project(options.root).notices[0].notice.id
        return goldens.write(out, options.root / goldens.GOLDENS, notice)


def diff(options: Options, baseline: str, tolerance: float, pixel_threshold: int,
         progress=None, notify: Callable[[str], None] | None = None):
    """Compare the built PDFs with a baseline folder, or with a git ref built in a worktree.

    Both folders are read under a shared lock (a git ref is built first, without it).
    """
    import tempfile

    from .preview.gallery import build_git_ref
    from .preview.gallery import diff as run_diff
    with tempfile.TemporaryDirectory(prefix='noticegen-baseline-') as temporary:
        folder = Path(baseline)
        if not folder.is_dir():
            folder = build_git_ref(options.root, baseline, Path(temporary))
        with locked(options.out, exclusive=False, wait=options.wait, waiting=notify), \
                locked(folder, exclusive=False, wait=options.wait, waiting=notify):
            return run_diff(options.out, folder, options.kinds or None, options.dpi,
                            tolerance, pixel_threshold, progress)


# --- scaffolding and editor support -------------------------------------------------------

NOTICE_SKELETON = """\
{modeline}
# A notice: one 公用文 (通知, 事務連絡 ...). `noticegen validate` checks it and `noticegen build`
# writes dist/{notice_id}/notice.pdf. docs/writing-a-notice.en.md (and .ja.md) adds every
# feature step by step; README.md lists every field.
id: {notice_id}
# 文書番号, one per issuing office (a joint notice has several). Without numbers, the notice
# is labelled 事務連絡 (label: sets another word).
# numbers: [〇〇発0401第1号]
date: {date}                  # printed as 和暦
addressees:
  - name: 各都道府県衛生主管部（局）
    honorific: 御中           # 御中, 殿, 様, 各位, あて
issuers:
  - 〇〇省〇〇局〇〇課        # or {{name: 〇〇省〇〇局長, seal_note: （公印省略）}}
title: 〇〇について
body:                         # paragraphs, each indented one character
  - 標記について、下記のとおりお知らせします。
# Then, optionally: items (numbered; 記 is printed above them), closing (以上), contact
# (照会先), attachments in attachments/{notice_id}/, outputs (what else to make), style.
"""


def new_notice(root: Path | None, notice_id: str, today=None) -> list[Path]:
    """Write a minimal, valid, commented notice ``notice_id``; return the files written.

    ``root`` None: the working directory is not yet a project, so it becomes one: the marker
    file, and the default templates and the schemas beside the notice.
    """
    import re
    import shutil
    from datetime import date

    from .layout import MARKER, ROOT
    from .model.jsonschema import modeline
    if not re.fullmatch(r'[a-z0-9][a-z0-9-]*', notice_id):
        raise UsageError(f'{notice_id!r} is not a notice id: use lower-case letters, digits and '
                         f'hyphens (2025-04-01-survey)')
    written = []
    if root is None:
        root = Path.cwd()
        marker = root / MARKER
        marker.write_text('# Marks the root of a noticegen project: sources in notices/, '
                          'attachments/ and templates/;\n# output in dist/.\n',
                          encoding='utf-8')
        written.append(marker)
        if not (root / TEMPLATES).exists() and (ROOT / TEMPLATES).is_dir():
            shutil.copytree(ROOT / TEMPLATES, root / TEMPLATES)
            written.append(root / TEMPLATES)
        written += write_schemas(root / 'schemas')
    path = root / NOTICES / f'{notice_id}.yaml'
    if path.exists():
        raise UsageError(f'{path} exists already: choose another id, or edit it')
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(NOTICE_SKELETON.format(
        modeline=modeline(NOTICES, 1), notice_id=notice_id,
        date=(today or date.today()).isoformat()), encoding='utf-8')
    written.append(path)
    return written


def write_schemas(out: Path) -> list[Path]:
    """Write schemas/<source kind>.schema.json for every kind of source file."""
    import json

    from .output.atomic import write_atomic
    from .model.jsonschema import schemas
    written = []
    for name, schema in schemas().items():
        path = out / f'{name}.schema.json'
        data = (json.dumps(schema, ensure_ascii=False, indent=2) + '\n').encode('utf-8')
        if not path.is_file() or path.read_bytes() != data:
            write_atomic(path, data)
        written.append(path)
    return written
