"""build.py serve: rebuild on change and serve the preview gallery, which reloads itself."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path

from ..build import dies_with_this_process
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


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of every watched file."""
    found = {}
    for folder in WATCHED:
        for path in (root / folder).rglob('*'):
            if path.is_file():
                stat = path.stat()
                found[str(path)] = (stat.st_size, stat.st_mtime_ns)
    return found


class State:
    def __init__(self):
        self.version = 0


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
                self.send_body(str(state.version).encode(), 'text/plain')
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
            # A reader: never while a build writes the folder. Taken per request, so that
            # serve never holds it while its own child builds.
            with locked(out, exclusive=False):
                if target.suffix == '.html' and target.is_file():
                    body = target.read_bytes().replace(b'</body>', RELOAD_SCRIPT + b'</body>')
                    self.send_body(body, 'text/html; charset=utf-8')
                    return
                super().do_GET()

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


def rebuild(root: Path, out: Path, prefectures: list[str] | None, echo) -> bool:
    """Build, then preview, in a child process (a crash there never stops the server)."""
    args = ['--root', str(root)]
    filters = [item for code in prefectures or [] for item in ('-p', code)]
    ok = True
    for command in (['build', '--out', str(out), *filters],
                    ['preview', '--out', str(out), *filters]):
        # The child dies with the server, and its workers with it.
        result = subprocess.run([sys.executable, '-m', 'noticegen', *args, *command],
                                capture_output=True, text=True, env=_child_env(),
                                preexec_fn=dies_with_this_process())
        summary = (result.stdout.strip().splitlines() or [''])[-1]
        echo(f'{command[0]}: {summary}')
        if result.returncode != 0:
            echo(result.stderr.strip()[-2000:])
            ok = False
            break
    return ok


def serve(root: Path, out: Path, prefectures: list[str] | None, host: str, port: int,
          echo, interval: float = 0.5) -> None:
    """Serve ``out`` on http://host:port/, rebuilding whenever a watched source changes."""
    state = State()
    rebuild(root, out, prefectures, echo)
    state.version = 1
    if host not in LOOPBACK:
        echo(f'warning: serving on {host}, not on this machine only: anyone who can reach '
             f'it sees the previews')
    server = http.server.ThreadingHTTPServer((host, port), None)
    server.RequestHandlerClass = make_handler(out, state, allowed_hosts(
        host, server.server_address[1]))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    echo(f'serving http://{host}:{server.server_address[1]}/preview/index.html '
         f'(Ctrl-C to stop)')
    seen = snapshot(root)
    try:
        while True:
            time.sleep(interval)
            now = snapshot(root)
            if now != seen:
                seen = now
                echo('change detected: rebuilding')
                if rebuild(root, out, prefectures, echo):
                    state.version += 1
                    echo(f'ready (version {state.version})')
    except KeyboardInterrupt:
        echo('stopped')
    finally:
        server.shutdown()
