"""The leaflet's page rules (issue #17), per page, in every language it is built in, for a
prefecture with no printable center, the one with the most, and a five-center fixture."""

from __future__ import annotations

from pathlib import Path

from conftest import copy_project

NOTICE = '2024-10-08-onestop'

# Five centers in one prefecture (a test fixture: the numbers and addresses are made up and
# never leave the test's copy of the project). Each has a number, hours and a web page.
FIVE_CENTERS = [
    ('おおいた性暴力救援センター・すみれ', '097-532-0330', '相談専用電話', '24時間365日'),
    ('おおいた性暴力救援センター・すみれ 県北窓口', '0979-22-0001', '県北窓口', '24時間365日'),
    ('おおいた性暴力救援センター・すみれ 県南窓口', '0972-22-0002', '県南窓口', '24時間365日'),
    ('性暴力被害者支援センター・べっぷ', '0977-22-0003', '相談専用電話', '24時間365日'),
    ('性暴力被害者支援センター・ひた', '0973-22-0004', '相談専用電話', '24時間365日'),
]


def five_center_yaml() -> str:
    lines = ["code: '44'", 'name: 大分県', 'name_romaji: Oita', 'centers:']
    for index, (name, number, label, hours) in enumerate(FIVE_CENTERS, start=1):
        source = f'試験用の資料 {index}'
        lines += [f'- name: {name}', '  status: confirmed', f'  hours: {hours}',
                  f'  url: https://example.jp/center-{index}/', f'  source: {source}',
                  "  as_of: '2026-10-01'", '  phones:', f'  - number: {number}',
                  f'    label: {label}', f'    hours: {hours}', '    status: confirmed',
                  f'    source: {source}', "    as_of: '2026-10-01'"]
    return '\n'.join(lines) + '\n'


def five_center_project(target: Path) -> Path:
    """A copy of the project whose Oita has five printable centers, each with a QR code."""
    project = copy_project(target)
    (project / 'prefectures' / '44-oita.yaml').write_text(five_center_yaml(), encoding='utf-8')
    return project


import re  # noqa: E402

import pdfplumber  # noqa: E402
import pytest  # noqa: E402

from conftest import ROOT, run_cli  # noqa: E402
from page_rules import (PT_PER_MM, bad_line_starts, broken, direction_words,  # noqa: E402
                        filled_rects, fill, hex_colour, line_heights, lines_of, overlaps,
                        qr_codes, small_text)

# The leaflet is built in Japanese and in every language it has a translation of.
LANGS = sorted({'ja'} | {path.name.split('.')[1] for path in
                         (ROOT / 'attachments' / NOTICE).glob('1-leaflet.*.yaml')})
MARGINS_MM = (14, 12)                    # leaflet.css: @page margin top and bottom
BAND = hex_colour('#eaf3f4')             # the numbers band that ends page 1
TITLE = hex_colour('#0b5563')            # the title band
FIXTURES = {'none': ('01', '01-hokkaido'),        # no printable center
            'most': ('14', '14-kanagawa'),        # the most printed numbers (two)
            'five': ('44', '44-oita')}            # the five-center fixture


@pytest.fixture(scope='module')
def built(tmp_path_factory) -> dict[str, Path]:
    """The leaflets of the three fixtures in every language: {'none.ja': path, ...}."""
    out = tmp_path_factory.mktemp('leaflets')
    langs = ','.join(lang for lang in LANGS if lang != 'ja') or 'none'
    result = run_cli('build', '--out', str(out / 'real'), '-p', '01', '-p', '14',
                     '--lang', langs)
    assert result.returncode == 0, result.stderr
    five = five_center_project(out / 'five-project')
    result = run_cli('build', '--out', str(out / 'five'), '-p', '44', '--lang', langs,
                     root=five)
    assert 'leaflets/44-oita' not in result.stderr, result.stderr   # (its card may not fit)
    paths = {}
    for name, (code, stem) in FIXTURES.items():
        folder = out / ('five' if name == 'five' else 'real') / NOTICE / 'leaflets'
        for lang in LANGS:
            paths[f'{name}.{lang}'] = folder / (f'{stem}.pdf' if lang == 'ja'
                                                else f'{stem}.{lang}.pdf')
    return paths


