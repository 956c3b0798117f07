"""Stuffed, weighed and posted: window envelopes, duplex packets, postage for the mailing."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pdfplumber
import pypdf
import pytest

from conftest import ROOT, add_tokyo_department, copy_project, messages, run_cli
from noticegen.model.jis import PREFECTURES

NOTICE = '2024-10-08-onestop'
NOTICE_FILE = f'notices/{NOTICE}.yaml'
EXAMPLE = ROOT / 'docs' / 'examples' / 'window-envelope.yaml'
MM = 72 / 25.4

# The window of the documented example (docs/examples/window-envelope.yaml), worked out by
# hand. The 長形3号 is held landscape: 235 × 120 mm, the opening at the right. Its window
# is at x 20, y 20, 90 × 45 mm from the envelope's top-left. The A4 is tri-folded at 99 and
# 198 mm; its first panel (the top 99 mm of the sheet, 210 mm wide) faces the window,
# centred in the envelope: its top-left at (235 - 210) / 2 = 12.5 mm and (120 - 99) / 2 =
# 10.5 mm. On the sheet the window is at x 20 - 12.5 = 7.5, y 20 - 10.5 = 9.5, 90 × 45 mm;
# shrunk by 3 mm of play on every side: x 10.5 to 94.5 mm, y 12.5 to 51.5 mm.
WINDOW_ON_SHEET = (7.5, 9.5, 90.0, 45.0)
SAFE_AREA = (10.5, 12.5, 94.5, 51.5)   # left, top, right, bottom in mm on the A4
TOLERANCE = 0.2                        # mm: glyph boxes against the area's edges


def set_mailing(root: Path, mailing: str) -> None:
    """Replace the seed notice's `mailing:` block with ``mailing`` (YAML text)."""
    path = root / NOTICE_FILE
    text = path.read_text(encoding='utf-8')
    start = text.index('\nmailing:\n') + 1
    end = text.index('\n# The 送付状', start) + 1
    path.write_text(text[:start] + mailing + text[end:], encoding='utf-8')


def example_mailing() -> str:
    text = EXAMPLE.read_text(encoding='utf-8')
    return text[text.index('mailing:\n'):]


def rows_of(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding='utf-8-sig'))))


@pytest.fixture(scope='module')
def window_build(tmp_path_factory):
    """The national mailing with the documented window-envelope example: built once."""
    root = copy_project(tmp_path_factory.mktemp('window') / 'project')
    set_mailing(root, example_mailing())
    out = root.parent / 'dist'
    result = run_cli('build', '--out', str(out), '--lang', 'none', root=root)
    assert result.returncode == 0, result.stderr
    return root, out, result


def addressee_words(page, prefecture: str) -> tuple[list[dict], list[str]]:
    """The words of the addressee block on a cover (found by their text, not their place),
    and the lines they must make up."""
    expected = [f'{prefecture}衛生主管部（局）', '御中', f'{prefecture}性犯罪・性暴力被害者のための',
                'ワンストップ支援センター所管部（局）', '御中']
    words = [word for word in page.extract_words(keep_blank_chars=False)
             if word['text'] in expected or word['text'].startswith('〒')]
    return words, expected


def test_every_window_cover_has_its_addressee_block_inside_the_window(window_build):
    _, out, _ = window_build
    covers = sorted((out / NOTICE / 'covers').glob('*.pdf'))
    assert len(covers) == 47
    left, top, right, bottom = SAFE_AREA
    for cover in covers:
        name = PREFECTURES[cover.stem[:2]][0]
        with pdfplumber.open(cover) as pdf:
            assert len(pdf.pages) == 1
            page = pdf.pages[0]
            words, expected = addressee_words(page, name)
            assert sorted(word['text'] for word in words) == sorted(expected), cover.name
            for word in words:
                box = (word['x0'] / MM, word['top'] / MM, word['x1'] / MM, word['bottom'] / MM)
                assert (box[0] >= left - TOLERANCE and box[1] >= top - TOLERANCE
                        and box[2] <= right + TOLERANCE and box[3] <= bottom + TOLERANCE), (
                    cover.name, word['text'], [round(v, 1) for v in box])
            # The window is never drawn in the PDF: no line or box near its edges.
            x, y, width, height = WINDOW_ON_SHEET
            for shape in page.rects + page.lines + page.curves:
                assert shape['top'] / MM > y + height + 1 or shape['x0'] / MM > x + width + 1, (
                    cover.name, shape)
            # Only the block is on the panel's left part: the date is at the right.
            text = page.extract_text()
            assert '令和6年10月8日' in text and '送付状' in text.replace(' ', '')


