"""Where batches are made: in this process, on a local process pool (the default), or on a
Dask cluster. Each yields the batches' ``Made`` results as they finish; none writes a file.
At most a few batches are in flight at a time, so that the client's memory stays flat."""

from __future__ import annotations

import os
from typing import Iterable, Iterator

from ..errors import NoticegenError, RenderError, UsageError
from .batch import Batch, Made, make

EXECUTORS = ('local', 'dask')
IN_FLIGHT = 2          # batches queued per worker
TASKS_PER_WORKER = 40  # a worker process is replaced after this many batches (flat memory)


def _start_worker(parent: int) -> None:
    import signal
    from ..build import die_with_parent
    die_with_parent(parent)           # no worker outlives the merge, however it ends
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, 'pthread_sigmask'):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def run_shared(function, root, notice_id: str, codes: list[str], cache, as_of,
               jobs: int) -> dict:
    """The prefectures' shared pages, laid out on ``jobs`` worker processes (the codes
    dealt out in turn), so that this process never loads WeasyPrint: its memory is the
    recipients list's."""
    import concurrent.futures
    import multiprocessing
    from concurrent.futures import BrokenExecutor
    from ..build import _stop, _submit
    chunks = [codes[start::jobs] for start in range(jobs) if codes[start::jobs]]
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=len(chunks), mp_context=multiprocessing.get_context('spawn'),
        initializer=_start_worker, initargs=(os.getpid(),))
    found: dict = {}
    try:
        futures = [_submit(pool, function, root, notice_id, chunk, cache, as_of)
                   for chunk in chunks]
        for future in futures:
            try:
                found.update(future.result())
            except BrokenExecutor:
                raise RenderError('a merge worker process died while laying out the shared '
                                  'pages (killed, out of memory, or crashed)') from None
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)
    return {code: found[code] for code in codes}


def run_local(batches: Iterable[Batch], jobs: int) -> Iterator[Made]:
    """Make ``batches`` on ``jobs`` worker processes (in this process when ``jobs`` is 1)."""
    batches = list(batches)
    if jobs <= 1 or len(batches) <= 1:
        for batch in batches:
            yield make(batch)
        return
    import concurrent.futures
    import multiprocessing
    from concurrent.futures import BrokenExecutor
    from ..build import _stop, _submit
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=jobs, mp_context=multiprocessing.get_context('spawn'),
        initializer=_start_worker, initargs=(os.getpid(),),
        max_tasks_per_child=TASKS_PER_WORKER)
    try:
        pending = iter(batches)
        running = set()
        for batch in pending:
            running.add(_submit(pool, make, batch))
            if len(running) >= jobs * IN_FLIGHT:
                break
        while running:
            done, running = concurrent.futures.wait(
                running, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in sorted(done, key=id):
                try:
                    made = future.result()
                except BrokenExecutor:
                    raise RenderError('a merge worker process died (killed, out of memory, '
                                      'or crashed); run the merge again to finish it') from None
                next_batch = next(pending, None)
                if next_batch is not None:
                    running.add(_submit(pool, make, next_batch))
                yield made
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)


def run_dask(batches: Iterable[Batch], jobs: int, scheduler: str | None) -> Iterator[Made]:
    """Make ``batches`` on a Dask cluster: a ``LocalCluster`` of ``jobs`` one-thread worker
    processes, or the cluster whose scheduler is at ``scheduler``. Closed when done."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise UsageError('--executor dask needs dask\'s `distributed` package: '
                         'pip install "dask[distributed]"') from None
    cluster = None
    try:
        if scheduler is None:
            cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
        else:
            try:
                client = Client(scheduler, timeout=30)
            except (OSError, TimeoutError) as exception:
                raise NoticegenError(f'--scheduler {scheduler}: cannot connect ({exception})') \
                    from None
        try:
            workers = max(1, len(client.scheduler_info().get('workers', {})) or jobs)
            pending = iter(batches)
            futures = as_completed()
            for batch in pending:
                futures.add(client.submit(make, batch, pure=False))
                if futures.count() >= workers * IN_FLIGHT:
                    break
            for future in futures:
                try:
                    made = future.result()
                finally:
                    future.release()
                next_batch = next(pending, None)
                if next_batch is not None:
                    futures.add(client.submit(make, next_batch, pure=False))
                yield made
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()
