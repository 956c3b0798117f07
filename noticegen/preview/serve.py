"""build.py serve: a dev server. It binds first, builds, serves the gallery, watches the
sources with watchfiles (debounced, editor temporaries ignored), rebuilds on change, and open
pages reload themselves; a failed build shows as a banner on every page until it is fixed."""

from __future__ import annotations

import errno
import html
import http.server
import re
import subprocess
import sys
import threading
from functools import partial
from pathlib import Path

from ..build import dies_with_this_process
from ..errors import NoticegenError
from ..layout import SOURCE_FOLDERS as WATCHED
from ..output.lock import locked
# Added to every HTML page served: poll the build version, reload when it changes.
RELOAD_SCRIPT = b'''<script>
(function () {
  var seen = null;
  function poll() {
    fetch('/__version', {cache: 'no-store'}).then(function (r) { return r.text(); })
      .then(function (v) { if (seen !== null && v !== seen) { location.reload(); } seen = v; })
      .catch(function () {}).finally(function () { setTimeout(poll, 500); });
  }
  poll();
})();
</script>'''
# Shown while the first build runs, before there is a gallery.
WAITING_PAGE = ('<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">'
                '<title>noticegen: ビルド中</title></head><body><h1>ビルド中…</h1>'
                '<p>できあがると、このページは自動で更新されます。(Building; this page reloads '
                'when it is ready.)</p></body></html>')
# Shown when there is no gallery because the build failed (the banner says why).
FAILED_PAGE = ('<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">'
               '<title>noticegen: ビルド失敗</title></head><body><h1>ギャラリーはまだありません'
               '</h1><p>直して保存すると、作り直してこのページを更新します。(No gallery yet: '
               'fix the error and save.)</p></body></html>')

# Editors' temporary and backup files: saving through them is not a change of a source.
# Emacs: .#x (lock), #x# (auto-save), x~ (backup); Vim: .x.swp/.swo/.swx, 4913 (its write
# test), x~; JetBrains: x___jb_tmp___ / x___jb_old___; others: .DS_Store, x.tmp, x.bak.
EDITOR_TEMPORARIES = re.compile(
    r'^\.#|^#.*#$|~$|^\..*\.sw[a-p]$|\.sw[a-p]$|^4913$|___jb_(tmp|old)___$|^\.DS_Store$'
    r'|\.(tmp|bak|orig|crdownload)$|^\.goutputstream-')
# How long the sources must be quiet before a rebuild (ms), and the longest a burst is grouped.
QUIET_MS = 300
DEBOUNCE_MS = 1600


def is_source_change(change, path: str) -> bool:
    """Whether a changed ``path`` is a source: no editor temporary, nothing in a hidden folder."""
    name = Path(path).name
    if EDITOR_TEMPORARIES.search(name):
        return False
    return not any(part.startswith('.') and part not in ('.', '..')
                   for part in Path(path).parts[:-1])


def watched_folders(root: Path) -> list[Path]:
    """The source folders of the project that exist (watchfiles needs existing paths)."""
    return [root / folder for folder in WATCHED if (root / folder).is_dir()]


def watch(root: Path, stop: threading.Event | None = None, quiet_ms: int = QUIET_MS,
          debounce_ms: int = DEBOUNCE_MS):
    """Yield the set of changed source paths (relative to ``root``), one set per burst."""
    import watchfiles
    folders = watched_folders(root)
    if not folders:
        return
    for changes in watchfiles.watch(*folders, watch_filter=is_source_change, step=quiet_ms,
                                    debounce=debounce_ms, stop_event=stop,
                                    raise_interrupt=True):
        paths = set()
        for _, path in changes:
            try:
                paths.add(str(Path(path).relative_to(root)))
            except ValueError:
                paths.add(path)
        if paths:
            yield paths


