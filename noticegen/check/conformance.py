"""check-format: the rules each format's files are checked by, with pikepdf.

No PDF/A, PDF/X or PDF/UA validator is available as a Python, Debian main or npm package,
so the formats are made to PDF/X-4, PDF/A-2b and PDF/UA-1 and checked by these rules, not
by a validator. A format names its rules (``plan/formats.py``); each rule returns the
problems it finds, one line each, naming the page where it can.

- ``fonts``: every font of every page, form and annotation appearance is embedded
  (an included original's too); Type 3 fonts are drawn, not embedded, and pass.
- ``output-intent``: an output intent with an ICC profile stream (/N 1, 3 or 4).
- ``cmyk-only``: under a CMYK intent, no DeviceRGB: no rg/RG operator and no DeviceRGB
  colour space or image, in pages and forms.
- ``xmp-pdfa`` / ``xmp-pdfx`` / ``xmp-pdfua``: the XMP identification (pdfaid part 2
  conformance B; pdfxid:GTS_PDFXVersion PDF/X-4; pdfuaid part 1).
- ``structure``: a structure tree; every marked-content id (MCID) of every page is in the
  ParentTree, and all other content (text, paths, images, forms) is an artifact.
- ``lang-title``: /Lang, a title, and ViewerPreferences/DisplayDocTitle true.
- ``boxes``: each page has a TrimBox, its BleedBox is the TrimBox + 3 mm inside the
  MediaBox, and every crop mark (the registration-colour strokes drawn as an artifact)
  lies in the slug, outside the BleedBox and inside the MediaBox. For an imposed sheet
  (MediaBox = TrimBox = BleedBox) no crop mark enters the area any placed card face
  paints (its clip: trim and bleed).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Callable, Iterator

from ..assemble.conformance import structure_elements
from ..assemble.pdf import unreadable
from ..errors import NoticegenError

MM = 72 / 25.4
BLEED = 3 * MM
TOLERANCE = 0.01   # points
TEXT_OPS = {'Tj', 'TJ', "'", '"'}
PAINT_OPS = {'S', 's', 'f', 'F', 'f*', 'B', 'B*', 'b', 'b*', 'sh', 'Do', 'BI'}


def _open(data: bytes):
    import pikepdf
    try:
        return pikepdf.Pdf.open(io.BytesIO(data))
    except pikepdf.PdfError as exception:
        raise NoticegenError(f'not a readable PDF: {unreadable(exception)}') from None


def _resources_tree(resources, seen: set) -> Iterator:
    """``resources`` and those of every form XObject and Type 3 font under it."""
    if resources is None or resources.objgen in seen and resources.objgen != (0, 0):
        return
    seen.add(resources.objgen)
    yield resources
    for xobject in (resources.get('/XObject') or {}).values():
        if xobject.get('/Subtype') == '/Form':
            yield from _resources_tree(xobject.get('/Resources'), seen)


def _forms(page) -> Iterator:
    """Every form XObject drawn on ``page`` (at any depth), and annotation appearances."""
    pending = [page.obj.get('/Resources')]
    for annotation in page.obj.get('/Annots') or []:
        for appearance in (annotation.get('/AP') or {}).values():
            if hasattr(appearance, 'read_bytes'):
                yield appearance
                pending.append(appearance.get('/Resources'))
    seen = set()
    while pending:
        resources = pending.pop()
        if resources is None or resources.objgen in seen and resources.objgen != (0, 0):
            continue
        seen.add(resources.objgen)
        for xobject in (resources.get('/XObject') or {}).values():
            if xobject.get('/Subtype') == '/Form':
                yield xobject
                pending.append(xobject.get('/Resources'))


def _all_resources(page) -> list:
    found = [page.obj.get('/Resources')] + [form.get('/Resources') for form in _forms(page)]
    return [resources for resources in found if resources is not None]


def rule_fonts(pdf) -> list[str]:
    problems = []
    for number, page in enumerate(pdf.pages, start=1):
        for resources in _all_resources(page):
            for name, font in (resources.get('/Font') or {}).items():
                if font.get('/Subtype') == '/Type3':
                    continue
                target = font
                if font.get('/Subtype') == '/Type0':
                    target = font.DescendantFonts[0]
                descriptor = target.get('/FontDescriptor')
                if descriptor is None or not any(key in descriptor for key in (
                        '/FontFile', '/FontFile2', '/FontFile3')):
                    problems.append(f'page {number}: font {font.get("/BaseFont", name)} is '
                                    f'not embedded')
    return list(dict.fromkeys(problems))


def _intent_profile(pdf):
    intents = pdf.Root.get('/OutputIntents')
    if not intents:
        return None
    return intents[0].get('/DestOutputProfile')


def rule_output_intent(pdf) -> list[str]:
    profile = _intent_profile(pdf)
    if profile is None:
        return ['no output intent with an ICC profile (/OutputIntents/DestOutputProfile)']
    if not hasattr(profile, 'read_bytes') or int(profile.get('/N', 0)) not in (1, 3, 4):
        return ['the output intent\'s profile is not an ICC stream with /N 1, 3 or 4']
    if profile.read_bytes()[36:40] != b'acsp':
        return ['the output intent\'s profile is not an ICC profile (no acsp signature)']
    return []


def _is_rgb(space) -> bool:
    import pikepdf
    if space is None:
        return False
    if isinstance(space, pikepdf.Name):
        return space == '/DeviceRGB'
    if isinstance(space, pikepdf.Array) and len(space) and space[0] in ('/Indexed',):
        return _is_rgb(space[1])
    return False


def rule_cmyk_only(pdf) -> list[str]:
    import pikepdf
    profile = _intent_profile(pdf)
    if profile is None or int(profile.get('/N', 0)) != 4:
        return ['the output intent is not CMYK (an ICC profile with /N 4)']
    problems = []
    for number, page in enumerate(pdf.pages, start=1):
        group = page.obj.get('/Group')
        if group is not None and _is_rgb(group.get('/CS')):
            problems.append(f'page {number}: the page group blends in DeviceRGB')
        streams = [page] + list(_forms(page))
        for stream in streams:
            for operands, operator in pikepdf.parse_content_stream(stream):
                if str(operator) in ('rg', 'RG'):
                    problems.append(f'page {number}: a DeviceRGB colour ({operator} operator)')
                    break
                if str(operator) in ('cs', 'CS') and operands and operands[0] == '/DeviceRGB':
                    problems.append(f'page {number}: a DeviceRGB colour space')
                    break
        for resources in _all_resources(page):
            for name, space in (resources.get('/ColorSpace') or {}).items():
                if _is_rgb(space):
                    problems.append(f'page {number}: colour space {name} is DeviceRGB')
            for name, xobject in (resources.get('/XObject') or {}).items():
                if xobject.get('/Subtype') == '/Image' and _is_rgb(xobject.get('/ColorSpace')):
                    problems.append(f'page {number}: image {name} is DeviceRGB')
                group = xobject.get('/Group')
                if group is not None and _is_rgb(group.get('/CS')):
                    problems.append(f'page {number}: the transparency group of {name} '
                                    f'blends in DeviceRGB')
    return list(dict.fromkeys(problems))


def _xmp(pdf):
    if '/Metadata' not in pdf.Root:
        return None
    return pdf.open_metadata()


def _xmp_rule(checks: Callable[[object], str | None]) -> Callable:
    def rule(pdf) -> list[str]:
        metadata = _xmp(pdf)
        if metadata is None:
            return ['no XMP metadata stream in the catalog']
        problem = checks(metadata)
        return [problem] if problem else []
    return rule


def _pdfa(meta) -> str | None:
    part, conformance = meta.get('pdfaid:part'), meta.get('pdfaid:conformance')
    if str(part) != '2' or str(conformance) != 'B':
        return f'XMP does not identify PDF/A-2b (pdfaid:part {part!r}, conformance ' \
               f'{conformance!r})'
    return None


def _pdfx(meta) -> str | None:
    version = meta.get('pdfxid:GTS_PDFXVersion')
    if not str(version or '').startswith('PDF/X-4'):
        return f'XMP does not identify PDF/X-4 (pdfxid:GTS_PDFXVersion {version!r})'
    return None


def _pdfua(meta) -> str | None:
    part = meta.get('pdfuaid:part')
    if str(part) != '1':
        return f'XMP does not identify PDF/UA-1 (pdfuaid:part {part!r})'
    return None


def _parent_tree(pdf) -> dict[int, object]:
    """The ParentTree as {key: value}, flattening /Nums and /Kids."""
    found: dict[int, object] = {}
    tree = pdf.Root.StructTreeRoot.get('/ParentTree')
    pending = [tree] if tree is not None else []
    while pending:
        node = pending.pop()
        nums = node.get('/Nums')
        if nums is not None:
            for index in range(0, len(nums) - 1, 2):
                found[int(nums[index])] = nums[index + 1]
        pending += list(node.get('/Kids') or [])
    return found


def _marked_content(stream) -> Iterator[tuple[str, int | None, str]]:
    """(operator, innermost MCID or None, 'artifact' | 'content' | 'none') for each text
    and painting operator of ``stream``."""
    import pikepdf
    stack: list[tuple[str, int | None]] = []
    for operands, operator in pikepdf.parse_content_stream(stream):
        op = str(operator)
        if op in ('BDC', 'BMC'):
            tag = str(operands[0]) if operands else ''
            mcid = None
            if op == 'BDC' and len(operands) > 1 and isinstance(operands[1], pikepdf.Dictionary):
                mcid = operands[1].get('/MCID')
                mcid = int(mcid) if mcid is not None else None
            stack.append((tag, mcid))
        elif op == 'EMC':
            if stack:
                stack.pop()
        elif op in TEXT_OPS or op in PAINT_OPS or isinstance(operator, pikepdf.PdfInlineImage):
            if any(tag == '/Artifact' for tag, _ in stack):
                yield op, None, 'artifact'
                continue
            mcid = next((m for _, m in reversed(stack) if m is not None), None)
            yield op, mcid, 'content' if mcid is not None else 'none'


def rule_structure(pdf) -> list[str]:
    if '/StructTreeRoot' not in pdf.Root:
        return ['no structure tree (the file is not tagged)']
    mark_info = pdf.Root.get('/MarkInfo')
    problems = []
    if mark_info is None or not bool(mark_info.get('/Marked', False)):
        problems.append('/MarkInfo /Marked is not true')
    tree = _parent_tree(pdf)
    elements = structure_elements(pdf)
    for number, page in enumerate(pdf.pages, start=1):
        key = page.obj.get('/StructParents')
        parents = tree.get(int(key)) if key is not None else None
        untagged = 0
        for op, mcid, state in _marked_content(page):
            if state == 'none':
                untagged += 1
            elif state == 'content':
                if parents is None or mcid >= len(parents) or parents[mcid] is None:
                    problems.append(f'page {number}: marked content {mcid} is not in the '
                                    f'ParentTree')
                elif parents[mcid].objgen not in elements:
                    problems.append(f'page {number}: marked content {mcid} belongs to a '
                                    f'{parents[mcid].get("/S")} outside the structure tree '
                                    f'(a margin box?): tag it as an artifact')
        if untagged:
            problems.append(f'page {number}: {untagged} text or drawing operators are neither '
                            f'tagged content nor an artifact')
    return list(dict.fromkeys(problems))


def rule_lang_title(pdf) -> list[str]:
    problems = []
    if not str(pdf.Root.get('/Lang', '')).strip():
        problems.append('no /Lang in the catalog')
    preferences = pdf.Root.get('/ViewerPreferences') or {}
    if not bool(preferences.get('/DisplayDocTitle', False)):
        problems.append('ViewerPreferences/DisplayDocTitle is not true')
    if not str(pdf.docinfo.get('/Title', '')).strip():
        metadata = _xmp(pdf)
        if metadata is None or not metadata.get('dc:title'):
            problems.append('no document title')
    return problems


def _box(page, name: str) -> list[float] | None:
    box = page.obj.get(name)
    return [float(v) for v in box] if box is not None else None


def _mark_lines(page) -> list[tuple[float, float, float, float]]:
    """The registration-colour strokes drawn as artifacts at the page's top level."""
    import pikepdf
    lines, start, registration, artifact = [], None, False, 0
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op in ('BDC', 'BMC'):
            artifact += 1 if operands and operands[0] == '/Artifact' else 0
        elif op == 'EMC' and artifact:
            artifact -= 1
        elif op == 'K':
            registration = [float(v) for v in operands] == [1, 1, 1, 1]
        elif op == 'm':
            start = [float(v) for v in operands]
        elif op == 'l' and start is not None and artifact and registration:
            end = [float(v) for v in operands]
            lines.append((*start, *end))
            start = end
    return lines


