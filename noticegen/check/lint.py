"""Templates, stylesheets and catalogs checked before rendering.

Templates must compile (Jinja), stylesheets are parsed by WeasyPrint (its warnings carry
their line and column), and catalogs must be UTF-8, keep the msgid's placeholders and hold
no markup.

The result depends only on the files' bytes (and the tool), so it is cached: a no-op
validate or build reports the same warnings without importing WeasyPrint.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
from pathlib import Path

from ..errors import SourceError, shorten, warning
from ..load.project import Project
from ..output.atomic import write_atomic
from ..plan.keys import tool_identity

_POSITION = re.compile(r' at (\d+):(\d+)')


def _template_errors(project: Project, name: str) -> list[SourceError]:
    import jinja2

    from ..render.engine import make_environment
    path = project.templates / name
    env = make_environment(project.templates)
    try:
        env.compile(path.read_text(encoding='utf-8'), name, str(path))
    except jinja2.TemplateSyntaxError as exception:
        return [SourceError(project.relative(path), exception.lineno or 1, 1,
                            f'template: {shorten(exception.message or str(exception))}')]
    return []


def _stylesheet_warnings(project: Project, name: str) -> list[SourceError]:
    from weasyprint import CSS

    from ..render.engine import WarningCollector
    from ..render.fetcher import make_url_fetcher

    path = project.templates / name
    relative = project.relative(path)
    collector = WarningCollector()
    logger = logging.getLogger('weasyprint')
    logger.addHandler(collector)
    try:
        CSS(filename=str(path), url_fetcher=make_url_fetcher((project.templates,)))
    except Exception as exception:  # a refused url(), unreadable file: the stylesheet is bad
        return [SourceError(relative, 1, 1, f'css: {shorten(str(exception))}')]
    finally:
        logger.removeHandler(collector)
    found = []
    for message in collector.messages:
        match = _POSITION.search(message)
        line, col = (int(match.group(1)), int(match.group(2))) if match else (1, 1)
        found.append(warning(relative, line, col, f'css: {shorten(message)}'))
    return found


_PLACEHOLDER = re.compile(r'%\((\w+)\)[sd]|%[sd]')
_MARKUP = re.compile(r'[<>&]')


def _catalog_errors(project: Project, name: str) -> list[SourceError]:
    """A catalog must be UTF-8, keep each msgid's placeholders, and hold no markup."""
    from babel.messages.pofile import read_po

    from ..model.claims import numbers_changed

    data = (project.root / name).read_bytes()
    try:
        catalog = read_po(io.BytesIO(data), abort_invalid=True)
    except Exception as exception:  # babel's PoFileError and its parser's ValueErrors
        return [SourceError(name, getattr(exception, 'lineno', 1) or 1, 1,
                            f'catalog: {shorten(str(exception))}')]
    found = []
    for message in catalog:
        if not message.id or not message.string or isinstance(message.id, tuple):
            continue
        problems = []
        if sorted(_PLACEHOLDER.findall(message.id)) != sorted(_PLACEHOLDER.findall(
                message.string)):
            problems.append('the translation must keep the placeholders of the msgid, no more '
                            'and no fewer')
        if _MARKUP.search(message.string):
            problems.append('a translation holds no markup (<, > or &)')
        changed = numbers_changed(message.id, message.string, contact_only=True)
        if changed:   # a phone number or time only the translation has has no source
            problems.append(f'the translation {changed}: it keeps every phone number, short '
                            f'dial and time of the msgid and adds none')
        if problems:
            found.append(SourceError(name, message.lineno or 1, 1,
                                     f'catalog: {shorten(message.id, 40)!r}: '
                                     f'{"; ".join(problems)}'))
    return found


def lint_layouts(project: Project, names: list[str], cache: Path) -> list[SourceError]:
    """Errors and warnings of ``names``: templates, stylesheets, catalogs (project paths)."""
    digest = hashlib.sha256(tool_identity().encode())
    for name in sorted(names):
        digest.update(f'{name}\0'.encode() + (project.root / name).read_bytes() + b'\0')
    record = cache / 'layout-lint' / f'{digest.hexdigest()}.json'
    try:
        return [SourceError(*item) for item in json.loads(record.read_text(encoding='utf-8'))]
    except (OSError, ValueError, TypeError):
        pass
    found: list[SourceError] = []
    for name in sorted(names):
        data = (project.root / name).read_bytes()
        try:
            data.decode('utf-8')
        except UnicodeDecodeError as exception:
            line = data.count(b'\n', 0, exception.start) + 1
            found.append(SourceError(name, line, 1, f'not UTF-8 text (byte '
                                                    f'0x{data[exception.start]:02X})'))
            continue
        if name.endswith('.po'):
            found += _catalog_errors(project, name)
        elif name.endswith('.html'):
            found += _template_errors(project, name.split('/', 1)[1])
        elif name.endswith('.css'):
            found += _stylesheet_warnings(project, name.split('/', 1)[1])
    try:
        write_atomic(record, json.dumps([[e.path, e.line, e.col, e.message, e.severity]
                                         for e in found], ensure_ascii=False).encode())
    except OSError:
        pass  # an unwritable cache: the check simply runs every time
    return found
