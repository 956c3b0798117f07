"""The no-op stamp: a warm `build` with nothing changed answers without loading a source.

A `build` that ends with every file built or current, nothing failed and exit status 0
records what it depended on, in the project's cache folder (one stamp per output folder):

- the command line as typed (the arguments, the working directory) and the environment
  variables that can change its meaning or its fonts (``ENVIRONMENT``), today's date
  (``NOTICEGEN_TODAY`` or the clock: warnings depend on it), and the project root and the
  output folder they resolved to;
- the tool: its version and a digest of its own source (``tool_identity``), the Python
  that ran it, its ``sys.path`` and each folder on it (a package installed or removed
  changes a site-packages folder);
- every file and folder under the project's source folders (``layout.SOURCE_FOLDERS``):
  an added, removed or edited file counts, read or not;
- the fonts: the fontconfig configuration, its cache folders and the font folders, every
  file under them, and the files the stylesheets' families resolved to;
- the manifest and every output file, and the folders that hold them;
- what a build with nothing to do prints: its warnings, the kinds' summaries, the count.

Each file is recorded by its type, size, times (mtime and ctime, in nanoseconds), inode and
device. A file changed less than ``RACY_NS`` before it was recorded may change again within
the same tick of the file system's clock and look the same, as git's "racy" index entries
do: its content digest is recorded too, and compared. A change restoring the old mtime still
moves the ctime, which no program can set.

The next `build` with the same command line reads the stamp first, importing nothing
heavier than this module (``answer``): if everything matches, it prints what the build
printed and exits 0 without loading YAML, planning, checking glyphs or importing
WeasyPrint. Any difference, a missing or unreadable stamp, another version, or an output
folder another process is writing, falls through to the full build, which stays the source
of truth. A full build removes the stamp of its output folder before it starts.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path

from .. import __version__
from ..layout import SOURCE_FOLDERS, cache_dir, find_root

FORMAT = 1
FOLDER = 'noop'               # in the project's cache folder
RACY_NS = 2_000_000_000       # a file changed this recently is also compared by content
KEEP = 20                     # stamps kept per project (the most recently written)

# Environment variables that can change what a build reads, prints or embeds: its date,
# the Python and its packages, fontconfig, the locale, the folders of the user's fonts
# and caches, the programs it runs (fc-match) and the time zone of "today".
ENVIRONMENT_PREFIXES = ('NOTICEGEN_', 'PYTHON', 'FONTCONFIG_', 'FC_', 'XDG_', 'LC_', 'PANGO',
                        'GDK_', 'LD_')
ENVIRONMENT = ('PATH', 'HOME', 'TZ', 'LANG', 'LANGUAGE')

# Where fontconfig finds its configuration, its caches and the fonts (the standard
# locations of fonts.conf; FONTCONFIG_FILE and FONTCONFIG_PATH add theirs).
FONT_CONFIG = ('/etc/fonts',)
FONT_FOLDERS = ('/usr/share/fonts', '/usr/local/share/fonts', '~/.fonts', '{data}/fonts')
FONT_CACHES = ('/var/cache/fontconfig', '{cache}/fontconfig', '~/.fontconfig')


def tool_identity() -> str:
    """The version and a digest of the code itself, so that a code change rebuilds."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob('*.py')):
        digest.update(str(path.relative_to(package)).encode() + b'\0' + path.read_bytes())
    return digest.hexdigest()


# --- the command line, read without click -------------------------------------------------

def split(args: list[str]) -> tuple[dict[str, str], int] | None:
    """The group's options (--root, --cache-dir) of a ``build`` command line, and the
    position of ``build``; None for any other shape."""
    found: dict[str, str] = {}
    index = 0
    while index < len(args) and args[index] != 'build':
        name, equals, value = args[index].partition('=')
        if name not in ('--root', '--cache-dir') or name in found:
            return None
        if not equals:
            index += 1
            if index >= len(args):
                return None
            value = args[index]
        found[name] = value
        index += 1
    return (found, index) if index < len(args) else None


