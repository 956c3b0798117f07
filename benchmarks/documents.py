#!/usr/bin/env python3
"""Measure the letter and a leaflet: naive WeasyPrint API versus the shared renderer, and a cold CLI start.

The whole mailing is measured by benchmarks/batch.py.

Run by hand (never as a timed test):  .venv/bin/python benchmarks/documents.py [--runs N]
Prints medians of N runs, measured in this one process and on this machine.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def median_ms(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=15)
    runs = parser.parse_args().runs

    from noticegen.api import check
    from noticegen.build import Worker
    from noticegen.options import Options

    checked = check(Options(root=ROOT))
    notice_set = checked.project.notices[0]
    worker = Worker(checked)
    renderer = worker.renderer
    letter = next(job for job in checked.jobs if job.output.endswith('/notice.pdf'))
    tokyo = next(job for job in checked.jobs if job.output.endswith('/leaflets/13-tokyo.pdf'))
    worker.produce(letter)  # warm up: parse the stylesheet, load the fonts

    from weasyprint import CSS, HTML
    html = renderer.html('letter.html', notice=notice_set.notice,
                         attachments=notice_set.attachments, numbered=True)
    css_text = (checked.project.templates / 'letter.css').read_text(encoding='utf-8')

    def naive():
        # WeasyPrint's default API: CSS parsed and fonts set up for every document.
        HTML(string=html, base_url=str(checked.project.templates)).write_pdf(
            stylesheets=[CSS(string=css_text)])

    naive_ms = median_ms(naive, runs)
    shared_ms = median_ms(lambda: worker.produce(letter), runs)
    leaflet_ms = median_ms(lambda: worker.produce(tokyo), runs)
    validate_ms = median_ms(lambda: subprocess.run(
        [sys.executable, str(ROOT / 'build.py'), 'validate'], check=True,
        capture_output=True), max(3, runs // 3))
    print(f'machine: {platform.machine()}, {platform.python_implementation()} '
          f'{platform.python_version()}, {len(__import__("os").sched_getaffinity(0))} CPUs')
    print(f'runs: {runs} (medians)')
    print(f'letter, default API (CSS inline, new fonts each time): {naive_ms:7.1f} ms')
    print(f'letter, shared renderer (parsed CSS, one FontConfiguration): {shared_ms:7.1f} ms'
          f'  ({naive_ms / shared_ms:.2f}x)')
    print(f'leaflet (2 pp, Tokyo), shared renderer: {leaflet_ms:7.1f} ms')
    print(f'cold `build.py validate` (no WeasyPrint import): {validate_ms:7.1f} ms')


if __name__ == '__main__':
    main()
