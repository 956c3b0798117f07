"""What a format does to a PDF after WeasyPrint (pikepdf only): archive (PDF/A-2b) fixes,
print (PDF/X-4) boxes and content-derived identifiers, and the PDF/A declaration of an
included original.

WeasyPrint 70 writes the variants' metadata but not all of their conformance: a merged
bundle has no output intent and no XMP at all, and PDF/X-4 gets a random
``xmpMM:DocumentID``. These functions complete the file; ``check/conformance.py`` checks
the result by rules (no validator is available).
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
from pathlib import Path

from ..errors import RenderError
from .pdf import _open

PDFAID = 'http://www.aiim.org/pdfa/ns/id/'
XMPMM = 'http://ns.adobe.com/xap/1.0/mm/'


def srgb_profile() -> tuple[bytes, str]:
    """WeasyPrint's own sRGB profile (sRGB2014.icc, from the International Color
    Consortium), read from its package without importing it; and its name."""
    spec = importlib.util.find_spec('weasyprint')
    if spec is None or spec.origin is None:
        raise RenderError('WeasyPrint is not installed: no sRGB profile for the archive')
    path = Path(spec.origin).parent / 'pdf' / 'sRGB2014.icc'
    return path.read_bytes(), 'sRGB IEC61966-2.1 (sRGB2014.icc)'


def _save(document) -> bytes:
    output = io.BytesIO()
    # The /ID is a digest of the content: the same inputs give the same bytes. qpdf keeps
    # an existing first ID, and WeasyPrint's variants write a random one: it goes first.
    if '/ID' in document.trailer:
        del document.trailer['/ID']
    document.save(output, deterministic_id=True)
    return output.getvalue()


def profile_description(icc: bytes) -> str | None:
    """The 'desc' tag of an ICC profile (v2 textDescriptionType or v4 mluc), or None."""
    import struct
    try:
        (count,) = struct.unpack_from('>I', icc, 128)
        for index in range(count):
            signature, offset, size = struct.unpack_from('>4sII', icc, 132 + 12 * index)
            if signature != b'desc':
                continue
            tag = icc[offset:offset + size]
            if tag[:4] == b'desc':
                (length,) = struct.unpack_from('>I', tag, 8)
                return tag[12:12 + length].split(b'\0')[0].decode('ascii').strip() or None
            if tag[:4] == b'mluc':
                length, start = struct.unpack_from('>II', tag, 20)
                return tag[start:start + length].decode('utf-16-be').strip() or None
    except (struct.error, UnicodeDecodeError):
        return None
    return None


def name_output_intent(document) -> None:
    """Name each output intent by its profile's own description (WeasyPrint names it by
    the profile's URL): the print shop reads which profile the file was made for."""
    import pikepdf
    for intent in document.Root.get('/OutputIntents') or []:
        profile = intent.get('/DestOutputProfile')
        if profile is None:
            continue
        described = profile_description(profile.read_bytes())
        if described:
            intent.OutputConditionIdentifier = pikepdf.String('Custom')
            intent.OutputCondition = pikepdf.String(described)
            intent.Info = pikepdf.String(described)


def structure_elements(document) -> set:
    """The object ids of every structure element reachable from the StructTreeRoot."""
    import pikepdf
    reached: set = set()
    pending = [document.Root.StructTreeRoot.get('/K')]
    while pending:
        node = pending.pop()
        if isinstance(node, pikepdf.Array):
            pending += list(node)
        elif isinstance(node, pikepdf.Dictionary) and node.objgen not in reached:
            reached.add(node.objgen)
            if node.get('/K') is not None:
                pending.append(node.get('/K'))
    return reached


def _parents(document) -> dict:
    found, pending = {}, [document.Root.StructTreeRoot.get('/ParentTree')]
    while pending:
        node = pending.pop()
        if node is None:
            continue
        nums = node.get('/Nums')
        if nums is not None:
            for index in range(0, len(nums) - 1, 2):
                found[int(nums[index])] = nums[index + 1]
        pending += list(node.get('/Kids') or [])
    return found