def _placed_areas(page) -> list[list[float]]:
    """The clip rectangles of an imposed sheet's placed pages: the ``q x y w h re W n``
    that opens each top-level group (assemble/pdf.py ``impose``), as (x0, y0, x1, y1): the
    area each card face paints, its bleed included."""
    import pikepdf
    areas, depth, pending = [], 0, []
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == 'q':
            depth += 1
            pending = [] if depth == 1 else None
        elif op == 'Q':
            depth -= 1
        elif pending is not None and depth == 1:
            pending.append((op, operands))
            if [name for name, _ in pending] == ['re', 'W', 'n']:
                x, y, width, height = (float(v) for v in pending[0][1])
                areas.append([x, y, x + width, y + height])
                pending = None
            elif len(pending) >= 3:
                pending = None
    return areas


def _crosses(line, box) -> bool:
    """Whether the segment ``line`` touches the inside of ``box`` (an axis-aligned one)."""
    x1, y1, x2, y2 = line
    return (max(x1, x2) > box[0] + TOLERANCE and min(x1, x2) < box[2] - TOLERANCE
            and max(y1, y2) > box[1] + TOLERANCE and min(y1, y2) < box[3] - TOLERANCE)


def rule_boxes(pdf) -> list[str]:
    problems = []
    for number, page in enumerate(pdf.pages, start=1):
        media = [float(v) for v in page.mediabox]
        trim, bleed = _box(page, '/TrimBox'), _box(page, '/BleedBox')
        if trim is None or bleed is None:
            problems.append(f'page {number}: no TrimBox or no BleedBox')
            continue
        sheet = all(abs(a - b) < TOLERANCE for a, b in zip(media, trim)) and all(
            abs(a - b) < TOLERANCE for a, b in zip(trim, bleed))
        if sheet:
            # an imposed sheet: its cards carry their own bleed and marks; no mark enters
            # the area a card face paints (its trim and bleed)
            lines, areas = _mark_lines(page), _placed_areas(page)
            if len(lines) < 16:
                problems.append(f'page {number}: {len(lines)} crop-mark lines on an imposed '
                                f'sheet, fewer than the 16 of one card\'s double corner marks')
            if not areas:
                problems.append(f'page {number}: an imposed sheet without placed pages')
            for line in lines:
                area = next((area for area in areas if _crosses(line, area)), None)
                if area is not None:
                    problems.append(f'page {number}: a crop mark at ({line[0]:.1f}, '
                                    f'{line[1]:.1f}) enters the bleed of the card at '
                                    f'({area[0]:.1f}, {area[1]:.1f})')
                    break
            continue
        expected = [trim[0] - BLEED, trim[1] - BLEED, trim[2] + BLEED, trim[3] + BLEED]
        if any(abs(a - b) > TOLERANCE for a, b in zip(bleed, expected)):
            problems.append(f'page {number}: the BleedBox {bleed} is not the TrimBox + 3 mm '
                            f'{[round(v, 3) for v in expected]}')
        if not (media[0] <= bleed[0] and media[1] <= bleed[1] and bleed[2] <= media[2]
                and bleed[3] <= media[3]):
            problems.append(f'page {number}: the BleedBox leaves the MediaBox')
        lines = _mark_lines(page)
        if len(lines) < 16:
            problems.append(f'page {number}: {len(lines)} crop-mark lines, fewer than the 16 '
                            f'of double corner marks')
        for line in lines:
            if _crosses(line, bleed):
                problems.append(f'page {number}: a crop mark enters the BleedBox at '
                                f'({line[0]:.1f}, {line[1]:.1f})')
                break
            if min(line[0], line[2]) < media[0] or max(line[0], line[2]) > media[2] or \
                    min(line[1], line[3]) < media[1] or max(line[1], line[3]) > media[3]:
                problems.append(f'page {number}: a crop mark leaves the MediaBox')
                break
    return problems


RULES: dict[str, Callable] = {
    'fonts': rule_fonts,
    'output-intent': rule_output_intent,
    'cmyk-only': rule_cmyk_only,
    'xmp-pdfa': _xmp_rule(_pdfa),
    'xmp-pdfx': _xmp_rule(_pdfx),
    'xmp-pdfua': _xmp_rule(_pdfua),
    'structure': rule_structure,
    'lang-title': rule_lang_title,
    'boxes': rule_boxes,
}


def check_pdf(data: bytes, rules: tuple[str, ...]) -> list[str]:
    """The problems of ``data`` by ``rules``: 'RULE: message' each."""
    pdf = _open(data)
    return [f'{name}: {problem}' for name in rules for problem in RULES[name](pdf)]


def check_file(path: Path) -> list[str]:
    """The problems of the PDF at ``path``, by the rules of its format (from its name)."""
    from ..plan.formats import of_output
    return check_pdf(path.read_bytes(), of_output(path.name).rules)
