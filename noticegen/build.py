"""Validate everything, then render each planned document and write it atomically."""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .errors import NoticegenError, RenderError, SourceError, ValidationFailed
from .fonts import Font, fonts_for, stack_for
from .glyphs import check_source, check_text
from .model import PdfAttachment
from .assemble import page_count
from .plan import Job, Keys, plan, template_closure
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
        """The fonts a job's PDF may embed: those of all its stylesheets."""
        found = []
        for stylesheet in job.stylesheets:
            found += [font for font in self.fonts[stylesheet] if font not in found]
        return found


def _sources_of(job: Job, project: Project) -> list[Source]:
    """The sources whose text ``job`` prints."""
    if job.kind == 'notice':
        return job.notice.sources
    if job.kind == 'card':
        return [project.cards[lang][1] for lang in dict.fromkeys((job.lang, 'en'))] + [
            job.prefecture.source]
    sources = [job.notice.source]
    if job.kind == 'leaflet' and job.lang != 'ja':
        sources.append(job.notice.translations[job.attachment.number][job.lang][1])
    for attachment, source in zip(job.notice.attachments, job.notice.attachment_sources):
        if attachment is job.attachment:
            sources.append(source)
    if job.prefecture is not None:
        sources.append(job.prefecture.source)
    return sources


def check(root: Path = ROOT, prefectures: list[str] | None = None,
          proofs: bool = False, langs: list[str] | None = None) -> Checked:
    """Load, validate and glyph-check every source; raise ValidationFailed on any error.

    ``langs``: the languages of the patient cards and translated leaflets to build;
    None means the default (reviewed languages, plus ja, やさしい日本語 and en).
    """
    from .i18n import catalog_path
    from .languages import default_languages

    project = load_project(root)
    if prefectures is not None:
        unknown = [code for code in prefectures if code not in project.prefectures]
        if unknown:
            raise NoticegenError(f'no data for prefecture {", ".join(unknown)} in prefectures/')
    if langs is None:
        langs = default_languages(project)
    jobs = plan(project, prefectures, proofs, langs)
    templates = project.templates
    layouts = sorted({name for job in jobs if job.layout for name in job.layout}
                     | {name for job in jobs for name in job.stylesheets})
    for name in layouts:
        if not (templates / name).is_file():
            raise NoticegenError(f'{project.relative(templates / name)}: template not found')
    language_sheets = {job.language_stylesheet for job in jobs if job.language_stylesheet}
    fonts = {name: (stack_for if name in language_sheets else fonts_for)(templates / name)
             for name in layouts if name.endswith('.css')}
    errors: list[SourceError] = []
    done: set[tuple[str, str]] = set()
    cache = GlyphCache(project, layouts, fonts)
    if cache.passed():
        return Checked(project, jobs, fonts)

    def once(path: str, stylesheet: str) -> bool:
        if (path, stylesheet) in done:
            return False
        done.add((path, stylesheet))
        return True

    for job in jobs:
        if not job.layout:
            continue
        template = job.layout[0]
        # A language's stylesheet declares a fallback stack: any of its fonts may cover a
        # character. Otherwise every font the layout declares must (headings and body differ).
        stylesheet = job.language_stylesheet or job.layout[1]
        stack = job.language_stylesheet is not None
        job_fonts = fonts[stylesheet]
        for source in _sources_of(job, project):
            if once(source.path, stylesheet):
                errors.extend(check_source(source, job_fonts, stack))
        if job.kind in ('leaflet', 'proof', 'card') and project.national_source and once(
                project.national_source.path, stylesheet):
            errors.extend(check_source(project.national_source, job_fonts, stack))
        if once(template, stylesheet):
            # The template's text, the stylesheets' (content: "●", counter symbols), the
            # language's template strings, and the words the code itself prints.
            paths = [templates / name for name in template_closure(templates, template)]
            paths += [templates / name for name in job.stylesheets]
            if stack:
                po = catalog_path(project.root / 'locales', job.lang)
                paths += [po] if po.is_file() else []
            for path in paths:
                errors.extend(check_text(project.relative(path),
                                         path.read_text(encoding='utf-8'), job_fonts, stack))
            errors.extend(check_text('(generated text)', GENERATED_TEXT, job_fonts, stack))
    if errors:
        raise ValidationFailed(sorted(set(errors)))
    cache.record()
    return Checked(project, jobs, fonts)


