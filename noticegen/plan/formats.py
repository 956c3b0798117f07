"""Formats: a build dimension, like languages. Each kind lists the formats it is made in
(``DocumentKind.formats``); ``--format`` picks which are built.

- ``screen``: today's files, tagged, under their own names, by WeasyPrint's ``pdf/ua-1``
  variant (its XMP identifies PDF/UA-1); then margin-box text as artifacts, and merged
  files the XMP too.
- ``print``: ``NAME.print.pdf``, PDF/X-4 by WeasyPrint's variant, with a slug outside the
  bleed for the crop marks (``templates/format-print.css``); then the BleedBox is set to
  the TrimBox + 3 mm and the DocumentID is a digest of the content.
- ``archive``: ``NAME.archive.pdf``, PDF/A-2b by WeasyPrint's variant; then (and for merged
  files, which WeasyPrint does not write) an sRGB output intent, the XMP identification and
  content-derived identifiers.

A format names the rules ``check-format`` applies to its files (``check/conformance.py``);
the core names no format and no kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..assemble import conformance
from ..errors import NoticegenError

MM = 72 / 25.4


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str                       # before .pdf: '' (screen), '.print', '.archive'
    help: str
    variant: str | None = None        # WeasyPrint's pdf_variant
    stylesheet: str | None = None     # under templates/: laid over the kind's own
    finish: Callable[[bytes, object], bytes] | None = None   # pikepdf, after WeasyPrint
    rules: tuple[str, ...] = ()       # check-format's rules for its files
    admits_foreign: Callable[[bytes, str], None] | None = None   # raises on a refused original
    cmyk: bool = False                # every colour written as device-cmyk() (render/cmyk.py)
    bleed: float = 0.0                # the print shop's bleed (pt) around each trim, or 0

    def output(self, screen_output: str) -> str:
        """The file name of the screen file ``screen_output`` in this format."""
        if not self.suffix:
            return screen_output
        if not screen_output.endswith('.pdf'):
            raise NoticegenError(f'{screen_output}: only a PDF can be made as {self.name}')
        return screen_output[:-4] + self.suffix + '.pdf'


BLEED = 3 * MM   # the print shop's bleed, in points
SLUG = 10 * MM   # format-print.css's CSS bleed: the area around the trim the marks are drawn in

FORMATS: dict[str, Format] = {
    'screen': Format(
        'screen', '', 'tagged PDF for reading on screen and by screen readers (the default)',
        variant='pdf/ua-1',
        finish=lambda data, job: conformance.screen(data, job.lang, job.title),
        rules=('fonts', 'structure', 'lang-title', 'xmp-pdfua')),
    'print': Format(
        'print', '.print', 'PDF/X-4 for the print shop: 3 mm bleed, crop marks, CMYK',
        variant='pdf/x-4', stylesheet='format-print.css', cmyk=True, bleed=BLEED,
        finish=lambda data, job: conformance.print_boxes(
            conformance.orphans_as_artifacts(data), BLEED, SLUG),
        rules=('fonts', 'output-intent', 'cmyk-only', 'xmp-pdfx', 'boxes')),
    'archive': Format(
        'archive', '.archive', 'PDF/A-2b for keeping as 行政文書: fonts embedded, sRGB intent',
        variant='pdf/a-2b',
        finish=lambda data, job: conformance.archive(
            conformance.orphans_as_artifacts(data), job.lang, job.title),
        rules=('fonts', 'output-intent', 'xmp-pdfa', 'lang-title'),
        admits_foreign=conformance.archivable),
}
DEFAULT = ('screen',)


def get(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise NoticegenError(f'no format named {name!r} (known: {", ".join(FORMATS)})') from None


def parse_formats(value: str) -> list[str]:
    """``screen,print`` → ['screen', 'print'] in the registry's order; ValueError if unknown."""
    names = [name.strip() for name in value.split(',') if name.strip()]
    if value.strip() == 'all':
        return list(FORMATS)
    unknown = [name for name in names if name not in FORMATS]
    if unknown or not names:
        raise ValueError(f'unknown format {", ".join(unknown) or repr(value)}: choose from '
                         f'{", ".join(FORMATS)} (comma-separated) or all')
    return [name for name in FORMATS if name in names]


def of_output(output: str) -> Format:
    """The format of a file, from its name (``.print.pdf``, ``.archive.pdf``, else screen)."""
    for fmt in FORMATS.values():
        if fmt.suffix and output.endswith(fmt.suffix + '.pdf'):
            return fmt
    return FORMATS['screen']
