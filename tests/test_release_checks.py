"""Release checks: --strict on stale data, page-budget overflows, included PDF attachments."""

from __future__ import annotations

import json
import re
import shutil

import pdfplumber
import pypdf

from conftest import messages, FIXTURES, run_cli

NOTICE = '2024-10-08-onestop'


def test_validate_warns_and_strict_fails_on_stale_data():
    result = run_cli('validate')
    assert result.returncode == 0
    assert 'older than 3 years: as of' in result.stderr
    assert 'before 2023-11-30 (counted from 2026-11-30)' in result.stderr
    # One warning per fact, in the one format, each at its place in a prefecture file.
    warnings = messages(result.stderr, 'warning')
    assert len(warnings) > 20 and all(w['path'].startswith(('prefectures/', 'facts/'))
                                      for w in warnings)
    assert 'no printable direct number' in result.stderr
    assert 'prefectures/23-aichi.yaml:' in result.stderr  # the unverified number, located
    strict = run_cli('validate', '--strict')
    assert strict.returncode == 1
    assert 'warnings: errors under --strict' in strict.stderr


def test_as_of_moves_the_stale_limit():
    def stale_count(*args: str) -> int:
        result = run_cli('validate', *args)
        return sum('older than 3 years' in m['message'] for m in messages(result.stderr))
    assert stale_count('--as-of', '2019-01-01') < stale_count() < stale_count('--as-of', '2030-01-01')
    assert run_cli('validate', '--as-of', 'yesterday').returncode == 2


def test_strict_build_writes_nothing(tmp_path):
    result = run_cli('build', '--strict', '--out', str(tmp_path), '-p', '13')
    assert result.returncode == 1
    assert not list(tmp_path.rglob('*.pdf'))


LONG_URL = 'https://www.pref.kanagawa.jp/' + 'a' * 120 + '/index.html'


def give_kanagawa_a_long_url(project, extra: str = '') -> None:
    """Replace the Kanagawa center's URL with one too long for its card, plus ``extra`` lines.
    (Kanagawa's center prints: its page is dated 2024-01-18.)"""
    path = project / 'prefectures' / '14-kanagawa.yaml'
    original = path.read_text(encoding='utf-8')
    text = original.replace(
        'url: http://www.pref.kanagawa.jp/docs/f5g/cnt/f520370/p1163001.html',
        f'url: {LONG_URL}{extra}', 1)
    assert text != original
    path.write_text(text, encoding='utf-8')


def test_a_long_url_is_an_overflow_that_fails_only_its_documents(project):
    give_kanagawa_a_long_url(project)
    out = project / 'dist'
    previous = out / NOTICE / 'leaflets' / '14-kanagawa.pdf'
    previous.parent.mkdir(parents=True)
    previous.write_bytes(b'%PDF previous')
    result = run_cli('build', '--out', str(out), '-p', '14', '-p', '08', root=project)
    assert result.returncode == 1
    assert 'leaflet for 14 神奈川県: page 2:' in result.stderr
    assert 'past the edge of its box' in result.stderr and 'Traceback' not in result.stderr
    overflow = next(line for line in result.stderr.splitlines() if 'past the edge' in line)
    assert LONG_URL not in overflow and "aaa…' runs" in overflow   # quoted, at most 80 chars
    for kind in ('bundles', 'covers', 'packets'):  # what is made from the leaflet fails too
        assert 'failed  ' + str(out / NOTICE / kind / '14-kanagawa.pdf') in result.stderr
    assert previous.read_bytes() == b'%PDF previous'           # the good old file survives
    assert (out / NOTICE / 'leaflets' / '08-ibaraki.pdf').is_file()  # others are built
    assert 'failed  ' + str(out / NOTICE / 'leaflets' / '14-kanagawa.en.pdf') in result.stderr
    assert '5 failed' in result.stdout  # the leaflets (ja, en), bundle, cover and packet
    manifest = json.loads((out / 'manifest.json').read_text(encoding='utf-8'))
    status = {entry['path']: entry['status'] for entry in manifest['outputs']}
    assert status[f'{NOTICE}/leaflets/14-kanagawa.pdf'] == 'failed'
    assert status[f'{NOTICE}/packets/08-ibaraki.pdf'] == 'ok'


