"""The merge's client: reads and sorts the recipients, lays out the shared pages, cuts the
batches, has them made, and is the only writer of the output folder (under its lock)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import NoticegenError, OutputError, UsageError, plural
from ..layout import TEMPLATES
from ..output.atomic import clean_temporary_files, write_atomic
from ..output.lock import cannot_write, locked
from ..output.manifest import MANIFEST, Entry, Manifest, sha256
from .batch import BLOCK_STYLESHEET, BLOCK_TEMPLATE, Batch, Made, environment_digest
from .executors import run_dask, run_local, run_shared
from .files import csv_bytes, log_rows, summary_rows, xlsx_bytes
from .letters import Recipient, batches as cut, read
from .shared import Shared, issuer_lines, render_letter

FOLDER = 'merge'
UNFINISHED = 'not made yet: a merge was stopped before it remade this batch; run it again'
# The manifest's kinds of the merge's files. None is a document kind of the registry, so
# preview and the gallery never show them (they hold managers' names).
BATCH_KIND, LABELS_KIND, LOG_KIND, SUMMARY_KIND = ('merge-letters', 'merge-labels',
                                                   'merge-log', 'merge-summary')


@dataclass
class MergeResult:
    recipients: int = 0
    batches: int = 0
    made: int = 0
    skipped: int = 0
    pages: int = 0
    seconds: float = 0.0
    folder: str = ''
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f'{plural(self.recipients, "recipient")} in '
                f'{plural(self.batches, "batch", "batches")}: {self.made} made, '
                f'{self.skipped} already current, in {self.seconds:.1f} s')


def _pdf_date(day) -> str:
    return f"D:{day:%Y%m%d}000000+09'00'"


def choose_notice(project, notice_id: str | None):
    """The notice whose `merge:` letter is mailed: ``notice_id``, or the only one with one."""
    candidates = [n for n in project.notices if n.notice.merge is not None]
    if notice_id is not None:
        found = [n for n in project.notices if n.notice.id == notice_id]
        if not found:
            raise UsageError(f'--notice {notice_id}: no such notice in notices/')
        if found[0].notice.merge is None:
            raise UsageError(f'{found[0].source.path}: notice {notice_id} has no `merge:` '
                             f'letter (see docs/merge.md)')
        return found[0]
    if len(candidates) != 1:
        raise UsageError('no notice has a `merge:` letter (see docs/merge.md)' if not candidates
                         else 'several notices have a `merge:` letter: choose one with --notice '
                         + ', '.join(n.notice.id for n in candidates))
    return candidates[0]


class Layouts:
    """What lays out a prefecture's shared pages: the leaflet jobs, glyph-checked, and one
    worker (one renderer) for the letters and the leaflets."""

    def __init__(self, project, notice_set, codes: list[str], cache: Path, as_of=None):
        from ..build import Worker
        from ..documents.leaflet import Leaflet
        from ..check.validate import check_glyphs
        from ..model.facts import as_of_date
        from ..plan.job import plan
        jobs = [job for job in plan(project, codes, ['ja'], as_of=as_of)
                if job.kind == Leaflet.name and job.lang == 'ja'  # the merge names what it mails
                and job.notice.notice.id == notice_set.notice.id]
        self.leaflets = {job.code: job for job in jobs}
        missing = [code for code in codes if code not in self.leaflets]
        if missing:
            raise NoticegenError(f'notice {notice_set.notice.id} has no leaflet for prefecture '
                                 f'{", ".join(missing)}: the merge mails each letter with its '
                                 f'prefecture\'s leaflet')
        self.project, self.notice = project, notice_set.notice
        self.worker = Worker(check_glyphs(project, jobs, cache))
        self.judge = project.judge(as_of_date(project.national.valid_as_of if project.national
                                              else None, as_of))

    def shared(self, code: str) -> Shared:
        """``code``'s letter (its addressee area empty) and leaflet, each laid out now."""
        prefecture = self.project.prefectures[code].prefecture
        issuer = issuer_lines(self.notice, prefecture, self.judge)
        letter, area = render_letter(self.worker.renderer, self.notice, issuer,
                                     f'merge letter for {code} {prefecture.name}')
        return Shared(letter, self.worker.produce(self.leaflets[code]), area, issuer)


