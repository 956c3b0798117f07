"""The scheduler: make each planned job that is not current, over worker processes.

It knows no kind of document: each job's kind, from the registry, makes its bytes.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .assemble.fonts import check_embedded_fonts
from .assemble.pdf import page_count
from .check.validate import Checked
from .errors import NoticegenError, RenderError, SourceError
from .output.atomic import clean_temporary_files, write_atomic
from .output.manifest import MANIFEST, Entry, Manifest, sha256
from .plan import registry
from .plan.job import Job
from .plan.keys import Keys


@dataclass
class Outcome:
    job: Job
    status: str               # 'built', 'identical' (re-rendered to the same bytes),
                              # 'unchanged' (current: not rendered) or 'failed'
    message: str = ''
    warnings: tuple[str, ...] = ()   # render warnings


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
        return (f'{self.count("built")} built, {self.count("identical")} re-rendered '
                f'identical, {self.count("unchanged")} unchanged, {self.count("failed")} '
                f'failed in {self.elapsed:.1f} s')

    def warnings(self) -> dict[str, list[str]]:
        """Each distinct render warning, with the documents that gave it, in order."""
        found: dict[str, list[str]] = {}
        for outcome in self.outcomes:
            for message in outcome.warnings:
                found.setdefault(message, []).append(outcome.job.output)
        return found


@dataclass(frozen=True)
class Rendered:
    """What a worker made of one job: bytes to write, or why it failed."""

    output: str
    data: bytes | None
    pages: int = 0
    message: str = ''
    current: bool = False     # already on disk and up to date: nothing was rendered
    warnings: tuple[str, ...] = ()


@dataclass
class ProduceContext:
    """What a kind makes a job from: the project, the renderer, the job's parts."""

    worker: Worker
    parts: dict[str, bytes | None]   # the bytes of each part; None if it is not there
    failed: set[str]

    @property
    def project(self):
        return self.worker.checked.project

    @property
    def renderer(self):
        return self.worker.renderer

    @property
    def jobs(self) -> dict[str, Job]:
        return self.worker.jobs


class Worker:
    """The state of one rendering process: the checked project and one Renderer."""

    def __init__(self, checked: Checked):
        self.checked = checked
        self.jobs = {job.output: job for job in checked.jobs}
        self._renderer = None

    @property
    def renderer(self):
        if self._renderer is None:
            from .render.engine import Renderer  # WeasyPrint loads only to render
            self._renderer = Renderer(self.checked.project.templates)
        return self._renderer

    def produce(self, job: Job, parts: dict[str, bytes | None] | None = None,
                failed: set[str] | None = None) -> bytes:
        """The bytes of ``job``, made by its kind from ``parts``."""
        context = ProduceContext(self, parts or {}, failed if failed is not None else set())
        return registry.get(job.kind).produce(job, context)

    def run(self, outputs: list[str], out: Path, current: set[str],
            failed: set[str]) -> list[Rendered]:
        """Make ``outputs`` in order; parts not made here are read from ``out``."""
        made: dict[str, bytes] = {}
        results = []
        for output in outputs:
            job = self.jobs[output]
            kind = registry.get(job.kind)
            if output in current:
                results.append(Rendered(output, None, current=True))
                continue
            if self._renderer is not None:
                self._renderer.take_warnings()  # a failed job's warnings are not the next one's
            try:
                broken = [part for part in job.parts if part in failed]
                if broken and not kind.tolerates_failed_parts:
                    raise RenderError(f'not made: {", ".join(broken)} failed')
                parts = {part: made[part] if part in made else _read(out / part,
                                                                     kind.tolerates_failed_parts)
                         for part in job.parts}
                data = self.produce(job, parts, failed)
                if kind.template:
                    check_embedded_fonts(data, self.checked.fonts_of(job),
                                         kind.keeps_foreign_fonts)
            except (NoticegenError, OSError) as exception:
                failed.add(output)
                results.append(Rendered(output, None, message=str(exception)))
                continue
            made[output] = data
            pages = page_count(data) if output.endswith('.pdf') else 0
            warnings = tuple(self._renderer.take_warnings()) if self._renderer else ()
            results.append(Rendered(output, data, pages, warnings=warnings))
        return results


def _read(path: Path, tolerate_missing: bool) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        if tolerate_missing:
            return None
        raise


_WORKER: Worker | None = None


def _start_worker(checked: Checked) -> None:
    global _WORKER
    _WORKER = Worker(checked)


def _run_in_worker(outputs, out, current, failed) -> list[Rendered]:
    return _WORKER.run(outputs, out, current, set(failed))


