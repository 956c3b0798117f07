"""The scheduler: make each planned job that is not current, over worker processes.

It knows no kind of document: each job's kind, from the registry, makes its bytes.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .assemble.fonts import audit_fonts
from .assemble.pdf import page_count
from .check.validate import Checked
from .errors import NoticegenError, OutputError, RenderError, SourceError
from .output.atomic import clean_temporary_files, write_atomic
from .output.bugs import BugLog, one_line
from .output.lock import cannot_write, locked
from .output.manifest import MANIFEST, Entry, Manifest, sha256
from .plan import formats, registry
from .plan.formats import Format
from .plan.job import Job
from .plan.keys import Keys


@dataclass
class Outcome:
    job: Job
    status: str               # 'built', 'identical' (re-rendered to the same bytes),
                              # 'unchanged' (current: not rendered) or 'failed'
    message: str = ''
    warnings: tuple[str, ...] = ()   # render warnings
    log: Path | None = None   # an unexpected exception (a bug): the log with its traceback


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
    bug: str = ''             # the traceback of an unexpected exception


def failure(output: str, exception: BaseException) -> Rendered:
    """What a job that raised ``exception`` is recorded as.

    noticegen's own errors say what is wrong with the sources; any other exception is a
    bug, and keeps its traceback for the log. Either way the message is one line with no
    memory address, so that a failed build's manifest is deterministic too.
    """
    if isinstance(exception, NoticegenError):
        return Rendered(output, None, message=one_line(exception))
    text = ''.join(traceback.format_exception(exception))
    return Rendered(output, None, message=f'unexpected {one_line(exception, name_type=True)}',
                    bug=text)


@dataclass
class ProduceContext:
    """What a kind makes a job from: the project, the renderer, the job's parts."""

    worker: Worker
    parts: dict[str, bytes | None]   # the bytes of each part; None if it is not there
    failed: set[str]
    format: Format = field(default_factory=lambda: formats.get('screen'))   # the job's format

    @property
    def project(self):
        return self.worker.checked.project

    @property
    def renderer(self):
        return self.worker.renderer

    @property
    def jobs(self) -> dict[str, Job]:
        return self.worker.jobs

    def warn(self, message: str) -> None:
        """A warning about the document being made (reported once, failing --strict)."""
        self.worker.notes.append(message)


class Worker:
    """The state of one rendering process: the checked project and one Renderer."""

    def __init__(self, checked: Checked):
        self.checked = checked
        self.jobs = {job.output: job for job in checked.jobs}
        self._renderer = None
        self.notes: list[str] = []   # the kinds' own warnings about the current job

    @property
    def renderer(self):
        if self._renderer is None:
            from .render.engine import Renderer  # WeasyPrint loads only to render
            self._renderer = Renderer(self.checked.project.templates)
        return self._renderer

    def produce(self, job: Job, parts: dict[str, bytes | None] | None = None,
                failed: set[str] | None = None) -> bytes:
        """The bytes of ``job``, made by its kind from ``parts``."""
        fmt = formats.get(job.format)
        context = ProduceContext(self, parts or {}, failed if failed is not None else set(), fmt)
        kind = registry.get(job.kind)
        if kind.template:
            self.renderer.variant = fmt.variant   # WeasyPrint's pdf_variant for the format
            self.renderer.cmyk = fmt.cmyk
        try:
            data = kind.produce(job, context)
        finally:
            if self._renderer is not None:
                self._renderer.variant, self._renderer.cmyk = None, False
        if fmt.finish and isinstance(data, bytes) and data.startswith(b'%PDF-'):
            return fmt.finish(data, job)
        return data

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
            self.notes.clear()
            try:
                broken = [part for part in job.parts if part in failed]
                if broken and not kind.tolerates_failed_parts:
                    raise RenderError(f'not made: {", ".join(broken)} failed')
                parts = {part: made[part] if part in made else _read(out, part,
                                                                     kind.tolerates_failed_parts)
                         for part in job.parts}
                data = self.produce(job, parts, failed)
                if not isinstance(data, bytes):
                    raise TypeError(f'{job.kind}.produce returned {type(data).__name__}, '
                                    f'not bytes')
                if kind.template:   # the audit names the subsets and counts the pages
                    data, pages = audit_fonts(data, self.checked.fonts_of(job),
                                              kind.keeps_foreign_fonts)
                else:
                    pages = page_count(data) if output.endswith('.pdf') else 0
            except Exception as exception:
                # The job boundary: whatever went wrong, the job (and what is made from
                # it) is recorded failed, and the others go on.
                failed.add(output)
                results.append(failure(output, exception))
                continue
            made[output] = data
            warnings = tuple(self._renderer.take_warnings() if self._renderer else ()) + tuple(
                self.notes)
            results.append(Rendered(output, data, pages, warnings=warnings))
        return results


