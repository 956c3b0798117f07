"""Nothing stale mailed as current: every failure recorded, one build at a time per output
folder, no orphan processes, damaged manifests recovered, full and read-only disks.

Builds here are small (one to three prefectures, --lang none). Faults are injected in a
subprocess: tests/fixtures/faults is a plugin folder (put on PYTHONPATH) whose module
wraps a built-in kind's produce as NOTICEGEN_TEST_FAULT says; the full disk is a writer
patched by a ``python -c`` wrapper; read-only and full tmpfs mounts are used where this
machine allows mounting.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, copy_project, run_cli

NOTICE = '2024-10-08-onestop'
FAULTS = FIXTURES / 'faults'
SMALL = ('-p', '08', '--lang', 'none', '--jobs', '1')
THREE = ('-p', '08', '-p', '13', '-p', '14', '--lang', 'none')


def fault_env(tmp_path: Path, **fault) -> dict[str, str]:
    """The plugin folder on the path, logs in a cache folder of the test's own."""
    env = {'PYTHONPATH': os.pathsep.join([str(FAULTS), os.environ.get('PYTHONPATH', '')]),
           'XDG_CACHE_HOME': str(tmp_path / 'cache')}
    if fault:
        env['NOTICEGEN_TEST_FAULT'] = json.dumps(fault)
    return env


def manifest_of(out: Path) -> dict[str, dict]:
    data = json.loads((out / 'manifest.json').read_text(encoding='utf-8'))
    return {entry['path']: entry for entry in data['outputs']}


def statuses(out: Path) -> dict[str, str]:
    return {path: entry['status'] for path, entry in manifest_of(out).items()}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith('error:')]


def current_keys(root: Path, *selection: str) -> dict[str, str]:
    """Each output's input hash (its first 12 digits) for the sources as they are now."""
    listed = run_cli('list', *selection, root=root)
    assert listed.returncode == 0, listed.stderr
    return dict(re.findall(r'^  (\S+)  \(\S+, inputs ([0-9a-f]{12})\)$', listed.stdout, re.M))


def assert_nothing_stale_is_ok(root: Path, out: Path, *selection: str) -> None:
    """Every entry recorded ok was made from the sources as they are, and is on disk."""
    keys = current_keys(root, *selection)
    for path, entry in manifest_of(out).items():
        if entry['status'] == 'ok':
            assert entry['inputs'][:12] == keys[path], f'{path} is recorded ok but is stale'
            assert digest(out / path) == entry['sha256'], f'{path} does not match'


@pytest.fixture(scope='module')
def small_build(tmp_path_factory) -> tuple[Path, Path]:
    """A project copy and its -p 08 build, made once: tests copy both."""
    base = tmp_path_factory.mktemp('small')
    root = copy_project(base / 'project')
    out = base / 'dist'
    result = run_cli('build', '--out', str(out), *SMALL, root=root)
    assert result.returncode == 0, result.stderr
    return root, out


def copy_of(built: tuple[Path, Path], target: Path) -> tuple[Path, Path]:
    root, out = built
    shutil.copytree(root, target / 'project')
    shutil.copytree(out, target / 'dist')
    return target / 'project', target / 'dist'


# --- every failure recorded ----------------------------------------------------------------

def test_an_encrypted_included_pdf_fails_what_is_made_from_it(tmp_path):
    import pikepdf

    root = copy_project(tmp_path / 'project')
    folder = root / 'attachments' / NOTICE
    shutil.copy(FIXTURES / 'included' / 'original.pdf', folder / 'original.pdf')
    (folder / '5-original.yaml').write_text(
        f'notice: {NOTICE}\nnumber: 5\ntitle: 原本の資料\nkind: pdf\nfile: original.pdf\n',
        encoding='utf-8')
    out = tmp_path / 'dist'
    first = run_cli('build', '--out', str(out), *SMALL, root=root)
    assert first.returncode == 0, first.stderr
    before = {path: digest(out / path) for path in manifest_of(out)}

    with pikepdf.open(FIXTURES / 'included' / 'original.pdf') as pdf:
        pdf.save(folder / 'original.pdf', encryption=pikepdf.Encryption(user='u', owner='o'))
    result = run_cli('build', '--out', str(out), *SMALL, root=root)
    assert result.returncode == 1
    assert 'Traceback' not in result.stderr
    # validate opens the PDF: the attachment is an invalid source, so nothing is rendered
    # and everything it shapes (the whole set) is marked failed, its previous file kept.
    assert '5-original.yaml:5:7: error: file: original.pdf needs a password to open' \
        in result.stderr
    status = statuses(out)
    for path in (f'{NOTICE}/betten-5.pdf', f'{NOTICE}/bundles/08-ibaraki.pdf',
                 f'{NOTICE}/covers/08-ibaraki.pdf', f'{NOTICE}/packets/08-ibaraki.pdf'):
        assert status[path] == 'failed', path
        assert digest(out / path) == before[path]          # the previous file is kept

    check = run_cli('manifest', '--check', '--out', str(out))
    assert check.returncode == 1
    assert f'{NOTICE}/packets/08-ibaraki.pdf: marked failed' in check.stderr
    assert f'{NOTICE}/bundles/08-ibaraki.pdf: marked failed' in check.stderr
    assert 'Traceback' not in check.stderr


