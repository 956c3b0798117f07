"""The embedded-font audit: a PDF may embed only subsets of the fonts its stylesheets declare."""

from __future__ import annotations

import io

from ..errors import RenderError


def check_embedded_fonts(pdf: bytes, fonts: list, included: bool = False) -> int:
    """Raise RenderError unless every font in ``pdf`` is an embedded subset of ``fonts``;
    return the number of pages (read while the file is open).

    ``fonts`` are the declared fonts (anything with a ``family``). An included PDF keeps
    the fonts it brought along (``included``); only the declared ones are audited.
    """
    import pikepdf

    allowed = {font.family.replace(' ', '-') for font in fonts}
    problems = set()
    with pikepdf.Pdf.open(io.BytesIO(pdf)) as document:
        pages = len(document.pages)
        for page in document.pages:
            resources = page.obj.get('/Resources') or {}
            for font in (resources.get('/Font') or {}).values():
                name = str(font.get('/BaseFont', '')).lstrip('/')
                prefix, _, base = name.partition('+')
                family = base.rsplit('-', 1)[0] if base.endswith(('-Bold', '-Regular')) else base
                descendants = font.get('/DescendantFonts') or [font]
                descriptor = descendants[0].get('/FontDescriptor')
                embedded = descriptor is not None and any(
                    key in descriptor for key in ('/FontFile', '/FontFile2', '/FontFile3'))
                if family not in allowed:
                    if not included:  # an included original keeps its own fonts, as they are
                        problems.add(f'{name} is not a declared font '
                                     f'(allowed: {", ".join(sorted(allowed))})')
                elif len(prefix) != 6:
                    problems.add(f'{name} is not a subset')
                elif not embedded:
                    problems.add(f'{name} is not embedded')
    if problems:
        raise RenderError('fonts: ' + '; '.join(sorted(problems)))
    return pages
