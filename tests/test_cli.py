"""The command line: help that teaches, exit codes, and a fast start."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from conftest import ROOT, run_cli
from noticegen.cli import main


def test_help_lists_commands_and_exit_codes():
    result = CliRunner().invoke(main, ['--help'])
    assert result.exit_code == 0
    for word in ('validate', 'build', 'list', 'Exit codes', 'notices/*.yaml'):
        assert word in result.output
    build_help = CliRunner().invoke(main, ['build', '--help']).output
    assert '--out' in build_help and 'dist' in build_help


def test_validate_succeeds_on_the_project():
    result = run_cli('validate')
    assert result.returncode == 0, result.stderr
    # 5 notice files, 1 translation, 47 prefectures, national.yaml, 13 cards, 2 facts/ files,
    # 11 wording files; every language.
    assert '80 sources valid; 852 files to build.' in result.stdout


def test_list_shows_sources_and_outputs():
    result = run_cli('list')
    assert result.returncode == 0, result.stderr
    assert 'notices/2024-10-08-onestop.yaml' in result.stdout
    assert '別添3' in result.stdout and 'attachments/2024-10-08-onestop/3-honebuto-2024.yaml' in result.stdout
    assert '2024-10-08-onestop/notice.pdf' in result.stdout


def test_validate_and_list_do_not_import_weasyprint_once_checked(tmp_path):
    """The stylesheet check parses CSS with WeasyPrint once; then its result is cached."""
    cache = ['--cache-dir', str(tmp_path / 'cache')]
    code = ('import sys; from click.testing import CliRunner; from noticegen.cli import main; '
            f'r = CliRunner().invoke(main, {cache!r} + ["validate"]); '
            'assert r.exit_code == 0, r.output; '
            f'r = CliRunner().invoke(main, {cache!r} + ["list"]); '
            'assert r.exit_code == 0, r.output; print("weasyprint" in sys.modules)')
    cold = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, cwd=ROOT)
    assert cold.returncode == 0, cold.stderr
    assert cold.stdout.strip() == 'True'   # the first validate parsed the stylesheets
    warm = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, cwd=ROOT)
    assert warm.returncode == 0, warm.stderr
    assert warm.stdout.strip() == 'False'


def test_a_reader_that_leaves_early_is_not_a_bug():
    """`noticegen list | head -1`: the closed pipe ends the command quietly (141), no bug log."""
    process = subprocess.Popen([sys.executable, '-m', 'noticegen', 'list'], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.readline()
    process.stdout.close()          # the reader is gone before the rest is written
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141, stderr
    assert 'unexpected' not in stderr and 'Traceback' not in stderr