class GlyphCache:
    """Remembers that a given set of sources, templates and fonts passed the glyph check.

    The check reads each font's character map, which is most of the time of a warm
    no-change build; its result depends only on the bytes hashed here.
    """

    KEEP = 20

    def __init__(self, project: Project, layouts: list[str], fonts: dict[str, list[Font]]):
        import hashlib

        from .plan import tool_identity
        digest = hashlib.sha256(tool_identity().encode())
        sources = [s for n in project.notices for s in n.sources] + [
            d.source for d in project.prefectures.values()] + (
            [project.national_source] if project.national_source else [])
        for source in sorted(sources, key=lambda source: source.path):
            digest.update(f'{source.path}\0'.encode() + source.text.encode() + b'\0')
        for name in layouts:
            digest.update(f'{name}\0'.encode() + (project.templates / name).read_bytes() + b'\0')
        for name in sorted(fonts):
            for font in fonts[name]:
                stat = font.path.stat()
                digest.update(f'{name}\0{font.path}\0{stat.st_size}\0{stat.st_mtime_ns}\0'.encode())
        self.digest = digest.hexdigest()
        self.path = project.root / '.cache' / 'noticegen' / 'glyph-check'

    def _known(self) -> list[str]:
        try:
            return self.path.read_text(encoding='ascii').split()
        except OSError:
            return []

    def passed(self) -> bool:
        return self.digest in self._known()

    def record(self) -> None:
        known = [d for d in self._known() if d != self.digest][-(self.KEEP - 1):] + [self.digest]
        try:
            write_atomic(self.path, ('\n'.join(known) + '\n').encode())
        except OSError:
            pass  # a read-only checkout: the check simply runs every time


def check_embedded_fonts(pdf: bytes, fonts: list[Font], included: bool = False) -> None:
    """Raise RenderError unless every font in ``pdf`` is an embedded subset of ``fonts``.

    An included PDF keeps the fonts it brought along; only the label's are checked.
    """
    import io

    import pikepdf

    allowed = {font.family.replace(' ', '-') for font in fonts}
    problems = set()
    with pikepdf.Pdf.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            resources = page.obj.get('/Resources') or {}
            for font in (resources.get('/Font') or {}).values():
                name = str(font.get('/BaseFont', '')).lstrip('/')
                prefix, _, base = name.partition('+')
                family = base.rsplit('-', 1)[0] if base.endswith(('-Bold', '-Regular')) else base
                descendants = font.get('/DescendantFonts') or [font]
                descriptor = descendants[0].get('/FontDescriptor')
                embedded = descriptor is not None and any(
                    key in descriptor for key in ('/FontFile', '/FontFile2', '/FontFile3'))
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


@dataclass(frozen=True)
class Rendered:
    """What a worker made of one job: bytes to write, or why it failed."""

    output: str
    data: bytes | None
    pages: int = 0
    message: str = ''
    current: bool = False     # already on disk and up to date: nothing was rendered


class Worker:
    """The state of one rendering process: the checked project and one Renderer."""

    def __init__(self, checked: Checked):
        from .render import Renderer  # WeasyPrint loads only when something is rendered
        self.checked = checked
        self.renderer = Renderer(checked.project.templates)
        self.jobs = {job.output: job for job in checked.jobs}

    def run(self, outputs: list[str], out: Path, current: set[str],
            failed: set[str]) -> list[Rendered]:
        """Make ``outputs`` in order; parts not made here are read from ``out``."""
        made: dict[str, bytes] = {}
        results = []
        for output in outputs:
            job = self.jobs[output]
            if output in current:
                results.append(Rendered(output, None, current=True))
                continue
            try:
                broken = [part for part in job.parts if part in failed]
                if broken:
                    raise RenderError(f'not made: {", ".join(broken)} failed')
                parts = {part: made[part] if part in made else (out / part).read_bytes()
                         for part in job.parts}
                data = render_job(self.renderer, self.checked, job, parts)
                if job.layout:
                    check_embedded_fonts(data, self.checked.fonts_of(job), job.kind == 'attachment'
                                         and isinstance(job.attachment, PdfAttachment))
            except (NoticegenError, OSError) as exception:
                failed.add(output)
                results.append(Rendered(output, None, message=str(exception)))
                continue
            made[output] = data
            pages = page_count(data) if output.endswith('.pdf') else 0
            results.append(Rendered(output, data, pages))
        return results


_WORKER: Worker | None = None


def _start_worker(checked: Checked) -> None:
    global _WORKER
    _WORKER = Worker(checked)


def _run_in_worker(outputs, out, current, failed) -> list[Rendered]:
    return _WORKER.run(outputs, out, current, set(failed))