@pytest.mark.parametrize('jobs', ['1', '2'])
def test_an_unexpected_exception_fails_the_document_and_what_is_made_from_it(tmp_path, jobs):
    root = copy_project(tmp_path / 'project')
    out = tmp_path / 'dist'
    selection = ('-p', '08', '-p', '13', '--lang', 'none', '--jobs', jobs)
    env = fault_env(tmp_path, action='raise', kind='leaflet', code='08')
    result = run_cli('build', '--out', str(out), *selection, root=root, env=env)
    assert result.returncode == 1
    assert 'Traceback' not in result.stderr
    leaflet = f'{NOTICE}/leaflets/08-ibaraki.pdf'
    # One line names the document and the log that holds the traceback.
    [line] = [line for line in error_lines(result.stderr) if ': unexpected ' in line]
    match = re.fullmatch(rf'error: {re.escape(str(out / leaflet))}: unexpected ValueError: '
                         r'injected fault .*\(a bug in noticegen: the traceback is in (.+\.log)\)',
                         line)
    assert match, line
    log = Path(match[1])
    assert log.is_relative_to(tmp_path / 'cache' / 'noticegen')
    text = log.read_text(encoding='utf-8')
    assert 'Traceback (most recent call last)' in text and 'injected fault' in text
    assert not list(out.rglob('*.log'))

    status = statuses(out)
    for kind in ('leaflets', 'bundles', 'covers', 'packets'):
        assert status[f'{NOTICE}/{kind}/08-ibaraki.pdf'] == 'failed', kind
        assert status[f'{NOTICE}/{kind}/13-tokyo.pdf'] == 'ok', kind
    manifest = (out / 'manifest.json').read_text(encoding='utf-8')
    assert '0x' not in manifest and 'object at' not in manifest
    assert 'unexpected ValueError: injected fault' in manifest_of(out)[leaflet]['message']

    # A failed build's manifest is deterministic too.
    again = run_cli('build', '--out', str(out), *selection, root=root, env=env)
    assert again.returncode == 1
    assert (out / 'manifest.json').read_text(encoding='utf-8') == manifest

    fixed = run_cli('build', '--out', str(out), *selection, root=root)
    assert fixed.returncode == 0, fixed.stderr
    assert set(statuses(out).values()) == {'ok'}
    assert run_cli('manifest', '--check', '--out', str(out)).returncode == 0


def test_a_worker_that_dies_fails_its_files_and_the_next_build_resumes(tmp_path):
    root = copy_project(tmp_path / 'project')
    out = tmp_path / 'dist'
    env = fault_env(tmp_path, action='exit', kind='leaflet', code='08')
    result = run_cli('build', '--out', str(out), *THREE, '--jobs', '2', root=root, env=env)
    assert result.returncode == 1
    assert 'Traceback' not in result.stderr
    assert 'a worker process died' in result.stderr
    status = statuses(out)
    assert status[f'{NOTICE}/packets/08-ibaraki.pdf'] == 'failed'
    resumed = run_cli('build', '--out', str(out), *THREE, '--jobs', '2', root=root)
    assert resumed.returncode == 0, resumed.stderr
    assert run_cli('manifest', '--check', '--out', str(out)).returncode == 0


def test_a_crash_outside_any_document_is_one_line_and_a_log(tmp_path):
    """An exception that escapes every job (here: in the CLI itself) is a bug, logged."""
    code = ('import sys; import noticegen.api as api\n'
            'def broken(*args, **kwargs): raise KeyError("boom")\n'
            'api.verify = broken\n'
            'sys.argv = ["build.py", *sys.argv[1:]]\n'
            'from noticegen.cli import main; main()\n')
    result = subprocess.run([sys.executable, '-c', code, 'manifest', '--check', '--out',
                             str(tmp_path)], capture_output=True, text=True,
                            env={**os.environ, 'PYTHONPATH': str(ROOT),
                                 'XDG_CACHE_HOME': str(tmp_path / 'cache')})
    assert result.returncode == 1
    assert 'Traceback' not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("error: unexpected KeyError: 'boom' (a bug in noticegen: the "
                           f"traceback is in {tmp_path / 'cache' / 'noticegen' / 'logs'}")