CASES = [f'{name}.{lang}' for name in FIXTURES for lang in LANGS]


def content_images(path: Path, page, index: int) -> list[tuple[float, float]]:
    """The (top, bottom) of the page's content images: the numbers band and QR codes."""
    images = [(r['top'], r['bottom']) for r in filled_rects(page, BAND, min_width=300)]
    return images + [(top, bottom) for _, top, bottom in qr_codes(path, index)]


@pytest.mark.parametrize('case', CASES)
def test_each_page_is_filled_between_three_quarters_and_full(built, case):
    path = built[case]
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) == 2
        for index, page in enumerate(pdf.pages):
            measured = fill(page, MARGINS_MM, content_images(path, page, index))
            assert 0.75 <= measured.value <= 1.0, (case, index + 1, measured)


@pytest.mark.parametrize('case', CASES)
def test_no_text_under_9_pt_and_no_line_starts_with_closing_punctuation(built, case):
    with pdfplumber.open(built[case]) as pdf:
        for page in pdf.pages:
            assert not small_text(page, 9), (case, page.page_number)
            assert not bad_line_starts(page), (case, page.page_number)


@pytest.mark.parametrize('case', CASES)
def test_body_line_height_is_at_least_one_and_a_half(built, case):
    """Between two lines of one block of body text (13 pt or less), 1.5 times the size."""
    with pdfplumber.open(built[case]) as pdf:
        for page in pdf.pages:
            for line, height in line_heights(lines_of(page)):
                if line.size <= 13 and height < 1.5 * line.size - 0.3:
                    pytest.fail(f'{case} p{page.page_number}: {line.text[:20]!r} '
                                f'{height / line.size:.2f}')


def printed_tokens(case: str) -> tuple[list[str], list[str]]:
    """The numbers and the Japanese center names the fixture's leaflet prints."""
    from noticegen.load.project import load_project
    from noticegen.model.facts import as_of_date, printing
    name = case.split('.')[0]
    if name == 'five':
        names = [center[0] for center in FIVE_CENTERS]
        numbers = [center[1] for center in FIVE_CENTERS]
    else:
        project = load_project(ROOT)
        prefecture = project.prefectures[FIXTURES[name][0]].prefecture
        shown = printing(prefecture, project.judge(as_of_date(project.national.valid_as_of)))
        names = [item.center.name for item in shown.centers]
        numbers = [p.phone.number for item in shown.centers for p in item.phones]
    return numbers + ['#8891', '0120-8891-77'], names


@pytest.mark.parametrize('case', CASES)
def test_names_and_numbers_never_break(built, case):
    numbers, names = printed_tokens(case)
    with pdfplumber.open(built[case]) as pdf:
        text = ''.join(re.sub(r'\s+', '', page.extract_text()) for page in pdf.pages)
        for token in numbers + names:
            assert re.sub(r'\s+', '', token) in text, f'{token} is not printed'
            assert not any(broken(page, token) for page in pdf.pages), f'{token} breaks'


@pytest.mark.parametrize('case', CASES)
def test_no_words_that_point_at_a_place_on_the_page(built, case):
    lang = case.split('.')[1]
    with pdfplumber.open(built[case]) as pdf:
        for page in pdf.pages:
            text = page.extract_text()
            assert not direction_words(text, lang), (case, page.page_number)


@pytest.mark.parametrize('case', [case for case in CASES if not case.endswith('.ja')])
def test_the_review_note_stays_clear_of_the_title_band(built, case):
    with pdfplumber.open(built[case]) as pdf:
        page = pdf.pages[0]
        bands = [r for r in filled_rects(page, TITLE, min_width=300) if r['height'] > 30]
        assert bands, 'the title band'
        band = (bands[0]['x0'], bands[0]['top'], bands[0]['x1'], bands[0]['bottom'])
        note = [line for line in lines_of(page) if 'reviewed' in line.text]
        assert note, 'the review note'
        for line in note:
            box = (line.x0, line.baseline - line.size, line.x1, line.baseline + 0.3 * line.size)
            assert not overlaps(box, band)
        frames = [r for r in page.rects if not r.get('fill') and r['bottom'] <= band[1] + 0.5
                  and r['top'] < band[1]]
        assert all(not overlaps((r['x0'], r['top'], r['x1'], r['bottom']), band)
                   for r in frames)