def render_job(renderer, checked: Checked, job: Job, parts: dict[str, bytes]) -> bytes:
    """Make the bytes of ``job``; ``parts`` holds the files it is assembled from."""
    from .assemble import Part, bundle

    project = checked.project
    notice = job.notice.notice
    if job.kind == 'notice':
        return renderer.letter(job.notice)
    if job.kind == 'leaflet':
        return renderer.leaflet(job.notice, job.attachment, job.prefecture.prefecture,
                                project.national, job.lang)
    if job.kind == 'card':
        from .i18n import is_reviewed
        from .model import partial_date_start
        text, _ = project.card(job.lang)
        created = partial_date_start(project.national.valid_as_of).isoformat()
        return renderer.card(text, is_reviewed(project, job.lang), job.prefecture.prefecture,
                             project.national, job.lang, f'{created}T00:00:00+09:00')
    if job.kind == 'attachment' and isinstance(job.attachment, PdfAttachment):
        return renderer.included(job.notice, job.attachment,
                                 (project.root / job.inputs[2]).read_bytes())
    if job.kind == 'attachment':
        return renderer.summary(job.notice, job.attachment)
    if job.kind == 'proof':
        return renderer.proof(job.notice, job.attachment, job.prefecture, project.national)
    if job.kind == 'labels':
        return renderer.labels(job.notice, [data.prefecture for data in project.prefectures.values()])
    titles = _part_titles(job)
    if job.kind == 'cover':
        enclosures = [(titles[part], page_count(parts[part])) for part in job.parts]
        return renderer.cover(job.notice, job.prefecture.prefecture, enclosures)
    if job.kind in ('bundle', 'packet'):
        name = job.prefecture.prefecture.name
        created = 'D:' + notice.date.strftime('%Y%m%d') + "000000+09'00"
        suffix = '（送付資料一式）' if job.kind == 'packet' else ''
        return bundle([Part(titles[part], parts[part]) for part in job.parts],
                      f'{notice.title_text}（{name}）{suffix}', '、'.join(notice.issuers), created)
    if job.kind == 'mailing-list':
        raise RenderError('the mailing list is written by the build itself')
    raise RenderError(f'unknown kind of job: {job.kind}')


def _part_titles(job: Job) -> dict[str, str]:
    """Bookmark and enclosure titles of the parts of a composite job."""
    notice = job.notice.notice
    titles = {}
    for part in job.parts:
        if part.endswith('/notice.pdf'):
            titles[part] = f'{notice.label} {notice.title_text}'
        elif '/covers/' in part and notice.cover is not None:
            titles[part] = notice.cover.title
    for attachment in job.notice.attachments:
        label = attachment_label(notice, attachment.number)
        for part in job.parts:
            if part.endswith(f'/betten-{attachment.number}.pdf') or (
                    '/leaflets/' in part and attachment.kind == 'leaflet'):
                titles[part] = f'{label} {attachment.title}'
    return titles


def _groups(jobs: list[Job]) -> tuple[list[list[str]], list[list[str]]]:
    """Shared outputs one by one, then each prefecture's outputs together, in plan order."""
    shared = [[job.output] for job in jobs if job.prefecture is None and job.kind != 'mailing-list']
    by_prefecture: dict[str, list[str]] = {}
    for job in jobs:
        if job.prefecture is not None:
            by_prefecture.setdefault(job.code, []).append(job.output)
    return shared, list(by_prefecture.values())


def clean_temporary_files(out: Path) -> None:
    """Remove what an interrupted build left: temporary files never end in .pdf."""
    if out.is_dir():
        for leftover in out.rglob('.*.part'):
            leftover.unlink(missing_ok=True)