def test_too_much_front_page_text_overflows_the_two_page_budget(project):
    path = project / 'attachments' / NOTICE / '1-leaflet.yaml'
    (path.parent / '1-leaflet.en.yaml').unlink()   # its bullets would no longer match
    extra = ''.join(f'        - {{text: 追加の説明文です。{n}, claim: centers.services}}\n'
                    for n in range(40))
    last = '        - {text: 医療費・カウンセリング費用の公費負担, claim: costs.public-funding}\n'
    original = path.read_text(encoding='utf-8')
    text = original.replace(last, last + extra)
    assert text != original
    path.write_text(text, encoding='utf-8')
    result = run_cli('build', '--out', str(project / 'dist'), '-p', '08', root=project)
    assert result.returncode == 1
    # The message names the document, its budget, the page and block where it overflows,
    # and what to do.
    assert re.search(r'leaflets/08-ibaraki\.pdf: 別添1 leaflet for 08 茨城県: [3-9] pages, over '
                     r'its 2-page budget; page 3 starts with <(li|section|h1)[^>]*> \'.+\': '
                     r'shorten the text before it', result.stderr), result.stderr


def test_an_existing_pdf_is_included_and_stamped(project):
    folder = project / 'attachments' / NOTICE
    shutil.copy(FIXTURES / 'included' / 'original.pdf', folder / 'original.pdf')
    (folder / '5-original.yaml').write_text(
        'notice: 2024-10-08-onestop\nnumber: 5\ntitle: 原本の資料\nkind: pdf\nfile: original.pdf\n',
        encoding='utf-8')
    out = project / 'dist'
    result = run_cli('build', '--out', str(out), '-p', '13', root=project)
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(out / NOTICE / 'betten-5.pdf') as pdf:
        assert len(pdf.pages) == 2
        page = pdf.pages[0]
        assert 'Original document, page 1' in page.extract_text()
        label = [c for c in page.chars if c['text'] in '別添5']
        assert ''.join(c['text'] for c in label) == '別添5'
        assert label[0]['top'] < 72 and page.width - label[-1]['x1'] < 72
    bundle = pypdf.PdfReader(out / NOTICE / 'bundles' / '13-tokyo.pdf')
    assert [entry.title.split(' ')[0] for entry in bundle.outline
            if not isinstance(entry, list)][-1] == '別添5'
    notice_text = ''.join(p.extract_text() for p in pypdf.PdfReader(out / NOTICE / 'notice.pdf').pages)
    assert '原本の資料' in notice_text


def test_an_included_pdf_outside_attachments_is_refused(project):
    folder = project / 'attachments' / NOTICE
    (folder / 'escape.pdf').symlink_to('/etc/hostname')
    (folder / '5-original.yaml').write_text(
        'notice: 2024-10-08-onestop\nnumber: 5\ntitle: 原本\nkind: pdf\nfile: escape.pdf\n',
        encoding='utf-8')
    result = run_cli('validate', root=project)
    assert result.returncode == 1
    assert 'attachments/2024-10-08-onestop/escape.pdf:1:1: error: a symlink that leads outside ' \
           'the project' in result.stderr


def test_a_short_display_url_fixes_the_overflow_and_the_qr_keeps_the_long_one(project):
    import pypdfium2
    import zxingcpp

    give_kanagawa_a_long_url(project, '\n  url_display: https://www.pref.kanagawa.jp/')
    out = project / 'dist'
    result = run_cli('build', '--out', str(out), '-p', '14', root=project)
    assert result.returncode == 0, result.stderr
    leaflet = out / NOTICE / 'leaflets' / '14-kanagawa.pdf'
    with pdfplumber.open(leaflet) as pdf:
        printed = pdf.pages[1].extract_text()
    assert 'https://www.pref.kanagawa.jp/' in printed and 'aaaa' not in printed
    image = pypdfium2.PdfDocument(str(leaflet))[1].render(scale=3).to_pil()
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [LONG_URL]
