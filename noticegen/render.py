"""The one module that owns WeasyPrint: templates, fonts, stylesheets, fetching, PDF."""

from __future__ import annotations

import functools
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jinja2

from . import __version__
from .errors import RenderError
from .numbering import attachment_label, marker
from .project import NoticeSet
from .text import jtext, nobr
from .wareki import format_wareki, format_wareki_month, widen


PDF_OPTIONS = {'pdf_tags': True, 'uncompressed_pdf': False}


@functools.lru_cache(maxsize=512)
def qr_data_uri(url: str) -> str:
    """A QR code for ``url`` as an SVG data URI (segno; about 20 ms, so cached per URL)."""
    import segno
    return segno.make(url, error='m', micro=False).svg_data_uri(border=4, scale=1)


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
        self.env.filters.update(jtext=jtext, nobr=nobr, wareki=format_wareki, widen=widen,
                                qr=qr_data_uri)
        self.env.globals.update(marker=marker, attachment_label=attachment_label,
                                version=__version__)
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

    def check_budget(self, document, name: str, pages: int | None = None) -> None:
        """Fail ``name`` when it has the wrong page count or text past the right edge."""
        from weasyprint.formatting_structure import boxes

        if pages is not None and len(document.pages) != pages:
            raise RenderError(f'{name}: content overflows its {pages}-page budget '
                              f'({len(document.pages)} pages)')
        def overflow(box, limit: float):
            """The first text or image past the right edge of its block, or None."""
            if isinstance(box, boxes.LineBox):
                for child in box.descendants():
                    if isinstance(child, (boxes.TextBox, boxes.InlineReplacedBox)):
                        end = child.position_x + child.margin_width()
                        if end > limit + 0.5:
                            return child, end - limit
                return None
            if isinstance(box, boxes.BlockContainerBox) and box.width is not None:
                limit = min(limit, box.content_box_x() + box.width)
            for child in getattr(box, 'children', ()):
                found = overflow(child, limit)
                if found:
                    return found
            return None

        for number, page in enumerate(document.pages, start=1):
            page_box = page._page_box
            found = overflow(page_box, page_box.content_box_x() + page_box.width)
            if found:
                box, excess = found
                what = getattr(box, 'text', 'an image')
                raise RenderError(
                    f'{name}: page {number}: {what!r} runs {excess:.1f} pt past the edge of '
                    f'its box (a long URL? print a short one and let the QR code carry the '
                    f'long one)')

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

    def leaflet(self, notice_set: NoticeSet, attachment, prefecture, national) -> bytes:
        """Render 別添1 for one prefecture: exactly two pages."""
        notice = notice_set.notice
        html = self.html(
            'leaflet.html', notice=notice, attachment=attachment, prefecture=prefecture,
            national=national, label=attachment_label(notice, attachment.number),
            as_of_text=format_wareki_month(_month_start(national.valid_as_of), notice.style.digits))
        document = self.render(html, 'leaflet.css')
        self.check_budget(document, f'{attachment_label(notice, attachment.number)} leaflet '
                                    f'for {prefecture.code} {prefecture.name}', pages=2)
        return self.write(document)

    def summary(self, notice_set: NoticeSet, attachment) -> bytes:
        """Render a 別添 summary sheet: one page, with its 「概要（原文ではありません）」 banner."""
        notice = notice_set.notice
        label = attachment_label(notice, attachment.number)
        html = self.html('summary.html', notice=notice, attachment=attachment, label=label)
        document = self.render(html, 'summary.css')
        self.check_budget(document, f'{label} summary sheet', pages=1)
        return self.write(document)

    def included(self, notice_set: NoticeSet, attachment, pdf: bytes) -> bytes:
        """Return an existing PDF with its 別添N label stamped at the top right of page 1."""
        from .assemble import page_size, stamp
        width, height = page_size(pdf)
        label = attachment_label(notice_set.notice, attachment.number)
        html = self.html('label.html', label=label, width=width, height=height)
        return stamp(pdf, self.write(self.render(html, 'label.css')))


    def proof(self, notice_set: NoticeSet, attachment, prefecture_data, national) -> bytes:
        """Render the one-page proof sheet of one prefecture's leaflet."""
        from .proof import printed_rows, withheld_rows
        notice = notice_set.notice
        prefecture = prefecture_data.prefecture
        label = attachment_label(notice, attachment.number)
        html = self.html(
            'proof.html', notice=notice, label=label, prefecture=prefecture,
            source_path=prefecture_data.source.path,
            as_of_text=format_wareki_month(_month_start(national.valid_as_of), notice.style.digits),
            printed=printed_rows(prefecture, national), withheld=withheld_rows(prefecture))
        document = self.render(html, 'proof.css')
        self.check_budget(document, f'proof sheet for {prefecture.code} {prefecture.name}', pages=1)
        return self.write(document)

def _month_start(partial: str):
    from .model import partial_date_start
    return partial_date_start(partial)

