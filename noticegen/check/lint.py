"""Templates and stylesheets checked before rendering: Jinja syntax, and WeasyPrint's CSS warnings.

The result depends only on the files' bytes (and the tool), so it is cached: a no-op
validate or build reports the same warnings without importing WeasyPrint.
"""

from __future__ import annotations

import hashlib
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


def lint_layouts(project: Project, names: list[str], cache: Path) -> list[SourceError]:
    """Errors and warnings of the templates and stylesheets ``names`` (under templates/)."""
    digest = hashlib.sha256(tool_identity().encode())
    for name in sorted(names):
        digest.update(f'{name}\0'.encode() + (project.templates / name).read_bytes() + b'\0')
    record = cache / 'layout-lint' / f'{digest.hexdigest()}.json'
    try:
        return [SourceError(*item) for item in json.loads(record.read_text(encoding='utf-8'))]
    except (OSError, ValueError, TypeError):
        pass
    found: list[SourceError] = []
    for name in sorted(names):
        if name.endswith('.html'):
            found += _template_errors(project, name)
        elif name.endswith('.css'):
            found += _stylesheet_warnings(project, name)
    try:
        write_atomic(record, json.dumps([[e.path, e.line, e.col, e.message, e.severity]
                                         for e in found], ensure_ascii=False).encode())
    except OSError:
        pass  # an unwritable cache: the check simply runs every time
    return found