def locate(args: list[str]) -> tuple[str | None, str | None, str | None] | None:
    """The ``--root``, ``--cache-dir`` and ``--out`` of a ``build`` command line, or None.

    Only the plain shapes are read (``--root R``, ``--root=R``; ``build`` first after the
    group's options); anything else (another command, --force, --help, an option given
    twice) is None, and the build takes its full path. This reading only finds the stamp:
    a stamp holds only when its recorded arguments are these very ones, and the build that
    wrote it checked that this reading agreed with click's.
    """
    parts = split(args)
    if parts is None:
        return None
    found, index = parts
    for position, token in enumerate(args[index + 1:], start=index + 1):
        name, equals, value = token.partition('=')
        if token in ('--force', '--help', '-h', '--'):
            return None
        if name == '--out':
            if '--out' in found:
                return None
            if not equals:
                if position + 1 >= len(args):
                    return None
                value = args[position + 1]
            found['--out'] = value
    return found.get('--root'), found.get('--cache-dir'), found.get('--out')


def stamp_file(cache: Path, out: Path) -> Path:
    """The stamp of the output folder ``out`` (an absolute path, as the build writes it)."""
    return cache / FOLDER / f'{hashlib.sha256(str(out).encode()).hexdigest()[:16]}.json'


def where(args: list[str], cwd: str) -> tuple[Path, Path, Path] | None:
    """The project root, the output folder and the stamp's file of a command line, or None.

    As click reads them: a relative --out or --cache-dir is taken from ``cwd`` (joined,
    not normalised, so that ``..`` after a link means what it means to the system).
    """
    located = locate(args)
    if located is None:
        return None
    root_given, cache_given, out_given = located
    if root_given is None:
        root = find_root(Path(cwd))
        if root is None:
            return None
    else:
        given = Path(cwd, root_given)
        if not given.is_dir():
            return None
        root = given.resolve()
    out = Path(cwd, out_given) if out_given is not None else root / 'dist'
    cache = cache_dir(root, Path(cwd, cache_given) if cache_given is not None else None)
    return root, out, stamp_file(cache, out)


def environment(environ=None) -> dict[str, str]:
    environ = os.environ if environ is None else environ
    return {name: value for name, value in sorted(environ.items())
            if name in ENVIRONMENT or name.startswith(ENVIRONMENT_PREFIXES)}


def today(environ=None) -> str:
    """Today as the build sees it (options.current_date, without importing it)."""
    from datetime import date
    given = (os.environ if environ is None else environ).get('NOTICEGEN_TODAY')
    return given if given else date.today().isoformat()


# --- what a file is -----------------------------------------------------------------------

def _digest(path: str) -> str | None:
    """A file's content digest, or a folder's listing's; None if it cannot be read."""
    try:
        if os.path.isdir(path):
            return hashlib.sha256('\0'.join(sorted(os.listdir(path))).encode()).hexdigest()
        with open(path, 'rb') as stream:
            return hashlib.file_digest(stream, 'sha256').hexdigest()
    except OSError:
        return None


def _entry(path: str, link: bool | None = None) -> list | None:
    """What tells one version of ``path`` from another: type and permissions, size,
    mtime, ctime, inode, device (of what a link leads to), and a link's target."""
    try:
        found = os.stat(path)
        target = os.readlink(path) if (os.path.islink(path) if link is None else link) else None
    except OSError:
        return None
    return [found.st_mode, found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino,
            found.st_dev, target]


def _racy(entry: list | None, now: int) -> bool:
    return entry is not None and max(entry[2], entry[3]) >= now - RACY_NS


def _tree(top: str, entries: dict, linked_folders: list[str]) -> None:
    """``top`` and every file and folder under it, into ``entries`` (absolute paths).

    A link to a folder is recorded but not followed; its path goes into ``linked_folders``.
    """
    entries[top] = _entry(top)
    if entries[top] is None or not os.path.isdir(top):
        return
    if os.path.islink(top):
        linked_folders.append(top)
        return
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as scan:
                found = sorted(scan, key=lambda item: item.name)
        except OSError:
            entries[folder] = None
            continue
        for item in found:
            link = item.is_symlink()
            entries[item.path] = _entry(item.path, link)
            if item.is_dir():
                if link:
                    linked_folders.append(item.path)
                else:
                    stack.append(item.path)


def _expand(template: str, environ) -> str:
    home = environ.get('HOME') or os.path.expanduser('~')
    return os.path.expanduser(template.format(
        data=environ.get('XDG_DATA_HOME') or os.path.join(home, '.local', 'share'),
        cache=environ.get('XDG_CACHE_HOME') or os.path.join(home, '.cache')))


