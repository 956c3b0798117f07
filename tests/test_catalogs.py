"""The gettext catalogs are ready for translators: full headers that `msgfmt --check` accepts,
an extract that changes nothing on a fresh clone, and changed strings kept as fuzzy."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, copy_project, run_cli

CATALOGS = sorted((ROOT / 'locales').glob('*/LC_MESSAGES/messages.po'))
MSGFMT = shutil.which('msgfmt')


def files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes()
            for path in sorted(folder.rglob('*')) if path.is_file()}


def read(path: Path):
    from babel.messages.pofile import read_po
    with path.open('rb') as stream:
        return read_po(stream)


def test_every_language_but_english_has_a_catalog():
    from noticegen.model.languages import LANGUAGES
    assert {path.parts[-3] for path in CATALOGS} == set(LANGUAGES) - {'en'}


@pytest.mark.skipif(not MSGFMT, reason="needs Debian's gettext (./dev.sh test installs it)")
@pytest.mark.parametrize('catalog', CATALOGS + [ROOT / 'locales' / 'messages.pot'],
                         ids=lambda path: str(path.relative_to(ROOT)))
def test_msgfmt_check_passes(catalog, tmp_path):
    result = subprocess.run([MSGFMT, '--check', '-o', str(tmp_path / 'messages.mo'),
                             str(catalog)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    if catalog.suffix == '.po':   # a translation's header is complete (the template's is not)
        assert 'warning' not in result.stderr, result.stderr
        header = read(catalog)
        assert header.language_team and header.last_translator
        assert 'EMAIL@ADDRESS' not in catalog.read_text(encoding='utf-8')


def test_extract_on_a_fresh_copy_changes_no_file(tmp_path):
    root = copy_project(tmp_path / 'project')
    before = files(root / 'locales')
    result = run_cli('i18n', '--extract', root=root)
    assert result.returncode == 0, result.stderr
    assert '(0 files changed)' in result.stdout, result.stdout
    assert files(root / 'locales') == before


def test_locations_have_no_line_numbers():
    for catalog in [*CATALOGS, ROOT / 'locales' / 'messages.pot']:
        for message in read(catalog):
            for filename, line in message.locations:
                assert line is None, (catalog, filename, line)
                assert filename.startswith(('templates/', 'noticegen/')), filename


@pytest.mark.skipif(not MSGFMT, reason="needs Debian's gettext (./dev.sh test installs it)")
def test_a_changed_string_becomes_fuzzy_and_is_not_printed_until_checked(tmp_path):
    root = copy_project(tmp_path / 'project')
    old = 'This translation has not yet been reviewed by a fluent speaker.'
    new = 'This translation has not been reviewed by a fluent speaker yet.'
    template = root / 'templates' / 'leaflet.html'
    assert old in template.read_text(encoding='utf-8')
    template.write_text(template.read_text(encoding='utf-8').replace(old, new),
                        encoding='utf-8')
    ja = root / 'locales' / 'ja' / 'LC_MESSAGES' / 'messages.po'
    translation = read(ja)[old].string
    result = run_cli('i18n', '--extract', root=root)
    assert result.returncode == 0, result.stderr
    catalog = read(ja)
    message = catalog[new]
    assert message.fuzzy and message.string == translation
    assert old not in catalog
    text = ja.read_text(encoding='utf-8')
    assert f'#| msgid "{old}"' in text and '#, fuzzy' in text
    assert subprocess.run([MSGFMT, '--check', '-o', '/dev/null', str(ja)]).returncode == 0
    # Every language keeps its translation the same way.
    for path in (root / 'locales').glob('*/LC_MESSAGES/messages.po'):
        assert read(path)[new].fuzzy, path
    # A fuzzy translation is not printed: the build falls back to English, and says so.
    from noticegen.render.catalogs import load_catalog
    assert new not in load_catalog(root / 'locales', 'ja').messages
    report = run_cli('i18n', root=root)
    assert 'ja       templates    5/6' in report.stdout, report.stdout
    # A string removed from the templates is kept as obsolete (#~), not lost.
    template.write_text(template.read_text(encoding='utf-8').replace(
        f"{{{{ _('{new}') }}}}", 'unreviewed'), encoding='utf-8')
    assert run_cli('i18n', '--extract', root=root).returncode == 0
    catalog = read(ja)
    assert new not in catalog and catalog.obsolete[new].string == translation
