"""Validate everything, then render each planned document and write it atomically."""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .errors import NoticegenError, RenderError, SourceError, ValidationFailed
from .fonts import Font, fonts_for
from .glyphs import check_source, check_text
from .plan import Job, plan
from .project import ROOT, Project, load_project
from .wareki import ERAS

# Text that the code itself prints (era names and date words), checked like templates.
GENERATED_TEXT = ''.join(name for _, name in ERAS) + '元年月日度０１２３４５６７８９'


@dataclass
class Checked:
    """A validated project, with the fonts each stylesheet declares."""

    project: Project
    jobs: list[Job]
    fonts: dict[str, list[Font]]


def check(root: Path = ROOT) -> Checked:
    """Load, validate and glyph-check every source; raise ValidationFailed on any error."""
    project = load_project(root)
    jobs = plan(project)
    templates = project.templates
    for name in sorted({job.template for job in jobs} | {job.stylesheet for job in jobs}):
        if not (templates / name).is_file():
            raise NoticegenError(f'{project.relative(templates / name)}: template not found')
    fonts = {job.stylesheet: fonts_for(templates / job.stylesheet) for job in jobs}
    errors: list[SourceError] = []
    checked_sources: set[tuple[str, str]] = set()
    checked_templates: set[tuple[str, str]] = set()
    for job in jobs:
        job_fonts = fonts[job.stylesheet]
        for source in job.notice.sources:
            if (source.path, job.stylesheet) not in checked_sources:
                checked_sources.add((source.path, job.stylesheet))
                errors.extend(check_source(source, job_fonts))
        if (job.template, job.stylesheet) not in checked_templates:
            checked_templates.add((job.template, job.stylesheet))
            path = templates / job.template
            errors.extend(check_text(project.relative(path),
                                     path.read_text(encoding='utf-8'), job_fonts))
            errors.extend(check_text('(generated text)', GENERATED_TEXT, job_fonts))
    if errors:
        raise ValidationFailed(sorted(set(errors)))
    return Checked(project, jobs, fonts)


def check_embedded_fonts(pdf: bytes, fonts: list[Font]) -> None:
    """Raise RenderError unless every font in ``pdf`` is an embedded subset of ``fonts``."""
    import io

    import pypdf

    allowed = {font.family.replace(' ', '-') for font in fonts}
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    problems = set()
    for page in reader.pages:
        resources = page.get('/Resources') or {}
        for font in (resources.get('/Font') or {}).values():
            font = font.get_object()
            name = str(font.get('/BaseFont', '')).lstrip('/')
            prefix, _, base = name.partition('+')
            family = base.rsplit('-', 1)[0] if base.endswith(('-Bold', '-Regular')) else base
            descendants = font.get('/DescendantFonts') or [font]
            descriptor = descendants[0].get_object().get('/FontDescriptor')
            embedded = descriptor is not None and any(
                key in descriptor.get_object() for key in ('/FontFile', '/FontFile2', '/FontFile3'))
            if len(prefix) != 6 or not base:
                problems.add(f'{name} is not a subset')
            elif family not in allowed:
                problems.add(f'{name} is not a declared font (allowed: {", ".join(sorted(allowed))})')
            elif not embedded:
                problems.add(f'{name} is not embedded')
    if problems:
        raise RenderError('fonts: ' + '; '.join(sorted(problems)))


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # The temporary name never ends in .pdf, so nothing mistakes it for output.
    handle, temporary = tempfile.mkstemp(prefix=f'.{path.name}.', suffix='.part',
                                         dir=path.parent)
    try:
        with os.fdopen(handle, 'wb') as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclass
class Outcome:
    job: Job
    status: str               # 'built', 'unchanged' or 'failed'
    message: str = ''
    pages: int = 0


@dataclass
class BuildResult:
    outcomes: list[Outcome] = field(default_factory=list)
    elapsed: float = 0.0

    def count(self, status: str) -> int:
        return sum(outcome.status == status for outcome in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.status == 'failed']

    def summary(self) -> str:
        return (f'{self.count("built")} built, {self.count("unchanged")} unchanged, '
                f'{self.count("failed")} failed in {self.elapsed:.1f} s')


def build(out: Path, root: Path = ROOT,
          progress: Callable[[Outcome], None] | None = None) -> BuildResult:
    """Validate every source, then render and write every planned document."""
    started = time.perf_counter()
    checked = check(root)
    from .render import Renderer  # WeasyPrint loads only when something is rendered

    renderer = Renderer(checked.project.templates)
    result = BuildResult()
    for job in checked.jobs:
        target = out / job.output
        try:
            pdf = renderer.letter(job.notice)
            check_embedded_fonts(pdf, checked.fonts[job.stylesheet])
        except NoticegenError as exception:
            outcome = Outcome(job, 'failed', f'{target}: {exception}')
        else:
            if target.is_file() and target.read_bytes() == pdf:
                outcome = Outcome(job, 'unchanged')
            else:
                write_atomic(target, pdf)
                outcome = Outcome(job, 'built')
        result.outcomes.append(outcome)
        if progress:
            progress(outcome)
    result.elapsed = time.perf_counter() - started
    return result