# --- one writer per output folder ----------------------------------------------------------

class Reader(threading.Thread):
    """Collects a process's stderr lines as they come."""

    def __init__(self, process: subprocess.Popen):
        super().__init__(daemon=True)
        self.process, self.lines = process, []
        self.start()

    def run(self):
        for line in self.process.stderr:
            self.lines.append(line)

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            assert time.monotonic() < deadline, f'no {text!r} in {self.lines}'
            assert self.process.poll() is None or any(text in l for l in self.lines), self.lines
            time.sleep(0.05)


def cli(*args: str, root: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / 'build.py'), '--root', str(root), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **env})


def wait_for_file(path: Path, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f'{path} never appeared'
        time.sleep(0.05)


def test_a_second_build_waits_for_the_first_and_both_are_listed(tmp_path):
    root = copy_project(tmp_path / 'project')
    out = tmp_path / 'dist'
    marker, release = tmp_path / 'rendering', tmp_path / 'release'
    first = cli('build', '--out', str(out), '-p', '08', '--lang', 'none', '--jobs', '2',
                root=root, env=fault_env(tmp_path, action='hold', kind='leaflet', code='08',
                                         marker=str(marker), release=str(release)))
    try:
        wait_for_file(marker, first)           # the first build is rendering, under the lock
        impatient = cli('build', '--out', str(out), '-p', '13', '--lang', 'none', '--jobs',
                        '1', '--no-wait', root=root, env={})
        _, stderr = impatient.communicate(timeout=60)
        assert impatient.returncode == 1
        assert 'Traceback' not in stderr
        assert error_lines(stderr) == [
            f'error: another build is writing {out} (it holds {out}/.noticegen.lock); '
            f'not waiting (--no-wait)']

        second = cli('build', '--out', str(out), '-p', '13', '--lang', 'none', '--jobs', '1',
                     root=root, env={})
        reader = cli('manifest', '--check', '--out', str(out), root=root, env={})
        Reader(second).wait_for(f'waiting: another build is writing {out}')
        Reader(reader).wait_for(f'waiting: a build is writing {out}')
        assert second.poll() is None and reader.poll() is None
    finally:
        release.touch()
    assert first.wait(timeout=120) == 0, first.stderr.read()
    assert second.wait(timeout=120) == 0
    assert reader.wait(timeout=120) in (0, 1)   # it read either build's finished state
    assert not list(out.rglob('*.part'))

    single = tmp_path / 'single'
    both = run_cli('build', '--out', str(single), '-p', '08', '-p', '13', '--lang', 'none',
                   '--jobs', '1', root=root)
    assert both.returncode == 0, both.stderr
    assert (out / 'manifest.json').read_bytes() == (single / 'manifest.json').read_bytes()
    assert run_cli('manifest', '--check', '--out', str(out)).returncode == 0


def test_temporary_files_are_removed_only_when_their_owner_is_gone(tmp_path):
    from noticegen.output.atomic import clean_temporary_files
    dead = subprocess.Popen([sys.executable, '-c', 'pass'])
    dead.wait()
    live = tmp_path / f'.notice.pdf.{os.getpid()}.abc123.part'
    orphan = tmp_path / 'sub' / f'.notice.pdf.{dead.pid}.abc123.part'
    legacy = tmp_path / '.notice.pdf.k2j3h4.part'
    for path in (live, orphan, legacy):
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b'%PDF-partial')
    clean_temporary_files(tmp_path)
    assert live.exists() and not orphan.exists() and not legacy.exists()


def test_a_save_merges_entries_another_writer_added(tmp_path):
    from noticegen.output.manifest import Entry, Manifest

    def entry(path: str, status: str = 'ok') -> Entry:
        return Entry(path=path, kind='k', notice='n', prefecture=None, lang='ja', pages=1,
                     bytes=1, sha256='0' * 64, inputs='i', status=status)
    first = Manifest.load(tmp_path)
    first.put(entry('old.pdf'))
    first.save()
    mine, theirs = Manifest.load(tmp_path), Manifest.load(tmp_path)
    theirs.put(entry('theirs.pdf'))
    theirs.put(entry('old.pdf', 'failed'))
    theirs.save()
    mine.put(entry('mine.pdf'))
    mine.save()
    merged = Manifest.read(tmp_path).entries
    assert set(merged) == {'old.pdf', 'mine.pdf', 'theirs.pdf'}
    assert merged['old.pdf'].status == 'failed'    # not rolled back to mine's stale view


