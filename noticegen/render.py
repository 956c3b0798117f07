"""The one module that owns WeasyPrint: templates, fonts, stylesheets, fetching, PDF."""

from __future__ import annotations

import functools
import html.parser
import io
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jinja2

from . import __version__
from .errors import RenderError
from .numbering import attachment_label, marker
from .project import NoticeSet
from .text import jtext, nobr
from .localize import month_text
from .wareki import format_wareki, widen


PDF_OPTIONS = {'pdf_tags': True, 'uncompressed_pdf': False}


@functools.lru_cache(maxsize=512)
def qr_data_uri(url: str) -> str:
    """A QR code for ``url`` as an SVG data URI (segno; about 20 ms, so cached per URL)."""
    import segno
    return segno.make(url, error='m', micro=False).svg_data_uri(border=4, scale=1)


class _TextCollector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.text: Counter = Counter()

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ('head', 'style', 'script', 'title')

    def handle_endtag(self, tag):
        self.skip -= tag in ('head', 'style', 'script', 'title')

    def handle_data(self, data):
        if not self.skip:
            self.text.update(char for char in data if not char.isspace())


def _body_text(html_text: str) -> Counter:
    """The characters of the document's body text, counted."""
    collector = _TextCollector()
    collector.feed(html_text)
    return collector.text


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
            trim_blocks=True, lstrip_blocks=True, extensions=['jinja2.ext.i18n'])
        self.catalogs: dict[str, object] = {}
        self.use_language('ja')
        self.env.filters.update(jtext=jtext, nobr=nobr, wareki=format_wareki, widen=widen,
                                qr=qr_data_uri)
        self.env.globals.update(marker=marker, attachment_label=attachment_label,
                                version=__version__)
        self.font_config = FontConfiguration()
        self.counter_style = CounterStyle()
        self.fetcher = make_url_fetcher(self.asset_roots or (self.templates,), self.refused)
        self._stylesheets: dict[str, object] = {}

    def catalog(self, lang: str):
        """The template strings of ``lang`` (compiled once per renderer)."""
        if lang not in self.catalogs:
            from .i18n import load_catalog
            self.catalogs[lang] = load_catalog(self.templates.parent / 'locales', lang)
        return self.catalogs[lang]

    def use_language(self, lang: str):
        catalog = self.catalog(lang)
        self.env.install_gettext_translations(catalog, newstyle=True)
        return catalog

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

    def render(self, html: str, stylesheet: str | list[str]):
        """Lay out ``html``; raise RenderError on a refused fetch or missing glyph."""
        from weasyprint import HTML
        from weasyprint.urls import FatalURLFetchingError

        collector = _WarningCollector()
        logger = logging.getLogger('weasyprint')
        logger.addHandler(collector)
        try:
            document = HTML(string=html, base_url=str(self.templates) + '/',
                            url_fetcher=self.fetcher).render(
                stylesheets=[self.stylesheet(name) for name in (
                    [stylesheet] if isinstance(stylesheet, str) else stylesheet)],
                font_config=self.font_config,
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

    def check_budget(self, document, name: str, pages: int | None = None,
                     html: str | None = None) -> None:
        """Fail ``name`` when it has the wrong page count, or content that does not fit.

        Content does not fit when text runs past the edge of its box or the foot of the
        page, or when some of ``html``'s text is missing from the layout (WeasyPrint drops
        the rest of a float that does not fit on the last page).
        """
        from weasyprint.formatting_structure import boxes

        if pages is not None and len(document.pages) != pages:
            raise RenderError(f'{name}: content overflows its {pages}-page budget '
                              f'({len(document.pages)} pages)')
        if html is not None:
            laid_out = Counter(char for page in document.pages
                               for box in page._page_box.descendants()
                               if isinstance(box, boxes.TextBox) for char in box.text
                               if not char.isspace())
            lost = _body_text(html) - laid_out
            if lost:
                sample = ''.join(sorted(lost.elements()))[:20]
                raise RenderError(f'{name}: content does not fit its {pages or ""}-page budget: '
                                  f'{sum(lost.values())} characters were not laid out ({sample!r})')
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

        def below(box, bottom: float):
            """The first box that ends below ``bottom`` (content cut off at the page foot)."""
            if isinstance(box, boxes.MarginBox):
                return None  # page numbers live in the margin
            if (getattr(box, 'position_y', None) is not None and box.height is not None
                    and not isinstance(box, boxes.PageBox)
                    and box.position_y + box.margin_height() > bottom + 0.5):
                return box
            for child in getattr(box, 'children', ()):
                found = below(child, bottom)
                if found is not None:
                    return found
            return None

        for number, page in enumerate(document.pages, start=1):
            page_box = page._page_box
            cut = below(page_box, page_box.content_box_y() + page_box.height)
            if cut is not None:
                text = ' '.join(b.text for b in cut.descendants() if hasattr(b, 'text'))[:40]
                raise RenderError(f'{name}: page {number}: content runs past the foot of the page '
                                  f'({text!r})')
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
            return self.render(html, 'letter.css'), html

        document, html = lay_out(numbered=True)
        if len(document.pages) == 1:
            document, html = lay_out(numbered=False)
        self.check_budget(document, f'letter {notice_set.notice.id}', html=html)
        return self.write(document)

    def leaflet(self, notice_set: NoticeSet, attachment, prefecture, national,
                lang: str = 'ja') -> bytes:
        """Render 別添1 for one prefecture, in ``lang``: exactly two pages."""
        html, stylesheets, name = self.leaflet_html(notice_set, attachment, prefecture,
                                                    national, lang)
        document = self.render(html, stylesheets)
        self.check_budget(document, name, pages=2, html=html)
        return self.write(document)

    def leaflet_html(self, notice_set: NoticeSet, attachment, prefecture, national,
                     lang: str = 'ja') -> tuple[str, list[str], str]:
        """The leaflet's HTML, its stylesheets, and its name in messages."""
        from .languages import LANGUAGES
        from .localize import prefecture_name
        notice = notice_set.notice
        language = LANGUAGES[lang]
        catalog = self.use_language(lang)
        if lang == 'ja':
            texts, reviewed = attachment, True
            label = attachment_label(notice, attachment.number)
            title = f'{label} {attachment.title}（{prefecture.name}）'
        else:
            texts, _ = notice_set.translations[attachment.number][lang]
            reviewed = texts.translation.reviewed
            label = catalog.gettext('Attachment %(number)s') % {'number': attachment.number}
            title = f'{label} {texts.title} ({prefecture_name(prefecture, lang)})'
        html = self.html(
            'leaflet.html', notice=notice, language=language, doc_title=title, label=label,
            front=texts.front, back=texts.back, reviewed=reviewed, national=national,
            prefecture_label=prefecture_name(prefecture, lang),
            has_direct_number=prefecture.has_direct_number,
            centers=center_views(prefecture, lang, catalog.gettext),
            sns_hours=_hours(national.sns.hours, lang, catalog.gettext)[0],
            as_of_text=month_text(national.valid_as_of, lang, notice.style.digits))
        stylesheets = ['leaflet.css'] if lang == 'ja' else ['leaflet.css', language.stylesheet]
        suffix = '' if lang == 'ja' else f' ({lang})'
        return html, stylesheets, f'{label} leaflet{suffix} for {prefecture.code} {prefecture.name}'


    def card(self, card, reviewed: bool, prefecture, national, lang: str,
             created: str) -> bytes:
        """Render the one-page patient card of one prefecture in ``lang``."""
        from .languages import LANGUAGES
        from .localize import prefecture_name
        language = LANGUAGES[lang]
        catalog = self.use_language(lang)
        html = self.html(
            'card.html', card=card, language=language, reviewed=reviewed, national=national,
            prefecture_label=prefecture_name(prefecture, lang),
            centers=center_views(prefecture, lang, catalog.gettext),
            sns_hours=_hours(national.sns.hours, lang, catalog.gettext)[0],
            as_of_text=month_text(national.valid_as_of, lang), created=created)
        document = self.render(html, ['card.css', language.stylesheet])
        self.check_budget(document, f'patient card ({lang}) for {prefecture.code} '
                                    f'{prefecture.name}', pages=1, html=html)
        return self.write(document)

    def summary(self, notice_set: NoticeSet, attachment) -> bytes:
        """Render a 別添 summary sheet: one page, with its 「概要（原文ではありません）」 banner."""
        label = attachment_label(notice_set.notice, attachment.number)
        html = self.summary_html(notice_set, attachment)
        document = self.render(html, 'summary.css')
        self.check_budget(document, f'{label} summary sheet', pages=1, html=html)
        return self.write(document)

    def summary_html(self, notice_set: NoticeSet, attachment) -> str:
        notice = notice_set.notice
        return self.html('summary.html', notice=notice, attachment=attachment,
                         label=attachment_label(notice, attachment.number))

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
            as_of_text=month_text(national.valid_as_of, 'ja', notice.style.digits),
            printed=printed_rows(prefecture, national), withheld=withheld_rows(prefecture))
        document = self.render(html, 'proof.css')
        self.check_budget(document, f'proof sheet for {prefecture.code} {prefecture.name}', pages=1,
                          html=html)
        return self.write(document)

    def cover(self, notice_set: NoticeSet, prefecture, enclosures: list[tuple[str, int]]) -> bytes:
        """Render the one-page 送付状 of one prefecture's packet."""
        html = self.cover_html(notice_set, prefecture, enclosures)
        document = self.render(html, 'cover.css')
        self.check_budget(document, f'cover letter for {prefecture.code} {prefecture.name}', pages=1,
                          html=html)
        return self.write(document)

    def cover_html(self, notice_set: NoticeSet, prefecture,
                   enclosures: list[tuple[str, int]]) -> str:
        from .mailing import recipients
        notice = notice_set.notice
        return self.html('cover.html', notice=notice, cover=notice.cover, prefecture=prefecture,
                         recipients=recipients(notice, prefecture),
                         enclosures=[{'title': title, 'pages': pages}
                                     for title, pages in enclosures])

    def labels(self, notice_set: NoticeSet, prefectures) -> bytes:
        """Render the A4 sheets of address labels: one label per department of each prefecture."""
        from .mailing import recipients
        notice = notice_set.notice
        labels = [{'recipient': recipient, 'ref': f'{prefecture.code}-{index}'}
                  for prefecture in prefectures
                  for index, recipient in enumerate(recipients(notice, prefecture), start=1)]
        html = self.html('labels.html', notice=notice, labels=labels)
        document = self.render(html, 'labels.css')
        self.check_budget(document, 'address labels', pages=-(-len(labels) // 12), html=html)
        return self.write(document)



def _hours(text, lang, gettext):
    from .localize import hours_text
    return hours_text(text, lang, gettext)


def center_views(prefecture, lang: str, gettext) -> list[dict]:
    """What the leaflet and the card print of each confirmed center, in ``lang``."""
    from .languages import LANGUAGES
    from .localize import international
    japanese = LANGUAGES[lang].japanese
    views = []
    for center in prefecture.printable_centers:
        phones = []
        for phone in center.printable_phones:
            hours, hours_japanese = _hours(phone.hours, lang, gettext)
            phones.append({
                'number': phone.number, 'label': phone.label, 'hours': hours,
                'hours_japanese': hours_japanese,
                'international': None if japanese else international(phone.number,
                                                                     phone.prefecture_only)})
        hours, hours_japanese = _hours(center.hours, lang, gettext)
        views.append({'name': center.name, 'romaji': None if japanese else center.name_romaji,
                      'phones': phones, 'hours': hours, 'hours_japanese': hours_japanese,
                      'url': center.url, 'url_display': center.url_display})
    return views
