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
from .model import PdfAttachment
from .plan import Job, plan
from .numbering import attachment_label
from .sources import Source
from .project import ROOT, Project, load_project
from .wareki import ERAS

# Text that the code itself prints (era names and date words), checked like templates.
GENERATED_TEXT = ''.join(name for _, name in ERAS) + '元年月日度０１２３４５６７８９'


@dataclass
class Checked:
    """A validated project, its planned jobs, and the fonts each stylesheet declares."""

    project: Project
    jobs: list[Job]
    fonts: dict[str, list[Font]]

    def fonts_of(self, job: Job) -> list[Font]:
        return self.fonts[job.layout[1]] if job.layout else []


def _sources_of(job: Job) -> list[Source]:
    """The sources whose text ``job`` prints."""
    if job.kind == 'notice':
        return job.notice.sources
    sources = [job.notice.source]
    for attachment, source in zip(job.notice.attachments, job.notice.attachment_sources):
        if attachment is job.attachment:
            sources.append(source)
    if job.prefecture is not None:
        sources.append(job.prefecture.source)
    return sources


def check(root: Path = ROOT, prefectures: list[str] | None = None,
          proofs: bool = False) -> Checked:
    """Load, validate and glyph-check every source; raise ValidationFailed on any error."""
    project = load_project(root)
    if prefectures is not None:
        unknown = [code for code in prefectures if code not in project.prefectures]
        if unknown:
            raise NoticegenError(f'no data for prefecture {", ".join(unknown)} in prefectures/')
    jobs = plan(project, prefectures, proofs)
    templates = project.templates
    layouts = sorted({name for job in jobs if job.layout for name in job.layout})
    for name in layouts:
        if not (templates / name).is_file():
            raise NoticegenError(f'{project.relative(templates / name)}: template not found')
    fonts = {name: fonts_for(templates / name) for name in layouts if name.endswith('.css')}
    errors: list[SourceError] = []
    done: set[tuple[str, str]] = set()

    def once(path: str, stylesheet: str) -> bool:
        if (path, stylesheet) in done:
            return False
        done.add((path, stylesheet))
        return True

    for job in jobs:
        if not job.layout:
            continue
        template, stylesheet = job.layout
        job_fonts = fonts[stylesheet]
        for source in _sources_of(job):
            if once(source.path, stylesheet):
                errors.extend(check_source(source, job_fonts))
        if job.kind in ('leaflet', 'proof') and project.national_source and once(
                project.national_source.path, stylesheet):
            errors.extend(check_source(project.national_source, job_fonts))
        if once(template, stylesheet):
            # The template's text, the stylesheet's (content: "●", counter symbols) and
            # the words the code itself prints.
            for path in (templates / template, templates / stylesheet):
                errors.extend(check_text(project.relative(path),
                                         path.read_text(encoding='utf-8'), job_fonts))
            errors.extend(check_text('(generated text)', GENERATED_TEXT, job_fonts))
    if errors:
        raise ValidationFailed(sorted(set(errors)))
    return Checked(project, jobs, fonts)


def check_embedded_fonts(pdf: bytes, fonts: list[Font], included: bool = False) -> None:
    """Raise RenderError unless every font in ``pdf`` is an embedded subset of ``fonts``.

    An included PDF keeps the fonts it brought along; only the label's are checked.
    """
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
            if family not in allowed:
                if not included:  # an included original keeps its own fonts, as they are
                    problems.add(f'{name} is not a declared font '
                                 f'(allowed: {", ".join(sorted(allowed))})')
            elif len(prefix) != 6:
                problems.add(f'{name} is not a subset')
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


def render_job(renderer, checked: Checked, job: Job, done: dict[str, bytes]) -> bytes:
    """Make the bytes of ``job``; ``done`` holds the outputs made earlier in this build."""
    from .assemble import Part, bundle

    project = checked.project
    if job.kind == 'notice':
        return renderer.letter(job.notice)
    if job.kind == 'leaflet':
        return renderer.leaflet(job.notice, job.attachment, job.prefecture.prefecture,
                                project.national)
    if job.kind == 'attachment' and isinstance(job.attachment, PdfAttachment):
        return renderer.included(job.notice, job.attachment, (project.root / job.inputs[2]).read_bytes())
    if job.kind == 'attachment':
        return renderer.summary(job.notice, job.attachment)
    if job.kind == 'proof':
        return renderer.proof(job.notice, job.attachment, job.prefecture, project.national)
    if job.kind == 'bundle':
        missing = [part for part in job.parts if part not in done]
        if missing:
            raise RenderError(f'not bundled: {", ".join(missing)} failed')
        notice = job.notice.notice
        titles = {job.parts[0]: f'{notice.label} {notice.title_text}'}
        for attachment in job.notice.attachments:
            label = attachment_label(notice, attachment.number)
            for part in job.parts:
                if part.endswith(f'/betten-{attachment.number}.pdf') or (
                        '/leaflets/' in part and attachment.kind == 'leaflet'):
                    titles[part] = f'{label} {attachment.title}'
        name = job.prefecture.prefecture.name
        created = 'D:' + notice.date.strftime('%Y%m%d') + "000000+09'00"
        return bundle([Part(titles[part], done[part]) for part in job.parts],
                      f'{notice.title_text}（{name}）', '、'.join(notice.issuers), created)
    raise RenderError(f'unknown kind of job: {job.kind}')


def build(out: Path, root: Path = ROOT, prefectures: list[str] | None = None,
          progress: Callable[[Outcome], None] | None = None,
          checked: Checked | None = None) -> BuildResult:
    """Validate every source, then render and write every planned document."""
    started = time.perf_counter()
    checked = checked or check(root, prefectures)
    from .render import Renderer  # WeasyPrint loads only when something is rendered

    renderer = Renderer(checked.project.templates)
    result = BuildResult()
    done: dict[str, bytes] = {}
    for job in checked.jobs:
        target = out / job.output
        try:
            pdf = render_job(renderer, checked, job, done)
            if job.kind != 'bundle':
                check_embedded_fonts(pdf, checked.fonts_of(job), job.kind == 'attachment'
                                     and isinstance(job.attachment, PdfAttachment))
        except NoticegenError as exception:
            outcome = Outcome(job, 'failed', f'{target}: {exception}')
        else:
            done[job.output] = pdf
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