# --- no orphans ----------------------------------------------------------------------------

def group_members(pgid: int) -> list[tuple[int, str]]:
    """The live processes (not zombies) of a process group, with their command lines."""
    found = []
    for entry in Path('/proc').iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / 'stat').read_text()
            command = (entry / 'cmdline').read_bytes().replace(b'\0', b' ').decode()
        except OSError:
            continue
        fields = stat[stat.rindex(')') + 2:].split()
        state, group = fields[0], int(fields[2])
        if group == pgid and state not in ('Z', 'X'):
            found.append((int(entry.name), command))
    return found


def assert_no_survivors(pgid: int, within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while group_members(pgid):
        if time.monotonic() > deadline:
            survivors = group_members(pgid)
            os.killpg(pgid, signal.SIGKILL)   # leave nothing behind, then fail
            pytest.fail(f'still running {within} s after the build ended: {survivors}')
        time.sleep(0.1)


@pytest.fixture(scope='module')
def three_built(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp('three')
    root = copy_project(base / 'project')
    out = base / 'dist'
    result = run_cli('build', '--out', str(out), *THREE, '--jobs', '2', root=root)
    assert result.returncode == 0, result.stderr
    return root, out


def _changed(path: Path, since: int) -> bool:
    try:
        return path.stat().st_mtime_ns != since
    except OSError:
        return False


@pytest.mark.skipif(not Path('/proc/self/stat').exists(), reason='reads /proc')
@pytest.mark.parametrize('moment', ['validating', 'marked', 'rendering', 'packets',
                                    'interrupt'])
def test_a_killed_build_leaves_no_process_and_nothing_stale(tmp_path, three_built, moment):
    root, out = copy_of(three_built, tmp_path)
    notice = root / 'notices' / f'{NOTICE}.yaml'
    # A new date changes every file: the letter, the covers, and what merges them.
    notice.write_text(notice.read_text(encoding='utf-8').replace(
        'date: 2024-10-08', 'date: 2024-10-09'), encoding='utf-8')
    manifest = out / 'manifest.json'
    before = manifest.read_bytes()
    manifest_time = manifest.stat().st_mtime_ns
    packets = sorted((out / NOTICE / 'packets').iterdir())
    packet_times = {p: p.stat().st_mtime_ns for p in packets}
    build = subprocess.Popen(
        [sys.executable, str(ROOT / 'build.py'), '--root', str(root), 'build', '--out',
         str(out), *THREE, '--jobs', '2'],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)

    def reached() -> bool:
        if moment == 'validating':
            return True
        if moment == 'marked':
            return _changed(manifest, manifest_time)
        if moment in ('rendering', 'interrupt'):
            # a worker runs: spawned (spawn_main) or forked (another process of the group)
            return _changed(manifest, manifest_time) and any(
                'spawn_main' in command or pid != build.pid
                for pid, command in group_members(build.pid))
        return any(_changed(p, t) for p, t in packet_times.items())

    deadline = time.monotonic() + 120
    if moment == 'validating':
        time.sleep(0.3)
    while not reached():
        assert build.poll() is None, 'the build ended before the moment came'
        assert time.monotonic() < deadline
        time.sleep(0.01)
    if moment == 'interrupt':
        time.sleep(0.2)                       # a worker is starting: importing, unpickling
        os.killpg(build.pid, signal.SIGINT)   # Ctrl-C: the terminal signals the group
        assert build.wait(timeout=60) == 130
        assert 'Traceback' not in build.stderr.read().decode()
    else:
        os.kill(build.pid, signal.SIGKILL)    # the build only: its workers must follow
        build.wait()
    assert_no_survivors(build.pid)

    if moment == 'validating':
        assert manifest.read_bytes() == before   # it had not begun: nothing changed
    else:
        assert_nothing_stale_is_ok(root, out, *THREE)
        check = run_cli('manifest', '--check', '--out', str(out))
        assert check.returncode == 1             # the files not yet remade say so
        assert 'did not finish' in check.stderr or 'not in the manifest' in check.stderr
    resumed = subprocess.run(
        [sys.executable, str(ROOT / 'build.py'), '--root', str(root), 'build', '--out',
         str(out), *THREE, '--jobs', '2'],
        capture_output=True, text=True, start_new_session=True)
    assert resumed.returncode == 0, resumed.stderr
    assert not list(out.rglob('.*.part'))
    check = run_cli('manifest', '--check', '--out', str(out))
    assert check.returncode == 0, check.stderr
    assert_nothing_stale_is_ok(root, out, *THREE)


@pytest.mark.skipif(not Path('/proc/self/stat').exists(), reason='reads /proc')
@pytest.mark.parametrize('fault', [None, 'raise'])
def test_a_build_that_ends_leaves_no_process(tmp_path, fault):
    root = copy_project(tmp_path / 'project')
    env = fault_env(tmp_path, action=fault, kind='leaflet', code='08') if fault else {}
    build = subprocess.Popen(
        [sys.executable, str(ROOT / 'build.py'), '--root', str(root), 'build', '--out',
         str(tmp_path / 'dist'), *THREE, '--jobs', '2'], env={**os.environ, **env},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    assert build.wait(timeout=300) == (1 if fault else 0)
    assert_no_survivors(build.pid)


# --- manifests validated on read -----------------------------------------------------------

def _damage(out: Path, how: str) -> None:
    path = out / 'manifest.json'
    data = json.loads(path.read_text(encoding='utf-8'))
    if how == 'list':
        path.write_text(json.dumps(data['outputs']), encoding='utf-8')
    elif how == 'string':
        path.write_text('"manifest"', encoding='utf-8')
    elif how == 'null checksum':
        data['outputs'][0]['sha256'] = None
        path.write_text(json.dumps(data), encoding='utf-8')
    elif how == 'directory':
        path.unlink()
        (path / 'inside').mkdir(parents=True)
    elif how in ('../ entry', 'absolute entry'):
        data['outputs'][0]['path'] = '../outside.pdf' if how == '../ entry' else '/etc/hostname'
        path.write_text(json.dumps(data), encoding='utf-8')
    else:
        raise ValueError(how)


@pytest.mark.parametrize('how', ['list', 'string', 'null checksum', 'directory', '../ entry',
                                 'absolute entry'])
def test_a_damaged_manifest_is_reported_set_aside_and_rebuilt(tmp_path, small_build, how):
    root, out = copy_of(small_build, tmp_path)
    good = tmp_path / 'good'
    shutil.copytree(out, good)
    _damage(out, how)
    (tmp_path / 'outside.pdf').write_bytes(b'%PDF-1.7 not ours')
    readers = {
        'check': ('manifest', '--check', '--out', str(out)),
        'preview': ('preview', '--out', str(out), '--kind', 'notice', '--dpi', '30'),
        'diff': ('diff', '--out', str(out), '--baseline', str(good), '--kind', 'notice',
                 '--dpi', '30'),
    }
    for name, args in readers.items():
        result = run_cli(*args, root=root)
        assert result.returncode == 1, (name, result.stdout, result.stderr)
        assert 'Traceback' not in result.stderr
        [line] = result.stderr.splitlines()
        assert line.startswith(f'error: {out}/manifest.json is damaged: '), (name, line)
        assert line.endswith('run build to set it aside and rebuild it'), (name, line)
    assert not (out / 'preview').exists() and not (tmp_path / 'preview').exists()

    built = run_cli('build', '--out', str(out), *SMALL, root=root)
    assert built.returncode == 0, built.stderr
    assert 'Traceback' not in built.stderr
    [line] = [line for line in built.stderr.splitlines() if 'manifest.json' in line]
    assert re.fullmatch(rf'{re.escape(str(out))}/manifest.json was damaged \(.+\): set aside as '
                        rf'{re.escape(str(out))}/manifest.json.bad; rebuilding it', line), line
    assert (out / 'manifest.json.bad').exists()
    assert manifest_of(out) == manifest_of(good)
    shown = run_cli(*readers['preview'], root=root)
    assert shown.returncode == 0, shown.stderr
    check = run_cli(*readers['check'], root=root)
    assert check.returncode == 0, check.stderr


def test_check_and_preview_never_follow_a_link_out_of_the_folder(tmp_path, small_build):
    root, out = copy_of(small_build, tmp_path)
    secret = tmp_path / 'secret.pdf'
    shutil.copy(out / NOTICE / 'notice.pdf', secret)
    letter = out / NOTICE / 'notice.pdf'
    letter.unlink()
    letter.symlink_to(secret)
    check = run_cli('manifest', '--check', '--out', str(out))
    assert check.returncode == 1
    assert f'{NOTICE}/notice.pdf: resolves outside the output folder; not read' in check.stderr
    shown = run_cli('preview', '--out', str(out), '--kind', 'notice', '--dpi', '30', root=root)
    assert shown.returncode == 1 and 'Traceback' not in shown.stderr
    assert f'{NOTICE}/notice.pdf resolves outside {out}' in shown.stderr


def test_check_reports_every_unlisted_file_but_its_own(tmp_path, small_build):
    root, out = copy_of(small_build, tmp_path)
    for name in ('notes.txt', '.hidden', f'{NOTICE}/stray.png', f'{NOTICE}/.x.pdf.1.a.part',
                 'preview/page.png', 'diff/index.html', 'manifest.json.bad'):
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(b'x')
    check = run_cli('manifest', '--check', '--out', str(out))
    assert check.returncode == 1
    unlisted = sorted(line.removeprefix(f'{out}/').removesuffix(': not in the manifest')
                      for line in check.stderr.splitlines())
    assert unlisted == ['.hidden', f'{NOTICE}/.x.pdf.1.a.part', f'{NOTICE}/stray.png',
                        'notes.txt']
    assert '.noticegen.lock' not in check.stderr


# --- full disk and read-only output --------------------------------------------------------

# Runs the CLI with atomic writes that fail once NOTICEGEN_TEST_BUDGET bytes are written
# (the write that crosses it writes part of its bytes first), with NOTICEGEN_TEST_ERRNO.
FAILING_WRITER = r'''
import errno, os, sys
budget = [int(os.environ['NOTICEGEN_TEST_BUDGET'])]
code = int(os.environ['NOTICEGEN_TEST_ERRNO'])
import noticegen.output.atomic as atomic

class Stream:
    def __init__(self, stream):
        self.stream = stream
    def write(self, data):
        if len(data) > budget[0]:
            self.stream.write(data[:budget[0]])
            budget[0] = 0
            raise OSError(code, os.strerror(code))
        budget[0] -= len(data)
        return self.stream.write(data)
    def __getattr__(self, name):
        return getattr(self.stream, name)
    def __enter__(self):
        return self
    def __exit__(self, *exception):
        self.stream.close()

class System:
    def __getattr__(self, name):
        return getattr(os, name)
    @staticmethod
    def fdopen(*args, **kwargs):
        return Stream(os.fdopen(*args, **kwargs))

atomic.os = System()
sys.argv = ['build.py', *sys.argv[1:]]
from noticegen.cli import main
main()
'''


def run_failing_writer(root: Path, budget: int, code: int, *args: str):
    return subprocess.run([sys.executable, '-c', FAILING_WRITER, '--root', str(root), *args],
                          capture_output=True, text=True, cwd=root,
                          env={**os.environ, 'PYTHONPATH': str(ROOT),
                               'NOTICEGEN_TEST_BUDGET': str(budget),
                               'NOTICEGEN_TEST_ERRNO': str(code)})


def test_a_full_disk_stops_the_build_in_one_line_and_the_next_build_resumes(tmp_path):
    import errno
    root = copy_project(tmp_path / 'project')
    out = tmp_path / 'dist'
    result = run_failing_writer(root, 200_000, errno.ENOSPC, 'build', '--out', str(out), *SMALL)
    assert result.returncode == 1
    assert 'Traceback' not in result.stderr
    [line] = error_lines(result.stderr)
    assert re.fullmatch(rf'error: cannot write {re.escape(str(out))}/\S+: no space left on the '
                        r'device: the build stopped; .*; build again to resume once it can be '
                        r'written', line), line
    listed = manifest_of(out)
    assert listed and all(entry['status'] == 'ok' for entry in listed.values())
    for path, entry in listed.items():       # what is listed is in place
        assert digest(out / path) == entry['sha256']
    assert not list(out.rglob('*.part'))
    check = run_cli('manifest', '--check', '--out', str(out))
    assert check.returncode == 0, check.stderr

    resumed = run_cli('build', '--out', str(out), *SMALL, root=root)
    assert resumed.returncode == 0, resumed.stderr
    assert f'{len(listed)} unchanged' in resumed.stdout
    assert run_cli('manifest', '--check', '--out', str(out)).returncode == 0


def test_a_full_disk_while_remaking_leaves_nothing_stale_recorded_ok(tmp_path, small_build):
    import errno
    root, out = copy_of(small_build, tmp_path)
    notice = root / 'notices' / f'{NOTICE}.yaml'
    notice.write_text(notice.read_text(encoding='utf-8').replace(
        'date: 2024-10-08', 'date: 2024-10-09'), encoding='utf-8')
    result = run_failing_writer(root, 150_000, errno.ENOSPC, 'build', '--out', str(out), *SMALL)
    assert result.returncode == 1 and 'Traceback' not in result.stderr
    assert len(error_lines(result.stderr)) == 1
    assert_nothing_stale_is_ok(root, out, *SMALL[:-2])
    assert run_cli('manifest', '--check', '--out', str(out)).returncode == 1
    resumed = run_cli('build', '--out', str(out), *SMALL, root=root)
    assert resumed.returncode == 0, resumed.stderr
    assert run_cli('manifest', '--check', '--out', str(out)).returncode == 0


def test_a_read_only_output_folder_is_one_line(tmp_path, small_build):
    import errno
    root, out = copy_of(small_build, tmp_path)
    manifest = (out / 'manifest.json').read_bytes()
    notice = root / 'notices' / f'{NOTICE}.yaml'
    original = notice.read_text(encoding='utf-8')
    # A change to make, and then an invalid source to mark: neither can be written.
    notice.write_text(original.replace('date: 2024-10-08', 'date: 2024-10-09'), encoding='utf-8')
    changed = run_failing_writer(root, 0, errno.EROFS, 'build', '--out', str(out), *SMALL)
    notice.write_text(original.replace('date: 2024-10-08', 'date: 2024-02-30'), encoding='utf-8')
    invalid = run_failing_writer(root, 0, errno.EROFS, 'build', '--out', str(out), *SMALL)
    for result in (changed, invalid):
        assert result.returncode == 1
        assert 'Traceback' not in result.stderr
        [line] = error_lines(result.stderr)
        assert f'cannot write {out}/manifest.json: the folder is read-only' in line, line
    assert 'could not be marked failed' in invalid.stderr
    assert "date: '2024-02-30' is not a real date" in invalid.stderr
    assert (out / 'manifest.json').read_bytes() == manifest    # nothing half-written


@pytest.mark.parametrize('code, reason', [(28, 'no space left on the device'),
                                          (30, 'the folder is read-only')])
def test_every_command_that_writes_says_so_in_one_line(tmp_path, small_build, code, reason):
    """Not only the build: schema, preview and confirm export each met a full or read-only
    folder with 'a bug in noticegen'. Each now says which file, in one line, and exits 1."""
    root, out = copy_of(small_build, tmp_path)
    commands = {
        'schema': ('schema', '--out', str(tmp_path / 'schemas')),
        'preview': ('preview', '--out', str(out)),
        'confirm export': ('confirm', 'export', '--out', str(tmp_path / 'forms'), '-p', '08'),
    }
    for name, command in commands.items():
        result = run_failing_writer(root, 0, code, *command)
        assert result.returncode == 1, (name, result.stderr)
        assert 'Traceback' not in result.stderr and 'a bug' not in result.stderr, result.stderr
        [line] = error_lines(result.stderr)
        # (confirm export first builds the proof sheets in a temporary folder: that fails)
        assert re.match(rf'error: cannot write /\S+: {reason}', line), (name, line)
        assert not [p for p in tmp_path.rglob('*.part')], 'a temporary file was left'


# Runs the CLI with ProcessPoolExecutor recording each pool's max_workers into a file.
COUNTING_POOL = r'''
import concurrent.futures, os, sys
class Pool(concurrent.futures.ProcessPoolExecutor):
    def __init__(self, max_workers=None, **kwargs):
        with open(os.environ['NOTICEGEN_TEST_POOLS'], 'a') as record:
            record.write(f'{max_workers}\n')
        super().__init__(max_workers=max_workers, **kwargs)
concurrent.futures.ProcessPoolExecutor = Pool
sys.argv = ['build.py', *sys.argv[1:]]
from noticegen.cli import main
main()
'''


def test_no_more_workers_than_tasks(tmp_path):
    """A forked pool starts all its workers at once: --jobs 64 for two prefectures forked 64
    copies of the build. The pool now has at most one worker per task."""
    root = copy_project(tmp_path / 'project')
    pools = tmp_path / 'pools.txt'
    result = subprocess.run(
        [sys.executable, '-c', COUNTING_POOL, '--root', str(root), 'build', '--out',
         str(tmp_path / 'dist'), '-p', '08', '-p', '13', '--lang', 'none', '--jobs', '64'],
        capture_output=True, text=True, cwd=root,
        env={**os.environ, 'PYTHONPATH': str(ROOT), 'NOTICEGEN_TEST_POOLS': str(pools)})
    assert result.returncode == 0, result.stderr
    sizes = [int(line) for line in pools.read_text().split()]
    # A task per shared document (the letter, each attachment) and per prefecture.
    assert sizes and max(sizes) <= 8, sizes


def _can_mount() -> bool:
    if sys.platform != 'linux' or not shutil.which('unshare'):
        return False
    probe = subprocess.run(['unshare', '-m', 'sh', '-c',
                            'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && '
                            'umount "$d" && rmdir "$d"'], capture_output=True)
    return probe.returncode == 0


# Runs inside a private mount namespace (unshare -m): a small tmpfs as the output folder,
# filled, enlarged, then made read-only. Results go to a JSON file outside the mount.
ON_A_TMPFS = r'''
import json, subprocess, sys
python, build, root, out, results = sys.argv[1:6]

def run(*args):
    done = subprocess.run([python, build, '--root', root, *args], capture_output=True, text=True)
    return {'rc': done.returncode, 'stdout': done.stdout, 'stderr': done.stderr}

def mount(options):
    subprocess.run(['mount', '-o', 'remount,' + options, out], check=True)

selection = ['-p', '08', '--lang', 'none', '--jobs', '1']
subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=700k', 'tmpfs', out], check=True)
steps = {}
steps['full'] = run('build', '--out', out, *selection)
steps['full-manifest'] = open(out + '/manifest.json').read()
steps['full-check'] = run('manifest', '--check', '--out', out)
mount('size=8m')
steps['resumed'] = run('build', '--out', out, *selection)
steps['resumed-check'] = run('manifest', '--check', '--out', out)
notice = root + '/notices/2024-10-08-onestop.yaml'
text = open(notice, encoding='utf-8').read()
open(notice, 'w', encoding='utf-8').write(text.replace('date: 2024-10-08', 'date: 2024-10-09'))
mount('ro')
steps['read-only'] = run('build', '--out', out, *selection)
steps['read-only-check'] = run('manifest', '--check', '--out', out)
mount('rw')
steps['writable'] = run('build', '--out', out, *selection)
steps['writable-check'] = run('manifest', '--check', '--out', out)
json.dump(steps, open(results, 'w'))
'''


@pytest.mark.skipif(not _can_mount(), reason='mounting a tmpfs is not allowed here')
def test_a_real_full_and_read_only_tmpfs(tmp_path):
    root = copy_project(tmp_path / 'project')
    out = tmp_path / 'mnt'
    out.mkdir()
    script = tmp_path / 'on_a_tmpfs.py'
    script.write_text(ON_A_TMPFS, encoding='utf-8')
    results = tmp_path / 'results.json'
    done = subprocess.run(['unshare', '-m', sys.executable, str(script), sys.executable,
                           str(ROOT / 'build.py'), str(root), str(out), str(results)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    steps = json.loads(results.read_text(encoding='utf-8'))
    for step in ('full', 'read-only'):
        assert steps[step]['rc'] == 1, steps[step]
        assert 'Traceback' not in steps[step]['stderr']
        assert len(error_lines(steps[step]['stderr'])) == 1, steps[step]['stderr']
    assert 'no space left on the device' in steps['full']['stderr']
    assert 'the folder is read-only' in steps['read-only']['stderr']
    listed = json.loads(steps['full-manifest'])['outputs']
    assert listed and all(entry['status'] == 'ok' for entry in listed)
    assert steps['full-check']['rc'] == 0, steps['full-check']
    for step in ('resumed', 'resumed-check', 'writable', 'writable-check'):
        assert steps[step]['rc'] == 0, (step, steps[step])
    assert f'{len(listed)} unchanged' in steps['resumed']['stdout']


def test_a_link_out_of_the_output_folder_is_never_written_through(tmp_path, small_build):
    """A folder of OUT that is a symbolic link to elsewhere: the build wrote through it and
    replaced a file outside OUT. Now each file there fails, naming the link; preview too."""
    root, out = copy_of(small_build, tmp_path)
    elsewhere = tmp_path / 'elsewhere'
    elsewhere.mkdir()
    (elsewhere / 'notice.pdf').write_bytes(b'not ours')
    shutil.rmtree(out / NOTICE)
    (out / NOTICE).symlink_to(elsewhere)
    result = run_cli('build', '--out', str(out), *SMALL, root=root)
    assert result.returncode == 1 and 'Traceback' not in result.stderr
    assert f'{out}/{NOTICE}/notice.pdf: resolves outside {out} (a symbolic link' \
        in result.stderr, result.stderr
    assert [p.name for p in elsewhere.iterdir()] == ['notice.pdf']
    assert (elsewhere / 'notice.pdf').read_bytes() == b'not ours'
    (out / NOTICE).unlink()
    (out / 'preview').symlink_to(elsewhere)
    result = run_cli('preview', '--out', str(out), root=root)
    assert result.returncode == 1 and 'Traceback' not in result.stderr
    assert f'error: cannot write {out}/preview: it resolves outside {out}' in result.stderr
    assert [p.name for p in elsewhere.iterdir()] == ['notice.pdf']