def font_places(environ=None) -> tuple[list[str], list[str]]:
    """The folders whose every file is recorded (configuration, fonts), and the folders
    recorded by their own entry only (fontconfig's caches)."""
    environ = os.environ if environ is None else environ
    trees = list(FONT_CONFIG) + [_expand(t, environ) for t in FONT_FOLDERS]
    for name in ('FONTCONFIG_FILE', 'FONTCONFIG_PATH'):
        trees += [part for part in environ.get(name, '').split(os.pathsep) if part]
    return trees, [_expand(t, environ) for t in FONT_CACHES]


def _python() -> dict:
    return {'executable': sys.executable, 'version': sys.version, 'path': list(sys.path),
            'prefix': sys.prefix}


# --- the full build records ---------------------------------------------------------------

class Recorder:
    """What a full build records as it goes; ``write`` leaves the stamp once all is well.

    ``start`` is called before any source is read, so that an edit made while the build
    runs leaves a stamp that does not match; ``outputs`` under the output folder's lock,
    right after the build; ``write`` once the command has printed everything and is about
    to exit 0.
    """

    def __init__(self, args: list[str], cwd: str, root: Path, out: Path, path: Path):
        self.args, self.cwd, self.root, self.out, self.path = args, cwd, root, out, path
        self.started = time.time_ns()
        self.usable = True
        self.why = ''
        self.stamp: dict = {}
        self.entries: dict[str, list | None] = {}
        self.digests: dict[str, str] = {}

    @classmethod
    def start(cls, args: list[str] | None, root: Path, out: Path, cache: Path,
              cwd: str | None = None) -> Recorder | None:
        """Remove the stamp of ``out`` and begin recording under ``args``, or None.

        ``root``, ``out`` and ``cache`` are click's reading of the command line; None when
        ``args`` is None, or when the cheap reading of it (``where``) disagrees with click's
        or finds nothing: such a command line has no stamp.
        """
        cwd = os.getcwd() if cwd is None else cwd
        out, cache = Path(cwd, out), Path(cwd, cache)
        _remove(stamp_file(cache, out))
        if args is None:
            return None
        found = where(args, cwd)
        if found is None or found != (root, out, stamp_file(cache, out)):
            return None
        recorder = cls(list(args), cwd, root, out, found[2])
        recorder._inputs()
        return recorder

    def fail(self, why: str) -> None:
        self.usable, self.why = False, self.why or why

    def _inputs(self) -> None:
        environ = dict(os.environ)
        linked: list[str] = []
        for name in SOURCE_FOLDERS:
            _tree(str(self.root / name), self.entries, linked)
        if linked:
            self.fail(f'a link to a folder in the sources: {linked[0]}')
        trees, caches = font_places(environ)
        for top in trees:
            _tree(top, self.entries, [])
        for folder in caches + [folder for folder in sys.path if folder]:
            self.entries[folder] = _entry(folder)
        self.stamp = {
            'format': FORMAT, 'version': __version__, 'tool': tool_identity(),
            'python': _python(), 'args': self.args, 'cwd': self.cwd,
            'environment': environment(environ), 'today': today(environ),
            'root': str(self.root), 'out': str(self.out), 'trees': [
                str(self.root / name) for name in SOURCE_FOLDERS] + trees,
        }
        self._racy_digests(self.entries)

    def _racy_digests(self, entries: dict) -> None:
        now = time.time_ns()
        for path, entry in entries.items():
            if _racy(entry, now):
                digest = _digest(path)
                if digest is None:
                    self.fail(f'cannot read {path}')
                else:
                    self.digests[path] = digest

    def covers(self, inputs) -> None:
        """Check that every input file the plan names is recorded (absolute paths)."""
        for path in inputs:
            if str(path) not in self.entries:
                self.fail(f'an input outside the source folders: {path}')
                return

    def fonts(self, paths) -> None:
        """The font files the stylesheets' families resolved to."""
        paths = list(paths)
        for path in paths:
            path = str(path)
            if path not in self.entries:
                self.entries[path] = _entry(path)
        self._racy_digests({str(path): self.entries[str(path)] for path in paths})

    def outputs(self, outputs: list[str], expected: dict[str, str]) -> None:
        """Record the output files and the manifest; called holding the folder's lock.

        ``expected`` maps each output to the sha256 the manifest lists: a file changed
        since this build started is compared with it, so that nothing another process
        wrote meanwhile is stamped as this build's.
        """
        from .manifest import MANIFEST
        now = time.time_ns()
        # Changed since this build started (or too recently to tell): compared by content.
        since = min(self.started, now - RACY_NS) - RACY_NS
        recorded: dict[str, list | None] = {}
        folders = {str(self.out)}
        for output in outputs:
            path = str(self.out / output)
            entry = recorded[path] = _entry(path)
            folders.add(os.path.dirname(path))
            if entry is None:
                self.fail(f'missing after the build: {path}')
                return
            if max(entry[2], entry[3]) >= since:
                digest = _digest(path)
                if digest != expected.get(output):
                    self.fail(f'{path} does not match the manifest')
                    return
                if _racy(entry, now):
                    self.digests[path] = digest
        manifest_path = str(self.out / MANIFEST)
        recorded[manifest_path] = _entry(manifest_path)
        for folder in sorted(folders):
            recorded[folder] = _entry(folder)
        self.entries.update(recorded)
        self._racy_digests({path: recorded[path] for path in [manifest_path, *folders]})

    def write(self, replay: dict) -> None:
        """Write the stamp (atomically), if everything recorded was as expected."""
        if not self.usable or today() != self.stamp['today']:
            return
        from .atomic import write_atomic
        stamp = dict(self.stamp, files=self.entries, digests=self.digests, replay=replay)
        try:
            write_atomic(self.path, json.dumps(stamp, ensure_ascii=False,
                                               sort_keys=True).encode('utf-8'))
            # One stamp per output folder: only the most recent folders' are kept.
            stamps = sorted(self.path.parent.glob('*.json'),
                            key=lambda path: path.stat().st_mtime_ns, reverse=True)
            for old in stamps[KEEP:]:
                _remove(old)
        except OSError:
            pass   # a read-only cache folder: every build takes the full path


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


