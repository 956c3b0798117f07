"""The one module that owns WeasyPrint: templates, fonts, stylesheets, fetching, PDF.

It knows no kind of document: a kind gives it a template, a context, stylesheets,
a language and a page budget, and gets PDF bytes back.
"""

from __future__ import annotations

import html.parser
import io
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markupsafe import escape

from .. import __version__
from ..errors import RenderError, shorten
from ..layout import LOCALES
from ..model.numbering import attachment_label, label_text, label_width, marker, text_width
from ..model.wareki import format_wareki, widen
from .catalogs import load_catalog
from .actualtext import install as install_actual_text
from .cmyk import to_cmyk
from .fetcher import make_url_fetcher
from .filters import ja_runs, jline, jruns, jtext, nobr, phrases, qr_data_uri, ruby, spaced, words, wrap

PDF_OPTIONS = {'pdf_tags': True, 'uncompressed_pdf': False}


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


class WarningCollector(logging.Handler):
    """Keeps the messages WeasyPrint logs while it is attached."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _block_name(box) -> str:
    """The element a box was made from, as a reader of the template finds it: <p class="x">.

    Anonymous boxes (lines, text runs) carry the element of the block they belong to.
    """
    tag = getattr(box, 'element_tag', None)
    element = getattr(box, 'element', None)
    if not tag or element is None or tag in ('html', 'body'):
        return 'the page'
    classes = element.get('class')
    return f'<{tag} class="{classes}">' if classes else f'<{tag}>'


def _text_of(box, limit: int = 30) -> str:
    text = ''.join(getattr(b, 'text', '') for b in box.descendants())
    return text[:limit] + ('…' if len(text) > limit else '')


def _blocks(box, found=None) -> list:
    """Every block box that holds lines of text, in document order."""
    from weasyprint.formatting_structure import boxes
    found = [] if found is None else found
    for child in getattr(box, 'children', ()):
        if isinstance(child, boxes.LineBox):
            if box not in found:
                found.append(box)
        else:
            _blocks(child, found)
    return found


@dataclass(frozen=True)
class Placed:
    """Where an element was laid out: its page, and its border box and the bottom of its
    last line, in CSS px from the page's top-left."""

    page: int
    x: float
    y: float
    width: float
    height: float
    content_bottom: float


def placed(document, name: str) -> list[Placed]:
    """Every laid-out box of an element with class ``name``, in document order (the merge
    places its addressee blocks and barcodes by them)."""
    from weasyprint.formatting_structure import boxes
    found = []
    for number, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            element = getattr(box, 'element', None)
            if (element is None or getattr(box, 'position_y', None) is None
                    or name not in (element.get('class') or '').split()
                    or isinstance(box, (boxes.InlineBox, boxes.TextBox))):
                continue
            top = box.border_box_y()
            bottom = max((line.position_y + line.margin_height() for line in box.descendants()
                          if isinstance(line, boxes.LineBox)), default=top)
            found.append(Placed(number, box.border_box_x(), top, box.border_width(),
                                box.border_height(), bottom))
    return found


