"""noticegen merge: the institution mail merge, read back from its PDFs, logs and manifest.

Synthetic recipients (tests/synthetic_recipients.py: real postal codes and towns, made-up
names) in three prefectures; each letter is checked by text extraction, the order by postal
code, the bytes across runs, --jobs, a Dask LocalCluster and a separately started Dask
scheduler with two workers, a kill -9 in mid-merge, and a batch's size against its target."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pdfplumber
import pytest

from conftest import ROOT, fonts, run_cli
import synthetic_recipients

PREFECTURES = ('東京都', '神奈川県', '大阪府')
NOTICE = '2024-10-08-onestop'


def digests(out: Path) -> dict[str, str]:
    """Every file the merge wrote, by path, with its sha256."""
    folder = out / 'merge' / NOTICE
    return {str(path.relative_to(out)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob('*')) if path.is_file()}


def merge(source: Path, out: Path, *args: str, check: bool = True):
    result = run_cli('merge', str(source), '--out', str(out), *args)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def read_log(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode('utf-8-sig'), newline='')))


def squash(text: str) -> str:
    return ''.join(text.split())


@pytest.fixture(scope='module')
def recipients_csv(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp('recipients')
    return synthetic_recipients.write(folder / 'recipients.csv', 200, seed=7,
                                      prefectures=PREFECTURES)


@pytest.fixture(scope='module')
def merged(recipients_csv, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp('merged')
    merge(recipients_csv, out, '--batch-size', '80', '--jobs', '2', '--labels')
    return out


def test_every_letter_carries_its_recipient_and_its_prefectures_leaflet(merged,
                                                                        recipients_csv):
    folder = merged / 'merge' / NOTICE
    source = {row['code']: row for row in csv.DictReader(io.StringIO(
        recipients_csv.read_bytes().decode('utf-8-sig'), newline=''))}
    seen = []
    for number in (1, 2, 3):
        log = read_log(folder / 'logs' / f'{number:04d}.csv')
        assert len(log) == (80 if number < 3 else 40)
        with pdfplumber.open(folder / 'batches' / f'{number:04d}.pdf') as pdf:
            assert len(pdf.pages) == int(log[-1]['last_page'])
            for entry in log:
                row = source[entry['code']]
                first, last = int(entry['first_page']), int(entry['last_page'])
                letter = squash(pdf.pages[first - 1].extract_text())
                assert squash(row['name']) in letter
                assert squash(row['address']) in letter
                assert f'〒{row["postal_code"][:3]}-{row["postal_code"][3:]}' in letter
                if row['manager_name']:
                    assert squash(f'{row["manager_title"] or "院長"}{row["manager_name"]}殿') \
                        in letter
                elif row['manager_title']:
                    assert squash(f'{row["manager_title"]}殿') in letter
                else:
                    assert squash(f'{row["name"]}御中') in letter
                prefecture = entry['prefecture']
                name = {'13': '東京都', '14': '神奈川県', '27': '大阪府'}[prefecture]
                assert f'{name}衛生主管部（局）' in letter   # the issuer, as the data has it
                assert 'リーフレットについて' in letter
                leaflet = squash(' '.join(pdf.pages[index].extract_text()
                                          for index in range(last - 2, last)))
                assert name in leaflet and '#8891' in leaflet
                seen.append((row['postal_code'], row['address']))
    assert len(seen) == 200
    assert seen == sorted(seen)   # postal code, then address, across the batches


def test_one_font_program_per_face_and_one_name_per_program(merged):
    """The batches hold letters and leaflets of several prefectures and a block document,
    laid out apart: each face is one program, and no two programs share a subset name."""
    import pikepdf
    batches = sorted((merged / 'merge' / NOTICE / 'batches').glob('*.pdf'))
    labels = sorted((merged / 'merge' / NOTICE / 'labels').glob('*.pdf'))
    assert len(batches) == 3 and len(labels) == 3
    programs_by_name: dict[str, set] = {}
    for path in batches + labels:
        with pikepdf.open(path) as document:
            faces: dict[str, set] = {}
            for name, programs in fonts(document).items():
                assert len(programs) == 1, (path.name, name, len(programs))
                faces.setdefault(name.split('+', 1)[1], set()).update(programs)
                stream = document.get_object(next(iter(programs)))
                programs_by_name.setdefault(name, set()).add(
                    hashlib.sha256(stream.read_bytes()).hexdigest())
            assert faces and (path in labels or set(faces) >= {'BIZ-UDMincho', 'BIZ-UDGothic'})
            assert all(len(programs) == 1 for programs in faces.values()), (path.name, faces)
    assert all(len(digests) == 1 for digests in programs_by_name.values()), {
        name: len(digests) for name, digests in programs_by_name.items() if len(digests) > 1}


def test_labels_logs_and_the_summary(merged):
    folder = merged / 'merge' / NOTICE
    with pdfplumber.open(folder / 'labels' / '0001.pdf') as pdf:
        assert len(pdf.pages) == 7   # 80 labels, 12 a sheet
        first = squash(pdf.pages[0].extract_text())
    log = read_log(folder / 'logs' / '0001.csv')
    assert squash(log[0]['name']) in first and squash(log[11]['name']) in first
    import openpyxl
    book = openpyxl.load_workbook(folder / 'logs' / '0001.xlsx')
    cells = [[cell.value for cell in row] for row in book.active.iter_rows()]
    assert cells[0][:4] == ['batch', 'sequence', 'first_page', 'last_page']
    assert [str(value) for value in cells[5]] == [str(value) for value in log[4].values()]
    summary = read_log(folder / 'summary.csv')
    totals = {row['district']: int(row['pieces']) for row in summary if row['batch'] == 'total'}
    assert totals.pop('all') == 200 == sum(totals.values())
    per_batch = [row for row in summary if row['batch'] == '1']
    assert sum(int(row['pieces']) for row in per_batch) == 80
    assert all(len(row['district']) == 3 for row in per_batch)
    # The manifest lists every file; `manifest check` passes.
    check = run_cli('manifest', 'check', '--out', str(merged))
    assert check.returncode == 0, check.stdout + check.stderr


def test_no_preview_shows_managers_names(merged):
    from noticegen.output.manifest import Manifest
    from noticegen.preview.gallery import _selected
    manifest = Manifest.read(merged)
    assert any(entry.kind == 'merge-letters' for entry in manifest.entries.values())
    assert _selected(manifest, None, None) == []
    assert _selected(manifest, None, None, others=True) == []


def test_the_same_bytes_across_runs_and_jobs(merged, recipients_csv, tmp_path):
    again = tmp_path / 'one-job'
    merge(recipients_csv, again, '--batch-size', '80', '--jobs', '1', '--labels')
    assert digests(again) == digests(merged)
    # A rerun makes nothing: every batch is current.
    rerun = merge(recipients_csv, again, '--batch-size', '80', '--jobs', '1', '--labels')
    assert '0 made, 3 already current' in rerun.stdout
    assert digests(again) == digests(merged)


def test_the_same_bytes_on_a_dask_local_cluster(merged, recipients_csv, tmp_path):
    pytest.importorskip('distributed')
    out = tmp_path / 'dask'
    merge(recipients_csv, out, '--batch-size', '80', '--jobs', '2', '--labels',
          '--executor', 'dask')
    assert digests(out) == digests(merged)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def test_the_same_bytes_on_a_separately_started_dask_cluster(merged, recipients_csv,
                                                              tmp_path):
    pytest.importorskip('distributed')
    dask = Path(sys.executable).parent / 'dask'
    port = _free_port()
    address = f'tcp://127.0.0.1:{port}'
    environment = {**os.environ, 'PYTHONPATH': str(ROOT)}
    started = [subprocess.Popen([str(dask), 'scheduler', '--host', '127.0.0.1', '--port',
                                 str(port), '--no-dashboard'], env=environment,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)]
    try:
        time.sleep(3)
        for _ in range(2):
            started.append(subprocess.Popen(
                [str(dask), 'worker', address, '--nthreads', '1', '--nworkers', '1',
                 '--no-dashboard'], env=environment, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True))
        out = tmp_path / 'cluster'
        merge(recipients_csv, out, '--batch-size', '80', '--labels', '--executor', 'dask',
              '--scheduler', address)
        assert digests(out) == digests(merged)
    finally:
        for process in started:
            os.killpg(process.pid, signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def test_a_worker_with_other_fonts_or_version_refuses_the_batch(recipients_csv):
    from noticegen.merge.batch import BLOCK_STYLESHEET, BLOCK_TEMPLATE, Batch, DigestMismatch, make
    from noticegen.merge.letters import read
    templates = {name: (ROOT / 'templates' / name).read_text(encoding='utf-8')
                 for name in (BLOCK_TEMPLATE, BLOCK_STYLESHEET)}
    batch = Batch(1, tuple(read(recipients_csv)[:2]), {}, templates, 't', 'a',
                  "D:20241008000000+09'00'", False, '0' * 64)
    with pytest.raises(DigestMismatch, match='refused'):
        make(batch)


def test_addressee_forms():
    from noticegen.merge.letters import Recipient

    def person(title, name):
        return Recipient('1', '試験病院', '病院', '1000013', '東京都千代田区霞が関1-3-2', title,
                         name, '', '', '13').addressee()

    assert person('院長', '試験 太郎') == ('院長 試験 太郎', '殿')
    assert person('', '試験 太郎') == ('院長 試験 太郎', '殿')
    assert person('理事長', '') == ('理事長', '殿')
    assert person('', '') == ('', '御中')


def _descendants(pid: int) -> set[int]:
    found = set()
    for entry in Path('/proc').iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / 'stat').read_text().rsplit(')', 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path('/proc') / str(pid) / 'stat').read_text().rsplit(')', 1)[1].split()[0]
    except OSError:
        return False
    return state != 'Z'


def test_killed_mid_merge_a_rerun_completes_with_the_same_bytes(recipients_csv, tmp_path):
    reference = tmp_path / 'reference'
    merge(recipients_csv, reference, '--batch-size', '20', '--jobs', '2')
    out = tmp_path / 'killed'
    process = subprocess.Popen(
        [sys.executable, str(ROOT / 'build.py'), '--root', str(ROOT), 'merge',
         str(recipients_csv), '--out', str(out), '--batch-size', '20', '--jobs', '2'],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    batches = out / 'merge' / NOTICE / 'batches'
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(list(batches.glob('*.pdf'))) < 2:
        time.sleep(0.05)
    workers = _descendants(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 2 <= len(list(batches.glob('*.pdf'))) < 10, 'not killed in mid-merge'
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.1)
    assert workers and not any(_alive(pid) for pid in workers), 'a worker survived'
    check = run_cli('manifest', 'check', '--out', str(out))
    assert check.returncode == 1   # the unfinished batches say so
    rerun = merge(recipients_csv, out, '--batch-size', '20', '--jobs', '2')
    assert 'already current' in rerun.stdout
    assert digests(out) == digests(reference)
    check = run_cli('manifest', 'check', '--out', str(out))
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_batch_stays_within_its_size_target(tmp_path):
    source = synthetic_recipients.write(tmp_path / 'tokyo.csv', 500, seed=3,
                                        prefectures=('東京都',))
    out = tmp_path / 'out'
    merge(source, out, '--jobs', '1')
    batch = out / 'merge' / NOTICE / 'batches' / '0001.pdf'
    from noticegen.load.project import load_project
    from noticegen.merge import run
    project = load_project(ROOT)
    shared = run.shared_pages(project, run.choose_notice(project, None), ['13'],
                              tmp_path / 'cache')['13']
    target = 1.2 * (len(shared.letter) + len(shared.leaflet)) + 500 * 2048
    assert batch.stat().st_size <= target, (batch.stat().st_size, target)
    with pdfplumber.open(batch) as pdf:
        assert len(pdf.pages) == 500 * 3


def test_a_file_that_is_not_a_recipients_file_is_one_error_and_nothing_is_written(tmp_path):
    source = tmp_path / 'other.csv'
    source.write_text('name,address\n試験病院,東京都千代田区霞が関1-3-2\n', encoding='utf-8')
    out = tmp_path / 'out'
    result = merge(source, out, check=False)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {source}: not a recipients.csv of `recipients import` (no column 'code')"]
    assert not out.exists()


def rows_of(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode('utf-8-sig'), newline='')))
    return rows[0], rows[1:]


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    output = io.StringIO()
    csv.writer(output, lineterminator='\r\n').writerows([header, *rows])
    path.write_bytes(output.getvalue().encode('utf-8-sig'))
    return path


@pytest.mark.parametrize('column, value, words', [
    ('name', '試験😀病院', "name: character 3 of the value: U+1F600 '😀' (GRINNING FACE) is not "
                         "in the font 'BIZ UDMincho'"),
    ('address', '東京都𠮷野町1', "address: character 4 of the value: U+20BB7"),
    ('manager_name', '\u202e試験', 'manager_name: character 1 of the value: U+202E'),
    ('name', 'あ' * 200_000, 'not a recipients.csv (field larger than field limit'),
    ('address_number', '<b>1</b>', 'address_number: an address number holds digits'),
    ('address_number', '9-9-9', 'customer_barcode: not the barcode of postal code'),
])
def test_a_row_the_letter_cannot_print_is_one_error_at_its_row(recipients_csv, tmp_path,
                                                                column, value, words):
    """Before, a character missing from the block's font printed in a substitute font
    (DejaVu Sans), and a long cell or a bad address number was 'a bug in noticegen'."""
    header, rows = rows_of(recipients_csv)
    rows[3][header.index(column)] = value
    source = write_rows(tmp_path / 'recipients.csv', header, rows[:5])
    out = tmp_path / 'out'
    result = merge(source, out, '--jobs', '1', check=False)
    assert result.returncode == 1
    assert 'Traceback' not in result.stderr and 'a bug in noticegen' not in result.stderr
    error, = [line for line in result.stderr.splitlines() if line.startswith('error:')]
    assert error.startswith(f'error: {source}:5: ') and words in error, error
    assert not (out / 'merge').exists()


def test_an_addressee_block_too_long_quotes_the_name_shortly(recipients_csv, tmp_path):
    header, rows = rows_of(recipients_csv)
    rows[0][header.index('name')] = '試験' * 250
    source = write_rows(tmp_path / 'recipients.csv', header, rows[:1])
    result = merge(source, tmp_path / 'out', '--jobs', '1', check=False)
    assert result.returncode == 1 and 'Traceback' not in result.stderr
    error, = [line for line in result.stderr.splitlines() if line.startswith('error:')]
    assert error.startswith('error: the addressee block of 試験試験') and 'runs' in error
    assert len(error) < 300, error


def test_a_link_out_of_the_output_folder_is_never_written_through(recipients_csv, tmp_path):
    header, rows = rows_of(recipients_csv)
    source = write_rows(tmp_path / 'recipients.csv', header, rows[:1])
    elsewhere, out = tmp_path / 'elsewhere', tmp_path / 'out'
    elsewhere.mkdir()
    out.mkdir()
    (out / 'merge').symlink_to(elsewhere)
    result = merge(source, out, '--jobs', '1', check=False)
    assert result.returncode == 1 and 'Traceback' not in result.stderr
    assert 'resolves outside' in result.stderr and 'symbolic link' in result.stderr
    assert not list(elsewhere.iterdir())


def test_a_name_that_looks_like_a_formula_stays_text_in_the_logs(recipients_csv, tmp_path):
    """openpyxl writes a str starting '=' as a formula: a list's name could run as one in
    Excel (=HYPERLINK, =WEBSERVICE). Every cell the merge writes is text."""
    from openpyxl import load_workbook
    header, rows = rows_of(recipients_csv)
    name = '=HYPERLINK("http://example.com/","試験病院")'
    rows[0][header.index('name')] = name
    source = write_rows(tmp_path / 'recipients.csv', header, rows[:1])
    out = tmp_path / 'out'
    merge(source, out, '--jobs', '1')
    sheet = load_workbook(out / 'merge' / NOTICE / 'logs' / '0001.xlsx').active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == name]
    assert cells and all(cell.data_type == 's' for cell in cells)
    assert not [cell for row in sheet.iter_rows() for cell in row if cell.data_type == 'f']
