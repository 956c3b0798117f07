"""Previews: page images, ink per kind, gallery links, visual diffs, and the live gallery."""

from __future__ import annotations

import html.parser
import json
import re
import shutil
import socket
import subprocess
import sys
import time
from urllib.parse import unquote, urlsplit

import pypdf
import pytest

from conftest import ROOT, copy_project, run_cli

NOTICE = '2024-10-08-onestop'
DPI = 50
# The share of dark pixels each kind of page may have: an empty or all-black page fails.
INK = {'notice': (0.005, 0.15), 'attachment': (0.02, 0.2), 'leaflet': (0.01, 0.3),
       'cover': (0.01, 0.15), 'labels': (0.005, 0.15), 'card': (0.005, 0.3)}
# (A card's back holds two short lines and the date: about 0.7 % of its small face.)


@pytest.fixture(scope='module')
def previewed(full_build, tmp_path_factory):
    out = tmp_path_factory.mktemp('preview') / 'dist'
    shutil.copytree(full_build, out)
    result = run_cli('preview', '--out', str(out), '--dpi', str(DPI))
    assert result.returncode == 0, result.stderr
    return out


def test_pages_match_the_pdfs_at_the_dpi(previewed):
    from PIL import Image
    record = json.loads((previewed / 'preview' / 'previews.json').read_text(encoding='utf-8'))
    manifest = {e['path']: e for e in json.loads(
        (previewed / 'manifest.json').read_text(encoding='utf-8'))['outputs']}
    assert set(record) == {path for path, e in manifest.items()
                           if e['kind'] in INK}  # bundles and packets are not previewed
    for path, entry in record.items():
        reader = pypdf.PdfReader(previewed / path)
        assert len(entry['pages']) == len(reader.pages), path
        for page, png in zip(reader.pages, entry['pages']):
            width, height = float(page.mediabox.width), float(page.mediabox.height)
            with Image.open(previewed / png) as image:
                assert abs(image.width - width * DPI / 72) <= 1
                assert abs(image.height - height * DPI / 72) <= 1


def test_every_page_has_the_ink_its_kind_expects(previewed):
    from PIL import Image

    from noticegen.preview.gallery import ink
    record = json.loads((previewed / 'preview' / 'previews.json').read_text(encoding='utf-8'))
    manifest = {e['path']: e for e in json.loads(
        (previewed / 'manifest.json').read_text(encoding='utf-8'))['outputs']}
    for path, entry in record.items():
        low, high = INK[manifest[path]['kind']]
        for png in entry['pages']:
            with Image.open(previewed / png) as image:
                assert low < ink(image) < high, (png, ink(image))


def test_ink_check_fails_on_blank_and_black_pages():
    from PIL import Image

    from noticegen.preview.gallery import ink
    assert ink(Image.new('RGB', (100, 100), 'white')) == 0
    assert ink(Image.new('RGB', (100, 100), 'black')) == 1


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ('href', 'src') and value:
                self.links.append(value)


def test_every_gallery_link_resolves(previewed):
    gallery = previewed / 'preview' / 'index.html'
    parser = Links()
    parser.feed(gallery.read_text(encoding='utf-8'))
    assert len(parser.links) > 300
    text = gallery.read_text(encoding='utf-8')
    for link in parser.links:
        if link.startswith('#'):    # the prefecture index: an anchor in the page
            assert f'id="{link[1:]}"' in text, link
            continue
        target = (gallery.parent / unquote(urlsplit(link).path)).resolve()
        assert target.is_file(), link
    kinds = {'contact-leaflet.png', 'contact-notice.png', 'contact-cover.png'}
    assert kinds <= {p.name for p in (previewed / 'preview').iterdir()}
    assert f'{NOTICE}/leaflets/13-tokyo.pdf' in text
    # Japanese first: the page, and within a prefecture the Japanese document before others.
    assert '<html lang="ja">' in text
    assert text.index(f'{NOTICE}/leaflets/13-tokyo.pdf"') < text.index(
        f'{NOTICE}/leaflets/13-tokyo.en.pdf"')
    # Alt texts name the document and the page, never a file path.
    alts = re.findall(r'<img alt="([^"]*)"', text)
    assert alts and not any('.png' in alt or '/' in alt.split('（')[0] for alt in alts)
    assert '別添1 医療機関向けにセンターを紹介したリーフレット（東京都）（日本語）2/2ページ' in alts
    # Every prefecture is in the index; the mailing list (not a PDF) is linked, as CSV.
    for code in range(1, 48):
        assert f'href="#pref-{code:02d}"' in text
    assert 'data-format="CSV"' in text and 'id="filter-format"' in text


