"""The hostile corpus (tests/hostile/): no source can crash, hang, or leak.

Every case ends in one clear error at its place, exit 1, nothing written, and no
traceback, within a guard timeout.
"""

from __future__ import annotations

import http.client
import io
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pikepdf
import pytest

from conftest import ROOT, SEED_PDF, copy_project, messages, run_cli
from hostile import CLASSES, Case

PREVIOUS = b'%PDF-1.7 previous good output, must survive\n'
CODE_CLASSES = ('included-pdfs', 'diff-baseline', 'serve')   # cases written as code below
CASES = [(name, case) for name, cases in CLASSES.items() for case in cases]


def test_every_class_of_the_corpus_has_at_least_three_cases():
    assert len(CLASSES) + len(CODE_CLASSES) >= 8
    for name, cases in CLASSES.items():
        assert len(cases) >= 3, name
        assert len({case.name for case in cases}) == len(cases)


def cli(*args, root: Path, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / 'build.py'), '--root', str(root), *args],
                          capture_output=True, text=True, cwd=root, timeout=timeout)


@pytest.mark.parametrize('group, case', CASES, ids=[f'{g}/{c.name}' for g, c in CASES])
def test_a_hostile_source_is_one_clear_error_and_writes_nothing(group, case: Case, tmp_path):
    root = copy_project(tmp_path / 'project')
    case.edit(root)
    out = tmp_path / 'dist'
    previous = out / SEED_PDF
    previous.parent.mkdir(parents=True)
    previous.write_bytes(PREVIOUS)
    for command in (['validate'], ['build', '--out', str(out), '-p', '13', '--lang', 'ko']):
        result = cli(*command, root=root, timeout=case.timeout)
        assert result.returncode == case.exit_code, (command, result.stderr[-2000:])
        assert 'Traceback' not in result.stderr
        errors = messages(result.stderr, 'error')
        assert any(e['path'] == case.path and re.search(case.message, e['message'])
                   for e in errors), result.stderr[-2000:]
        for line in result.stderr.splitlines():
            assert len(line) < 600, 'an error line quotes too much'
        if case.secret:
            assert case.secret not in result.stderr
    assert previous.read_bytes() == PREVIOUS
    assert [p.name for p in out.rglob('*') if p.is_file() and p.suffix == '.pdf'] == [
        'notice.pdf']


# --- included PDFs ---------------------------------------------------------------------------

def pdf_with(**kwargs) -> bytes:
    """A one-page PDF; kwargs: size=(w, h) in points, js=True, encryption=pikepdf.Encryption."""
    document = pikepdf.new()
    document.add_blank_page(page_size=kwargs.get('size', (595.28, 841.89)))
    if kwargs.get('js'):
        action = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String('app.alert(1)'))
        document.Root.OpenAction = document.make_indirect(action)
        document.Root.Names = pikepdf.Dictionary(JavaScript=pikepdf.Dictionary(
            Names=pikepdf.Array([pikepdf.String('x'), document.make_indirect(action)])))
    output = io.BytesIO()
    encryption = kwargs.get('encryption')
    document.save(output, encryption=encryption) if encryption else document.save(output)
    return output.getvalue()


def attach(root: Path, data: bytes) -> None:
    folder = root / 'attachments' / '2024-10-08-onestop'
    (folder / 'original.pdf').write_bytes(data)
    (folder / '5-original.yaml').write_text(
        'notice: 2024-10-08-onestop\nnumber: 5\ntitle: 原本\nkind: pdf\nfile: original.pdf\n',
        encoding='utf-8')