def _read(out: Path, part: str, tolerate_missing: bool) -> bytes | None:
    try:
        return (out / part).read_bytes()
    except OSError as error:
        if tolerate_missing:
            return None
        raise RenderError(f'cannot read its part {part}: {error.strerror}') from None


_WORKER: Worker | None = None

PR_SET_PDEATHSIG = 1   # linux/prctl.h
WATCH_INTERVAL = 0.5   # seconds between two looks at the parent, in each worker


def _prctl():
    """libc's prctl on Linux, or None."""
    if not sys.platform.startswith('linux'):
        return None
    try:
        import ctypes
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def die_with_parent(parent: int | None = None) -> None:
    """End this process as soon as its parent ends, however the parent ends.

    On Linux the kernel sends SIGKILL when the parent dies (PR_SET_PDEATHSIG); on every
    system a daemon thread checks the parent pid twice a second. If the parent is
    already gone (it died while this process started), exit now.
    """
    prctl = _prctl()
    if prctl is not None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    expected = os.getppid() if parent is None else parent
    if os.getppid() != expected:
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(expected,), daemon=True,
                     name='noticegen-parent-watch').start()


def dies_with_this_process() -> Callable[[], None]:
    """A ``preexec_fn`` for ``subprocess``: the child gets SIGKILL when this process dies.

    The death signal survives exec. Everything is looked up before the fork: the child
    only makes one system call.
    """
    parent, prctl, kill = os.getpid(), _prctl(), signal.SIGKILL

    def set_up() -> None:
        if prctl is not None:
            prctl(PR_SET_PDEATHSIG, kill, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)
    return set_up


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(WATCH_INTERVAL)
        if os.getppid() != parent:
            os._exit(1)


def _start_worker(checked: Checked | None, parent: int) -> None:
    global _WORKER
    # A worker never outlives the build, and leaves Ctrl-C to it: the build stops it.
    # It started with SIGINT blocked (see _submit), so a Ctrl-C while it was starting
    # is dropped here, not raised in the middle of an import.
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, 'pthread_sigmask'):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    if checked is not None:   # spawned: a new interpreter; forked: _WORKER is inherited
        _WORKER = Worker(checked)


def _forking() -> bool:
    """Whether workers are forked from a build that has loaded the renderer.

    On Linux a fork starts a worker in milliseconds with WeasyPrint imported, the fonts
    configured and the stylesheets parsed; a spawned worker spends about a second of CPU
    on that. Elsewhere (macOS, Windows) fork is unsafe or missing: workers are spawned.
    """
    import multiprocessing
    return (sys.platform.startswith('linux')
            and 'fork' in multiprocessing.get_all_start_methods())


def preload(worker: Worker) -> None:
    """Load ``worker``'s renderer and parse every stylesheet its jobs use, before forking."""
    for name in dict.fromkeys(name for job in worker.checked.jobs for name in job.stylesheets):
        worker.renderer.stylesheet(name)


def _submit(pool, *args):
    """``pool.submit``, with SIGINT blocked meanwhile.

    A worker process starts in a submit (or later in the pool's own thread, which the
    first submit starts and which inherits this mask): it inherits the blocked signal, so
    that a Ctrl-C reaches only this process, which stops the workers itself.
    """
    if not hasattr(signal, 'pthread_sigmask'):
        return pool.submit(*args)
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        return pool.submit(*args)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _run_in_worker(outputs, out, current, failed) -> list[Rendered]:
    return _WORKER.run(outputs, out, current, set(failed))