def test_a_confirmed_postal_address_shows_in_the_window_too(project, tmp_path):
    add_tokyo_department(project)
    set_mailing(project, example_mailing())
    out = tmp_path / 'dist'
    result = run_cli('build', '--out', str(out), '-p', '13', '--lang', 'none', root=project)
    assert result.returncode == 0, result.stderr
    left, top, right, bottom = SAFE_AREA
    with pdfplumber.open(out / NOTICE / 'covers' / '13-tokyo.pdf') as pdf:
        words = pdf.pages[0].extract_words()
    wanted = ['〒163-8001', '東京都新宿区西新宿二丁目8番1号', '東京都保健医療局医療政策部', '御中',
              '東京都性犯罪・性暴力被害者のための', 'ワンストップ支援センター所管部（局）', '御中']
    found = [word for word in words if word['text'] in wanted]
    assert sorted(word['text'] for word in found) == sorted(wanted)
    # In order, top to bottom: 〒, the address, the department and 御中, the other one.
    lines = sorted({round(word['top'], 1) for word in found})
    assert len(lines) == 5
    assert min(found, key=lambda word: word['top'])['text'] == '〒163-8001'
    for word in found:
        assert (word['x0'] / MM >= left - TOLERANCE and word['top'] / MM >= top - TOLERANCE
                and word['x1'] / MM <= right + TOLERANCE
                and word['bottom'] / MM <= bottom + TOLERANCE), word['text']


def test_the_safe_area_is_the_example_window_worked_out_by_hand():
    """The tool's own mapping agrees with the geometry typed above."""
    from noticegen.model.postage import window_on_sheet
    from noticegen.model.schema import Mailing
    import yaml
    mailing = Mailing.model_validate(yaml.safe_load(example_mailing())['mailing'])
    x, y, width, height = window_on_sheet(mailing)
    assert (round(x, 2), round(y, 2), round(x + width, 2), round(y + height, 2)) == SAFE_AREA
    assert mailing.envelope.product.example is True
    # A sheet resting elsewhere says so: at (10, 12) mm the window falls 2.5 mm further
    # right and 1.5 mm higher on the sheet.
    moved = yaml.safe_load(example_mailing())['mailing']
    moved['envelope']['sheet_offset'] = {'x': 10, 'y': 12}
    x, y, width, height = window_on_sheet(Mailing.model_validate(moved))
    assert (round(x, 2), round(y, 2), round(width, 2), round(height, 2)) == (13.0, 11.0, 84.0, 39.0)


def test_window_pieces_postage_and_summary(window_build):
    _, out, result = window_build
    rows = rows_of(out / NOTICE / 'mailing-list.csv')
    total, rows = rows[-1], rows[:-1]
    assert len(rows) == 94 and total['prefecture'] == '合計'
    # A window envelope is addressed by its cover: one piece per packet, 47 in all.
    assert total['piece'] == '47'
    firsts = [row for row in rows if row['weight_g']]
    assert len(firsts) == 47
    for row in firsts:
        pages = int(row['pages'])
        assert row['envelope'] == '長形3号' and int(row['sheets']) == pages
        # 3.99168 g a sheet (64 g/m²) and the example's 5.0 g envelope.
        assert row['weight_g'] == f'{pages * 64 * 0.210 * 0.297 + 5.0:.1f}'
        assert (row['class'], row['postage_yen']) == ('定形', '110')   # 9 sheets: 40.9 g
    assert total['postage_yen'] == str(110 * 47)
    assert total['weight_g'] == f'{sum(float(row["weight_g"]) for row in firsts):.1f}'
    assert f'mailing: 47 pieces, {float(total["weight_g"]) / 1000:.2f} kg, postage 5,170 yen' \
        in result.stdout
    # No address is confirmed yet: the pieces are reported, nothing is made up.
    assert all(not row['postal_code'] and not row['address'] for row in rows)
    assert 'mailing: 94 addressees have no confirmed 〒 and address' in result.stdout
    # The build summary is still the last line.
    assert re.search(r'\d+ built, .* failed in [\d.]+ s$', result.stdout.strip())


def test_preview_outlines_the_window_and_the_pdf_does_not(window_build):
    _, out, _ = window_build
    result = run_cli('preview', '--out', str(out), '-p', '13', '--kind', 'cover', '--dpi', '50')
    assert result.returncode == 0, result.stderr
    from PIL import Image
    image = Image.open(out / 'preview' / NOTICE / 'covers' / '13-tokyo' / 'page-1.png')
    image = image.convert('RGB')
    scale = image.width / 210
    x, y, width, height = WINDOW_ON_SHEET

    def red(px, py):
        r, g, b = image.getpixel((round(px * scale), round(py * scale)))
        return r > 180 and g < 80 and b < 80

    # The window's left and top edges, halfway along: red on the preview.
    assert red(x, y + height / 2) and red(x + width / 2, y)
    # The PDF itself has no red anywhere: the outline is the preview's alone.
    import pypdfium2
    document = pypdfium2.PdfDocument(str(out / NOTICE / 'covers' / '13-tokyo.pdf'))
    page = document[0].render(scale=50 / 72).to_pil().convert('RGB')
    assert not any(r > 180 and g < 80 and b < 80
                   for _, (r, g, b) in page.getcolors(page.width * page.height))