def make_environment(templates: Path) -> jinja2.Environment:
    """The Jinja environment of every document (autoescaped); imports no WeasyPrint."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, extensions=['jinja2.ext.i18n'])
    env.filters.update(jtext=jtext, jline=jline, ja_runs=ja_runs, nobr=nobr,
                       wareki=format_wareki, widen=widen, qr=qr_data_uri, phrases=phrases,
                       words=words, ruby=ruby, spaced=spaced, jruns=jruns, wrap=wrap)
    env.globals.update(marker=marker, attachment_label=attachment_label, label_text=label_text,
                       label_width=label_width, text_width=text_width,
                       version=__version__)
    return env


# Render warnings that are layout problems rather than notes: they fail the document.
FATAL_WARNINGS = ('glyph', 'font')


@dataclass
class Renderer:
    """Render documents, reusing stylesheets and the font configuration."""

    templates: Path
    refused: list[str] = field(default_factory=list)
    variant: str | None = None   # WeasyPrint's pdf_variant (a format's), or None
    cmyk: bool = False           # every colour as device-cmyk() (render/cmyk.py)

    def __post_init__(self):
        from weasyprint.css.counters import CounterStyle
        from weasyprint.text.fonts import FontConfiguration

        self.env = make_environment(self.templates)
        install_actual_text()   # runs of Thai, Devanagari ... read as their source text
        self.catalogs: dict[str, object] = {}
        self.warnings: list[str] = []   # render warnings since take_warnings()
        self.use_language('ja')
        self.font_config = FontConfiguration()
        self.counter_style = CounterStyle()
        self.fetcher = make_url_fetcher((self.templates,), self.refused)
        self._stylesheets: dict[tuple[str, bool], tuple[object, dict]] = {}

    def catalog(self, lang: str):
        """The template strings of ``lang`` (compiled once per renderer)."""
        if lang not in self.catalogs:
            self.catalogs[lang] = load_catalog(self.templates.parent / LOCALES, lang)
        return self.catalogs[lang]

    def use_language(self, lang: str):
        """Make ``lang``'s template strings the ones ``_()`` returns; return its catalog."""
        catalog = self.catalog(lang)
        # A translation is text, like any data: escaped, never inserted as markup. (Jinja
        # would mark what gettext returns as safe; escaping first keeps it text, and the
        # %(name)s values are escaped as they are filled in.)
        self.env.install_gettext_callables(
            lambda message: escape(catalog.gettext(message)),
            lambda singular, plural, n: escape(catalog.ngettext(singular, plural, n)),
            newstyle=True)
        return catalog

    def stylesheet(self, name: str):
        """Parse ``templates/name`` once per renderer.

        Its warnings (a typo in a property) are not the document's: ``validate`` reports
        them with their line and column (check/lint.py).
        """
        key = (name, self.cmyk)
        if key not in self._stylesheets:
            from weasyprint import CSS
            logger = logging.getLogger('weasyprint')
            collector = WarningCollector()
            logger.addHandler(collector)
            propagate, logger.propagate = logger.propagate, False
            try:
                path = self.templates / name
                text = path.read_text(encoding='utf-8')
                profiles: dict = {}   # its @color-profile rules: only its documents get them
                css = CSS(string=to_cmyk(text) if self.cmyk else text,
                          base_url=path.as_uri(), url_fetcher=self.fetcher,
                          font_config=self.font_config, counter_style=self.counter_style,
                          color_profiles=profiles)
                self._stylesheets[key] = css, profiles
            finally:
                logger.removeHandler(collector)
                logger.propagate = propagate
        return self._stylesheets[key]

    def take_warnings(self) -> list[str]:
        """The render warnings since the last call, each once, in order."""
        found, self.warnings = list(dict.fromkeys(self.warnings)), []
        return found

    def html(self, template: str, lang: str = 'ja', **context) -> str:
        self.use_language(lang)
        return self.env.get_template(template).render(**context)

    def render(self, html: str, stylesheets: list[str]):
        """Lay out ``html``; raise RenderError on a refused fetch or missing glyph."""
        from weasyprint import HTML
        from weasyprint.urls import FatalURLFetchingError

        parsed = [self.stylesheet(name) for name in stylesheets]
        stylesheets = [css for css, _ in parsed]
        profiles = {key: value for _, found in parsed for key, value in found.items()}
        if self.cmyk:
            html = to_cmyk(html)
        collector = WarningCollector()
        logger = logging.getLogger('weasyprint')
        logger.addHandler(collector)
        propagate, logger.propagate = logger.propagate, False
        try:
            document = HTML(string=html, base_url=str(self.templates) + '/',
                            url_fetcher=self.fetcher).render(
                stylesheets=stylesheets,
                font_config=self.font_config, color_profiles=profiles,
                counter_style=self.counter_style, **PDF_OPTIONS,
                **({'pdf_variant': self.variant} if self.variant else {}))
        except FatalURLFetchingError as exception:
            cause = exception.__cause__ or exception
            raise RenderError(str(cause)) from None
        finally:
            logger.removeHandler(collector)
            logger.propagate = propagate
        problems = [m for m in collector.messages if any(w in m.lower() for w in FATAL_WARNINGS)]
        if problems:
            raise RenderError('; '.join(problems))
        self.warnings += collector.messages
        return document

    def pdf(self, html: str, stylesheets: list[str], name: str,
            pages: int | None = None) -> bytes:
        """Lay out ``html``, check the page budget of the document ``name``, return the PDF."""
        document = self.render(html, stylesheets)
        self.check_budget(document, name, pages, html)
        return self.write(document)

    def check_budget(self, document, name: str, pages: int | None = None,
                     html: str | None = None) -> None:
        """Fail ``name`` when it has the wrong page count, or content that does not fit.

        Content does not fit when text runs past the edge of its box or the foot of the
        page, or when some of ``html``'s text is missing from the layout (WeasyPrint drops
        the rest of a float that does not fit on the last page). Each message names the
        document, the page, the block and what to shorten.
        """
        from weasyprint.formatting_structure import boxes

        budget = f'its {pages}-page budget' if pages else 'its pages'
        if pages is not None and len(document.pages) != pages:
            if len(document.pages) > pages:
                first = _blocks(document.pages[pages]._page_box)
                where = (f'; page {pages + 1} starts with {_block_name(first[0])} '
                         f'{_text_of(first[0])!r}' if first else '')
                raise RenderError(f'{name}: {len(document.pages)} pages, over {budget}{where}: '
                                  f'shorten the text before it')
            raise RenderError(f'{name}: {len(document.pages)} pages, but its budget is exactly '
                              f'{pages}')
        if html is not None:
            laid_out = Counter(char for page in document.pages
                               for box in page._page_box.descendants()
                               if isinstance(box, boxes.TextBox) for char in box.text
                               if not char.isspace())
            lost = _body_text(html) - laid_out
            if lost:
                sample = ''.join(sorted(lost.elements()))[:20]
                last = _blocks(document.pages[-1]._page_box)
                after = (f' after {_block_name(last[-1])} {_text_of(last[-1])!r}'
                         if last else '')
                raise RenderError(
                    f'{name}: page {len(document.pages)}: content does not fit {budget}: '
                    f'{sum(lost.values())} characters were not laid out{after} '
                    f'({sample!r}); shorten the text at the foot of page {len(document.pages)}')

        def overflow(box, limit: float):
            """The first text or image past the right edge of its block, or None."""
            if isinstance(box, boxes.LineBox):
                for child in box.descendants():
                    # Furigana (data-overhang) may overhang the edge, as ruby does in print.
                    if (getattr(child, 'element', None) is not None
                            and child.element.get('data-overhang') is not None):
                        continue
                    if isinstance(child, (boxes.TextBox, boxes.InlineReplacedBox)):
                        end = child.position_x + child.margin_width()
                        if end > limit + 0.5:
                            return child, end - limit, box
                return None
            if isinstance(box, boxes.BlockContainerBox) and box.width is not None:
                limit = min(limit, box.content_box_x() + box.width)
            for child in getattr(box, 'children', ()):
                found = overflow(child, limit)
                if found:
                    return found
            return None

        def below(box, bottom: float):
            """The first box that ends below ``bottom`` (content cut off at the page foot).

            A box's border edge counts, not its margin: WeasyPrint lets the bottom margin of
            the last block on a page run into the page margin, and that loses nothing.
            """
            if isinstance(box, boxes.MarginBox):
                return None  # page numbers live in the margin
            if (getattr(box, 'position_y', None) is not None and box.height is not None
                    and not isinstance(box, boxes.PageBox)
                    and box.border_box_y() + box.border_height() > bottom + 0.5):
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
                raise RenderError(f'{name}: page {number}: {_block_name(cut)} runs past the foot '
                                  f'of the page ({text!r}): shorten it')
            found = overflow(page_box, page_box.content_box_x() + page_box.width)
            if found:
                box, excess, line = found
                what = getattr(box, 'text', None)
                raise RenderError(
                    f'{name}: page {number}: {_block_name(line)}: '
                    f'{"an image" if what is None else repr(shorten(what))} runs {excess:.1f} pt '
                    f'past the edge of its box (a long URL? print a short one and let the QR '
                    f'code carry the long one)')

    def write(self, document) -> bytes:
        output = io.BytesIO()
        document.write_pdf(output, **PDF_OPTIONS,
                           **({'pdf_variant': self.variant} if self.variant else {}))
        return output.getvalue()