def test_contact_sheets_label_prefecture_and_language(previewed):
    from PIL import Image
    with Image.open(previewed / 'preview' / 'contact-card.png') as sheet:
        # The first row's label: the prefecture's code at the top, the language below it.
        code = sheet.crop((0, 8, 72, 24)).convert('L')
        language = sheet.crop((0, 26, 72, 40)).convert('L')
        assert code.getextrema()[0] < 128 and language.getextrema()[0] < 128


def test_the_gallery_lists_the_last_builds_failures(previewed, tmp_path):
    out = tmp_path / 'dist'
    shutil.copytree(previewed, out)
    manifest = json.loads((out / 'manifest.json').read_text(encoding='utf-8'))
    for entry in manifest['outputs']:
        if entry['path'] == f'{NOTICE}/leaflets/47-okinawa.pdf':
            entry['status'], entry['message'] = 'failed', 'leaflet 47: 3 pages, budget 2'
    (out / 'manifest.json').write_text(json.dumps(manifest), encoding='utf-8')
    assert run_cli('preview', '--out', str(out), '--dpi', str(DPI)).returncode == 0
    text = (out / 'preview' / 'index.html').read_text(encoding='utf-8')
    assert 'id="build-errors"' in text
    assert f'{NOTICE}/leaflets/47-okinawa.pdf: leaflet 47: 3 pages, budget 2' in text


def test_diff_catches_a_one_digit_change_and_names_the_page(full_build, tmp_path):
    root = copy_project(tmp_path / 'project')
    out = root / 'dist'
    shutil.copytree(full_build, out)
    identical = run_cli('diff', '--out', str(out), '--baseline', str(full_build), root=root)
    assert identical.returncode == 0, identical.stdout + identical.stderr
    assert '0 changes' in identical.stdout
    # Kanagawa's first number prints (its page is dated 2024-01-18).
    path = root / 'prefectures' / '14-kanagawa.yaml'
    path.write_text(path.read_text(encoding='utf-8').replace(
        'number: 045-322-7379', 'number: 045-322-7378'), encoding='utf-8')
    assert run_cli('build', '--out', str(out), root=root).returncode == 0
    result = run_cli('diff', '--out', str(out), '--baseline', str(full_build), root=root)
    assert result.returncode == 1
    changed = [line for line in result.stdout.splitlines() if line.startswith('changed:')]
    # The number is on both pages of the leaflets (ja, en: page 1's numbers band and page 2's
    # centers) and inside each card (ja, ja-easy and its screen edition, en: face 2). The
    # imposed sheets are not previewed.
    assert sorted(line.split(':')[1].strip() for line in changed) == sorted(
        [f'{NOTICE}/cards/14-kanagawa.{lang}.pdf page 2'
         for lang in ('en', 'ja', 'ja-easy', 'ja-easy.screen')]
        + [f'{NOTICE}/leaflets/14-kanagawa{suffix}.pdf page {page}'
           for suffix in ('.en', '') for page in (1, 2)])
    assert (out / 'diff' / NOTICE / 'leaflets' / '14-kanagawa' / 'page-2.png').is_file()
    report = (out / 'diff' / 'index.html').read_text(encoding='utf-8')
    assert '14-kanagawa.pdf' in report
    only = run_cli('diff', '--out', str(out), '--baseline', str(full_build), '--report-only',
                   root=root)
    assert only.returncode == 0