def orphans_as_artifacts(data: bytes) -> bytes:
    """Tag as artifacts the marked content whose structure element is outside the tree.

    WeasyPrint 70 tags the text of margin boxes (page numbers, running heads) with a Span
    that no element of the structure tree holds: a screen reader never reaches it, and
    PDF/UA requires every marked-content item to be in the tree or an artifact. Page
    numbers and running heads are pagination artifacts, so they are marked so."""
    document = _open(data)
    return _save(document) if _artifact_orphans(document) else data


def _artifact_orphans(document) -> bool:
    """``orphans_as_artifacts`` on an open ``document``; whether it changed anything."""
    import pikepdf
    if '/StructTreeRoot' not in document.Root:
        return False
    reached, parents = structure_elements(document), _parents(document)
    changed = False
    for page in document.pages:
        key = page.obj.get('/StructParents')
        array = parents.get(int(key)) if key is not None else None
        if array is None:
            continue
        orphans = {index for index, element in enumerate(array)
                   if isinstance(element, pikepdf.Dictionary) and element.objgen not in reached}
        if not orphans:
            continue
        instructions = []
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) == 'BDC' and len(operands) > 1 and isinstance(
                    operands[1], pikepdf.Dictionary) and operands[1].get('/MCID') is not None \
                    and int(operands[1].MCID) in orphans:
                operands = [pikepdf.Name.Artifact, pikepdf.Dictionary(
                    Type=pikepdf.Name.Pagination)]
            instructions.append(pikepdf.ContentStreamInstruction(operands, operator))
        page.obj.Contents = pikepdf.Stream(document, pikepdf.unparse_content_stream(
            instructions))
        for index in orphans:
            array[index] = None
        changed = True
    return changed


def _tagged(document) -> bool:
    """Whether ``document`` is tagged throughout: a structure tree, and every page that
    paints anything has its entry in the parent tree (an untagged included original's pages
    have none; a blank page added for duplex paints nothing)."""
    import pikepdf
    if '/StructTreeRoot' not in document.Root:
        return False
    for page in document.pages:
        if '/StructParents' in page.obj:
            continue
        contents = page.obj.get('/Contents')
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        if any(stream is not None and stream.read_bytes().strip() for stream in streams):
            return False
    return True


def _declares_pdfua(document) -> bool:
    if '/Metadata' not in document.Root:
        return False
    try:
        return str(document.open_metadata().get('pdfuaid:part', '')) == '1'
    except Exception:   # an XMP packet that is not XML declares nothing
        return False


def screen(data: bytes, lang: str = 'ja', title: str = '') -> bytes:
    """``data`` with its orphan marked content as artifacts (``orphans_as_artifacts``),
    /Lang, a title shown in the window, and, if it is tagged throughout, identified as
    PDF/UA-1 in its XMP (pdfuaid:part 1, the XMP in sync with the document info: title and
    the notice's dates). WeasyPrint's ``pdf/ua-1`` variant writes that XMP itself; merged
    files and imposed sheets get it here. An untagged included original (or a file made
    from one) is not declared: it is not PDF/UA. One pikepdf pass, saved only if something
    changed; nothing random and no clock: the same sources give the same bytes."""
    import pikepdf
    document = _open(data)
    changed = _artifact_orphans(document)
    root = document.Root
    if '/Lang' not in root:
        root.Lang = pikepdf.String(lang)
        changed = True
    if title and not str(document.docinfo.get('/Title', '')).strip():
        document.docinfo['/Title'] = pikepdf.String(title)
        changed = True
    preferences = root.get('/ViewerPreferences')
    if preferences is None:
        root.ViewerPreferences = preferences = pikepdf.Dictionary()
    if not bool(preferences.get('/DisplayDocTitle', False)):
        preferences.DisplayDocTitle = True
        changed = True
    if _tagged(document) and not _declares_pdfua(document):
        with document.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta.load_from_docinfo(document.docinfo, delete_missing=False,
                                   raise_failure=False)
            meta['pdfuaid:part'] = '1'
        changed = True
    return _save(document) if changed else data


