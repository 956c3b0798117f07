"""The one module that owns WeasyPrint: templates, fonts, stylesheets, fetching, PDF."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jinja2

from . import __version__
from .errors import RenderError
from .numbering import marker
from .project import NoticeSet
from .text import jtext, nobr
from .wareki import format_wareki, widen


PDF_OPTIONS = {'pdf_tags': True, 'uncompressed_pdf': False}


class FetchRefused(Exception):
    """A URL outside the project's asset folders."""


def make_url_fetcher(roots, refused: list[str] | None = None):
    """Return a WeasyPrint URL fetcher that serves only files under ``roots``."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    real_roots = [Path(root).resolve() for root in roots]

    class AssetFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            scheme = url.split(':', 1)[0].lower()
            if scheme == 'data':
                return super().fetch(url, headers)
            try:
                if scheme != 'file':
                    raise FetchRefused(f'refused {url}: only files in the project\'s asset '
                                       f'folders are fetched, never network URLs')
                path = Path(unquote(urlsplit(url).path))
                real = path.resolve()  # follows symlinks, so a link out is caught
                if not any(real.is_relative_to(root) for root in real_roots):
                    raise FetchRefused(f'refused {url}: {real} is outside the asset folders '
                                       f'({", ".join(str(r) for r in real_roots)})')
                if not real.is_file():
                    raise FetchRefused(f'refused {url}: no such file')
            except FetchRefused as exception:
                if refused is not None:
                    refused.append(str(exception))
                raise
            return URLFetcherResponse(url, body=real.read_bytes())

    return AssetFetcher(fail_on_errors=True)


class _WarningCollector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@dataclass
class Renderer:
    """Render documents, reusing stylesheets and the font configuration."""

    templates: Path
    # The only folders WeasyPrint may read from; by default the templates folder.
    asset_roots: tuple[Path, ...] = ()
    refused: list[str] = field(default_factory=list)

    def __post_init__(self):
        from weasyprint.css.counters import CounterStyle
        from weasyprint.text.fonts import FontConfiguration

        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.templates),
            autoescape=True, undefined=jinja2.StrictUndefined,
            trim_blocks=True, lstrip_blocks=True)
        self.env.filters.update(jtext=jtext, nobr=nobr, wareki=format_wareki, widen=widen)
        self.env.globals.update(marker=marker, version=__version__)
        self.font_config = FontConfiguration()
        self.counter_style = CounterStyle()
        self.fetcher = make_url_fetcher(self.asset_roots or (self.templates,), self.refused)
        self._stylesheets: dict[str, object] = {}

    def stylesheet(self, name: str):
        """Parse ``templates/name`` once per renderer."""
        if name not in self._stylesheets:
            from weasyprint import CSS
            self._stylesheets[name] = CSS(
                filename=str(self.templates / name), url_fetcher=self.fetcher,
                font_config=self.font_config, counter_style=self.counter_style)
        return self._stylesheets[name]

    def html(self, template: str, **context) -> str:
        return self.env.get_template(template).render(**context)

    def render(self, html: str, stylesheet: str):
        """Lay out ``html``; raise RenderError on a refused fetch or missing glyph."""
        from weasyprint import HTML
        from weasyprint.urls import FatalURLFetchingError

        collector = _WarningCollector()
        logger = logging.getLogger('weasyprint')
        logger.addHandler(collector)
        try:
            document = HTML(string=html, base_url=str(self.templates) + '/',
                            url_fetcher=self.fetcher).render(
                stylesheets=[self.stylesheet(stylesheet)], font_config=self.font_config,
                counter_style=self.counter_style, **PDF_OPTIONS)
        except FatalURLFetchingError as exception:
            cause = exception.__cause__ or exception
            raise RenderError(str(cause)) from None
        finally:
            logger.removeHandler(collector)
        problems = [m for m in collector.messages
                    if 'glyph' in m.lower() or 'font' in m.lower()]
        if problems:
            raise RenderError('; '.join(problems))
        return document

    def write(self, document) -> bytes:
        output = io.BytesIO()
        document.write_pdf(output, **PDF_OPTIONS)
        return output.getvalue()

    def letter(self, notice_set: NoticeSet) -> bytes:
        """Render the notice letter; number pages only when it runs past one page."""
        def lay_out(numbered: bool):
            html = self.html('letter.html', notice=notice_set.notice,
                             attachments=notice_set.attachments, numbered=numbered)
            return self.render(html, 'letter.css')

        document = lay_out(numbered=True)
        if len(document.pages) == 1:
            document = lay_out(numbered=False)
        return self.write(document)