def test_diff_reports_added_removed_and_repaginated(full_build, tmp_path):
    out = tmp_path / 'dist'
    shutil.copytree(full_build, out)
    manifest_path = out / 'manifest.json'
    manifest = json.loads(manifest_path.read_text(encoding='utf-8'))
    entries = {e['path']: e for e in manifest['outputs']}
    # Pretend the leaflet of 01 is gone and the letter has one page more than before.
    baseline = tmp_path / 'baseline'
    shutil.copytree(full_build, baseline)
    letter = baseline / NOTICE / 'notice.pdf'
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(letter))
    writer.add_blank_page()
    writer.write(letter)
    base_manifest = json.loads((baseline / 'manifest.json').read_text(encoding='utf-8'))
    for entry in base_manifest['outputs']:
        if entry['path'] == f'{NOTICE}/notice.pdf':
            entry['sha256'] = 'changed'
    (baseline / 'manifest.json').write_text(json.dumps(base_manifest), encoding='utf-8')
    del entries[f'{NOTICE}/leaflets/01-hokkaido.pdf']
    manifest['outputs'] = list(entries.values())
    manifest_path.write_text(json.dumps(manifest), encoding='utf-8')
    result = run_cli('diff', '--out', str(out), '--baseline', str(baseline))
    assert result.returncode == 1
    assert f'removed: {NOTICE}/leaflets/01-hokkaido.pdf' in result.stdout
    assert f'repaginated: {NOTICE}/notice.pdf: 4 → 3 pages' in result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def test_serve_on_a_port_in_use_is_one_line_and_builds_nothing(tmp_path):
    root = copy_project(tmp_path / 'project')
    with socket.socket() as taken:
        taken.bind(('127.0.0.1', 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        result = run_cli('serve', '--port', str(port), root=root)
        elapsed = time.monotonic() - started
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [f'error: port {port} on 127.0.0.1 is in use (another serve?); stop it, '
                     f'or choose another port with --port (0: any free port)'], result.stderr
    assert not (root / 'dist').exists()      # it binds before it builds
    assert elapsed < 20


def test_serve_watches_sources_in_bursts_and_ignores_editor_temporaries(tmp_path):
    import threading

    from noticegen.preview.serve import is_source_change, watch
    for name in ('.#13-tokyo.yaml', '13-tokyo.yaml~', '.13-tokyo.yaml.swp', '.x.swo',
                 '#13-tokyo.yaml#', '4913', 'x___jb_tmp___', 'x.yaml.tmp'):
        assert not is_source_change(None, f'/p/prefectures/{name}'), name
    assert is_source_change(None, '/p/prefectures/13-tokyo.yaml')
    assert not is_source_change(None, '/p/templates/.git/x.html')
    root = tmp_path / 'project'
    for folder in ('notices', 'prefectures', 'templates'):
        (root / folder).mkdir(parents=True)
    stop = threading.Event()
    batches: list[set[str]] = []
    ready = threading.Event()

    def run():
        ready.set()
        for changed in watch(root, stop, quiet_ms=300, debounce_ms=3000):
            batches.append(changed)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait()
    time.sleep(1)   # the watcher is set up
    for name in ('.#a.yaml', 'a.yaml~', '.a.yaml.swp', '4913'):
        (root / 'prefectures' / name).write_text('x', encoding='utf-8')
    time.sleep(1.5)
    assert batches == []     # temporaries alone trigger nothing
    for index, folder in enumerate(('notices', 'prefectures', 'templates')):
        (root / folder / f'{index}.yaml').write_text('x', encoding='utf-8')
        time.sleep(0.05)
    deadline = time.monotonic() + 10
    while not batches and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1)
    stop.set()
    thread.join(timeout=10)
    assert batches == [{'notices/0.yaml', 'prefectures/1.yaml', 'templates/2.yaml'}]


CHROMIUM = shutil.which('chromium')
CHROMEDRIVER = shutil.which('chromedriver')


@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                    reason='needs Debian chromium and chromium-driver (./dev.sh test installs them)')
def test_live_gallery_shows_an_edit_without_a_manual_reload(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    root = copy_project(tmp_path / 'project')
    out = root / 'dist'
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(ROOT / 'build.py'), '--root', str(root), 'serve', '--out', str(out),
         '-p', '14', '--port', str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic',
                 '--no-first-run', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
                 f'--user-data-dir={tmp_path / "chromium"}'):
        options.add_argument(flag)
    driver = None
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                socket.create_connection(('127.0.0.1', port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read()
                time.sleep(0.2)
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        driver.get(f'http://127.0.0.1:{port}/preview/index.html')
        selector = f'div.doc[data-path="{NOTICE}/leaflets/14-kanagawa.pdf"] img'

        def leaflet_images():
            return [img.get_attribute('src') for img in driver.find_elements(By.CSS_SELECTOR, selector)]

        # serve binds before it builds: the first page says it is building, and reloads
        # itself into the gallery when the first build is done.
        WebDriverWait(driver, 180, poll_frequency=0.5).until(
            lambda d: len(leaflet_images()) == 2)
        before = leaflet_images()
        loaded = driver.execute_script(
            'return Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)')
        assert loaded
        driver.execute_script('window.__marker = 1')  # gone once the page reloads itself
        path = root / 'prefectures' / '14-kanagawa.yaml'
        path.write_text(path.read_text(encoding='utf-8').replace(
            'number: 045-322-7379', 'number: 045-322-7378'), encoding='utf-8')
        WebDriverWait(driver, 90, poll_frequency=0.5).until(
            lambda d: d.execute_script('return window.__marker === undefined')
            and leaflet_images() and leaflet_images() != before)
        after = leaflet_images()
        assert after[1] != before[1]  # the back page, where the number is, is a new image
        assert driver.execute_script(
            'return Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)')
        assert not driver.find_elements(By.ID, 'noticegen-error')

        # A broken source: every page shows the error as a banner, over the last good pictures.
        good = path.read_text(encoding='utf-8')
        broken = good.replace("code: '14'", 'code: 14', 1)
        assert broken != good
        path.write_text(broken, encoding='utf-8')
        WebDriverWait(driver, 90, poll_frequency=0.5).until(
            lambda d: d.find_elements(By.ID, 'noticegen-error'))
        banner = driver.find_element(By.ID, 'noticegen-error').text
        assert 'prefectures/14-kanagawa.yaml:3:7: error: code:' in banner, banner
        assert leaflet_images() == after
        # Fixed: the banner goes away at the next rebuild.
        path.write_text(good, encoding='utf-8')
        WebDriverWait(driver, 90, poll_frequency=0.5).until(
            lambda d: not d.find_elements(By.ID, 'noticegen-error') and leaflet_images())
        assert leaflet_images() == after
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                    reason='needs Debian chromium and chromium-driver (./dev.sh test installs them)')
def test_gallery_index_links_every_prefecture_and_the_filter_narrows_the_images(previewed,
                                                                               tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ('--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update',
                 '--disable-sync', '--disable-dev-shm-usage', '--allow-file-access-from-files',
                 f'--user-data-dir={tmp_path / "chromium"}'):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.get((previewed / 'preview' / 'index.html').as_uri())

        def visible_images():
            return driver.execute_script(
                "return Array.from(document.querySelectorAll('.doc img'))"
                ".filter(i => i.offsetParent !== null).length")

        def visible_docs(attribute):
            return driver.execute_script(
                "return Array.from(document.querySelectorAll('.doc'))"
                f".filter(d => !d.hidden).map(d => d.dataset.{attribute})")

        total = visible_images()
        assert total > 300
        # The index links every prefecture, each to a document of that prefecture.
        links = driver.find_elements(By.CSS_SELECTOR, '#prefectures a')
        assert [link.get_attribute('data-pref') for link in links] == [
            f'{code:02d}' for code in range(1, 48)]
        for link in links:
            code = link.get_attribute('data-pref')
            assert driver.execute_script(
                'var t = document.getElementById(arguments[0]); return t && t.dataset.pref',
                f'pref-{code}') == code
        # The filter narrows the images: by prefecture, then by language too.
        Select(driver.find_element(By.ID, 'filter-pref')).select_by_value('13')
        tokyo = visible_images()
        assert 0 < tokyo < total
        assert set(visible_docs('pref')) == {'13'}
        Select(driver.find_element(By.ID, 'filter-lang')).select_by_value('en')
        english = visible_images()
        assert 0 < english < tokyo
        assert set(visible_docs('lang')) == {'en'}
        Select(driver.find_element(By.ID, 'filter-kind')).select_by_value('card')
        assert visible_images() == 4 and visible_docs('kind') == ['card']   # its four faces
        driver.find_element(By.ID, 'filter-reset').click()
        assert visible_images() == total
        # An index link selects its prefecture.
        driver.find_element(By.CSS_SELECTOR, '#prefectures a[data-pref="47"]').click()
        assert set(visible_docs('pref')) == {'47'}
        assert driver.find_element(By.ID, 'filter-count').text.endswith('件')
    finally:
        driver.quit()


@pytest.mark.parametrize('damage', ['garbage', 'missing'])
def test_a_pdf_changed_since_the_build_is_one_error(tmp_path, damage):
    """Before, pypdfium2's PdfiumError on a damaged or missing PDF was 'a bug in noticegen'."""
    root = copy_project(tmp_path / 'project')
    out = tmp_path / 'dist'
    built = run_cli('build', '--out', str(out), '-p', '13', '--lang', 'none', root=root)
    assert built.returncode == 0, built.stderr
    pdf = out / NOTICE / 'betten-2.pdf'
    if damage == 'garbage':
        pdf.write_bytes(b'garbage')
    else:
        pdf.unlink()
    result = run_cli('preview', '--out', str(out), '--dpi', str(DPI), root=root)
    assert result.returncode == 1
    assert 'Traceback' not in result.stderr and 'a bug' not in result.stderr, result.stderr
    assert result.stderr.startswith(f'error: {pdf}: '), result.stderr
    assert 'build again' in result.stderr


def test_diff_against_a_damaged_baseline_is_one_error(tmp_path):
    root = copy_project(tmp_path / 'project')
    baseline, out = tmp_path / 'baseline', tmp_path / 'dist'
    for folder, date in ((baseline, '2024-10-08'), (out, '2024-10-09')):
        notice = root / 'notices' / f'{NOTICE}.yaml'
        notice.write_text(notice.read_text(encoding='utf-8').replace(
            'date: 2024-10-08', f'date: {date}'), encoding='utf-8')
        built = run_cli('build', '--out', str(folder), '-p', '13', '--lang', 'none', root=root)
        assert built.returncode == 0, built.stderr
    damaged = baseline / NOTICE / 'notice.pdf'
    damaged.write_bytes(b'garbage')
    result = run_cli('diff', '--out', str(out), '--baseline', str(baseline), root=root)
    assert result.returncode == 1
    assert 'Traceback' not in result.stderr and 'a bug' not in result.stderr, result.stderr
    assert f'error: {damaged}: cannot be read as a PDF' in result.stderr, result.stderr
