"""The API the CLI maps onto: validate, build, preview, diff. Tests and benchmarks call it too."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from .build import BuildResult, Outcome, mark_invalid
from .build import build as run_build
from .check.lint import lint_layouts
from .check.validate import Checked, check_glyphs
from .errors import NoticegenError, UsageError, ValidationFailed, plural, warning
from .layout import LOCALES, NOTICES, TEMPLATES, catalog_path
from .load.project import Project, load_project
from .model.languages import ALWAYS_BUILT, LANGUAGES
from .options import Options
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
    langs = default_languages(project) if options.langs is None else options.langs
    jobs = plan(project, options.prefectures, langs, options.command, options.extra,
                options.as_of)
    checked = check_glyphs(project, jobs, options.cache)
    layouts = sorted({name for job in jobs for name in job.inputs
                      if name.startswith(f'{TEMPLATES}/')})
    found = lint_layouts(project, [name.split('/', 1)[1] for name in layouts], options.cache)
    errors = [item for item in found if item.severity == 'error']
    if errors:
        raise ValidationFailed(errors)
    checked.warnings = found + translation_warnings(checked)
    if options.command is None:
        checked.warnings += quality(project, options)
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


def quality(project: Project, options: Options) -> list:
    """The data-quality warnings on the data being built (-p narrows them)."""
    from .check.quality import as_of_lag, report
    from .options import current_date
    return (as_of_lag(project, options.as_of, current_date(options))
            + report(project, options.as_of, options.prefectures))


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
          checked: Checked | None = None) -> BuildResult:
    """Validate, then write every file of the command that is not up to date into ``out``.

    On invalid sources nothing is written, and what they shaped is marked failed in an
    existing manifest, so that nobody mails a stale file as current.
    """
    if checked is None:
        try:
            checked = check(options)
        except ValidationFailed as exception:
            mark_invalid(options.out, exception.errors)
            raise
    return run_build(checked, options.out, progress, options.jobs, options.force)


def preview(options: Options, progress=None) -> list:
    from .preview.gallery import preview as run_preview
    return run_preview(options.out, options.prefectures, options.kinds or None, options.dpi,
                       progress)


def diff(options: Options, baseline: str, tolerance: float, pixel_threshold: int,
         progress=None):
    """Compare the built PDFs with a baseline folder, or with a git ref built in a worktree."""
    import tempfile

    from .preview.gallery import build_git_ref
    from .preview.gallery import diff as run_diff
    with tempfile.TemporaryDirectory(prefix='noticegen-baseline-') as temporary:
        folder = Path(baseline)
        if not folder.is_dir():
            folder = build_git_ref(options.root, baseline, Path(temporary))
        return run_diff(options.out, folder, options.kinds or None, options.dpi, tolerance,
                        pixel_threshold, progress)