def test_duplex_starts_every_document_on_a_new_sheet(tmp_path):
    out = tmp_path / 'dist'
    simplex = run_cli('build', '--out', str(out), '-p', '36', '--lang', 'none')
    assert simplex.returncode == 0, simplex.stderr
    duplex = run_cli('build', '--out', str(out), '-p', '36', '--lang', 'none', '--duplex')
    assert duplex.returncode == 0, duplex.stderr
    base = out / NOTICE
    packet = pypdf.PdfReader(base / 'packets' / '36-tokushima.duplex.pdf')
    # One top-level bookmark per document (a nested list holds that document's own bookmarks).
    starts = [packet.get_destination_page_number(item) + 1 for item in packet.outline
              if not isinstance(item, list)]
    assert len(starts) == 6 and all(start % 2 == 1 for start in starts), starts
    assert len(packet.pages) % 2 == 0
    # The letter has 3 pages: padded to 4 with one blank page, which holds no text.
    assert len(pypdf.PdfReader(base / 'notice.pdf').pages) == 3
    assert starts[1:3] == [3, 7]
    assert packet.pages[5].extract_text().strip() == ''
    # The enclosure list counts sheets: 3 pages are 2 sheets in duplex, 3 in simplex.
    for name, sheets in (('36-tokushima.duplex.pdf', '2枚'), ('36-tokushima.pdf', '3枚')):
        with pdfplumber.open(base / 'covers' / name) as pdf:
            line = next(line for line in pdf.pages[0].extract_text().splitlines()
                        if '事務連絡' in line)
        assert line.replace(' ', '').endswith(sheets), (name, line)
    # The option is part of the name and of the input hash.
    manifest = {entry['path']: entry for entry in json.loads(
        (out / 'manifest.json').read_text(encoding='utf-8'))['outputs']}
    for kind in ('packets', 'covers'):
        one = manifest[f'{NOTICE}/{kind}/36-tokushima.pdf']
        two = manifest[f'{NOTICE}/{kind}/36-tokushima.duplex.pdf']
        assert one['inputs'] != two['inputs'] and one['sha256'] != two['sha256']
    simplex_packet = pypdf.PdfReader(base / 'packets' / '36-tokushima.pdf')
    assert len(simplex_packet.pages) == 9


# The postage table. Its inputs: paper A4 of 64 g/m² (3.99 g a sheet); the rate table
# facts/postage.yaml (Japan Post, in effect from 2024-10-01: 定形 up to 50 g 110 yen;
# 定形外 規格内 up to 50 g 140 yen, up to 100 g 180 yen); envelopes: a 長形3号 of 5.0 g
# (the A4 tri-folded) and a 角形2号 of 14.4 g (the A4 flat). Class, weight and fee typed by
# hand: 1 sheet is 3.99 g, 3 sheets 11.98 g, 12 sheets 47.90 g.
POSTAGE = [
    # envelope, sheets, class, weight (g), fee (yen)
    ('naga3', 1, '定形', 9.0, 110),
    ('naga3', 3, '定形', 17.0, 110),
    ('naga3', 12, '定形外（規格内）', 52.9, 180),     # over 50 g: no longer 定形
    ('kaku2', 1, '定形外（規格内）', 18.4, 140),      # 240 × 332 mm: never 定形
    ('kaku2', 3, '定形外（規格内）', 26.4, 140),
    ('kaku2', 12, '定形外（規格内）', 62.3, 180),
]


@pytest.mark.parametrize('size, count, mail_class, weight, yen', POSTAGE)
def test_postage_table(size, count, mail_class, weight, yen):
    from noticegen.load.project import load_project
    from noticegen.model.postage import estimate, sheet_weight
    from noticegen.model.schema import Mailing
    project = load_project(ROOT)
    envelope = {'size': size, 'weight_g': 5.0 if size == 'naga3' else 14.4}
    if size == 'naga3':
        envelope |= {'product': {'maker': 'x', 'number': 'y', 'example': True},
                     'window': {'x': 20, 'y': 20, 'width': 90, 'height': 45}}
    mailing = Mailing.model_validate({'envelope': envelope, 'paper': {'gsm': 64}})
    assert round(sheet_weight(mailing.paper), 2) == 3.99
    found = estimate(count, mailing, project.postage)
    assert (found.mail_class, round(found.weight_g, 1), found.yen) == (mail_class, weight, yen)


