"""One project root from any folder, one message format, strict that means strict, Ctrl-C."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, copy_project, messages, run_cli


def cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """build.py without --root: the project is found from ``cwd``."""
    return subprocess.run([sys.executable, str(ROOT / 'build.py'), *args], capture_output=True,
                          text=True, cwd=cwd, env={**os.environ, **(env or {})})


def digests(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob('*.pdf'))}


def test_the_same_build_from_a_subfolder_and_from_the_root(tmp_path):
    root = copy_project(tmp_path / 'project')
    from_root = cli('build', '-p', '08', '--lang', 'none', '-q', cwd=root)
    assert from_root.returncode == 0, from_root.stderr
    first = digests(root / 'dist')
    shutil.rmtree(root / 'dist')
    sub = root / 'templates'
    from_sub = cli('build', '-p', '08', '--lang', 'none', '-q', cwd=sub)
    assert from_sub.returncode == 0, from_sub.stderr
    assert not (sub / 'dist').exists()           # dist/ is the project's, not the cwd's
    assert digests(root / 'dist') == first and first
    # An explicit --out is relative to the working directory.
    relative = cli('build', '-p', '08', '--lang', 'none', '-q', '--out', 'here', cwd=sub)
    assert relative.returncode == 0, relative.stderr
    assert digests(sub / 'here') == first


def test_outside_a_project_is_a_usage_error(tmp_path):
    result = cli('validate', cwd=tmp_path)
    assert result.returncode == 2
    assert f'no noticegen project found in {tmp_path} or its parents; use --root' in result.stderr
    assert 'Traceback' not in result.stderr


def test_a_project_without_notices_is_an_error(tmp_path):
    (tmp_path / 'noticegen.toml').write_text('', encoding='utf-8')
    (tmp_path / 'notices').mkdir()
    for command in ('validate', 'build', 'list'):
        result = cli(command, cwd=tmp_path)
        assert result.returncode == 2, (command, result.stdout)
        assert 'holds no notice' in result.stderr


def test_a_pyproject_table_marks_a_root_too(tmp_path):
    root = copy_project(tmp_path / 'project')
    (root / 'noticegen.toml').unlink()
    assert cli('list', cwd=root).returncode == 2
    (root / 'pyproject.toml').write_text('[tool.noticegen]\n', encoding='utf-8')
    assert cli('list', cwd=root / 'notices').returncode == 0


def test_validate_writes_nothing_in_the_project(tmp_path):
    root = copy_project(tmp_path / 'project')
    before = sorted(p for p in root.rglob('*'))
    result = cli('--cache-dir', str(tmp_path / 'cache'), 'validate', cwd=root)
    assert result.returncode == 0, result.stderr
    assert sorted(p for p in root.rglob('*')) == before
    assert list((tmp_path / 'cache').rglob('glyph-check'))   # the cache went there instead


def test_outputs_are_readable_by_others_under_umask_022(tmp_path):
    out = tmp_path / 'dist'
    code = ('import os, sys; os.umask(0o022); sys.argv = ["build.py", "--root", sys.argv[1], '
            '"build", "--out", sys.argv[2], "-p", "08", "--lang", "none", "-q"]; '
            'from noticegen.cli import main; main()')
    result = subprocess.run([sys.executable, '-c', code, str(ROOT), str(out)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    files = [p for p in out.rglob('*') if p.is_file()]
    assert files
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


def test_a_css_typo_is_a_warning_at_its_place_and_fails_strict_also_on_a_no_op_build(tmp_path):
    root = copy_project(tmp_path / 'project')
    sheet = root / 'templates' / 'letter.css'
    lines = sheet.read_text(encoding='utf-8').splitlines()
    lines.append('p { colr: red; margin: 3qqq; }')
    sheet.write_text('\n'.join(lines) + '\n', encoding='utf-8')
    typo = str(len(lines))
    cache = ['--cache-dir', str(tmp_path / 'cache')]
    result = run_cli(*cache, 'validate', root=root)
    assert result.returncode == 0, result.stderr
    found = [m for m in messages(result.stderr, 'warning') if m['path'] == 'templates/letter.css']
    assert {(m['line'], m['col']) for m in found} == {(typo, '5'), (typo, '16')}, result.stderr
    assert any('colr' in m['message'] for m in found)
    out = tmp_path / 'dist'
    args = [*cache, 'build', '--out', str(out), '-p', '08', '--lang', 'none']
    strict = run_cli(*args, '--strict', '--as-of', '2019-01-01', root=root)
    assert strict.returncode == 1
    assert f'templates/letter.css:{typo}:5: warning: css:' in strict.stderr
    assert not list(out.rglob('*.pdf'))
    assert run_cli(*args, root=root).returncode == 0            # warnings alone do not fail
    again = run_cli(*args, '--strict', '--as-of', '2019-01-01', root=root)   # a no-op build
    assert again.returncode == 1 and f'templates/letter.css:{typo}:5: warning' in again.stderr


def test_strict_judges_only_the_prefectures_being_built(tmp_path):
    everything = messages(run_cli('validate').stderr, 'warning')
    assert run_cli('validate', '--strict').returncode == 1        # the whole data set fails
    ibaraki = [m for m in everything if m['path'] == 'prefectures/08-ibaraki.yaml']
    assert ibaraki == []                                          # Ibaraki's data is clean
    clean = run_cli('build', '--out', str(tmp_path / 'a'), '-p', '08', '--strict', '--lang',
                    'none')
    assert clean.returncode == 0, clean.stderr                    # so its release build passes
    tokushima = {(m['path'], m['line']) for m in everything
                 if m['path'] == 'prefectures/36-tokushima.yaml'}
    result = run_cli('build', '--out', str(tmp_path / 'b'), '-p', '36', '--strict', '-v')
    assert result.returncode == 1
    judged = {(m['path'], m['line']) for m in messages(result.stderr, 'warning')}
    assert judged == tokushima and judged
    assert not (tmp_path / 'b').exists() or not list((tmp_path / 'b').rglob('*.pdf'))


def test_a_missing_character_is_one_error_not_one_per_document(tmp_path):
    root = copy_project(tmp_path / 'project')
    path = root / 'notices' / '2024-10-08-onestop.yaml'
    text = path.read_text(encoding='utf-8')
    path.write_text(text.replace('つきましては、', 'つきましては😀、', 1), encoding='utf-8')
    result = run_cli('validate', root=root)
    assert result.returncode == 1
    errors = messages(result.stderr, 'error')
    assert len(errors) == 1, result.stderr
    assert '1 error; nothing was written.' in result.stderr


@pytest.mark.parametrize('command', ['build', 'preview', 'diff'])
def test_ctrl_c_exits_130_with_the_same_message(command, tmp_path, full_build):
    out = tmp_path / 'out'
    if command == 'build':
        args = ['build', '--out', str(out), '--jobs', '1', '--force']
    else:
        shutil.copytree(full_build, out)
        if command == 'preview':
            shutil.rmtree(out / 'preview', ignore_errors=True)
            args = ['preview', '--out', str(out)]
        else:  # a baseline whose every checksum differs: every page is compared
            baseline = tmp_path / 'baseline'
            shutil.copytree(full_build, baseline)
            manifest = json.loads((baseline / 'manifest.json').read_text(encoding='utf-8'))
            for entry in manifest['outputs']:
                entry['sha256'] = '0' * 64
            (baseline / 'manifest.json').write_text(json.dumps(manifest), encoding='utf-8')
            args = ['diff', '--out', str(out), '--baseline', str(baseline)]
    process = subprocess.Popen([sys.executable, str(ROOT / 'build.py'), '--root', str(ROOT),
                                *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    time.sleep(4)
    assert process.poll() is None, f'{command} ended before the interrupt'
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert 'interrupted: finished files are in place' in stderr
    assert 'Traceback' not in stderr and 'Aborted!' not in stderr


def test_plurals_and_counts(tmp_path):
    out = tmp_path / 'dist'
    first = run_cli('build', '--out', str(out), '-p', '08', '--lang', 'none')
    assert '8 built, 0 re-rendered identical, 0 unchanged, 0 failed' in first.stdout
    forced = run_cli('build', '--out', str(out), '-p', '08', '--lang', 'none', '--force')
    assert '0 built, 8 re-rendered identical, 0 unchanged, 0 failed' in forced.stdout
    listed = run_cli('list', '-p', '08').stdout
    assert '1 center, 1 printable number' in listed or ' centers, ' in listed
    assert ' 1 centers' not in listed and ' 1 printable numbers' not in listed
