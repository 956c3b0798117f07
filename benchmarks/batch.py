#!/usr/bin/env python3
"""Benchmark the Japanese national mailing, and compare with a naive baseline.

Run by hand (never as a timed test):

    .venv/bin/python benchmarks/batch.py [--runs 3] [--leaflets 1000] [--packets 47] [--skip-naive]
    .venv/bin/python benchmarks/batch.py --vs-typst ../shared/peers/typst-national-batch [--runs 5]

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


PEER_VENV = Path(tempfile.gettempdir()) / 'noticegen-typst-peer'


def peer_python(peer: Path, venv: Path) -> Path:
    """The peer's interpreter: a venv of its own, outside ``.venv`` and outside the peer's
    (read-only, shared) folder, with its requirements installed once."""
    venv = venv.resolve()
    for forbidden in (ROOT / '.venv', peer.resolve()):
        if venv == forbidden or forbidden in venv.parents:
            sys.exit(f'{venv}: the peer venv must be outside {forbidden}')
    requirements = peer / 'requirements.txt'
    marker = venv / 'noticegen-requirements.txt'
    python = venv / 'bin' / 'python'
    wanted = requirements.read_text(encoding='utf-8')
    if not python.exists() or not marker.exists() or marker.read_text(encoding='utf-8') != wanted:
        base = getattr(sys, '_base_executable', sys.executable)
        subprocess.run([base, '-m', 'venv', '--clear', str(venv)], check=True)
        subprocess.run([str(python), '-m', 'pip', 'install', '--quiet', '-r', str(requirements)],
                       check=True)
        marker.write_text(wanted, encoding='utf-8')
    return python


def timed(command: list[str], **options) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, its child processes included) of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, **options)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def packet_sizes(folder: Path, pattern: str) -> tuple[int, list[int], list[int]]:
    """How many packets, their sizes in bytes, and their page counts."""
    import pikepdf
    paths = sorted(folder.rglob(pattern))
    pages = []
    for path in paths:
        with pikepdf.open(path) as document:
            pages.append(len(document.pages))
    return len(paths), [path.stat().st_size for path in paths], pages


def font_programs_and_tags(folder: Path) -> tuple[int, bool]:
    """The most font programs of one face in any packet, and whether every packet is tagged."""
    import pikepdf
    most, tagged = 0, True
    for path in sorted(folder.rglob('packets/*.pdf')):
        with pikepdf.open(path) as document:
            faces: dict[str, set] = {}
            for page in document.pages:
                for font in ((page.obj.get('/Resources') or {}).get('/Font') or {}).values():
                    descriptor = (font.get('/DescendantFonts') or [font])[0].get(
                        '/FontDescriptor')
                    program = descriptor.get('/FontFile2') if descriptor is not None else None
                    if program is not None:
                        face = str(font.BaseFont).split('+', 1)[-1]
                        faces.setdefault(face, set()).add(program.objgen)
            most = max([most, *(len(programs) for programs in faces.values())])
            tagged = tagged and '/StructTreeRoot' in document.Root and all(
                '/StructParents' in page.obj for page in document.pages)
    return most, tagged


def compare_with_typst(peer: Path, runs: int, venv: Path) -> None:
    """Ours and the peer, each as a whole process, in turn, ``runs`` times: medians, ratios.

    - ours: ``build --lang none --force --jobs 2`` into a fresh output folder with a fresh
      cache folder (the glyph check is cold too);
    - the peer: ``batch_typst.py --mode best --jobs 2 --runs 1 --warmup 0``, its whole
      process (its own timings leave out its start);
    - the no-op: a warm rebuild of ours with no change, whole process;
    - bytes per packet and per page: medians over the packets of one build each.
    """
    python = peer_python(peer, venv)
    print(f'peer: {peer.resolve()} (venv {venv})')
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        root = copy_project(work / 'project')
        ours, theirs = [], []
        for run in range(runs):
            out, cache = work / f'ours-{run}', work / f'cache-{run}'
            ours.append(timed([sys.executable, str(ROOT / 'build.py'), '--root', str(root),
                               '--cache-dir', str(cache), 'build', '--out', str(out),
                               '--lang', 'none', '--force', '--jobs', '2']))
            theirs.append(timed([str(python), str(peer / 'batch_typst.py'), '--mode', 'best',
                                 '--jobs', '2', '--runs', '1', '--warmup', '0', '--outdir',
                                 str(work / f'peer-{run}')], cwd=peer))
        last = work / f'ours-{runs - 1}'
        noop = [timed([sys.executable, str(ROOT / 'build.py'), '--root', str(root),
                       '--cache-dir', str(work / f'cache-{runs - 1}'), 'build', '--out',
                       str(last), '--lang', 'none', '--jobs', '2'])[0] for _ in range(5)]
        count, sizes, pages = packet_sizes(last, 'packets/*.pdf')
        peer_count, peer_sizes, peer_pages = packet_sizes(work / f'peer-{runs - 1}',
                                                          'packet_*.pdf')
        most, tagged = font_programs_and_tags(last)
    median = statistics.median

    def show(name, samples):
        return (f'{name}: wall median {median(s[0] for s in samples):.2f} s '
                f'({", ".join(f"{s[0]:.2f}" for s in samples)}); '
                f'CPU median {median(s[1] for s in samples):.2f} s')

    print(show(f'noticegen ({count} packets)', ours))
    print(show(f'typst peer ({peer_count} packets)', theirs))
    per_page = median(size / page for size, page in zip(sizes, pages))
    peer_per_page = median(size / page for size, page in zip(peer_sizes, peer_pages))
    print(f'bytes per packet: noticegen {median(sizes) / 1000:.1f} KB '
          f'({median(pages):.0f} pages), peer {median(peer_sizes) / 1000:.1f} KB '
          f'({median(peer_pages):.0f} pages); per page {per_page / 1000:.1f} KB vs '
          f'{peer_per_page / 1000:.1f} KB (ratio {per_page / peer_per_page:.2f})')
    print(f'font programs per face per packet: at most {most}; tagged packets: '
          f'{"yes" if tagged else "no"}')
    print(f'warm no-op rebuild (whole process): median {median(noop):.2f} s '
          f'({", ".join(f"{t:.2f}" for t in noop)})')
    wall = median(s[0] for s in ours) / median(s[0] for s in theirs)
    cpu = median(s[1] for s in ours) / median(s[1] for s in theirs)
    print(f'vs typst: wall ratio {wall:.2f}; cpu ratio {cpu:.2f}; bytes ratio '
          f'{median(sizes) / median(peer_sizes):.2f}; noop {median(noop):.2f} s')


def main() -> None:
    parser = argparse.ArgumentParser(description='Benchmark the national mailing.')
    parser.add_argument('--runs', type=int, default=3, help='runs of each build measurement')
    parser.add_argument('--leaflets', type=int, default=1000,
                        help='consecutive leaflet renders for the memory measurement')
    parser.add_argument('--packets', type=int, default=47,
                        help='packets the naive baseline makes (47: the national mailing, '
                             'which the ratio compares with)')
    parser.add_argument('--skip-naive', action='store_true', help='do not run the baseline')
    parser.add_argument('--vs-typst', type=Path, metavar='PATH',
                        help='compare with the Typst peer in PATH instead (5 runs unless '
                             '--runs is given)')
    parser.add_argument('--peer-venv', type=Path, default=PEER_VENV,
                        help='where the peer\'s venv is made (outside .venv and PATH)')
    args = parser.parse_args()
    if args.vs_typst:
        print(f'machine: {platform.machine()}, {os.cpu_count()} CPUs, '
              f'{platform.python_implementation()} {platform.python_version()}, '
              f'{time.strftime("%Y-%m-%d %H:%M %Z")}')
        runs = args.runs if '--runs' in sys.argv else 5
        # Resolved first: the peer runs in its own folder, so a relative PATH would miss.
        compare_with_typst(args.vs_typst.resolve(), runs, args.peer_venv)
        return

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
