#!/usr/bin/env python3
"""Benchmark the Japanese national mailing, and compare with a naive baseline.

Run by hand (never as a timed test):

    .venv/bin/python benchmarks/batch.py [--runs 3] [--leaflets 1000] [--packets 47] [--skip-naive]

It prints, measured in this one run on this machine:
- the cold national build (a new process, an empty output folder), median of --runs;
- a warm rebuild with no change, and a rebuild after changing one prefecture;
- the peak RSS of the build's processes (workers included);
- per-document render times with the shared renderer, medians;
- RSS over --leaflets consecutive leaflet renders in one process (flat means no leak);
- the naive baseline: one process, WeasyPrint's default API (HTML(string).write_pdf with the
  CSS parsed each time) for every document of every packet, then the same merge; and the ratio.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def run_build(root: Path, out: Path, *args: str) -> float:
    start = time.perf_counter()
    # The Japanese national mailing alone: no patient cards or translations (--lang none).
    subprocess.run([sys.executable, str(ROOT / 'build.py'), '--root', str(root), 'build',
                    '--out', str(out), '--lang', 'none', *args], check=True, capture_output=True)
    return time.perf_counter() - start


def copy_project(target: Path) -> Path:
    for folder in ('notices', 'attachments', 'prefectures', 'templates', 'cards', 'locales',
                   'facts'):
        shutil.copytree(ROOT / folder, target / folder)
    return target


def rss_mb() -> float:
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
    return 0.0


def _checked(langs):
    from noticegen.api import check
    from noticegen.options import Options
    return check(Options(root=ROOT, langs=langs))


def per_document(runs: int) -> dict[str, float]:
    """Median time of one document of each kind, shared renderer, in this process."""
    from noticegen.build import Worker
    from noticegen.plan import registry
    checked = _checked(['ja', 'th'])
    worker = Worker(checked)
    jobs = {job.output: job for job in checked.jobs}
    made: dict[str, bytes] = {}

    def make(job):   # a job's parts first, each made once, so that composite jobs have them
        for part in job.parts:
            if part not in made:
                make(jobs[part])
        made[job.output] = worker.produce(job, {p: made[p] for p in job.parts})

    samples = {}
    for kind in registry.kinds():
        job = next((job for job in checked.jobs if job.kind == kind.name
                    and job.lang in ('ja', 'th')), None)
        if job is None:
            continue  # a kind that another command plans (proof), or not in this build
        for part in job.parts:
            if part not in made:
                make(jobs[part])
        parts = {p: made[p] for p in job.parts}
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            worker.produce(job, parts)
            times.append((time.perf_counter() - start) * 1000)
        samples[kind.name] = statistics.median(times)
    return samples


def leaflet_memory(count: int) -> tuple[float, float, float]:
    """RSS after 50 warm-up leaflets, after ``count`` more, and the peak, in MB."""
    from noticegen.build import Worker
    from noticegen.documents.leaflet import Leaflet
    checked = _checked([])
    worker = Worker(checked)
    leaflets = [job for job in checked.jobs if job.kind == Leaflet.name]
    for index in range(50):
        worker.produce(leaflets[index % len(leaflets)])
    start = rss_mb()
    peak = start
    for index in range(count):
        worker.produce(leaflets[index % len(leaflets)])
        if index % 50 == 0:
            peak = max(peak, rss_mb())
    return start, rss_mb(), max(peak, rss_mb())


def naive_baseline(work: Path, packets: int) -> float:
    """One process, the default API for every document of every packet, then the merge.

    Each kind makes its document as in the real build (its own html(), or its own produce(),
    like the letter's two passes for page numbers); only the layout differs:
    HTML(string).render() with the CSS parsed and fonts set up anew for every document. The
    merge is the real one.
    """
    from weasyprint import CSS, HTML

    from noticegen.build import ProduceContext, Worker
    from noticegen.plan import registry

    start = time.perf_counter()
    checked = _checked([])
    templates = checked.project.templates
    worker = Worker(checked)  # its renderer is used only for its Jinja templates

    class NaiveRenderer:
        """The shared renderer, but laying out with WeasyPrint's default API."""

        def __init__(self, shared):
            self.shared = shared

        def __getattr__(self, name):
            return getattr(self.shared, name)

        def render(self, html, stylesheets):
            return HTML(string=html, base_url=str(templates) + '/').render(
                stylesheets=[CSS(string=(templates / name).read_text(encoding='utf-8'))
                             for name in stylesheets], pdf_tags=True)

        def pdf(self, html, stylesheets, name, pages=None):
            return self.shared.write(self.render(html, stylesheets))

    class NaiveContext(ProduceContext):
        @property
        def renderer(self):
            return NaiveRenderer(self.worker.renderer)

    def pdf(job, parts) -> bytes:
        return registry.get(job.kind).produce(job, NaiveContext(worker, parts, set()))

    jobs = {job.output: job for job in checked.jobs}
    for packet in [j for j in checked.jobs if j.kind == 'packet'][:packets]:
        documents: dict[str, bytes] = {}
        for part in packet.parts[1:]:  # the letter and its 別添, laid out anew for each packet
            documents[part] = pdf(jobs[part], {})
        cover = jobs[packet.parts[0]]
        documents[cover.output] = pdf(cover, {p: documents[p] for p in cover.parts})
        data = worker.produce(packet, documents)
        (work / f'{packet.code}.pdf').write_bytes(data)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description='Benchmark the national mailing.')
    parser.add_argument('--runs', type=int, default=3, help='runs of each build measurement')
    parser.add_argument('--leaflets', type=int, default=1000,
                        help='consecutive leaflet renders for the memory measurement')
    parser.add_argument('--packets', type=int, default=47,
                        help='packets the naive baseline makes (47: the national mailing, '
                             'which the ratio compares with)')
    parser.add_argument('--skip-naive', action='store_true', help='do not run the baseline')
    args = parser.parse_args()

    print(f'machine: {platform.machine()}, {os.cpu_count()} CPUs, '
          f'{platform.python_implementation()} {platform.python_version()}')
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        root = copy_project(work / 'project')
        cold = []
        for run in range(args.runs):
            out = work / f'cold-{run}'
            cold.append(run_build(root, out))
        peak_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        out = work / 'cold-0'
        warm = [run_build(root, out) for _ in range(max(3, args.runs))]
        one = []
        path = root / 'prefectures' / '36-tokushima.yaml'
        original = path.read_text(encoding='utf-8')
        for run in range(args.runs):
            minutes = f'{run + 10:02d}'
            path.write_text(original.replace('    hours: 24時間（夜間17:00〜',
                                             f'    hours: 24時間（夜間17:{minutes}〜', 1),
                            encoding='utf-8')
            one.append(run_build(root, out))
        documents = sum(1 for _ in (out).rglob('*') if _.is_file())
        print(f'national mailing: {documents} files (PDFs, mailing list, manifest)')
        print(f'cold build, --jobs {os.cpu_count()}:     median {statistics.median(cold):6.2f} s  '
              f'({", ".join(f"{t:.2f}" for t in cold)})')
        print(f'warm rebuild, no change:   median {statistics.median(warm):6.2f} s')
        print(f'one prefecture changed:    median {statistics.median(one):6.2f} s')
        print(f'peak RSS of any build process (workers included): {peak_rss:.0f} MB')
        print('per-document render, shared renderer (median of 5):')
        for kind, ms in per_document(5).items():
            print(f'  {kind:<11} {ms:7.1f} ms')
        if args.leaflets:
            start, end, peak = leaflet_memory(args.leaflets)
            print(f'{args.leaflets} consecutive leaflets in one process: RSS {start:.0f} MB → '
                  f'{end:.0f} MB ({(end - start) / start * 100:+.1f}%), peak {peak:.0f} MB')
        if not args.skip_naive:
            naive_work = work / 'naive'
            naive_work.mkdir()
            naive = naive_baseline(naive_work, args.packets)
            ratio = naive / statistics.median(cold)
            print(f'naive baseline (one process, default API, every document of {args.packets} '
                  f'packets): {naive:.2f} s (one run)')
            if args.packets < 47:
                print('(fewer than 47 packets: the ratio below does not compare like with like)')
            print(f'cold build is {ratio:.1f}x faster than the naive baseline '
                  f'(target: at least 4x)')


if __name__ == '__main__':
    main()