def groups(jobs: list[Job]) -> dict[str, list[list[str]]]:
    """Per phase, the groups of outputs one task makes, in plan order.

    Shared and final documents one by one; each prefecture's documents together, so
    that the parts of a bundle are made in the same process just before it.
    """
    found: dict[str, list[list[str]]] = {phase: [] for phase in registry.PHASES}
    by_prefecture: dict[str, list[str]] = {}
    for job in jobs:
        phase = registry.get(job.kind).phase
        if phase == 'prefecture' and job.code is not None:
            by_prefecture.setdefault(job.code, []).append(job.output)
        else:
            found[phase].append([job.output])
    found['prefecture'] = list(by_prefecture.values())
    return found


def build(checked: Checked, out: Path, progress: Callable[[Outcome], None] | None = None,
          jobs: int | None = None, force: bool = False) -> BuildResult:
    """Make every planned file that is not already current.

    Shared documents are rendered first, then each prefecture's files in one task, over
    ``jobs`` worker processes (1: in this process), then the final ones (the mailing
    list) in this process. Each file is written atomically and the manifest is rewritten
    as soon as a group is in place, so an interrupted build resumes.
    """
    import concurrent.futures
    import multiprocessing

    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    clean_temporary_files(out)
    manifest = Manifest.load(out)
    keys = Keys(checked.project.root, checked.fonts)
    by_output = {job.output: job for job in checked.jobs}
    order = {output: index for index, output in enumerate(by_output)}
    job_keys = {job.output: keys.key(job) for job in checked.jobs}
    current = set() if force else {output for output, key in job_keys.items()
                                   if manifest.is_current(output, key)}
    result = BuildResult()
    failed: set[str] = set()

    def record(item: Rendered) -> None:
        job = by_output[item.output]
        fields = dict(kind=registry.get(job.kind).group, notice=job.notice.notice.id,
                      prefecture=job.code, lang=job.lang)
        if item.current:
            outcome = Outcome(job, 'unchanged')  # the manifest already says so
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
            outcome = Outcome(job, 'identical' if unchanged else 'built',
                              warnings=item.warnings)
        result.outcomes.append(outcome)
        if progress:
            progress(outcome)

    phases = groups(checked.jobs)
    pending = {phase: [g for g in phases[phase] if not set(g) <= current] for phase in phases}
    for phase in registry.PHASES:
        for group in phases[phase]:
            if set(group) <= current:
                for output in group:
                    record(Rendered(output, None, current=True))
    workers = max(1, jobs or os.cpu_count() or 1)
    parallel = [g for phase in ('shared', 'prefecture') for g in pending[phase]]
    local = Worker(checked)
    if workers == 1 or len(parallel) <= 1:
        for group in parallel:
            for item in local.run(group, out, current, failed):
                record(item)
            manifest.save()
    else:
        context = multiprocessing.get_context('spawn')
        # Workers are recycled so that memory stays flat over long runs.
        with concurrent.futures.ProcessPoolExecutor(
                max_workers=workers, mp_context=context, initializer=_start_worker,
                initargs=(checked,), max_tasks_per_child=100) as pool:
            try:
                for phase in ('shared', 'prefecture'):
                    futures = [pool.submit(_run_in_worker, group, out, current, frozenset(failed))
                               for group in pending[phase]]
                    for future in concurrent.futures.as_completed(futures):
                        for item in future.result():
                            record(item)
                        # The group's files were finished together: one manifest update.
                        manifest.save()
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    for group in pending['final']:
        for item in local.run(group, out, current, failed):
            record(item)
        manifest.save()
    result.outcomes.sort(key=lambda outcome: order[outcome.job.output])
    result.elapsed = time.perf_counter() - started
    return result


def mark_invalid(out: Path, errors: list[SourceError],
                 scopes: dict[str, str] | None = None) -> None:
    """After a validation failure, mark what the invalid sources shaped as failed.

    Nothing is rendered, but the previous files stay on disk: the manifest must not let
    anyone mail them as current. A bad prefecture file marks that prefecture's files; a
    bad notice or attachment (``scopes``: its path → the notice's id) marks that notice's
    files; any other bad source (a template, the national data) marks every file.
    """
    import re

    if not (out / MANIFEST).is_file():
        return
    scopes = scopes or {}
    manifest = Manifest.load(out)
    codes: dict[str | None, str] = {}
    notices: dict[str, str] = {}
    for error in errors:
        match = re.match(r'prefectures/(\d{2})-', error.path)
        if match:
            codes.setdefault(match.group(1), str(error))
        elif error.path in scopes:
            notices.setdefault(scopes[error.path], str(error))
        else:
            codes.setdefault(None, str(error))
    changed = False
    for entry in manifest.entries.values():
        reason = codes.get(entry.prefecture) or notices.get(entry.notice) or codes.get(None)
        if reason and entry.status == 'ok':
            entry.status, entry.message = 'failed', f'source invalid: {reason}'
            changed = True
    if changed:
        manifest.save()
