"""Shared fixtures: a copy of the project to break, and the seed letter built once."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / 'fixtures'
SEED_NOTICE = 'notices/2024-10-08-onestop.yaml'
SEED_PDF = '2024-10-08-onestop/notice.pdf'
# The tests' clock: the data's as-of date (valid_as_of 2026-11 counts as 2026-11-30), so that a
# release build passes --strict on any day the tests run. Only the as-of lag warning reads it.
TODAY = '2026-11-30'
os.environ.setdefault('NOTICEGEN_TODAY', TODAY)


def run_cli(*args: str, root: Path = ROOT, env: dict | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``build.py`` in a fresh process, as a user would."""
    return subprocess.run(
        [sys.executable, str(ROOT / 'build.py'), '--root', str(root), *args],
        capture_output=True, text=True, cwd=cwd or root,
        env={**os.environ, **(env or {})})


def copy_project(target: Path) -> Path:
    """Copy the sources and templates into ``target`` and return it."""
    for folder in ('notices', 'attachments', 'prefectures', 'templates', 'cards', 'locales',
                   'facts'):
        shutil.copytree(ROOT / folder, target / folder)
    shutil.copy(ROOT / 'noticegen.toml', target / 'noticegen.toml')
    return target


def messages(stderr: str, severity: str | None = None) -> list[dict]:
    """The PATH:LINE:COL: SEVERITY: MESSAGE lines of ``stderr``; every test reads them so."""
    from noticegen.errors import MESSAGE_LINE
    found = [match.groupdict() for match in map(MESSAGE_LINE.match, stderr.splitlines())
             if match]
    return [m for m in found if severity is None or m['severity'] == severity]


def normalize(text: str) -> str:
    """NFKC, without any whitespace: the form in which texts are compared."""
    return re.sub(r'\s+', '', unicodedata.normalize('NFKC', text))


@pytest.fixture(scope='session')
def full_build(tmp_path_factory) -> Path:
    """Everything, built once for the session: the output folder."""
    out = tmp_path_factory.mktemp('dist')
    result = run_cli('build', '--out', str(out))
    assert result.returncode == 0, result.stderr
    return out


# Prefectures with two numbers and a QR code (14), one center (31) and no printable center
# at all (03): the cards and translated leaflets of every language are checked on them.
LANGUAGE_CODES = ('14', '31', '03')


@pytest.fixture(scope='session')
def all_languages(tmp_path_factory) -> Path:
    """The documents of LANGUAGE_CODES in every language, built once for the session."""
    out = tmp_path_factory.mktemp('languages') / 'dist'
    args = ['build', '--out', str(out), '--lang', 'all']
    for code in LANGUAGE_CODES:
        args += ['-p', code]
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope='session')
def seed_pdf(full_build) -> Path:
    return full_build / SEED_PDF


@pytest.fixture(scope='session')
def seed_plumber(seed_pdf):
    import pdfplumber
    with pdfplumber.open(seed_pdf) as pdf:
        yield pdf


# A department of Tokyo's with a (fictitious, test-only) confirmed 〒 and address.
TOKYO_DEPARTMENT = (
    'departments:\n'
    '  health:\n'
    '    name: 東京都保健医療局医療政策部\n'
    "    postal_code: '163-8001'\n"
    '    address: 東京都新宿区西新宿二丁目8番1号\n'
    '    source: テスト用の架空のデータ\n'
    "    as_of: '2026-04-01'\n")


def add_tokyo_department(root: Path) -> Path:
    """Append TOKYO_DEPARTMENT to the project's prefectures/13-tokyo.yaml; its path."""
    path = root / 'prefectures' / '13-tokyo.yaml'
    path.write_text(path.read_text(encoding='utf-8') + TOKYO_DEPARTMENT, encoding='utf-8')
    return path


def fonts(document) -> dict[str, dict]:
    """Every font dictionary of every page (forms included): name → program objgen → page."""
    import pikepdf
    found: dict[str, dict] = {}

    def walk(resources, page, seen):
        if not isinstance(resources, pikepdf.Dictionary):
            return
        for font in (resources.get('/Font') or {}).values():
            descendant = (font.get('/DescendantFonts') or [font])[0]
            descriptor = descendant.get('/FontDescriptor')
            if descriptor is None:
                continue
            stream = next((descriptor[key] for key in ('/FontFile2', '/FontFile3', '/FontFile')
                           if key in descriptor), None)
            if stream is not None:
                assert str(descriptor.FontName) == str(font.BaseFont)
                found.setdefault(str(font.BaseFont), {}).setdefault(stream.objgen, page)
        for xobject in (resources.get('/XObject') or {}).values():
            if xobject.get('/Subtype') == pikepdf.Name.Form and xobject.objgen not in seen:
                seen.add(xobject.objgen)
                walk(xobject.get('/Resources'), page, seen)

    for number, page in enumerate(document.pages):
        walk(page.obj.get('/Resources'), number, set())
    return found


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(tmp_path / 'project')
