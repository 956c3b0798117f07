"""The embedded-font audit: a PDF may embed only subsets of the fonts its stylesheets declare.

The audit also names each subset after its own program. WeasyPrint names a face's subset
after the face alone, so every document of a build would carry, say, ``HEIYHF+BIZ-UDGothic``
with different glyphs in each; a print RIP that caches fonts by name across the files of one
job could then set the wrong glyphs. Named after its program, a name means one program in
every file of the mailing (packets name their united programs the same way).
"""

from __future__ import annotations

import io

from ..errors import RenderError


def audit_fonts(pdf: bytes, fonts: list, included: bool = False) -> tuple[bytes, int]:
    """``pdf`` with each declared subset named after its program, and its page count.

    Raise RenderError unless every font in ``pdf`` is an embedded subset of ``fonts``.
    ``fonts`` are the declared fonts (anything with a ``family``). An included PDF keeps
    the fonts it brought along (``included``) as they are; only the declared ones are
    audited and named.
    """
    import pikepdf

    from .subsets import split_name, subset_tag

    allowed = {font.family.replace(' ', '-') for font in fonts}
    problems = set()
    renamed = False
    with pikepdf.Pdf.open(io.BytesIO(pdf)) as document:
        pages = len(document.pages)
        seen = set()
        for page in document.pages:
            resources = page.obj.get('/Resources') or {}
            for font in (resources.get('/Font') or {}).values():
                name = str(font.get('/BaseFont', '')).lstrip('/')
                prefix, _, base = name.partition('+')
                family = base.rsplit('-', 1)[0] if base.endswith(('-Bold', '-Regular')) else base
                descendants = font.get('/DescendantFonts') or [font]
                descriptor = descendants[0].get('/FontDescriptor')
                program = None if descriptor is None else next(
                    (descriptor[key] for key in ('/FontFile2', '/FontFile3', '/FontFile')
                     if key in descriptor), None)
                if family not in allowed:
                    if not included:  # an included original keeps its own fonts, as they are
                        problems.add(f'{name} is not a declared font '
                                     f'(allowed: {", ".join(sorted(allowed))})')
                elif len(prefix) != 6:
                    problems.add(f'{name} is not a subset')
                elif program is None:
                    problems.add(f'{name} is not embedded')
                elif font.objgen not in seen:
                    seen.add(font.objgen)
                    tag, face = split_name(name)
                    named = f'{subset_tag(program.read_bytes())}+{face}'
                    if tag and named != name:
                        for target in (font, descendants[0], descriptor):
                            key = '/FontName' if target is descriptor else '/BaseFont'
                            target[key] = pikepdf.Name('/' + named)
                        renamed = True
        if problems:
            raise RenderError('fonts: ' + '; '.join(sorted(problems)))
        if not renamed:
            return pdf, pages
        output = io.BytesIO()
        document.save(output, deterministic_id=True,
                      stream_decode_level=pikepdf.StreamDecodeLevel.none)
        return output.getvalue(), pages


def name_subsets(pdf: bytes) -> bytes:
    """``pdf`` with every subset named after its own program (a document made outside the
    build, which audits and names the build's own)."""
    import pikepdf

    from .subsets import name_by_program
    with pikepdf.Pdf.open(io.BytesIO(pdf)) as document:
        name_by_program(document)
        output = io.BytesIO()
        document.save(output, deterministic_id=True,
                      stream_decode_level=pikepdf.StreamDecodeLevel.none)
        return output.getvalue()
