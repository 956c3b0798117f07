"""Text stays text, the fetcher stays home, and builds are byte-identical."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pdfplumber
import pytest

from conftest import FIXTURES, ROOT, SEED_NOTICE, SEED_PDF, normalize, run_cli

HOSTILE = '<img src="file:///etc/hostname"><link rel=stylesheet href="http://example.com/x.css">'


def test_markup_in_a_field_prints_literally_and_fetches_nothing(project, monkeypatch):
    path = project / SEED_NOTICE
    text = path.read_text(encoding='utf-8').replace(
        'ki: 記', f"ki: '{HOSTILE}'")
    path.write_text(text, encoding='utf-8')

    from noticegen.api import check
    from noticegen.build import Worker
    from noticegen.options import Options

    checked = check(Options(root=project))
    worker = Worker(checked)
    renderer = worker.renderer
    fetched = []
    original = type(renderer.fetcher).fetch
    monkeypatch.setattr(type(renderer.fetcher), 'fetch',
                        lambda self, url, headers=None: fetched.append(url) or original(self, url, headers))
    letter = next(job for job in checked.jobs if job.output.endswith('/notice.pdf'))
    pdf = worker.produce(letter)
    out = project / 'letter.pdf'
    out.write_bytes(pdf)
    with pdfplumber.open(out) as document:
        extracted = normalize(''.join(page.extract_text() for page in document.pages))
        images = sum(len(page.images) for page in document.pages)
    assert normalize(HOSTILE) in extracted
    assert images == 0
    assert fetched == []
    assert renderer.refused == []


def fetcher_render(project: Path, css: str):
    from noticegen.errors import RenderError
    from noticegen.render.engine import Renderer

    (project / 'templates' / 'probe.css').write_text(css, encoding='utf-8')
    renderer = Renderer(project / 'templates')
    try:
        renderer.render('<html lang="ja"><body><p class="probe">あ</p></body></html>', ['probe.css'])
    except RenderError as error:
        return renderer, str(error)
    return renderer, None


def test_fetcher_refuses_a_file_outside_the_asset_folders(project):
    renderer, error = fetcher_render(
        project, '.probe { background: url("file:///etc/hostname"); }')
    assert error and 'refused file:///etc/hostname' in error
    assert 'outside the asset folders' in error


def test_fetcher_refuses_a_symlink_out_of_the_asset_folders(project):
    (project / 'templates' / 'escape.png').symlink_to('/etc/hostname')
    renderer, error = fetcher_render(project, '.probe { background: url("escape.png"); }')
    assert error and 'escape.png' in error and '/etc/hostname is outside' in error


def test_fetcher_refuses_network_urls(project):
    renderer, error = fetcher_render(
        project, '.probe { background: url("https://example.com/a.png"); }')
    assert error and 'never network URLs' in error


def test_fetcher_serves_files_inside_the_asset_folders(project):
    import base64
    pixel = base64.b64decode(
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==')
    (project / 'templates' / 'dot.png').write_bytes(pixel)
    renderer, error = fetcher_render(project, '.probe { background: url("dot.png"); }')
    assert error is None
    assert renderer.refused == []


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_builds_in_separate_processes_are_byte_identical(tmp_path, full_build):
    out = tmp_path / 'again'
    result = run_cli('build', '--out', str(out), env={'PYTHONHASHSEED': '12345', 'TZ': 'Asia/Tokyo'})
    assert result.returncode == 0, result.stderr
    first = {p.relative_to(full_build): sha256(p) for p in full_build.rglob('*') if p.is_file()}
    second = {p.relative_to(out): sha256(p) for p in out.rglob('*') if p.is_file()}
    assert len(first) == 572  # 569 PDFs, the mailing list, the manifest and the (empty) lock
    assert first == second


def test_unchanged_output_is_left_alone(tmp_path):
    out = tmp_path / 'dist'
    assert run_cli('build', '--out', str(out), '-p', '13').returncode == 0
    before = (out / SEED_PDF).stat().st_mtime_ns
    result = run_cli('build', '--out', str(out), '-p', '13', env={'PYTHONHASHSEED': '1'})
    assert '0 built, 0 re-rendered identical, 16 unchanged, 0 failed' in result.stdout
    assert (out / SEED_PDF).stat().st_mtime_ns == before
    assert not [p for p in out.rglob('*')
                if p.name.startswith('.') and p.name != '.noticegen.lock']


@pytest.fixture(scope='module')
def short_pdf(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp('short')
    shutil.copytree(FIXTURES / 'single-page' / 'notices', root / 'notices')
    shutil.copytree(ROOT / 'templates', root / 'templates')
    out = root / 'dist'
    result = run_cli('build', '--out', str(out), root=root)
    assert result.returncode == 0, result.stderr
    return out / '2019-05-07-short' / 'notice.pdf'


def test_single_page_letter_has_no_page_number(short_pdf):
    with pdfplumber.open(short_pdf) as document:
        assert len(document.pages) == 1
        page = document.pages[0]
        footer = page.within_bbox((0, page.height - 60, page.width, page.height))
        assert footer.extract_text().strip() == ''


def test_full_width_style_widens_generated_numerals_only(short_pdf):
    with pdfplumber.open(short_pdf) as document:
        text = document.pages[0].extract_text()
    compact = text.replace(' ', '')
    assert '令和元年５月７日' in compact                     # the date
    assert '１．第一の項目' in compact and '２．第二の項目' in compact  # markers
    assert '（１）細目' in compact
    assert '半角の47と全角の４７' in compact                  # author text untouched
    assert '03-5253-1111' in compact                        # phone untouched
    assert 'https://www.mhlw.go.jp/' in compact             # URL untouched
    assert '以上' in compact


def test_missing_template_is_an_error_not_a_traceback(project):
    (project / 'templates' / 'letter.css').unlink()
    result = run_cli('validate', root=project)
    assert result.returncode == 1
    assert 'templates/letter.css: template not found' in result.stderr
    assert 'Traceback' not in result.stderr