class State:
    """What pages poll: the build version (bumped after every rebuild), and the last error."""

    def __init__(self):
        self.version = 0
        self.error: str | None = None   # the failed build's message lines, until one succeeds
        self.lock = threading.Lock()

    def finished(self, error: str | None) -> None:
        with self.lock:
            self.error = error
            self.version += 1

    def token(self) -> str:
        with self.lock:
            return f'{self.version}-{"error" if self.error else "ok"}'


def error_banner(error: str) -> bytes:
    """The red banner at the top of every page while the last build has failed."""
    return ('<div id="noticegen-error" role="alert" style="position:sticky;top:0;z-index:9;'
            'background:#b00020;color:#fff;padding:.6em 1em;margin:0 0 1em;'
            'font:14px/1.4 sans-serif"><strong>ビルドに失敗しました（Build failed）。'
            '直して保存すると消えます。前回の成功時の画像を表示しています。</strong>'
            '<pre style="white-space:pre-wrap;margin:.4em 0 0;font-size:13px">'
            f'{html.escape(error)}</pre></div>').encode()


LOOPBACK = ('127.0.0.1', 'localhost', '::1', '[::1]')


def allowed_hosts(host: str, port: int) -> set[str]:
    """The Host: headers served: loopback names and the bound address, with the port."""
    names = {*LOOPBACK, host, f'[{host}]' if ':' in host and not host.startswith('[') else host}
    return {name for base in names for name in (base, f'{base}:{port}')}


