"""Layout that never loses content: the 照会先 at every letter length, tables across pages;
and a notice makes only what it declares."""

from __future__ import annotations

import io
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pdfplumber
import pytest

from conftest import ROOT, normalize, run_cli

CORPUS = Path(__file__).resolve().parent / 'notices'
LINE = '本文の一行です。' * 4   # 32 full-width characters: one line of the 38-em block

NOTICE = """\
id: growing
date: 2024-10-08
addressees:
  - name: 各都道府県衛生主管部（局）
issuers:
  - 厚生労働省医政局総務課
title: 照会先の試験について
body:
  - 試験です。
closing: 以上
contact:
  label: <照会先>
  offices:
    - name: 厚生労働省医政局総務課
      staff: [平野, 小川]
      extensions: ['2515', '4456']
      phone: 03-5253-1111
      phone_note: 代表
    - name: |
        内閣府男女共同参画局
        男女間暴力対策課
      staff: [笹]
      email: example@cao.go.jp
"""


@pytest.fixture(scope='module')
def letter_maker(tmp_path_factory):
    """A function: body paragraphs → the letter's PDF bytes, rendered in this process."""
    from noticegen.api import check
    from noticegen.build import Worker
    from noticegen.options import Options
    root = tmp_path_factory.mktemp('growing')
    (root / 'notices').mkdir()
    (root / 'notices' / 'growing.yaml').write_text(NOTICE, encoding='utf-8')
    shutil.copytree(ROOT / 'templates', root / 'templates')
    checked = check(Options(root=root, langs=[], cache_dir=root / '.cache'))
    worker = Worker(checked)
    job = checked.jobs[0]

    def make(body: list[str]) -> bytes:
        notice_set = replace(job.notice, notice=job.notice.notice.model_copy(
            update={'body': body}))
        return worker.produce(replace(job, notice=notice_set))
    return make


def test_the_contact_block_prints_whole_at_every_length_from_one_to_three_pages(letter_maker):
    """Grow the body a line at a time: the 照会先 is always there, whole, on one page."""
    contact = ['<照会先>', '厚生労働省医政局総務課', '平野、小川（内線2515、4456）',
               '電話:03-5253-1111(代表)', '内閣府男女共同参画局', '男女間暴力対策課', '笹',
               'example@cao.go.jp']
    seen_pages = set()
    lines = 1
    while True:
        data = letter_maker([LINE] * lines)
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = len(pdf.pages)
            if pages > 3:
                break
            seen_pages.add(pages)
            last = pdf.pages[-1]
            text = normalize(last.extract_text())
            for part in contact:
                assert normalize(part) in text, (lines, pages, part)
            label = next(c for c in last.chars if c['text'] == '<')
            box = [r for r in last.rects if r['x0'] < label['x0'] < r['x1']
                   and r['top'] < label['top'] < r['bottom']]
            assert box, (lines, 'the 照会先 is boxed')
            assert box[0]['bottom'] <= last.height - 20 * 72 / 25.4 + 1, (lines, 'in the text block')
        lines += 1
    assert seen_pages == {1, 2, 3}
    assert lines > 60


TABLE_NOTICE = """\
id: long-table
date: 2024-10-08
addressees:
  - name: 各都道府県衛生主管部（局）
issuers:
  - 厚生労働省医政局総務課
title: 長い表の試験について
body:
  - 下表のとおりです。
  - table:
      caption: 表 一覧
      header: [番号, 名称, 件数]
      align: [right, left, right]
      rows:
{rows}
closing: 以上
"""


def test_a_table_longer_than_a_page_repeats_its_header_and_loses_no_row(tmp_path):
    rows = '\n'.join(f"        - ['{n}', 名称{n}, '{n * 3}']" for n in range(1, 81))
    root = tmp_path / 'project'
    (root / 'notices').mkdir(parents=True)
    (root / 'notices' / 'long-table.yaml').write_text(TABLE_NOTICE.format(rows=rows), 'utf-8')
    shutil.copytree(ROOT / 'templates', root / 'templates')
    result = run_cli('build', '--out', str(tmp_path / 'out'), root=root)
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(tmp_path / 'out' / 'long-table' / 'notice.pdf') as pdf:
        assert len(pdf.pages) >= 2
        seen = []
        for page in pdf.pages:
            tables = page.find_tables()
            assert tables, f'page {page.page_number} holds the table'
            cells = tables[0].extract()
            assert [normalize(c) for c in cells[0]] == ['番号', '名称', '件数']
            seen += [int(row[0]) for row in cells[1:]]
    assert seen == list(range(1, 81))