def declared_pdfa(data: bytes) -> tuple[int, str] | None:
    """(part, conformance) of the PDF/A that ``data``'s XMP declares, or None."""
    document = _open(data)
    if '/Metadata' not in document.Root:
        return None
    try:
        metadata = document.open_metadata()
        part = metadata.get('pdfaid:part')
        conformance = metadata.get('pdfaid:conformance')
    except Exception:   # an XMP packet that is not XML declares nothing
        return None
    if not part or not str(part).strip().isdigit():
        return None
    return int(str(part).strip()), str(conformance or '').strip().upper()


def archivable(data: bytes, name: str) -> None:
    """Raise RenderError unless ``data`` (the original ``name``) declares PDF/A-1 or
    PDF/A-2, conformance b or higher: only such a file can go into a PDF/A-2b archive
    as it is."""
    found = declared_pdfa(data)
    if found is None:
        raise RenderError(f'{name} is not PDF/A (its XMP declares no pdfaid:part): an archive '
                          f'file keeps an included PDF only if it is PDF/A-1 or PDF/A-2; attach '
                          f'a PDF/A copy of it, or leave the archive format out')
    part, conformance = found
    if part not in (1, 2) or conformance not in ('A', 'B', 'U'):
        raise RenderError(f'{name} declares PDF/A-{part}{conformance.lower()}: an archive file '
                          f'keeps an included PDF only if it is PDF/A-1 or PDF/A-2 '
                          f'(conformance b or higher)')


def _pages_content(document) -> str:
    import pikepdf
    digest = hashlib.sha256()
    for page in document.pages:
        contents = page.obj.get('/Contents')
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        for stream in streams:
            if stream is not None:
                digest.update(stream.read_bytes())
        digest.update(str(list(page.mediabox)).encode())
    hexa = digest.hexdigest()
    return f'{hexa[:8]}-{hexa[8:12]}-{hexa[12:16]}-{hexa[16:20]}-{hexa[20:32]}'


def archive(data: bytes, lang: str = 'ja', title: str = '') -> bytes:
    """``data`` as PDF/A-2b: an sRGB output intent with its ICC stream, the XMP
    identification (pdfaid part 2, conformance B) in sync with the document info, a
    content-derived DocumentID and /ID, /Lang, and the title shown in the window."""
    import pikepdf
    document = _open(data)
    root = document.Root
    if '/OutputIntents' not in root:
        profile, name = srgb_profile()
        stream = pikepdf.Stream(document, profile)
        stream['/N'] = 3
        root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1,
            OutputConditionIdentifier=pikepdf.String(name), Info=pikepdf.String(name),
            DestOutputProfile=document.make_indirect(stream))])
    if '/Lang' not in root:
        root.Lang = pikepdf.String(lang)
    if title and not str(document.docinfo.get('/Title', '')).strip():
        document.docinfo['/Title'] = pikepdf.String(title)   # an included original's
    preferences = root.get('/ViewerPreferences')
    if preferences is None:
        root.ViewerPreferences = preferences = pikepdf.Dictionary()
    preferences.DisplayDocTitle = True
    # Each merged part's own XMP declares that part, not the whole: only the catalog's counts.
    for page in document.pages:
        if '/Metadata' in page.obj:
            del page.obj['/Metadata']
    with document.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta.load_from_docinfo(document.docinfo, delete_missing=False, raise_failure=False)
        meta['pdfaid:part'] = '2'
        meta['pdfaid:conformance'] = 'B'
        meta['xmpMM:DocumentID'] = f'uuid:{_pages_content(document)}'
        meta['xmpMM:InstanceID'] = f'uuid:{_pages_content(document)}'
    return _save(document)