@pytest.mark.parametrize('case', CASES)
def test_every_qr_code_decodes_to_its_centers_url(built, case):
    name = case.split('.')[0]
    if name == 'five':
        expected = [f'https://example.jp/center-{n}/' for n in range(1, 6)]
    else:
        from noticegen.load.project import load_project
        from noticegen.model.facts import as_of_date, printing
        project = load_project(ROOT)
        prefecture = project.prefectures[FIXTURES[name][0]].prefecture
        shown = printing(prefecture, project.judge(as_of_date(project.national.valid_as_of)))
        expected = [item.url for item in shown.centers if item.url]
    decoded = [text for index in (0, 1) for text, _, _ in qr_codes(built[case], index)]
    assert sorted(decoded) == sorted(expected)


@pytest.mark.parametrize('lang', LANGS)
def test_no_size_or_line_height_exceeds_the_five_center_leaflets(built, lang):
    """Fewer centers never mean bigger type or looser lines: the largest type size and the
    largest body line height of each leaflet are at most the five-center leaflet's."""
    def largest(path):
        with pdfplumber.open(path) as pdf:
            sizes, ratios = [], []
            for page in pdf.pages:
                sizes += [c['size'] for c in page.chars if c['text'].strip()]
                ratios += [height / line.size for line, height in line_heights(lines_of(page))
                           if line.size <= 13 and height < 2.2 * line.size]
        return max(sizes), max(ratios)
    five_size, five_ratio = largest(built[f'five.{lang}'])
    for name in ('none', 'most'):
        size, ratio = largest(built[f'{name}.{lang}'])
        assert size <= five_size + 0.01 and ratio <= five_ratio + 0.02, (name, size, ratio)


def test_the_issuers_are_named_and_no_internal_word_prints(built):
    with pdfplumber.open(built['none.ja']) as pdf:
        text = ''.join(page.extract_text() for page in pdf.pages)
    assert '内閣府・厚生労働省' in text
    for word in ('確認用シート', 'proof'):
        assert word not in text


def test_page_one_ends_with_the_band_of_numbers(built):
    """The band is the last block of page 1 and holds #8891, 0120-8891-77 and each number
    of the prefecture's centers."""
    numbers, _ = printed_tokens('most.ja')
    with pdfplumber.open(built['most.ja']) as pdf:
        page = pdf.pages[0]
        band = filled_rects(page, BAND, min_width=300)
        assert len(band) == 1
        inside = page.within_bbox((0, band[0]['top'], page.width, band[0]['bottom']))
        text = re.sub(r'\s+', '', inside.extract_text())
        for number in numbers:
            assert number in text
        below = [c for c in page.chars if c['top'] > band[0]['bottom']]
        assert not below
        large = [c for c in inside.chars if c['text'] == '#']
        assert large and max(c['size'] for c in large) >= 39.9
    assert band[0]['bottom'] < page.height - MARGINS_MM[1] * PT_PER_MM + 1


@pytest.mark.parametrize('case', [case for case in CASES if not case.endswith('.ja')])
def test_latin_text_keeps_the_languages_fonts(built, case):
    """"Cure time（キュアタイム）" in a translation: the Latin name in the language's own
    font, only the katakana in BIZ UD."""
    with pdfplumber.open(built[case]) as pdf:
        chars = [c for c in pdf.pages[0].chars if c['text'].strip()]
    # (Text order is drawing order, run by run: find the name by position instead.)
    kana = [c for c in chars if c['text'] == 'キ']
    assert kana, 'the SNS consultation is not on page 1'
    line = [c for c in chars if abs(c['top'] - kana[0]['top']) < 2]
    latin = [c for c in line if c['text'].isascii() and c['text'].isalpha()
             and kana[0]['x0'] - 80 < c['x0'] < kana[0]['x0']]
    japanese = [c for c in line if 'ア' <= c['text'] <= 'ン' and c['x0'] >= kana[0]['x0']]
    assert len(latin) >= len('Curetime')
    assert all('BIZ' not in c['fontname'] for c in latin), {c['fontname'] for c in latin}
    assert japanese and all('BIZ' in c['fontname'] for c in japanese)