def build(out: Path, root: Path = ROOT, prefectures: list[str] | None = None,
          progress: Callable[[Outcome], None] | None = None,
          checked: Checked | None = None, jobs: int | None = None,
          force: bool = False) -> BuildResult:
    """Validate every source, then make every planned file that is not already current.

    Shared documents are rendered once, then each prefecture's files in one task, over
    ``jobs`` worker processes (1: in this process). Each file is written atomically and
    the manifest is rewritten as soon as they are in place (after each file, or each
    prefecture's files, which a worker finishes together), so an interrupted build resumes.
    """
    import concurrent.futures
    import multiprocessing

    from .manifest import Entry, Manifest, sha256

    started = time.perf_counter()
    checked = checked or check(root, prefectures)
    out.mkdir(parents=True, exist_ok=True)
    clean_temporary_files(out)
    manifest = Manifest.load(out)
    keys = Keys(checked.project.root, checked.fonts)
    by_output = {job.output: job for job in checked.jobs}
    job_keys = {job.output: keys.key(job) for job in checked.jobs}
    current = set() if force else {output for output, key in job_keys.items()
                                   if manifest.is_current(output, key)}
    result = BuildResult()
    failed: set[str] = set()

    def record(item: Rendered, save: bool = True) -> None:
        job = by_output[item.output]
        fields = dict(kind=job.kind, notice=job.notice.notice.id, prefecture=job.code,
                      lang=job.lang)
        if item.current:
            outcome = Outcome(job, 'unchanged')
            result.outcomes.append(outcome)
            if progress:
                progress(outcome)
            return  # the manifest already says so
        elif item.data is None:
            failed.add(item.output)
            manifest.mark_failed(item.output, item.message, **fields)
            outcome = Outcome(job, 'failed', f'{out / item.output}: {item.message}')
        else:
            target = out / item.output
            unchanged = target.is_file() and target.read_bytes() == item.data
            if not unchanged:
                write_atomic(target, item.data)
            manifest.entries[item.output] = Entry(
                path=item.output, pages=item.pages, bytes=len(item.data),
                sha256=sha256(item.data), inputs=job_keys[item.output], status='ok', **fields)
            outcome = Outcome(job, 'unchanged' if unchanged else 'built')
        if save:
            manifest.save()
        result.outcomes.append(outcome)
        if progress:
            progress(outcome)

    shared, per_prefecture = _groups(checked.jobs)
    workers = max(1, jobs or os.cpu_count() or 1)
    pending_groups = [g for g in shared + per_prefecture if not set(g) <= current]
    for group in shared + per_prefecture:
        if set(group) <= current:
            for output in group:
                record(Rendered(output, None, current=True))
    if workers == 1 or len(pending_groups) <= 1:
        worker = Worker(checked) if pending_groups else None
        for phase in (shared, per_prefecture):
            for group in phase:
                if group in pending_groups:
                    for item in worker.run(group, out, current, failed):
                        record(item, save=False)
                    manifest.save()
    else:
        context = multiprocessing.get_context('spawn')
        # Workers are recycled so that memory stays flat over long runs.
        with concurrent.futures.ProcessPoolExecutor(
                max_workers=workers, mp_context=context, initializer=_start_worker,
                initargs=(checked,), max_tasks_per_child=100) as pool:
            try:
                for phase in (shared, per_prefecture):
                    futures = [pool.submit(_run_in_worker, group, out, current, frozenset(failed))
                               for group in phase if group in pending_groups]
                    for future in concurrent.futures.as_completed(futures):
                        for item in future.result():
                            record(item, save=False)
                        # The group's files were finished together: one manifest update.
                        manifest.save()
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise

    for job in checked.jobs:
        if job.kind == 'mailing-list':
            _write_mailing_list(job, checked, manifest, out, job_keys, current, failed, record)
    result.outcomes.sort(key=lambda outcome: list(by_output).index(outcome.job.output))
    result.elapsed = time.perf_counter() - started
    return result


def _write_mailing_list(job, checked, manifest, out, job_keys, current, failed, record) -> None:
    from .mailing import MailingRow, mailing_csv, recipients

    if job.output in current:
        record(Rendered(job.output, None, current=True))
        return
    rows = []
    for packet in job.parts:
        entry = manifest.entries.get(packet)
        prefecture = next(data for data in checked.project.prefectures.values()
                          if packet.endswith(f'/{data.prefecture.code}-'
                                             f'{data.prefecture.name_romaji.lower()}.pdf'))
        for recipient in recipients(job.notice.notice, prefecture.prefecture):
            rows.append(MailingRow(prefecture.prefecture.code, prefecture.prefecture.name,
                                   recipient, packet, entry.pages if entry else 0,
                                   entry.sha256 if entry else '',
                                   'failed' if packet in failed or not entry else entry.status))
    record(Rendered(job.output, mailing_csv(rows)))


def mark_invalid(out: Path, errors: list[SourceError]) -> None:
    """After a validation failure, mark what the invalid sources shaped as failed.

    Nothing is rendered, but the previous files stay on disk: the manifest must not let
    anyone mail them as current. A bad prefecture file marks that prefecture's files;
    any other bad source marks every file.
    """
    import re

    from .manifest import MANIFEST, Manifest
    if not (out / MANIFEST).is_file():
        return
    manifest = Manifest.load(out)
    codes: dict[str | None, str] = {}
    for error in errors:
        match = re.match(r'prefectures/(\d{2})-', error.path)
        codes.setdefault(match.group(1) if match else None, str(error))
    changed = False
    for entry in manifest.entries.values():
        reason = codes.get(entry.prefecture) or codes.get(None)
        if reason and entry.status == 'ok':
            entry.status, entry.message = 'failed', f'source invalid: {reason}'
            changed = True
    if changed:
        manifest.save()