def test_a_notice_without_attachments_builds_one_pdf_and_no_per_prefecture_documents(tmp_path):
    """Next to the prefecture data, cards and national numbers, a notice that declares no
    outputs makes its letter only; the data no notice uses is not judged."""
    root = tmp_path / 'project'
    for folder in ('prefectures', 'templates', 'cards', 'locales'):
        shutil.copytree(ROOT / folder, root / folder)
    shutil.copytree(CORPUS / 'iseihatsu-0926' / 'notices', root / 'notices')
    shutil.copy(ROOT / 'noticegen.toml', root / 'noticegen.toml')
    out = tmp_path / 'out'
    result = run_cli('build', '--out', str(out), '--lang', 'all', '--strict', root=root)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / 'manifest.json').read_text(encoding='utf-8'))
    assert [(e['path'], e['kind']) for e in manifest['outputs']] == [
        ('iseihatsu-0926/notice.pdf', 'notice')]
    # Besides the build's lock file, the letter and the manifest only.
    assert sorted(str(p.relative_to(out)) for p in out.rglob('*')
                  if p.is_file() and p.name != '.noticegen.lock') == [
        'iseihatsu-0926/notice.pdf', 'manifest.json']
    assert 'data-quality' not in result.stderr
    strict = run_cli('validate', '--strict', root=root)
    assert strict.returncode == 0, strict.stderr
    assert 'warning' not in strict.stderr


def test_outputs_name_what_a_notice_can_make(tmp_path):
    root = tmp_path / 'project'
    shutil.copytree(CORPUS / 'iseihatsu-0926', root)
    shutil.copytree(ROOT / 'templates', root / 'templates')
    notice = root / 'notices' / 'iseihatsu-0926.yaml'
    text = notice.read_text(encoding='utf-8')
    notice.write_text(text + 'outputs: [bundles]\n', encoding='utf-8')
    result = run_cli('validate', root=root)
    assert result.returncode == 1
    assert ("outputs[0]: 'bundles' is not something a notice can make; did you mean "
            "'bundle'?") in result.stderr
    notice.write_text(text + 'outputs: [bundle]\n', encoding='utf-8')
    result = run_cli('build', '--out', str(tmp_path / 'out'), root=root)
    assert result.returncode == 1
    assert ('outputs[0]: bundle is made per prefecture, but prefectures/ holds no prefecture '
            'data') in result.stderr
    assert not (tmp_path / 'out').exists()


def test_an_invalid_notice_marks_only_its_own_files_failed(tmp_path):
    root = tmp_path / 'project'
    shutil.copytree(CORPUS / 'joint-drone', root)
    shutil.copytree(CORPUS / 'iseihatsu-0926' / 'notices', root / 'notices', dirs_exist_ok=True)
    shutil.copytree(ROOT / 'templates', root / 'templates')
    out = tmp_path / 'out'
    assert run_cli('build', '--out', str(out), root=root).returncode == 0
    sheet = root / 'attachments' / 'joint-drone' / 'besshi-1.yaml'
    sheet.write_text(sheet.read_text(encoding='utf-8').replace('widths: [5, 26, 5]',
                                                               'widths: [5, 26]'), 'utf-8')
    result = run_cli('build', '--out', str(out), root=root)
    assert result.returncode == 1
    assert 'attachments/joint-drone/besshi-1.yaml:' in result.stderr
    assert 'widths has 2 values, but the header has 3 columns' in result.stderr
    status = {e['path']: e['status'] for e in json.loads(
        (out / 'manifest.json').read_text(encoding='utf-8'))['outputs']}
    assert status == {'iseihatsu-0926/notice.pdf': 'ok', 'joint-drone/notice.pdf': 'failed',
                      'joint-drone/besshi-1.pdf': 'failed'}
