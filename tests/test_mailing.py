"""The national mailing: packets, covers, labels, mailing list, manifest, incremental builds."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pdfplumber
import pypdf
import pytest

from conftest import ROOT, add_tokyo_department, copy_project, run_cli

NOTICE = '2024-10-08-onestop'
ENTRY_FIELDS = {'path': str, 'kind': str, 'notice': str, 'prefecture': (str, type(None)),
                'lang': str, 'pages': int, 'bytes': int, 'sha256': str, 'inputs': str,
                'status': str, 'message': str, 'format': str}


def manifest_of(out: Path) -> dict[str, dict]:
    data = json.loads((out / 'manifest.json').read_text(encoding='utf-8'))
    return {entry['path']: entry for entry in data['outputs']}


def snapshot(out: Path) -> dict[str, tuple[str, int]]:
    import hashlib
    return {str(p.relative_to(out)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in out.rglob('*') if p.is_file()}


def test_manifest_schema_and_consistency(full_build):
    entries = manifest_of(full_build)
    files = {str(p.relative_to(full_build)) for p in full_build.rglob('*')
             if p.is_file() and p.name not in ('manifest.json', '.noticegen.lock')}
    assert set(entries) == files
    kinds = {}
    for path, entry in entries.items():
        assert set(entry) == set(ENTRY_FIELDS)
        for key, kind in ENTRY_FIELDS.items():
            assert isinstance(entry[key], kind), (path, key)
        data = (full_build / path).read_bytes()
        import hashlib
        assert entry['bytes'] == len(data) and entry['sha256'] == hashlib.sha256(data).hexdigest()
        assert entry['status'] == 'ok' and len(entry['inputs']) == 64
        assert entry['lang'] == ('ja' if entry['kind'] not in ('card', 'card-sheet', 'leaflet') else
                                 path.rsplit('/', 1)[1].split('.')[1] if path.count('.') >= 2 else 'ja')
        if path.endswith('.pdf'):
            assert entry['pages'] == len(pypdf.PdfReader(full_build / path).pages)
        kinds[entry['kind']] = kinds.get(entry['kind'], 0) + 1
        assert (entry['prefecture'] is None) == (entry['kind'] in (
            'notice', 'attachment', 'labels', 'mailing-list'))
    # By default: the mailing, the English leaflets, and cards in ja, ja-easy and en (and the
    # ja-easy screen edition), each card with its imposed sheet.
    assert kinds == {'notice': 1, 'attachment': 3, 'labels': 1, 'mailing-list': 1,
                     'leaflet': 94, 'cover': 47, 'bundle': 47, 'packet': 47, 'card': 188,
                     'card-sheet': 141}
    langs = {entry['lang'] for entry in entries.values() if entry['kind'] == 'card'}
    assert langs == {'ja', 'ja-easy', 'en'}
    result = run_cli('manifest', '--check', '--out', str(full_build))
    assert result.returncode == 0, result.stderr
    assert '570 files in the manifest, 0 problems' in result.stdout


def test_manifest_check_finds_a_changed_a_missing_and_a_stray_file(tmp_path, full_build):
    out = tmp_path / 'dist'
    shutil.copytree(full_build, out)
    (out / NOTICE / 'packets' / '13-tokyo.pdf').write_bytes(b'%PDF-1.7 tampered')
    (out / NOTICE / 'leaflets' / '14-kanagawa.pdf').unlink()
    (out / NOTICE / 'stray.pdf').write_bytes(b'%PDF-1.7')
    result = run_cli('manifest', '--check', '--out', str(out))
    assert result.returncode == 1
    assert f'{NOTICE}/packets/13-tokyo.pdf: does not match the manifest' in result.stderr
    assert f'{NOTICE}/leaflets/14-kanagawa.pdf: missing' in result.stderr
    assert f'{NOTICE}/stray.pdf: not in the manifest' in result.stderr
    # The next build reconciles: what is missing or changed is made again.
    rebuilt = run_cli('build', '--out', str(out))
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert 'built  ' + str(out / NOTICE / 'packets' / '13-tokyo.pdf') in rebuilt.stdout
    assert 'built  ' + str(out / NOTICE / 'leaflets' / '14-kanagawa.pdf') in rebuilt.stdout
    assert (out / NOTICE / 'packets' / '13-tokyo.pdf').read_bytes() == (
        full_build / NOTICE / 'packets' / '13-tokyo.pdf').read_bytes()


def test_packet_is_cover_letter_and_all_attachments(full_build):
    reader = pypdf.PdfReader(full_build / NOTICE / 'packets' / '36-tokushima.pdf')
    # One top-level bookmark per document (pypdf lists each one's own bookmarks after it).
    assert [e.title.split(' ')[0] for e in reader.outline if not isinstance(e, list)] == [
        '送付状', '事務連絡', '別添1', '別添2', '別添3', '別添4']
    with pdfplumber.open(full_build / NOTICE / 'covers' / '36-tokushima.pdf') as pdf:
        assert len(pdf.pages) == 1
        text = pdf.pages[0].extract_text().replace(' ', '')
    assert '徳島県衛生主管部（局）御中' in text
    assert 'ワンストップ支援センター所管部（局）御中' in text and '徳島県性犯罪' in text
    assert '令和6年10月8日' in text and '厚生労働省医政局総務課' in text
    assert '＜照会先＞' in text and '03-5253-1111' in text
    for label, pages in (('事務連絡', 3), ('別添1', 2), ('別添2', 1), ('別添4', 1)):
        line = next(line for line in text.splitlines() if label in line)
        assert line.endswith(f'{pages}枚'), line
    total = sum(len(pypdf.PdfReader(full_build / NOTICE / name).pages) for name in (
        'covers/36-tokushima.pdf', 'bundles/36-tokushima.pdf'))
    assert len(reader.pages) == total


def test_mailing_list_and_labels(full_build):
    text = (full_build / NOTICE / 'mailing-list.csv').read_bytes()
    assert text.startswith('\ufeff'.encode())
    rows = list(csv.DictReader(io.StringIO(text.decode('utf-8-sig'))))[:-1]  # then the totals
    assert len(rows) == 94
    entries = manifest_of(full_build)
    for row in rows:
        packet = entries[row['packet']]
        assert row['sha256'] == packet['sha256'] and int(row['pages']) == packet['pages']
        assert row['status'] == 'ok'
    tokyo = [row['addressee'] for row in rows if row['code'] == '13']
    assert tokyo[0] == '東京都衛生主管部（局）'
    with pdfplumber.open(full_build / NOTICE / 'labels.pdf') as pdf:
        assert len(pdf.pages) == 8  # 94 labels, 12 to a sheet
        first = pdf.pages[0].extract_text().replace(' ', '')
    assert '北海道衛生主管部（局）御中' in first and '01-1' in first


def test_department_data_is_used_where_present(project, tmp_path):
    add_tokyo_department(project)
    out = tmp_path / 'dist'
    result = run_cli('build', '--out', str(out), root=project)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(
        (out / NOTICE / 'mailing-list.csv').read_text(encoding='utf-8-sig'))))
    health = next(row for row in rows if row['code'] == '13' and row['department'] == 'health')
    assert (health['addressee'], health['postal_code']) == ('東京都保健医療局医療政策部', '163-8001')
    with pdfplumber.open(out / NOTICE / 'covers' / '13-tokyo.pdf') as pdf:
        assert '東京都保健医療局医療政策部' in pdf.pages[0].extract_text()
    with pdfplumber.open(out / NOTICE / 'labels.pdf') as pdf:
        text = pdf.pages[2].extract_text()  # six prefectures to a sheet: 13 is on the third
    assert '13-1' in text and '〒163-8001' in text.replace(' ', '')


@pytest.fixture(scope='module')
def built_copy(tmp_path_factory):
    """A copy of the project, built once with two workers."""
    root = copy_project(tmp_path_factory.mktemp('incremental') / 'project')
    out = root / 'dist'
    result = run_cli('build', '--out', str(out), '--jobs', '2', root=root)
    assert result.returncode == 0, result.stderr
    return root, out


def test_changing_one_prefecture_rebuilds_only_its_outputs(built_copy):
    root, out = built_copy
    before = snapshot(out)
    time.sleep(0.01)
    path = root / 'prefectures' / '14-kanagawa.yaml'
    text = path.read_text(encoding='utf-8')
    # The hours of the first phone (printed under its number on the leaflet).
    changed = text.replace('    hours: 24時間365日\n', '    hours: 24時間365日（年中無休）\n', 1)
    assert changed != text
    path.write_text(changed, encoding='utf-8')
    result = run_cli('build', '--out', str(out), root=root)
    assert result.returncode == 0, result.stderr
    after = snapshot(out)
    # Everything of 14 that prints hours; its cover lists titles and page counts only.
    expected = {name for name in before if '14-kanagawa' in name and '/covers/' not in name}
    # Leaflets ja and en, cards ja, ja-easy (and its screen edition) and en, their imposed
    # sheets, bundle, packet.
    assert len(expected) == 11
    # The mailing list and the manifest hold the packets' checksums, so they change too.
    listings = {f'{NOTICE}/mailing-list.csv', 'manifest.json'}
    for name, (digest, mtime) in before.items():
        if name in expected | listings:
            assert after[name][0] != digest, f'{name} should have changed'
        else:
            assert after[name] == (digest, mtime), f'{name} was touched'
    assert result.stdout.strip().endswith('unchanged, 0 failed in ' +
                                          result.stdout.strip().split(' in ')[-1])
    assert result.stdout.count('    built  ') == 12  # eleven PDFs and the mailing list
    again = run_cli('build', '--out', str(out), root=root)
    assert '0 built, 0 re-rendered identical, 570 unchanged, 0 failed' in again.stdout


def test_a_prefecture_with_bad_data_fails_and_its_packet_is_marked(built_copy):
    root, out = built_copy
    path = root / 'prefectures' / '24-mie.yaml'
    original = path.read_text(encoding='utf-8')
    packet = out / NOTICE / 'packets' / '24-mie.pdf'
    previous = packet.read_bytes()
    try:
        path.write_text(original.replace('number: 059-253-4115', 'number: 059-253-41'),
                        encoding='utf-8')
        result = run_cli('build', '--out', str(out), root=root)
        assert result.returncode == 1
        assert 'prefectures/24-mie.yaml:' in result.stderr and 'Traceback' not in result.stderr
        assert packet.read_bytes() == previous                  # kept on disk ...
        entries = manifest_of(out)
        assert entries[f'{NOTICE}/packets/24-mie.pdf']['status'] == 'failed'   # ... but marked
        assert 'source invalid' in entries[f'{NOTICE}/packets/24-mie.pdf']['message']
        assert entries[f'{NOTICE}/packets/13-tokyo.pdf']['status'] == 'ok'
        check = run_cli('manifest', '--check', '--out', str(out))
        assert check.returncode == 1 and 'packets/24-mie.pdf: marked failed' in check.stderr
    finally:
        path.write_text(original, encoding='utf-8')
    fixed = run_cli('build', '--out', str(out), root=root)
    assert fixed.returncode == 0, fixed.stderr
    assert manifest_of(out)[f'{NOTICE}/packets/24-mie.pdf']['status'] == 'ok'


def test_kill_and_resume_leaves_no_partial_file(tmp_path, full_build):
    out = tmp_path / 'dist'
    process = subprocess.Popen(
        [sys.executable, str(ROOT / 'build.py'), 'build', '--out', str(out), '--jobs', '2'],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        packets = out / NOTICE / 'packets'
        if packets.is_dir() and len(list(packets.iterdir())) >= 5:
            break
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    written = [p for p in out.rglob('*.pdf')]
    expected = [p for p in full_build.rglob('*.pdf')]
    assert 0 < len(written) < len(expected), 'the kill came too late to test anything'
    for pdf in written:
        data = pdf.read_bytes()
        assert data.startswith(b'%PDF-') and data.rstrip().endswith(b'%%EOF'), pdf
        pypdf.PdfReader(pdf)  # parses
    entries = manifest_of(out)
    for path, entry in entries.items():  # the manifest only lists finished files
        assert (out / path).is_file()
    result = run_cli('build', '--out', str(out))
    assert result.returncode == 0, result.stderr
    # What the manifest listed is not made again (files written after its last update are
    # re-rendered to identical bytes, and counted as such).
    unchanged = int(re.search(r'(\d+) unchanged', result.stdout)[1])
    identical = int(re.search(r'(\d+) re-rendered identical', result.stdout)[1])
    assert unchanged >= len(entries)
    assert int(re.search(r'(\d+) built', result.stdout)[1]) + identical + unchanged == 570
    assert not list(out.rglob('.*.part'))
    assert snapshot_digests(out) == snapshot_digests(full_build)


def snapshot_digests(out: Path) -> dict[str, str]:
    return {name: digest for name, (digest, _) in snapshot(out).items()}


def test_changing_a_stylesheet_rebuilds_exactly_what_uses_it(built_copy):
    root, out = built_copy
    assert run_cli('build', '--out', str(out), root=root).returncode == 0
    before = snapshot(out)
    css = root / 'templates' / 'summary.css'
    css.write_text(css.read_text(encoding='utf-8').replace(
        '.source { font-size: 8.5pt; color: #444; }', '.source { font-size: 8.5pt; color: #333; }'),
        encoding='utf-8')
    result = run_cli('build', '--out', str(out), root=root)
    assert result.returncode == 0, result.stderr
    after = snapshot(out)
    changed = {name for name in before if after[name] != before[name]}
    summaries = {f'{NOTICE}/betten-{n}.pdf' for n in (2, 3, 4)}
    made_from_them = {name for name in before if '/bundles/' in name or '/packets/' in name}
    listings = {f'{NOTICE}/mailing-list.csv', 'manifest.json'}
    assert summaries <= changed
    assert changed - listings == summaries | made_from_them