def shared_pages(project, notice_set, codes: list[str], cache: Path,
                 as_of=None) -> dict[str, Shared]:
    """Each prefecture's letter (addressee area empty) and leaflet, laid out once."""
    layouts = Layouts(project, notice_set, codes, cache, as_of)
    return {code: layouts.shared(code) for code in codes}


def _shared_in_worker(root: Path, notice_id: str, codes: list[str], cache: Path,
                      as_of=None) -> dict[str, Shared]:
    """``shared_pages`` in a worker process, which loads the project itself."""
    from ..load.project import load_project
    project = load_project(root)
    return shared_pages(project, choose_notice(project, notice_id), codes, cache, as_of)


def paths(notice_id: str, number: int) -> dict[str, str]:
    base = f'{FOLDER}/{notice_id}'
    return {'pdf': f'{base}/batches/{number:04d}.pdf', 'labels': f'{base}/labels/{number:04d}.pdf',
            'csv': f'{base}/logs/{number:04d}.csv', 'xlsx': f'{base}/logs/{number:04d}.xlsx'}


def merge(root: Path, source: Path, out: Path, *, notice_id: str | None = None,
          size: int = 500, jobs: int | None = None, executor: str = 'local',
          scheduler: str | None = None, labels: bool = False, cache: Path, as_of=None,
          wait: bool = True, progress: Callable[[str, int], None] | None = None,
          notify: Callable[[str], None] | None = None) -> MergeResult:
    """Write the batches, labels, logs and 区分 summary of ``source`` under ``out``/merge/."""
    from ..load.project import load_project
    started = time.perf_counter()
    if size < 1:
        raise UsageError(f'--batch-size {size}: at least 1')
    from ..check.fonts import fonts_for
    from ..check.glyphs import first_missing
    fonts = fonts_for(root / TEMPLATES / BLOCK_STYLESHEET)
    recipients = read(source, lambda text: first_missing(text, fonts))
    project = load_project(root)
    notice_set = choose_notice(project, notice_id)
    notice = notice_set.notice
    groups = cut(recipients, size)
    codes = sorted({r.prefecture for r in recipients})
    result = MergeResult(len(recipients), len(groups), folder=f'{FOLDER}/{notice.id}')
    if progress:
        progress('total', len(recipients))
    templates = {name: (root / TEMPLATES / name).read_text(encoding='utf-8')
                 for name in (BLOCK_TEMPLATE, BLOCK_STYLESHEET)}
    digest = environment_digest(templates)
    workers = max(1, jobs or 1)

    with locked(out, exclusive=True, wait=wait, waiting=notify):
        try:
            clean_temporary_files(out)
            manifest = Manifest.load(out, notify)
        except OSError as error:
            raise OutputError(cannot_write(out / MANIFEST, error)) from None

        def write(path: str, data: bytes, kind: str, key: str, pages: int = 0) -> None:
            target = out / path
            if not manifest.contains(path):   # never written through a link out of OUT
                raise OutputError(f'cannot write {target}: it resolves outside {out} (a '
                                  f'symbolic link in it leads elsewhere); remove the link')
            try:
                if not (target.is_file() and target.read_bytes() == data):
                    write_atomic(target, data)
            except OSError as error:
                raise OutputError(cannot_write(target, error)) from None
            manifest.put(Entry(path=path, kind=kind, notice=notice.id, prefecture=None,
                               lang='ja', pages=pages, bytes=len(data), sha256=sha256(data),
                               inputs=key, status='ok'))

        def save() -> None:
            try:
                manifest.save()
            except OSError as error:
                raise OutputError(cannot_write(out / MANIFEST, error)) from None

        # The 区分 summary depends only on the sorted list and the batch size.
        summary = summary_rows(groups)
        summary_key = sha256(repr((summary, size)).encode())
        base = f'{FOLDER}/{notice.id}'
        write(f'{base}/summary.csv', csv_bytes(summary), SUMMARY_KIND, summary_key)
        write(f'{base}/summary.xlsx', xlsx_bytes(summary, '区分'), SUMMARY_KIND, summary_key)

        if workers > 1:
            shared = run_shared(_shared_in_worker, root, notice.id, codes, cache, as_of,
                                workers)
        else:
            shared = shared_pages(project, notice_set, codes, cache, as_of)
        author = ''
        created = _pdf_date(notice.merge.date or notice.date)
        title = f'{notice.merge.label or ""} {notice.merge.title_text}'.strip()
        planned: list[tuple[Batch, dict[str, str]]] = []
        for number, group in enumerate(groups, start=1):
            batch_shared = {code: (shared[code].letter, shared[code].leaflet, shared[code].area)
                            for code in sorted({r.prefecture for r in group})}
            author = '、'.join(dict.fromkeys(''.join(shared[c].issuer) for c in batch_shared))
            planned.append((Batch(number, tuple(group), batch_shared, templates, title, author,
                                  created, labels, digest), paths(notice.id, number)))

        # Files of batches this merge does not make (a longer list before): gone.
        wanted = {path for _, files in planned for role, path in files.items()
                  if role != 'labels' or labels} | {f'{base}/summary.csv', f'{base}/summary.xlsx'}
        for path in sorted(p for p in manifest.entries if p.startswith(f'{base}/')
                           and p not in wanted):
            target = out / path
            if manifest.contains(path) and target.is_file():
                target.unlink()
            del manifest.entries[path]
            manifest.touched.add(path)

        todo = []
        for batch, files in planned:
            key = batch.key
            names = [files['pdf'], files['csv'], files['xlsx']] + ([files['labels']] if labels
                                                                  else [])
            if all(manifest.is_current(name, key) for name in names):
                result.skipped += 1
                result.pages += manifest.entries[files['pdf']].pages
                if progress:
                    progress('current', len(batch.recipients))
                continue
            # Until it is made, a batch's files are listed as unfinished: a merge killed now
            # leaves a manifest that says which batches are missing or stale.
            kinds = {files['pdf']: BATCH_KIND, files['labels']: LABELS_KIND,
                     files['csv']: LOG_KIND, files['xlsx']: LOG_KIND}
            for name in names:
                manifest.mark_failed(name, UNFINISHED, kind=kinds[name], notice=notice.id,
                                     prefecture=None)
            todo.append((batch, files, key))
        save()

        by_number = {batch.number: (batch, files, key) for batch, files, key in todo}
        batches = (batch for batch, _, _ in todo)
        made_batches = (run_local(batches, workers) if executor == 'local'
                        else run_dask(batches, workers, scheduler))
        for made in made_batches:
            batch, files, key = by_number.pop(made.number)
            _record(write, batch, files, key, made)
            save()
            result.made += 1
            result.pages += made.pages
            if progress:
                progress('made', len(batch.recipients))
    result.seconds = time.perf_counter() - started
    return result


def _record(write, batch: Batch, files: dict[str, str], key: str, made: Made) -> None:
    recipients: list[Recipient] = list(batch.recipients)
    rows = log_rows(batch.number, recipients, made.starts, made.pages)
    write(files['pdf'], made.pdf, BATCH_KIND, key, made.pages)
    if made.labels is not None:
        write(files['labels'], made.labels, LABELS_KIND, key, -(-len(recipients) // 12))
    write(files['csv'], csv_bytes(rows), LOG_KIND, key)
    write(files['xlsx'], xlsx_bytes(rows, f'batch {batch.number:04d}'), LOG_KIND, key)