def _stop(pool) -> None:
    """Stop a pool's workers now (on Ctrl-C or an error), not after their current task."""
    processes = list((getattr(pool, '_processes', None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.kill()
    for process in processes:
        process.join(timeout=5)


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


# The message of an entry whose file a build has started to remake. The build replaces
# it; if it stays, that build was interrupted and the file is older than its sources.
UNFINISHED = 'out of date: the build that was remaking it did not finish'


class _CannotWrite(Exception):
    def __init__(self, path: Path, error: OSError):
        super().__init__(path, error)
        self.path, self.error = path, error


def current_outputs(jobs: list[Job], manifest: Manifest, keys: dict[str, str]) -> set[str]:
    """The outputs that need nothing: made from their inputs, unchanged on disk, and made
    from parts that are all current too (a part that failed or is missing is remade, and
    so is everything made from it)."""
    by_output = {job.output: job for job in jobs}
    known: dict[str, bool] = {}

    def current(output: str) -> bool:
        if output not in known:
            known[output] = False
            job = by_output[output]
            known[output] = manifest.is_current(output, keys[output]) and all(
                current(part) for part in job.parts if part in by_output)
        return known[output]

    return {output for output in by_output if current(output)}


def build(checked: Checked, out: Path, progress: Callable[[Outcome], None] | None = None,
          jobs: int | None = None, force: bool = False, wait: bool = True,
          notify: Callable[[str], None] | None = None,
          finished: Callable[[BuildResult], None] | None = None) -> BuildResult:
    """Make every planned file that is not already current.

    The build holds ``out``'s exclusive lock throughout: a second build waits (telling
    ``notify``), or with ``wait=False`` raises OutputError. Shared documents are rendered
    first, then each prefecture's files in one task, over ``jobs`` worker processes (1:
    in this process), then the final ones (the mailing list) in this process. Each file
    is written atomically and the manifest is rewritten as soon as a group is in place,
    so an interrupted build resumes. A file that cannot be written (a full disk, a
    read-only folder) stops the build with OutputError. ``finished`` is called with the
    result while the lock is still held (the no-op stamp records the files then).
    """
    with locked(out, exclusive=True, wait=wait, waiting=notify):
        result = _build(checked, out, progress, jobs, force, notify)
        if finished is not None:
            finished(result)
        return result


def _build(checked: Checked, out: Path, progress, jobs, force, notify) -> BuildResult:
    import concurrent.futures
    import multiprocessing
    from concurrent.futures import BrokenExecutor

    started = time.perf_counter()
    try:
        clean_temporary_files(out)
        manifest = Manifest.load(out, notify)
    except OSError as error:
        raise OutputError(cannot_write(out / MANIFEST, error)) from None
    keys = Keys(checked.project.root, checked.fonts)
    by_output = {job.output: job for job in checked.jobs}
    order = {output: index for index, output in enumerate(by_output)}
    job_keys = {job.output: keys.key(job) for job in checked.jobs}
    current = set() if force else current_outputs(checked.jobs, manifest, job_keys)
    result = BuildResult()
    failed: set[str] = set()
    bugs = BugLog()

    def fields(job: Job) -> dict:
        return dict(kind=registry.get(job.kind).group, notice=job.notice.notice.id,
                    prefecture=job.code, lang=job.lang, format=job.format)

    def save() -> None:
        try:
            manifest.save()
        except OSError as error:
            raise _CannotWrite(out / MANIFEST, error) from None

    def record(item: Rendered) -> None:
        job = by_output[item.output]
        if item.current:
            outcome = Outcome(job, 'unchanged')  # the manifest already says so
        elif item.data is None:
            failed.add(item.output)
            manifest.mark_failed(item.output, item.message, **fields(job))
            outcome = Outcome(job, 'failed', f'{out / item.output}: {item.message}')
            if item.bug:
                outcome.log = bugs.record(f'{out / item.output} ({job.kind})', item.bug)
                outcome.message += (f' (a bug in noticegen: the traceback is in {outcome.log})'
                                    if outcome.log else ' (a bug in noticegen)')
        elif not manifest.contains(item.output):
            # A symbolic link in OUT (a folder, or the file) leads out of it: never written
            # through, for nothing but the output folder is ever written.
            failed.add(item.output)
            message = (f'resolves outside {out} (a symbolic link in it leads elsewhere); '
                       f'not written: remove the link')
            manifest.mark_failed(item.output, message, **fields(job))
            outcome = Outcome(job, 'failed', f'{out / item.output}: {message}')
        else:
            target = out / item.output
            try:
                unchanged = target.is_file() and target.read_bytes() == item.data
                if not unchanged:
                    write_atomic(target, item.data)
            except OSError as error:
                raise _CannotWrite(target, error) from None
            manifest.put(Entry(
                path=item.output, pages=item.pages, bytes=len(item.data),
                sha256=sha256(item.data), inputs=job_keys[item.output], status='ok',
                **fields(job)))
            outcome = Outcome(job, 'identical' if unchanged else 'built',
                              warnings=item.warnings)
        result.outcomes.append(outcome)
        if progress:
            progress(outcome)

    def crashed(group: list[str], exception: BaseException) -> list[Rendered]:
        """A task that never came back: its files failed.

        A worker that died (killed, out of memory, a crash in a library) breaks the pool:
        said in one line, with no traceback, which would only show the pool's own code.
        """
        if isinstance(exception, BrokenExecutor):
            exception = RenderError('not made: a worker process died (killed, out of '
                                    'memory, or crashed)')
        return [Rendered(output, None, current=True) if output in current
                else failure(output, exception) for output in group]

    # Until a file is remade, its entry must not say 'ok': if this build is killed or
    # stopped, the next reader sees which files are older than their sources.
    stale = [output for output in by_output if output not in current
             and getattr(manifest.entries.get(output), 'status', None) == 'ok']
    for output in stale:
        manifest.mark_failed(output, UNFINISHED)

    phases = groups(checked.jobs)
    pending = {phase: [g for g in phases[phase] if not set(g) <= current] for phase in phases}
    try:
        if stale:
            save()
        for phase in registry.PHASES:
            for group in phases[phase]:
                if set(group) <= current:
                    for output in group:
                        record(Rendered(output, None, current=True))
        parallel = [g for phase in ('shared', 'prefecture') for g in pending[phase]]
        # No more workers than tasks: a forked pool starts every worker at once (--jobs 64
        # for two prefectures forked 64 copies of this process).
        workers = max(1, min(jobs or os.cpu_count() or 1, len(parallel)))
        local = Worker(checked)
        if workers == 1 or len(parallel) <= 1:
            for group in parallel:
                for item in local.run(group, out, current, failed):
                    record(item)
                save()
        else:
            global _WORKER
            if _forking():
                # Forked workers start with everything loaded; they die with this process.
                preload(local)
                _WORKER = local
                # A forked worker flushes the streams it inherited when it ends: what this
                # process has printed must not be in their buffers, or it is printed twice.
                for stream in (sys.stdout, sys.stderr):
                    stream.flush()
                context = multiprocessing.get_context('fork')
                options = dict(initargs=(None, os.getpid()))
            else:
                # Spawned workers are recycled so that memory stays flat over long runs,
                # and die with this process.
                context = multiprocessing.get_context('spawn')
                options = dict(initargs=(checked, os.getpid()), max_tasks_per_child=100)
            with concurrent.futures.ProcessPoolExecutor(
                    max_workers=workers, mp_context=context, initializer=_start_worker,
                    **options) as pool:
                try:
                    for phase in ('shared', 'prefecture'):
                        futures = {}
                        for group in pending[phase]:
                            try:
                                futures[_submit(pool, _run_in_worker, group, out, current,
                                                frozenset(failed))] = group
                            except Exception as exception:   # the pool is broken
                                for item in crashed(group, exception):
                                    record(item)
                        for future in concurrent.futures.as_completed(futures):
                            try:
                                items = future.result()
                            except Exception as exception:
                                items = crashed(futures[future], exception)
                            for item in items:
                                record(item)
                            # The group's files were finished together: one manifest update.
                            save()
                except BaseException:
                    _stop(pool)
                    raise
        for group in pending['final']:
            for item in local.run(group, out, current, failed):
                record(item)
            save()
    except _CannotWrite as problem:
        try:
            manifest.save()
            kept = 'what was finished is in place and in the manifest'
        except OSError:
            kept = 'the manifest lists what was finished before this'
        raise OutputError(f'{cannot_write(problem.path, problem.error)}: the build stopped; '
                          f'{kept}; build again to resume once it can be written') from None
    result.outcomes.sort(key=lambda outcome: order[outcome.job.output])
    result.elapsed = time.perf_counter() - started
    return result


def mark_invalid(out: Path, errors: list[SourceError], wait: bool = True,
                 notify: Callable[[str], None] | None = None,
                 scopes: dict[str, str] | None = None) -> None:
    """After a validation failure, mark what the invalid sources shaped as failed.

    Nothing is rendered, but the previous files stay on disk: the manifest must not let
    anyone mail them as current. A bad prefecture file marks that prefecture's files; a
    bad notice or attachment (``scopes``: its path → the notice's id) marks that notice's
    files; any other bad source (a template, the national data) marks every file. Raises
    OutputError if it cannot.
    """
    import re

    if not (out / MANIFEST).exists():
        return
    scopes = scopes or {}
    try:
        with locked(out, exclusive=True, wait=wait, waiting=notify):
            manifest = Manifest.load(out, notify)
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
            for entry in list(manifest.entries.values()):
                reason = (codes.get(entry.prefecture) or notices.get(entry.notice)
                          or codes.get(None))
                if reason and entry.status == 'ok':
                    manifest.mark_failed(entry.path, one_line(
                        NoticegenError(f'source invalid: {reason}')))
                    changed = True
            if changed:
                manifest.save()
    except OSError as error:
        raise OutputError(f'{cannot_write(out / MANIFEST, error)}: the files it lists could '
                          f'not be marked failed') from None
    except OutputError as error:
        raise OutputError(f'{error}: the files in {out / MANIFEST} could not be marked '
                          f'failed') from None