@pytest.mark.parametrize('name, data, message', [
    ('user-password', lambda: pdf_with(encryption=pikepdf.Encryption(user='u', owner='o')),
     'needs a password to open'),
    ('owner-password-no-changes', lambda: pdf_with(encryption=pikepdf.Encryption(
        user='', owner='o', allow=pikepdf.Permissions(modify_other=False))),
     'does not allow changes'),
    ('tiny-page', lambda: pdf_with(size=(3, 3)), 'smaller than A7'),
    ('poster-page', lambda: pdf_with(size=(1684, 2384)), 'larger than A3'),
])
def test_an_unusable_included_pdf_is_refused_at_validate(name, data, message, tmp_path):
    root = copy_project(tmp_path / 'project')
    attach(root, data())
    result = cli('validate', root=root, timeout=20)
    assert result.returncode == 1, result.stderr
    errors = messages(result.stderr, 'error')
    assert any(e['path'].endswith('5-original.yaml') and message in e['message']
               for e in errors), result.stderr
    assert 'Traceback' not in result.stderr


def test_scripts_in_an_included_pdf_are_removed_with_a_warning(tmp_path):
    root = copy_project(tmp_path / 'project')
    attach(root, pdf_with(js=True))
    out = tmp_path / 'dist'
    args = ['build', '--out', str(out), '-p', '13', '--lang', 'none']
    result = cli(*args, root=root, timeout=120)
    assert result.returncode == 0, result.stderr
    assert 'removed an action run on opening (OpenAction)' in result.stderr
    assert 'removed JavaScript' in result.stderr
    with pikepdf.open(out / '2024-10-08-onestop' / 'betten-5.pdf') as pdf:
        assert '/OpenAction' not in pdf.Root
        assert '/JavaScript' not in (pdf.Root.get('/Names') or {})
    strict = cli(*args, '--force', '--strict', '--as-of', '2024-01-01', root=root, timeout=120)
    assert strict.returncode == 1
    assert 'errors under --strict' in strict.stderr


# --- diff --baseline -------------------------------------------------------------------------

@pytest.mark.parametrize('ref', ['--lock', '-x', 'HEAD; rm -rf /', '--output=/tmp/x'])
def test_a_baseline_that_looks_like_an_option_is_never_one(ref, tmp_path, full_build):
    before = subprocess.run(['git', '-C', str(ROOT), 'worktree', 'list'], capture_output=True,
                            text=True).stdout
    result = run_cli('diff', '--out', str(full_build), f'--baseline={ref}')
    assert result.returncode == 1
    assert 'is neither a folder nor a commit' in result.stderr
    assert 'Traceback' not in result.stderr
    after = subprocess.run(['git', '-C', str(ROOT), 'worktree', 'list'], capture_output=True,
                           text=True).stdout
    assert after == before


# --- serve -----------------------------------------------------------------------------------

@pytest.fixture
def server(tmp_path):
    from noticegen.preview.serve import State, allowed_hosts, make_handler
    import http.server
    out = tmp_path / 'out'
    (out / 'preview').mkdir(parents=True)
    (out / 'preview' / 'index.html').write_text('<html><body>ok</body></html>', encoding='utf-8')
    (out / 'folder').mkdir()
    (out / 'escape.txt').symlink_to('/etc/passwd')
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), None)
    port = httpd.server_address[1]
    httpd.RequestHandlerClass = make_handler(out, State(), allowed_hosts('127.0.0.1', port))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield port
    httpd.shutdown()


def get(port: int, path: str, host: str | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    connection.putrequest('GET', path, skip_host=True)
    connection.putheader('Host', host or f'127.0.0.1:{port}')
    connection.endheaders()
    response = connection.getresponse()
    return response.status, response.read()


@pytest.mark.parametrize('path, host, status', [
    ('/preview/index.html', None, 200),
    ('/folder/', None, 404),                 # no directory listing
    ('/', None, 302),
    ('/escape.txt', None, 404),              # a symlink out of the folder
    ('/%00', None, 400),                     # a bad path is 400, not a traceback
    ('/preview/index.html', 'evil.example:80', 400),   # DNS rebinding
])
def test_serve_refuses_what_it_should(server, path, host, status):
    code, body = get(server, path, host)
    assert code == status, body
    assert b'root:' not in body