# --- the next build answers -----------------------------------------------------------------

def answer(args: list[str], cwd: str | None = None) -> dict | None:
    """What a no-op ``build`` with these arguments prints, or None (take the full path)."""
    replay, _ = consult(args, cwd)
    return replay


def consult(args: list[str], cwd: str | None = None) -> tuple[dict | None, str]:
    """The stamp's replay for these arguments, or None and what differs.

    Reads the stamp under a shared lock of the output folder, taken without waiting: a
    build writing it sends this one down the full path, which waits for it.
    """
    import fcntl

    from .lock import LOCK
    cwd = os.getcwd() if cwd is None else cwd
    found = where(args, cwd)
    if found is None:
        return None, 'not a plain build command line'
    root, out, path = found
    try:
        handle = os.open(out / LOCK, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None, 'no build has written the output folder'
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return None, 'another build is writing the output folder'
        try:
            stamp = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return None, 'no stamp'
        replay = stamp['replay']
        if not (isinstance(replay.get('totals'), str) and isinstance(replay['verbosity'], int)
                and all(isinstance(line, str) for name in ('stderr', 'stdout', 'unchanged')
                        for line in replay[name])):
            return None, 'a stamp of another shape'
        difference = _difference(stamp, args, cwd, root, out)
        return (None, difference) if difference else (replay, '')
    except (KeyError, TypeError, IndexError, AttributeError, ValueError, OSError):
        return None, 'a stamp of another shape'
    finally:
        os.close(handle)


def _difference(stamp: dict, args: list[str], cwd: str, root: Path, out: Path) -> str:
    """What has changed since the stamp was written ('' if nothing)."""
    environ = dict(os.environ)
    if stamp.get('format') != FORMAT or stamp['version'] != __version__:
        return 'another version'
    now = {'args': args, 'cwd': cwd, 'root': str(root), 'out': str(out),
           'environment': environment(environ), 'today': today(environ),
           'python': _python()}
    for name, value in now.items():
        if stamp[name] != value:
            return f'the {name}'
    files: dict = stamp['files']
    # The trees again: a file added anywhere in them is a difference.
    seen: dict[str, list | None] = {}
    for top in stamp['trees']:
        _tree(top, seen, [])
    for path, entry in seen.items():
        if files.get(path, 'absent') != entry:
            return path
    for path, entry in files.items():
        if path not in seen and _entry(path) != entry:
            return path
    for path, digest in stamp['digests'].items():
        if _digest(path) != digest:
            return f'{path} (its content)'
    return '' if stamp['tool'] == tool_identity() else 'the tool\'s source'