MM = 72 / 25.4
MARK_WIDTH = 0.1 * MM   # a hairline, the usual weight of トンボ
MARK_GAP = 0.5 * MM     # between the BleedBox and the nearest end of a mark
CENTRE_ARM = 5 * MM     # half the cross bar of a centre mark


def crop_marks(trim: list[float], bleed: float, slug: float) -> list[tuple[float, ...]]:
    """The line segments (x1, y1, x2, y2) of Japanese double crop marks (トンボ) and centre
    marks around ``trim``: at each corner, two lines each way, on the trim edge and on the
    bleed edge (``bleed`` out), running from ``MARK_GAP`` outside the bleed to the slug's
    edge (``slug`` out); at the middle of each side, a line on the axis and a cross bar.
    None enters the BleedBox."""
    x0, y0, x1, y1 = trim
    near, far = bleed + MARK_GAP, slug - MARK_GAP
    lines = []
    for x, sx in ((x0, -1), (x1, 1)):
        for y, sy in ((y0, -1), (y1, 1)):
            for offset in (0, bleed):
                # vertical lines on the trim and bleed x, beyond the bleed in y
                lines.append((x + sx * offset, y + sy * near, x + sx * offset, y + sy * far))
                # horizontal lines on the trim and bleed y, beyond the bleed in x
                lines.append((x + sx * near, y + sy * offset, x + sx * far, y + sy * offset))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    middle = bleed + (slug - bleed) / 2
    for y, sy in ((y0, -1), (y1, 1)):
        lines.append((cx, y + sy * near, cx, y + sy * far))
        lines.append((cx - CENTRE_ARM, y + sy * middle, cx + CENTRE_ARM, y + sy * middle))
    for x, sx in ((x0, -1), (x1, 1)):
        lines.append((x + sx * near, cy, x + sx * far, cy))
        lines.append((x + sx * middle, cy - CENTRE_ARM, x + sx * middle, cy + CENTRE_ARM))
    return lines


def marks_stream(lines) -> bytes:
    """The content stream that strokes ``lines`` in registration colour (100 % of each
    plate, DeviceCMYK), as an artifact outside the structure tree."""
    ops = [b'/Artifact BMC q', f'{MARK_WIDTH:.3f} w 0 J [] 0 d 1 1 1 1 K'.encode()]
    ops += [f'{a:.3f} {b:.3f} m {c:.3f} {d:.3f} l S'.encode() for a, b, c, d in lines]
    ops.append(b'Q EMC')
    return b'\n'.join(ops)


def _imposed(page) -> bool:
    """Whether ``page`` is an imposed sheet: MediaBox = TrimBox = BleedBox, its cards
    carrying their own bleed and marks (documents/card_sheet.py)."""
    media = [float(v) for v in page.mediabox]
    return all([float(v) for v in page.obj.get(name, [])] == media
               for name in ('/TrimBox', '/BleedBox'))


def print_boxes(data: bytes, bleed: float, slug: float) -> bytes:
    """Set each page's BleedBox to its TrimBox grown by ``bleed`` points, draw the crop
    and centre marks in the slug outside it, replace WeasyPrint's random DocumentID by a
    digest of the content, and give the file a content-derived /ID: the same sources
    give the same bytes. An imposed sheet's pages keep their boxes and marks."""
    import pikepdf
    document = _open(data)
    for page in document.pages:
        if _imposed(page):
            continue
        trim = [float(v) for v in page.obj.get('/TrimBox', page.mediabox)]
        page.obj.TrimBox = pikepdf.Array(trim)
        page.obj.BleedBox = pikepdf.Array([trim[0] - bleed, trim[1] - bleed,
                                           trim[2] + bleed, trim[3] + bleed])
        page.contents_add(pikepdf.Stream(document, marks_stream(crop_marks(trim, bleed, slug))))
    name_output_intent(document)
    content = _pages_content(document)
    if '/Metadata' in document.Root:
        with document.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta['xmpMM:DocumentID'] = f'uuid:{content}'
            meta['xmpMM:InstanceID'] = f'uuid:{content}'
    return _save(document)