def make_handler(out: Path, state: State, hosts: set[str] | None = None):
    root = out.resolve()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format, *args):  # keep the terminal for build output
            pass

        def send_body(self, body: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header('Content-Type', content_type)
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()  # adds Cache-Control: no-store
            self.wfile.write(body)

        def refuse(self, code: int, reason: str) -> None:
            self.send_response(code)
            body = f'{code} {reason}\n'.encode()
            self.send_header('Content-Type', 'text/plain; charset=utf-8')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def list_directory(self, path):  # never list a folder
            self.refuse(404, 'not found')
            return None

        def do_HEAD(self):
            self.refuse(405, 'GET only')

        def do_GET(self):
            try:
                self.serve_get()
            except (ValueError, OSError, UnicodeError):   # '/%00', an unreadable path
                self.refuse(400, 'bad path')

        def serve_get(self):
            host = self.headers.get('Host', '')
            if hosts is not None and host not in hosts:
                self.refuse(400, 'unknown host')   # DNS rebinding: only our own names
                return
            if self.path.startswith('/__version'):
                self.send_body(state.token().encode(), 'text/plain')
                return
            if self.path in ('/', ''):
                self.send_response(302)
                self.send_header('Location', '/preview/index.html')
                self.end_headers()
                return
            target = Path(self.translate_path(self.path))
            if '\0' in str(target):
                self.refuse(400, 'bad path')
                return
            if not target.resolve().is_relative_to(root):
                self.refuse(404, 'not found')   # a symlink out of the folder is not served
                return
            if target.is_dir():
                self.refuse(404, 'not found')
                return
            if target.suffix == '.html' and not target.is_file() and (
                    state.version == 0 or state.error):
                # No gallery yet: the first build is running, or has failed (then the
                # page shows the banner). It reloads itself when a build finishes.
                self.send_page(WAITING_PAGE.encode() if state.version == 0 else
                               FAILED_PAGE.encode())
                return
            # A reader: never while a build writes the folder. Taken per request, so that
            # serve never holds it while its own child builds.
            with locked(out, exclusive=False):
                if target.suffix == '.html' and target.is_file():
                    self.send_page(target.read_bytes())
                    return
                super().do_GET()

        def send_page(self, body: bytes) -> None:
            """An HTML page with the reload script and, after a failed build, the banner."""
            error = state.error
            if error:
                body = re.sub(rb'<body([^>]*)>', lambda m: m.group(0) + error_banner(error),
                              body, count=1)
            body = body.replace(b'</body>', RELOAD_SCRIPT + b'</body>')
            self.send_body(body, 'text/html; charset=utf-8')

        def end_headers(self):
            self.send_header('Cache-Control', 'no-store')
            super().end_headers()

    return partial(Handler, directory=str(out))


def _child_env() -> dict[str, str]:
    """The environment of the child build: this very package first on its path."""
    import os
    package_parent = str(Path(__file__).resolve().parent.parent.parent)
    path = os.environ.get('PYTHONPATH', '')
    return {**os.environ, 'PYTHONPATH': package_parent + (os.pathsep + path if path else '')}


def rebuild(root: Path, out: Path, prefectures: list[str] | None, echo) -> str | None:
    """Build, then preview, in a child process (a crash there never stops the server).

    Returns None on success, or the failed command's message lines (for the banner).
    """
    args = ['--root', str(root)]
    filters = [item for code in prefectures or [] for item in ('-p', code)]
    for command in (['build', '--out', str(out), *filters],
                    ['preview', '--out', str(out), *filters]):
        # The child dies with the server, and its workers with it.
        result = subprocess.run([sys.executable, '-m', 'noticegen', *args, *command],
                                capture_output=True, text=True, env=_child_env(),
                                stdin=subprocess.DEVNULL, preexec_fn=dies_with_this_process())
        summary = (result.stdout.strip().splitlines() or [''])[-1]
        echo(f'{command[0]}: {summary}')
        if result.returncode != 0:
            message = result.stderr.strip()[-4000:] or f'{command[0]} exited {result.returncode}'
            echo(message)
            return f'{command[0]}: exit {result.returncode}\n{message}'
    return None


def bind(host: str, port: int) -> http.server.ThreadingHTTPServer:
    """The listening socket, before anything is built: a port in use is one line."""
    try:
        return http.server.ThreadingHTTPServer((host, port), None)
    except OSError as exception:
        if exception.errno == errno.EADDRINUSE:
            raise NoticegenError(f'port {port} on {host} is in use (another serve?); stop it, '
                                 f'or choose another port with --port (0: any free port)') \
                from None
        if exception.errno == errno.EACCES:
            raise NoticegenError(f'cannot listen on {host}:{port}: permission denied (ports '
                                 f'below 1024 need root); choose another with --port') from None
        raise NoticegenError(f'cannot listen on {host}:{port}: '
                             f'{exception.strerror or exception}') from None


def serve(root: Path, out: Path, prefectures: list[str] | None, host: str, port: int,
          echo, stop: threading.Event | None = None) -> None:
    """Serve ``out`` on http://host:port/, rebuilding whenever a watched source changes."""
    server = bind(host, port)
    state = State()
    if host not in LOOPBACK:
        echo(f'warning: serving on {host}, not on this machine only: anyone who can reach '
             f'it sees the previews')
    server.RequestHandlerClass = make_handler(out, state, allowed_hosts(
        host, server.server_address[1]))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    shown = host if ':' not in host else f'[{host}]'
    echo(f'serving http://{shown}:{server.server_address[1]}/preview/index.html '
         f'(Ctrl-C to stop); building ...')
    watched = ', '.join(f'{folder.name}/' for folder in watched_folders(root))
    try:
        state.finished(rebuild(root, out, prefectures, echo))
        echo(f'ready (version {state.version}); watching {watched}')
        for changed in watch(root, stop):
            shown_paths = sorted(changed)
            echo(f'changed: {", ".join(shown_paths[:3])}'
                 f'{f" and {len(shown_paths) - 3} more" if len(shown_paths) > 3 else ""}; '
                 f'rebuilding')
            error = rebuild(root, out, prefectures, echo)
            state.finished(error)
            echo(f'build failed (version {state.version}): the pages show the error'
                 if error else f'ready (version {state.version})')
    except KeyboardInterrupt:
        echo('stopped')
    finally:
        server.shutdown()
        server.server_close()
