"""The warm no-op build: answered from the last build's stamp only when nothing it read changed.

Each test works on its own copy of one small build (prefecture 13, no languages). Whether a
build took the fast path is read from ``-X importtime``: the fast path never imports the
YAML loader, pydantic or WeasyPrint; the full path always loads the sources.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, copy_project

ARGS = ('build', '-p', '13', '--lang', 'none', '--jobs', '1')
FULL_PATH_MODULES = ('noticegen.load.project', 'yaml', 'pydantic', 'weasyprint', 'jinja2')
# The elapsed time is the one thing two answers may differ in.
ELAPSED = re.compile(r' in \d+\.\d s$', re.MULTILINE)


def build(root: Path, *args: str, env: dict | None = None, cwd: Path | None = None,
          relative: bool = False):
    """A whole build process as a user runs it, with the imports it made on the side.

    ``relative``: from the project's parent folder, with --cache-dir and --out relative.
    """
    base = Path() if relative else root.parent
    result = subprocess.run(
        [sys.executable, '-X', 'importtime', str(ROOT / 'build.py'), '--root', str(root),
         '--cache-dir', str(base / 'cache'), *(args or ARGS), '--out', str(base / 'out')],
        capture_output=True, text=True, cwd=root.parent if relative else cwd or root,
        env={**os.environ, **(env or {})})
    lines = result.stderr.splitlines()
    result.imported = {line.split('|')[-1].strip() for line in lines
                       if line.startswith('import time:')}
    result.stderr = '\n'.join(line for line in lines if not line.startswith('import time:'))
    result.stdout = ELAPSED.sub(' in _ s', result.stdout)
    return result


def fast(result) -> bool:
    """Whether the build answered from its stamp (and never loaded the sources)."""
    loaded = {name for name in result.imported
              if any(name == m or name.startswith(m + '.') for m in FULL_PATH_MODULES)}
    assert (not loaded) or 'noticegen.load.project' in loaded, loaded
    return not loaded


@pytest.fixture(scope='module')
def built(tmp_path_factory) -> Path:
    """A project built once (prefecture 13, no languages)."""
    folder = tmp_path_factory.mktemp('noop')
    root = copy_project(folder / 'project')
    first = build(root)
    assert first.returncode == 0, first.stderr
    return folder


@pytest.fixture
def warm(built, tmp_path):
    """A copy of the built project; its stamp left by a full no-op build (returned)."""
    shutil.copytree(built, tmp_path, dirs_exist_ok=True, symlinks=True)
    root = tmp_path / 'project'
    reference = build(root)   # the copy's files are new (inodes, ctimes): the full path
    assert reference.returncode == 0, reference.stderr
    assert not fast(reference)
    assert '0 built, 0 re-rendered identical, 8 unchanged, 0 failed' in reference.stdout
    return root, reference


def test_a_true_noop_prints_what_the_full_path_prints_without_loading_anything(warm):
    root, reference = warm
    again = build(root)
    assert fast(again)
    assert again.returncode == reference.returncode == 0
    # The same warnings, in full and counted, and the same summary line.
    assert again.stderr == reference.stderr
    assert 'data-quality warnings (validate, or -v, lists them' in again.stderr
    assert again.stdout == reference.stdout
    assert fast(build(root))   # and again: a fast answer changes nothing it checks


def test_verbose_lists_every_unchanged_file_as_the_full_path_does(warm):
    root, _ = warm
    full = build(root, *ARGS, '-v')
    assert not fast(full)      # another command line: its own stamp
    answered = build(root, *ARGS, '-v')
    assert fast(answered)
    extra = 'nothing the last build read has changed: answered from its stamp\n'
    assert answered.stdout.replace(extra, '') == full.stdout
    assert full.stdout.count('unchanged  ') == 8 and extra in answered.stdout
    assert answered.stderr == full.stderr and 'warning: ' in full.stderr


def restore_times(path: Path, before: os.stat_result) -> None:
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_an_input_edited_with_its_size_and_mtime_restored_is_seen(warm):
    root, _ = warm
    path = root / 'prefectures' / '13-tokyo.yaml'
    before = path.stat()
    text = path.read_bytes()
    assert text.startswith(b'# ')   # the same number of bytes: the comment's space becomes X
    path.write_bytes(b'#X' + text[2:])
    restore_times(path, before)
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    result = build(root)
    assert not fast(result)
    assert result.returncode == 0, result.stderr
    assert fast(build(root))   # the full build left a new stamp


def test_a_deleted_or_touched_output_is_remade(warm):
    root, _ = warm
    out = root.parent / 'out'
    packet = out / '2024-10-08-onestop' / 'packets' / '13-tokyo.pdf'
    packet.unlink()
    result = build(root)
    assert not fast(result)
    assert f'built  {packet}' in result.stdout
    assert packet.is_file()
    # A file written over with the same bytes and its time restored is still looked at.
    before = packet.stat()
    packet.write_bytes(packet.read_bytes())
    restore_times(packet, before)
    result = build(root)
    assert not fast(result) and '8 unchanged' in result.stdout


def test_a_template_a_catalog_or_a_new_file_in_a_source_folder_is_seen(warm):
    root, _ = warm
    stylesheet = root / 'templates' / 'letter.css'
    stylesheet.write_text(stylesheet.read_text(encoding='utf-8') + '\n/* edited */\n',
                          encoding='utf-8')
    result = build(root)
    assert not fast(result)
    assert re.search(r'[1-9]\d* re-rendered identical|[1-9]\d* built', result.stdout)
    assert fast(build(root))
    (root / 'locales' / 'notes.txt').write_text('a file the build does not read\n')
    assert not fast(build(root))


def test_other_options_another_date_or_environment_never_reuse_a_stamp(warm):
    root, _ = warm
    assert not fast(build(root, 'build', '-p', '14', '--lang', 'none', '--jobs', '1'))
    # -p 14 wrote its own stamp for the output folder: -p 13 is checked in full again.
    assert not fast(build(root))
    assert fast(build(root))
    assert not fast(build(root, *ARGS, '--strict'))
    assert not fast(build(root, *ARGS, '-q'))
    assert fast(build(root, *ARGS, '-q'))
    # The date (warnings depend on it) and the environment the fonts and dates come from.
    assert not fast(build(root, *ARGS, '-q', env={'NOTICEGEN_TODAY': '2026-12-01'}))
    assert not fast(build(root, *ARGS, '-q', env={'TZ': 'Pacific/Kiritimati'}))
    assert not fast(build(root, *ARGS, '-q', env={'FONTCONFIG_FILE': '/etc/fonts/fonts.conf'}))
    # The same arguments from another working directory (a relative --out would differ).
    assert not fast(build(root, cwd=root / 'templates'))


def test_force_is_never_answered_and_leaves_the_stamp_of_the_same_build(warm):
    root, _ = warm
    forced = build(root, *ARGS, '--force')
    assert not fast(forced)
    assert '8 re-rendered identical' in forced.stdout
    assert not fast(build(root, *ARGS, '--force'))
    assert fast(build(root))   # the build without --force is answered


def stamp_of(root: Path) -> Path:
    """The stamp of the copy (the cache also holds the one of the project it was copied from)."""
    return max((root.parent / 'cache').glob('*/noop/*.json'), key=lambda p: p.stat().st_mtime_ns)


def test_another_tool_or_a_damaged_stamp_takes_the_full_path(warm):
    root, _ = warm
    path = stamp_of(root)
    stamp = json.loads(path.read_text(encoding='utf-8'))
    stamp['tool'] = '0' * 64   # what a change to noticegen's own source does to it
    path.write_text(json.dumps(stamp), encoding='utf-8')
    assert not fast(build(root))
    assert fast(build(root))
    path = stamp_of(root)
    path.write_text('{"format": 1, "replay": [', encoding='utf-8')
    result = build(root)
    assert not fast(result) and result.returncode == 0


def test_the_tool_digest_covers_every_module(tmp_path):
    """A copy of the package run from elsewhere: editing one comment changes its digest."""
    shutil.copytree(ROOT / 'noticegen', tmp_path / 'noticegen',
                    ignore=shutil.ignore_patterns('__pycache__'))
    probe = [sys.executable, '-c',
             'from noticegen.output.stamp import tool_identity; print(tool_identity())']
    first = subprocess.run(probe, capture_output=True, text=True, cwd=tmp_path, check=True)
    module = tmp_path / 'noticegen' / 'assemble' / 'pdf.py'
    module.write_text(module.read_text(encoding='utf-8') + '# edited\n', encoding='utf-8')
    second = subprocess.run(probe, capture_output=True, text=True, cwd=tmp_path, check=True)
    assert first.stdout.strip() != second.stdout.strip()


def test_strict_warnings_fail_the_same_way_every_time(warm):
    root, _ = warm
    runs = [build(root, *ARGS, '--strict') for _ in range(2)]
    for result in runs:
        assert result.returncode == 1
        assert not fast(result)   # a build that fails leaves no stamp
        assert re.search(r'\d+ warnings?: errors under --strict', result.stderr)
    assert runs[0].stderr == runs[1].stderr


def test_a_build_writing_the_folder_is_waited_for(warm):
    root, _ = warm
    assert fast(build(root, *ARGS, '--no-wait')) is False
    assert fast(build(root, *ARGS, '--no-wait'))
    handle = os.open(root.parent / 'out' / '.noticegen.lock', os.O_RDWR)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        result = build(root, *ARGS, '--no-wait')
    finally:
        os.close(handle)
    assert result.returncode == 1
    assert 'another build is writing' in result.stderr


def test_a_strict_release_build_with_no_warning_is_answered_with_the_same_exit(tmp_path):
    """A notice alone (no prefecture data, so no data warnings): --strict passes, and the
    answer exits 0 with the same output as the full path."""
    root = tmp_path / 'project'
    shutil.copytree(ROOT / 'tests' / 'notices' / 'minato-imei', root)
    shutil.copytree(ROOT / 'templates', root / 'templates')
    args = ('build', '--strict', '--jobs', '1')
    first = build(root, *args)
    assert first.returncode == 0, first.stderr
    assert 'warning' not in first.stderr and 'built  ' in first.stdout
    full = build(root, *args, env={'NOTICEGEN_FULL': '1'})   # another environment: no stamp
    answered = build(root, *args, env={'NOTICEGEN_FULL': '1'})
    assert not fast(full) and fast(answered)
    assert answered.returncode == full.returncode == 0
    assert (answered.stdout, answered.stderr) == (full.stdout, full.stderr)
    assert re.search(r'^0 built, 0 re-rendered identical, \d+ unchanged, 0 failed in _ s$',
                     answered.stdout, re.MULTILINE)


def test_a_project_keeps_the_stamps_of_its_most_recent_output_folders_only(tmp_path):
    from noticegen.output import stamp
    folder = tmp_path / 'noop'
    folder.mkdir()
    for index in range(stamp.KEEP + 3):
        old = folder / f'{index:016x}.json'
        old.write_text('{}')
        os.utime(old, ns=(index * 10**9, index * 10**9))
    recorder = stamp.Recorder([], str(tmp_path), tmp_path, tmp_path / 'out',
                              folder / 'new.json')
    recorder.stamp = {'today': stamp.today()}
    recorder.write({})
    kept = sorted(path.name for path in folder.glob('*.json'))
    assert len(kept) == stamp.KEEP and 'new.json' in kept
    assert f'{0:016x}.json' not in kept and f'{stamp.KEEP + 2:016x}.json' in kept


def test_relative_folders_are_read_from_the_working_directory(warm):
    root, _ = warm
    first = build(root, relative=True)
    assert not fast(first) and '8 unchanged' in first.stdout
    assert fast(build(root, relative=True))
    # The same relative arguments elsewhere name other folders: never this stamp.
    elsewhere = root.parent / 'elsewhere'
    elsewhere.mkdir()
    result = subprocess.run(
        [sys.executable, '-X', 'importtime', str(ROOT / 'build.py'), '--root', str(root),
         '--cache-dir', 'cache', *ARGS, '--out', 'out'],
        capture_output=True, text=True, cwd=elsewhere)
    assert 'noticegen.load.project' in result.stderr and result.returncode == 0
    assert (elsewhere / 'out' / 'manifest.json').is_file()
