#!/usr/bin/env python3
"""Where the cold national mailing's time goes, and the floor that leaves for any speed-up.

Run by hand (never as a timed test):

    .venv/bin/python benchmarks/breakdown.py [--prefectures 20]

In one process, with the shared renderer and a cold glyph-check cache, it measures:
- the serial start: importing the CLI, then `check` (loading and validating every source,
  the layout lint with WeasyPrint's import, planning, the glyph check);
- for each kind of the national mailing (--lang none), per document, medians over the first
  --prefectures prefectures: WeasyPrint's layout (`render`), its painting and PDF writing
  (`write`), and everything else the job does (the format's finish, the font audit, the
  assembly of bundles and packets);
- the floor: the wall time the prefecture phase would still take on --cores cores if
  WeasyPrint's layout cost nothing at all (every page laid out once, as variable-data
  printing would), next to the serial start.

It explains a ratio; `benchmarks/batch.py --vs-typst` measures it.
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--prefectures', type=int, default=20,
                        help='prefectures measured (medians over them)')
    parser.add_argument('--cores', type=int, default=2, help='cores of the floor estimate')
    arguments = parser.parse_args()

    start = time.perf_counter()
    from noticegen.api import check
    from noticegen.build import Worker, groups, preload
    from noticegen.options import Options
    from noticegen.plan import registry
    imported = time.perf_counter() - start

    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        start = time.perf_counter()
        checked = check(Options(root=ROOT, cache_dir=work / 'cache', langs=[]))
        checking = time.perf_counter() - start
        worker = Worker(checked)
        preload(worker)
        renderer = worker.renderer
        spent: dict[str, float] = collections.defaultdict(float)
        render, write = renderer.render, renderer.write

        def timed(name, function):
            def measured(*args, **kwargs):
                begin = time.perf_counter()
                try:
                    return function(*args, **kwargs)
                finally:
                    spent[name] += time.perf_counter() - begin
            return measured

        renderer.render, renderer.write = timed('render', render), timed('write', write)
        out = work / 'out'

        def run(outputs) -> dict[str, list[float]]:
            """Each output made alone: its kind's total, layout and writing seconds."""
            found: dict[str, list[tuple[float, float, float]]] = collections.defaultdict(list)
            for output in outputs:
                spent.clear()
                begin = time.perf_counter()
                for result in worker.run([output], out, set(), set()):
                    if result.data is None:
                        sys.exit(f'{output}: {result.message}')
                    path = out / result.output
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(result.data)
                total = time.perf_counter() - begin
                kind = registry.get(worker.jobs[output].kind).name
                found[kind].append((total, spent['render'], spent['write']))
            return found

        phases = groups(checked.jobs)
        shared = run([output for group in phases['shared'] for output in group])
        measured = phases['prefecture'][:arguments.prefectures]
        per_kind = run([output for group in measured for output in group])
        count = len(phases['prefecture'])

    median = statistics.median
    print(f'serial start: imports {imported:.2f} s, check {checking:.2f} s '
          f'(cold glyph-check cache)')
    shared_total = sum(sample[0] for samples in shared.values() for sample in samples)
    print(f'shared documents: {shared_total:.2f} s in all '
          f'({", ".join(f"{kind} {len(samples)}" for kind, samples in shared.items())})')
    print(f'per prefecture, medians over {len(measured)} of {count} '
          f'(ms: total = layout + writing + the rest):')
    whole = floor = 0.0
    for kind, samples in per_kind.items():
        total, layout, writing = (median(sample[index] for sample in samples)
                                  for index in range(3))
        per = len(samples) / len(measured)   # documents of this kind per prefecture
        whole += total * per
        floor += (total - layout) * per
        print(f'  {kind:<10} {total * 1000:6.1f} = {layout * 1000:6.1f} + '
              f'{writing * 1000:6.1f} + {(total - layout - writing) * 1000:6.1f}'
              f'   ({per:g} a prefecture)')
    cores = arguments.cores
    print(f'prefecture phase on {cores} cores: {whole * count / cores:.2f} s as measured; '
          f'{floor * count / cores:.2f} s with no layout at all (the floor)')
    print(f'floor of the cold build: {imported + checking + shared_total / cores + floor * count / cores:.2f} s '
          f'(start, shared documents and prefectures with free layout, on {cores} cores)')


if __name__ == '__main__':
    main()