def test_an_unconfirmed_rate_table_gives_no_fee():
    from noticegen.load.project import load_project
    from noticegen.model.postage import estimate
    from noticegen.model.schema import Mailing
    project = load_project(ROOT)
    table = project.postage.model_copy(update={'status': 'unverified'})
    mailing = Mailing.model_validate({'envelope': {'size': 'kaku2', 'weight_g': 14.4}})
    found = estimate(3, mailing, table)
    assert found.mail_class == '定形外（規格内）' and found.yen is None
    assert 'unverified' in found.unknown


def test_the_seed_mailing_weighs_every_piece(full_build):
    rows = rows_of(full_build / NOTICE / 'mailing-list.csv')
    total, rows = rows[-1], rows[:-1]
    # Flat in 角形2号, addressed by label: one piece per department.
    assert total['piece'] == '94' and all(row['envelope'] == '角形2号' for row in rows)
    for row in rows:
        assert row['weight_g'] == f'{int(row["pages"]) * 64 * 0.210 * 0.297 + 14.4:.1f}'
        # 角形2号 is never 定形; 定形外（規格内）: 140 yen up to 50 g, 180 yen up to 100 g.
        assert row['class'] == '定形外（規格内）'
        assert row['postage_yen'] == ('140' if float(row['weight_g']) <= 50 else '180')
    assert int(total['postage_yen']) == sum(int(row['postage_yen']) for row in rows)


def stale_project(tmp_path: Path) -> Path:
    """A project whose only warnings can come from the rate table: a notice without leaflet
    or card, mailed with covers and packets and weighed in its mailing list."""
    root = tmp_path / 'project'
    for folder in ('prefectures', 'templates', 'cards', 'locales', 'facts'):
        shutil.copytree(ROOT / folder, root / folder)
    shutil.copytree(ROOT / 'tests' / 'notices' / 'iseihatsu-0926' / 'notices', root / 'notices')
    shutil.copy(ROOT / 'noticegen.toml', root / 'noticegen.toml')
    path = root / 'notices' / 'iseihatsu-0926.yaml'
    path.write_text(path.read_text(encoding='utf-8') + (
        'outputs: [cover, packet, mailing-list]\n'
        'cover:\n  body: [下記のとおり資料を送付します。]\n'
        'mailing:\n  envelope: {size: kaku2, weight_g: 14.4}\n'), encoding='utf-8')
    return root


def test_a_stale_rate_table_warns_and_strict_fails(tmp_path):
    root = stale_project(tmp_path)
    postage = root / 'facts' / 'postage.yaml'
    # As shipped: its sources are dated 2024-10-01, over a year before 2026-11-30.
    result = run_cli('validate', root=root)
    assert result.returncode == 0, result.stderr
    found = [m for m in messages(result.stderr, 'warning') if m['path'] == 'facts/postage.yaml']
    assert len(found) == 1 and 'the rate table is stale: older than 1 year' in found[0]['message']
    strict = run_cli('validate', '--strict', root=root)
    assert strict.returncode == 1 and 'errors under --strict' in strict.stderr
    built = run_cli('build', '--strict', '--out', str(tmp_path / 'out'), root=root)
    assert built.returncode == 1 and not (tmp_path / 'out' / 'iseihatsu-0926').exists()
    # Dated within the year: no warning, and --strict passes.
    text = postage.read_text(encoding='utf-8')
    postage.write_text(text.replace('  as_of: 2024-10-01\n', '  as_of: 2026-06-01\n', 1),
                       encoding='utf-8')
    fresh = run_cli('validate', '--strict', root=root)
    assert fresh.returncode == 0, fresh.stderr
    # A later rate change on record makes it stale again, whatever its sources' dates.
    postage.write_text(postage.read_text(encoding='utf-8').replace(
        'changes: [2024-10-01]', 'changes: [2024-10-01, 2026-10-01]'), encoding='utf-8')
    changed = run_cli('validate', '--strict', root=root)
    assert changed.returncode == 1
    assert 'a rate change on 2026-10-01 is on record after its effective date 2024-10-01' \
        in changed.stderr


def test_a_window_envelope_must_be_a_named_product_with_a_window_on_the_first_panel(project):
    set_mailing(project, 'mailing:\n  envelope: {size: naga3, weight_g: 5.0}\n')
    result = run_cli('validate', root=project)
    assert result.returncode == 1
    assert 'give product (maker, number) and window' in result.stderr
    set_mailing(project, example_mailing().replace('{x: 20, y: 20,', '{x: 20, y: 80,'))
    result = run_cli('validate', root=project)
    assert result.returncode == 1
    assert 'does not lie on a 長形3号 envelope' in result.stderr
    set_mailing(project, example_mailing().replace('{x: 20, y: 20,', '{x: 20, y: 60,')
                .replace('height: 45', 'height: 55'))
    result = run_cli('validate', root=project)
    assert result.returncode == 1
    assert 'outside the first panel' in result.stderr
