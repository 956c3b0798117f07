"""Golden page images: the look of the main pages, committed at 50 dpi and diffed.

`preview --update-goldens` builds the golden set (one prefecture; the letter, the leaflet,
a cover and one card per script, and in print the leaflet and the imposed card sheet, whose
slug shows the bleed and the トンボ) and writes its pages as PNG under ``tests/goldens/``;
``tests/test_goldens.py`` builds it again and compares each page with the project's own
image diff (``gallery.compare_images``). A golden changes only in a commit that says why.
"""

from __future__ import annotations

from pathlib import Path

from .gallery import compare_images, render_pages, save_png

GOLDENS = Path('tests') / 'goldens'
DPI = 50
PREFECTURE = '08'
# One card per script: Japanese, Latin, Han (simplified), Hangul, Thai, Devanagari.
LANGS = ('ja', 'en', 'zh-Hans', 'ko', 'th', 'ne')
FORMATS = ('screen', 'print')
PIXEL_THRESHOLD = 16      # grey levels, as `diff`
TOLERANCE = 0.0005        # share of a page's pixels that may differ (anti-aliasing noise)


def documents(notice: str) -> list[str]:
    """The PDFs of the golden set, relative to the output folder."""
    stem = '08-ibaraki'
    return [f'{notice}/notice.pdf', f'{notice}/leaflets/{stem}.pdf',
            f'{notice}/covers/{stem}.pdf',
            *(f'{notice}/cards/{stem}.{lang}.pdf' for lang in LANGS),
            f'{notice}/leaflets/{stem}.print.pdf', f'{notice}/cards/sheets/{stem}.ja.print.pdf']


def golden_name(document: str, page: int) -> str:
    return document.replace('/', '__').removesuffix('.pdf') + f'.p{page}.png'


def write(out: Path, folder: Path, notice: str) -> list[Path]:
    """Render the golden set built in ``out`` into ``folder``; remove goldens no longer made."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for document in documents(notice):
        for number, image in enumerate(render_pages(out / document, DPI), start=1):
            path = folder / golden_name(document, number)
            save_png(image, path)
            written.append(path)
    for stale in set(folder.glob('*.png')) - set(written):
        stale.unlink()
    return written


def compare(out: Path, folder: Path, notice: str) -> list[str]:
    """What differs between the golden set built in ``out`` and the goldens in ``folder``."""
    from PIL import Image
    problems = []
    expected = {path.name for path in folder.glob('*.png')}
    seen = set()
    for document in documents(notice):
        for number, image in enumerate(render_pages(out / document, DPI), start=1):
            name = golden_name(document, number)
            seen.add(name)
            if name not in expected:
                problems.append(f'{name}: no golden (a new page: preview --update-goldens)')
                continue
            with Image.open(folder / name) as golden:
                golden = golden.convert('RGB')
                if golden.size != image.size:
                    problems.append(f'{name}: {image.size} pixels, the golden {golden.size}')
                    continue
                changed, _ = compare_images(golden, image, PIXEL_THRESHOLD)
            share = changed / (image.size[0] * image.size[1])
            if share > TOLERANCE:
                problems.append(f'{name}: {changed} pixels ({share:.3%}) differ')
    problems += [f'{name}: golden of a page no longer made' for name in sorted(expected - seen)]
    return problems
