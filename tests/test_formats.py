"""Formats (--format screen,print,archive): names, manifest, input hashes, and each format's
rules (check-format), on real PDFs."""

from __future__ import annotations

import io
import json
import shutil

import pikepdf
import pytest

from conftest import FIXTURES, copy_project, run_cli

NOTICE = '2024-10-08-onestop'
SMALL = ('-p', '08', '--lang', 'ja', '-j', '1')
MM = 72 / 25.4


@pytest.fixture(scope='module')
def formats_build(tmp_path_factory):
    out = tmp_path_factory.mktemp('formats')
    result = run_cli('build', '--out', str(out), *SMALL, '--format', 'all')
    assert result.returncode == 0, result.stderr
    return out


def manifest(out):
    return {entry['path']: entry for entry in
            json.loads((out / 'manifest.json').read_text(encoding='utf-8'))['outputs']}


def test_each_kind_is_made_in_the_formats_it_declares(formats_build):
    entries = manifest(formats_build)
    made = {(path, entry['format']) for path, entry in entries.items()}
    for name in ('notice', 'betten-2', 'betten-3', 'betten-4', 'bundles/08-ibaraki',
                 'leaflets/08-ibaraki'):
        assert (f'{NOTICE}/{name}.pdf', 'screen') in made          # today's names stay
        assert (f'{NOTICE}/{name}.archive.pdf', 'archive') in made
    assert (f'{NOTICE}/leaflets/08-ibaraki.print.pdf', 'print') in made
    # the letter is not a print-shop file; covers and packets are screen only
    assert f'{NOTICE}/notice.print.pdf' not in entries
    assert f'{NOTICE}/packets/08-ibaraki.archive.pdf' not in entries
    assert f'{NOTICE}/covers/08-ibaraki.print.pdf' not in entries
    # each format has its own input hash
    hashes = {entries[f'{NOTICE}/leaflets/08-ibaraki{suffix}.pdf']['inputs']
              for suffix in ('', '.print', '.archive')}
    assert len(hashes) == 3
    assert all(entry['status'] == 'ok' for entry in entries.values())


def test_the_default_is_screen_only(tmp_path):
    out = tmp_path / 'dist'
    result = run_cli('build', '--out', str(out), *SMALL, '--lang', 'none')
    assert result.returncode == 0, result.stderr
    paths = list(manifest(out))
    assert paths and not [p for p in paths if p.endswith(('.print.pdf', '.archive.pdf'))]
    assert {entry['format'] for entry in manifest(out).values()} == {'screen'}


def test_an_unknown_format_is_a_usage_error():
    result = run_cli('build', '--format', 'screen,poster')
    assert result.returncode == 2
    assert "unknown format poster: choose from screen, print, archive" in result.stderr
    assert 'Traceback' not in result.stderr


def test_every_file_of_every_kind_and_format_passes_its_rules(formats_build):
    result = run_cli('check-format', '--out', str(formats_build))   # the manifest's PDFs
    assert result.returncode == 0, result.stderr
    assert 'every file passes' in result.stdout
    checked = [path for path in manifest(formats_build) if path.endswith('.pdf')]
    assert {path.rsplit('.', 2)[-2] for path in checked} >= {'print', 'archive', 'ja'}
    # the letter and 別添2-4 in screen and archive (8), the leaflet in all three (3), the card
    # and its sheet in screen and print (4), the bundle in screen and archive (2), cover, packet
    assert len(checked) == 19


def test_screen_files_of_laid_out_kinds_pass_the_structure_rules(formats_build):
    from noticegen.check.conformance import check_file
    for name in ('notice', 'betten-2', 'betten-3', 'betten-4', 'leaflets/08-ibaraki',
                 'covers/08-ibaraki', 'cards/08-ibaraki.ja', 'cards/sheets/08-ibaraki.ja',
                 'bundles/08-ibaraki', 'packets/08-ibaraki'):
        path = formats_build / NOTICE / f'{name}.pdf'
        assert check_file(path) == [], name


# --- print -----------------------------------------------------------------------------

def test_print_bleed_box_is_the_trim_box_plus_3_mm_and_no_mark_enters_it(formats_build):
    from noticegen.check.conformance import _crosses, _mark_lines
    pdf = pikepdf.open(formats_build / NOTICE / 'leaflets/08-ibaraki.print.pdf')
    assert len(pdf.pages) == 2
    for page in pdf.pages:
        trim = [float(v) for v in page.TrimBox]
        bleed = [float(v) for v in page.BleedBox]
        media = [float(v) for v in page.mediabox]
        assert trim == pytest.approx([0, 0, 210 * MM, 297 * MM], abs=0.01)   # A4
        assert bleed == pytest.approx([trim[0] - 3 * MM, trim[1] - 3 * MM,
                                       trim[2] + 3 * MM, trim[3] + 3 * MM], abs=1e-3)
        assert media == pytest.approx([-10 * MM, -10 * MM, trim[2] + 10 * MM,
                                       trim[3] + 10 * MM], abs=0.01)    # the 10 mm slug
        lines = _mark_lines(page)
        assert len(lines) == 16 + 8     # 4 corners × 2 lines × 2 directions; 4 centre marks × 2
        assert not [line for line in lines if _crosses(line, bleed)]
        assert all(media[0] <= min(x1, x2) and max(x1, x2) <= media[2] and
                   media[1] <= min(y1, y2) and max(y1, y2) <= media[3]
                   for x1, y1, x2, y2 in lines)
        # double marks: lines on the trim edge and on the bleed edge
        xs = {round(x1, 2) for x1, _, x2, _ in lines if x1 == x2}
        assert {round(trim[0], 2), round(trim[0] - 3 * MM, 2)} <= xs


def test_print_has_no_device_rgb_and_a_truthfully_named_cmyk_intent(formats_build):
    pdf = pikepdf.open(formats_build / NOTICE / 'leaflets/08-ibaraki.print.pdf')
    operators = {str(op) for page in pdf.pages for _, op in pikepdf.parse_content_stream(page)}
    assert not operators & {'rg', 'RG'} and 'k' in operators | {'k'} and 'scn' in operators
    intent = pdf.Root.OutputIntents[0]
    assert int(intent.DestOutputProfile.N) == 4
    assert str(intent.Info) == 'Artifex CMYK SWOP Profile'
    assert 'japan' not in str(intent).lower()
    metadata = pdf.open_metadata()
    assert metadata['pdfxid:GTS_PDFXVersion'] == 'PDF/X-4'
    from noticegen.check.conformance import check_pdf
    assert check_pdf((formats_build / NOTICE / 'leaflets/08-ibaraki.print.pdf').read_bytes(),
                     ('cmyk-only', 'boxes', 'xmp-pdfx', 'output-intent', 'fonts')) == []


def test_a_device_rgb_colour_breaks_the_print_rules(formats_build):
    from noticegen.check.conformance import check_pdf
    pdf = pikepdf.open(formats_build / NOTICE / 'leaflets/08-ibaraki.print.pdf')
    pdf.pages[0].contents_add(pikepdf.Stream(pdf, b'/Artifact BMC 1 0 0 rg 0 0 1 1 re f EMC'))
    pdf.pages[1].BleedBox = pdf.pages[1].TrimBox
    buffer = io.BytesIO()
    pdf.save(buffer)
    problems = check_pdf(buffer.getvalue(), ('cmyk-only', 'boxes'))
    assert 'cmyk-only: page 1: a DeviceRGB colour (rg operator)' in problems
    assert any(p.startswith('boxes: page 2: the BleedBox') for p in problems)


def test_print_files_are_byte_identical_across_builds(formats_build, tmp_path):
    again = tmp_path / 'again'
    result = run_cli('build', '--out', str(again), *SMALL, '--format', 'all')
    assert result.returncode == 0, result.stderr
    for name in ('leaflets/08-ibaraki.print.pdf', 'leaflets/08-ibaraki.archive.pdf',
                 'notice.archive.pdf', 'bundles/08-ibaraki.archive.pdf',
                 'cards/sheets/08-ibaraki.ja.print.pdf', 'cards/sheets/08-ibaraki.ja.pdf',
                 'notice.pdf', 'packets/08-ibaraki.pdf'):
        assert (again / NOTICE / name).read_bytes() == (formats_build / NOTICE / name).read_bytes()
    # the DocumentID is a digest of the content, not WeasyPrint's random one
    metadata = pikepdf.open(again / NOTICE / 'leaflets/08-ibaraki.print.pdf').open_metadata()
    assert metadata['xmpMM:DocumentID'].startswith('uuid:')


# --- the imposed card sheet in print ----------------------------------------------------

def test_the_print_card_sheet_is_the_a4_sheet_with_each_cards_marks_outside_every_bleed(
        formats_build):
    from noticegen.check.conformance import _mark_lines, check_pdf
    from noticegen.documents.card_sheet import card_trims
    path = formats_build / NOTICE / 'cards/sheets/08-ibaraki.ja.print.pdf'
    pdf = pikepdf.open(path)
    assert len(pdf.pages) == 2
    sheet = [0, 0, 297 * MM, 210 * MM]
    bleeds = [[x0 - 3 * MM, y0 - 3 * MM, x1 + 3 * MM, y1 + 3 * MM]
              for x0, y0, x1, y1 in card_trims()]
    assert len(bleeds) == 2
    for page in pdf.pages:
        for box in ('/MediaBox', '/TrimBox', '/BleedBox'):
            assert [float(v) for v in page.obj[box]] == pytest.approx(sheet, abs=0.01), box
        lines = _mark_lines(page)
        # each card's own: 16 double corner lines and 4 centre marks of 2 lines; the single
        # card's own marks around each face are not carried onto the sheet
        assert len(lines) == 2 * (16 + 8)
        for x1, y1, x2, y2 in lines:
            low_x, high_x, low_y, high_y = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
            for bleed in bleeds:   # the mark's bounding box stays out of every card's bleed
                assert (high_x <= bleed[0] + 0.01 or low_x >= bleed[2] - 0.01
                        or high_y <= bleed[1] + 0.01 or low_y >= bleed[3] - 0.01), \
                    ((x1, y1, x2, y2), bleed)
            assert 0 <= low_x and high_x <= sheet[2] and 0 <= low_y and high_y <= sheet[3]
        for x0, y0, x1, y1 in card_trims():   # double marks: on the trim and the bleed edge
            verticals = {round(a, 2) for a, _, c, _ in lines if a == c}
            assert {round(x0, 2), round(x0 - 3 * MM, 2), round(x1, 2),
                    round(x1 + 3 * MM, 2)} <= verticals
    problems = check_pdf(path.read_bytes(), ('fonts', 'output-intent', 'cmyk-only',
                                             'xmp-pdfx', 'boxes'))
    assert problems == []
    operators = {str(op) for page in pdf.pages for _, op in pikepdf.parse_content_stream(page)}
    assert not operators & {'rg', 'RG'}
    card = pikepdf.open(formats_build / NOTICE / 'cards/08-ibaraki.ja.print.pdf')
    assert pdf.Root.OutputIntents[0].DestOutputProfile.read_bytes() == \
        card.Root.OutputIntents[0].DestOutputProfile.read_bytes()
    assert str(pdf.Root.OutputIntents[0].Info) == 'Artifex CMYK SWOP Profile'
    metadata = pdf.open_metadata()
    assert metadata['pdfxid:GTS_PDFXVersion'] == 'PDF/X-4'
    assert metadata['dc:title'].startswith('患者さん向けカード（面付け）')
    assert metadata['xmpMM:DocumentID'] != card.open_metadata()['xmpMM:DocumentID']
    # the card's text is on the sheet, the left card's tagged
    text = ''.join(page.extract_text() for page in
                   __import__('pdfplumber').open(path).pages).replace(' ', '')
    assert '#8891' in text


def test_a_mark_in_a_cards_bleed_breaks_the_sheet_rule(formats_build):
    from noticegen.assemble.conformance import marks_stream
    from noticegen.check.conformance import check_pdf
    from noticegen.documents.card_sheet import card_trims
    pdf = pikepdf.open(formats_build / NOTICE / 'cards/sheets/08-ibaraki.ja.print.pdf')
    x0, y0, x1, y1 = card_trims()[1]
    # a mark of the left card drawn 2 mm into the right card's bleed
    pdf.pages[0].contents_add(pikepdf.Stream(pdf, marks_stream(
        [(x0 - 8 * MM, y0 + 20 * MM, x0 - 1 * MM, y0 + 20 * MM)])))
    buffer = io.BytesIO()
    pdf.save(buffer)
    problems = check_pdf(buffer.getvalue(), ('boxes',))
    assert len(problems) == 1 and problems[0].startswith(
        'boxes: page 1: a crop mark at (') and 'enters the bleed of the card' in problems[0]


def test_each_card_face_paints_its_bleed_on_the_sheet_up_to_the_fold():
    """A face whose background fills its slug: on the sheet it shows 3 mm past the trim on
    the card's outer sides, nothing beyond, and each face stops at the fold."""
    import pypdfium2

    from noticegen.assemble.pdf import impose
    from noticegen.documents.card_sheet import FACE, SHEET, card_trims, sheets
    from noticegen.plan.formats import BLEED
    source = pikepdf.new()
    width, height, slug = FACE[0], FACE[1], 10 * MM
    greys = [0.2, 0.4, 0.6, 0.8]   # each face its own grey (DeviceGray: 0 black, 1 white)
    for grey in greys:
        page = source.add_blank_page(page_size=(width, height))
        page.obj.MediaBox = [-slug, -slug, width + slug, height + slug]
        page.obj.TrimBox = [0, 0, width, height]
        page.obj.Contents = source.make_stream(
            f'{grey} g {-slug} {-slug} {width + 2 * slug} {height + 2 * slug} re f'.encode())
    buffer = io.BytesIO()
    source.save(buffer)
    data = impose(buffer.getvalue(), SHEET, sheets(BLEED), [b'', b''], 'test')
    scale = 4
    pages = pypdfium2.PdfDocument(data)
    for number, faces in ((0, (0, 3)), (1, (2, 1))):
        image = pages[number].render(scale=scale).to_pil().convert('L')

        def grey_at(x, y):
            return image.getpixel((int(x * scale), int((SHEET[1] - y) * scale))) / 255

        for x0, y0, x1, y1 in card_trims():
            fold = y0 + FACE[1]
            lower, upper = (greys[face] for face in faces)
            # outer bleed: 1.5 mm out of the trim, the face's grey; 4.5 mm out, white
            assert grey_at(x0 - 1.5 * MM, y0 + 20 * MM) == pytest.approx(lower, abs=0.02)
            assert grey_at(x0 - 4.5 * MM, y0 + 20 * MM) == pytest.approx(1, abs=0.02)
            assert grey_at(x1 + 1.5 * MM, fold + 20 * MM) == pytest.approx(upper, abs=0.02)
            assert grey_at(x1 + 4.5 * MM, fold + 20 * MM) == pytest.approx(1, abs=0.02)
            assert grey_at(x0 + 20 * MM, y0 - 1.5 * MM) == pytest.approx(lower, abs=0.02)
            assert grey_at(x0 + 20 * MM, y1 + 1.5 * MM) == pytest.approx(upper, abs=0.02)
            assert grey_at(x0 + 20 * MM, y1 + 4.5 * MM) == pytest.approx(1, abs=0.02)
            # at the fold, each face stops: the lower face below it, the upper above
            assert grey_at(x0 + 20 * MM, fold - 1 * MM) == pytest.approx(lower, abs=0.02)
            assert grey_at(x0 + 20 * MM, fold + 1 * MM) == pytest.approx(upper, abs=0.02)


def test_impose_refuses_pages_whose_resource_names_clash():
    """The faces are drawn in the sheet's own content with one resource dictionary: two
    pages that give one name to two objects cannot be, and the error says so."""
    from noticegen.assemble.pdf import Placed, impose
    from noticegen.errors import RenderError
    source = pikepdf.new()
    for grey in (0.2, 0.8):
        page = source.add_blank_page(page_size=(100, 100))
        state = source.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, CA=grey))
        page.obj.Resources = pikepdf.Dictionary(ExtGState=pikepdf.Dictionary(G0=state))
        page.obj.Contents = source.make_stream(b'/G0 gs 0 0 10 10 re f')
    buffer = io.BytesIO()
    source.save(buffer)
    with pytest.raises(RenderError, match='cannot impose: the pages use /ExtGState/G0 for '
                                          'different objects'):
        impose(buffer.getvalue(), (300, 300), [[Placed(0, 0, 0), Placed(1, 150, 0)]], [b''],
               'test')


def test_the_screen_card_sheet_keeps_the_cards_tags_once(formats_build):
    """Every marked-content item of the sheet is in the structure tree (the left card: each
    face's MCIDs, shifted, under the card's own elements) or an artifact (the right card,
    the marks); the tree is the card's, once."""
    from noticegen.check.conformance import _parent_tree, check_file
    path = formats_build / NOTICE / 'cards/sheets/08-ibaraki.ja.pdf'
    assert check_file(path) == []
    card = pikepdf.open(formats_build / NOTICE / 'cards/08-ibaraki.ja.pdf')
    sheet = pikepdf.open(path)

    def mcids(page):
        return [int(operands[1].MCID) for operands, op in pikepdf.parse_content_stream(page)
                if str(op) == 'BDC' and isinstance(operands[1], pikepdf.Dictionary)
                and '/MCID' in operands[1]]

    assert sum(len(mcids(page)) for page in sheet.pages) == \
        sum(len(mcids(page)) for page in card.pages) > 20
    tree = _parent_tree(sheet)
    pages = {page.objgen: number for number, page in enumerate(sheet.pages)}
    for number, page in enumerate(sheet.pages):
        found = mcids(page)
        assert sorted(found) == list(range(len(found)))     # each id once
        parents = tree[int(page.StructParents)]
        for mcid in found:                                   # and its element names it back
            element = parents[mcid]
            kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
            assert pages[element.Pg.objgen] == number and mcid in list(kids)
    assert str(sheet.Root.Lang) == 'ja' and sheet.Root.ViewerPreferences.DisplayDocTitle
    assert sheet.open_metadata()['pdfuaid:part'] == '1'
    # a client reads the sheet's tree as the card's, text and all (poppler's pdfinfo)
    import subprocess

    def tree_text(pdf_path):
        return subprocess.run(['pdfinfo', '-struct-text', str(pdf_path)], capture_output=True,
                              text=True, check=True).stdout
    text = tree_text(path)
    assert '#8891' in text and text == tree_text(formats_build / NOTICE / 'cards/08-ibaraki.ja.pdf')
    # the sheet's marks and the right card are artifacts
    artifacts = [op for page in sheet.pages for operands, op in
                 pikepdf.parse_content_stream(page)
                 if str(op) == 'BMC' and operands[0] == '/Artifact']
    assert len(artifacts) > 20


# --- archive ---------------------------------------------------------------------------

def test_archive_files_are_pdfa_2b_with_an_srgb_intent(formats_build):
    for name in ('notice', 'betten-2', 'bundles/08-ibaraki'):
        pdf = pikepdf.open(formats_build / NOTICE / f'{name}.archive.pdf')
        metadata = pdf.open_metadata()
        assert (metadata['pdfaid:part'], metadata['pdfaid:conformance']) == ('2', 'B'), name
        intent = pdf.Root.OutputIntents[0]
        assert intent.S == '/GTS_PDFA1' and int(intent.DestOutputProfile.N) == 3
        assert str(pdf.Root.Lang) == 'ja'
        assert pdf.Root.ViewerPreferences.DisplayDocTitle


def _with_original(tmp_path, pdfa: bool, made_as_pdfa: bool = False):
    root = copy_project(tmp_path / 'project')
    folder = root / 'attachments' / NOTICE
    target = folder / 'original.pdf'
    shutil.copy(FIXTURES / 'included' / 'original.pdf', target)
    if made_as_pdfa:   # a real PDF/A-2b original: fonts embedded, sRGB intent
        from weasyprint import HTML
        HTML(string='<html lang="ja"><head><title>原本</title></head><body>'
                    '<p style="font-family: BIZ UDGothic">原本の資料</p></body></html>'
             ).write_pdf(target, pdf_variant='pdf/a-2b')
    elif pdfa:   # declares PDF/A-2b, but its fonts are not embedded
        with pikepdf.open(target, allow_overwriting_input=True) as pdf:
            with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
                meta['pdfaid:part'] = '2'
                meta['pdfaid:conformance'] = 'B'
            pdf.save(target)
    (folder / '5-original.yaml').write_text(
        f'notice: {NOTICE}\nnumber: 5\ntitle: 原本の資料\nkind: pdf\nfile: original.pdf\n',
        encoding='utf-8')
    return root


def test_an_archive_bundle_with_a_non_pdfa_original_fails_naming_it(tmp_path):
    root = _with_original(tmp_path, pdfa=False)
    out = tmp_path / 'dist'
    result = run_cli('build', '--out', str(out), *SMALL, '--lang', 'none', '--format',
                     'screen,archive', root=root)
    assert result.returncode == 1
    assert 'Traceback' not in result.stderr
    assert (f'attachments/{NOTICE}/original.pdf is not PDF/A (its XMP declares no '
            f'pdfaid:part)') in result.stderr
    assert f'{NOTICE}/bundles/08-ibaraki.archive.pdf: not made: ' \
           f'{NOTICE}/betten-5.archive.pdf failed' in result.stderr
    entries = manifest(out)
    assert entries[f'{NOTICE}/bundles/08-ibaraki.archive.pdf']['status'] == 'failed'
    assert entries[f'{NOTICE}/bundles/08-ibaraki.pdf']['status'] == 'ok'   # screen is made


def test_an_original_that_declares_pdfa_is_kept_and_its_fonts_are_checked(tmp_path):
    root = _with_original(tmp_path, pdfa=True)
    out = tmp_path / 'dist'
    result = run_cli('build', '--out', str(out), *SMALL, '--lang', 'none', '--format',
                     'archive', root=root)
    assert result.returncode == 0, result.stderr     # the declaration is what is judged
    check = run_cli('check-format', str(out / NOTICE / 'bundles/08-ibaraki.archive.pdf'),
                    str(out / NOTICE / 'betten-5.archive.pdf'))
    assert check.returncode == 1                     # but the rules see the truth
    assert 'betten-5.archive.pdf:1:1: error: check-format: fonts: page 1: font /Helvetica ' \
           'is not embedded' in check.stderr
    assert 'bundles/08-ibaraki.archive.pdf:1:1: error: check-format: fonts: page 9: font ' \
           '/Helvetica is not embedded' in check.stderr


def test_an_archive_bundle_keeps_a_pdfa_original(tmp_path):
    root = _with_original(tmp_path, pdfa=True, made_as_pdfa=True)
    out = tmp_path / 'dist'
    result = run_cli('build', '--out', str(out), *SMALL, '--lang', 'none', '--format',
                     'archive', root=root)
    assert result.returncode == 0, result.stderr
    check = run_cli('check-format', str(out / NOTICE / 'bundles/08-ibaraki.archive.pdf'),
                    str(out / NOTICE / 'betten-5.archive.pdf'))
    assert check.returncode == 0, check.stderr


# --- screen ----------------------------------------------------------------------------

def test_margin_box_text_is_an_artifact_not_an_orphan_span(tmp_path):
    """WeasyPrint 70 tags page numbers with a Span outside the structure tree; the screen
    finish marks them as artifacts, and the structure rule catches the Span otherwise."""
    from weasyprint import HTML

    from noticegen.assemble.conformance import orphans_as_artifacts
    from noticegen.check.conformance import check_pdf
    html = ('<html lang="ja"><head><title>t</title><style>@page { @bottom-center '
            '{ content: counter(page) } }</style></head><body><p>本文</p></body></html>')
    raw = HTML(string=html).write_pdf(pdf_tags=True)
    problems = check_pdf(raw, ('structure',))
    assert any('outside the structure tree' in p for p in problems), problems
    fixed = orphans_as_artifacts(raw)
    assert check_pdf(fixed, ('structure',)) == []
    document = pikepdf.open(io.BytesIO(fixed))
    operators = [(str(op), list(operands)) for operands, op in
                 pikepdf.parse_content_stream(document.pages[0])]
    assert any(op == 'BDC' and operands[0] == '/Artifact' for op, operands in operators)


def test_check_format_reads_the_manifest_and_fails_on_an_untagged_screen_file(formats_build,
                                                                            tmp_path):
    bare = tmp_path / 'bare.pdf'
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(bare)
    result = run_cli('check-format', str(bare))
    assert result.returncode == 1
    assert f'{bare}:1:1: error: check-format: structure: no structure tree' in result.stderr
    assert 'lang-title: no /Lang in the catalog' in result.stderr


def test_a_damaged_pdf_is_one_error_that_reads_the_same_in_every_run(tmp_path):
    """qpdf names the in-memory stream it read (an address that changes from run to run):
    the message leaves it out."""
    damaged = tmp_path / 'damaged.pdf'
    damaged.write_bytes(b'%PDF-1.7\ngarbage')
    runs = [run_cli('check-format', str(damaged)) for _ in range(2)]
    assert all(result.returncode == 1 for result in runs)
    assert 'not a readable PDF: ' in runs[0].stderr and ' at 0x' not in runs[0].stderr
    assert runs[0].stderr == runs[1].stderr


def test_screen_files_declare_pdfua_1_and_a_file_without_it_fails(formats_build, tmp_path):
    from noticegen.check.conformance import check_pdf
    for name in ('notice', 'leaflets/08-ibaraki', 'cards/08-ibaraki.ja', 'packets/08-ibaraki'):
        metadata = pikepdf.open(formats_build / NOTICE / f'{name}.pdf').open_metadata()
        assert metadata['pdfuaid:part'] == '1', name
        assert metadata['dc:title'], name
    pdf = pikepdf.open(formats_build / NOTICE / 'notice.pdf')
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as metadata:
        del metadata['pdfuaid:part']
    bare = tmp_path / 'notice.pdf'
    pdf.save(bare)
    assert check_pdf(bare.read_bytes(), ('xmp-pdfua',)) == [
        "xmp-pdfua: XMP does not identify PDF/UA-1 (pdfuaid:part None)"]
    result = run_cli('check-format', str(bare))
    assert result.returncode == 1
    assert f'{bare}:1:1: error: check-format: xmp-pdfua: XMP does not identify PDF/UA-1' \
        in result.stderr


# --- text in every script ----------------------------------------------------------------

CARD_FIELDS = ('title', 'short_dial_lead', 'short_dial_cost', 'ip_phones')


@pytest.fixture(scope='module')
def cards_build(tmp_path_factory):
    out = tmp_path_factory.mktemp('cards')
    result = run_cli('build', '--out', str(out), '-p', '08', '--lang', 'all', '-j', '1')
    assert result.returncode == 0, result.stderr
    return out


def _card_source(lang):
    import yaml
    from conftest import ROOT
    name = 'patient-card.yaml' if lang == 'ja' else f'patient-card.{lang}.yaml'
    return yaml.safe_load((ROOT / 'cards' / name).read_text(encoding='utf-8'))


def _texts(path):
    import subprocess

    import pypdfium2
    document = pypdfium2.PdfDocument(str(path))
    pdfium = ''.join(page.get_textpage().get_text_range() for page in document)
    poppler = subprocess.run(['pdftotext', str(path), '-'], capture_output=True, text=True,
                             check=True).stdout
    return {'pypdfium2': pdfium, 'pdftotext': poppler}


@pytest.mark.parametrize('lang', ['ja', 'ja-easy', 'en', 'zh-Hans', 'zh-Hant', 'ko', 'vi', 'tl',
                                  'pt', 'es', 'id', 'th', 'ne'])
def test_two_clients_read_each_card_sentence_as_its_source_text(cards_build, lang):
    """Thai 「สำหรับ」, 「การ」 and Nepali 「सहयोग」 read as written: /ActualText on runs whose
    glyphs do not map one to one (render/actualtext.py)."""
    from conftest import normalize
    if shutil.which('pdftotext') is None:
        pytest.fail('pdftotext (Debian poppler-utils, in dev.sh TEST_APT_PACKAGES) is missing')
    source = _card_source(lang)
    path = cards_build / NOTICE / f'cards/08-ibaraki.{lang}.pdf'
    screen = path.with_suffix('.screen.pdf')   # the edition without furigana, for reading
    path = screen if screen.exists() else path
    for client, text in _texts(path).items():
        read = normalize(text.replace('\u00ad', '').replace('-\n', ''))
        # pypdfium2 reads by position: the title shares its lines with the floated review
        # note beside it, and comes out interleaved with it (reading order, not glyphs)
        fields = CARD_FIELDS if client == 'pdftotext' else CARD_FIELDS[1:]
        for field in fields:
            value = source.get(field)
            value = value.get('text') if isinstance(value, dict) else value   # ja: with claims
            if value and '{' not in value:
                assert normalize(value) in read, (client, field)


def test_cards_are_made_for_print_but_not_their_screen_edition(tmp_path):
    out = tmp_path / 'dist'
    result = run_cli('build', '--out', str(out), '-p', '08', '--lang', 'ja-easy,th', '-j', '1',
                     '--format', 'print')
    assert result.returncode == 0, result.stderr
    cards = out / NOTICE / 'cards'
    assert sorted(p.name for p in cards.glob('*.pdf')) == [
        '08-ibaraki.ja-easy.print.pdf', '08-ibaraki.th.print.pdf']
    check = run_cli('check-format', *[str(p) for p in sorted(cards.glob('*.pdf'))])
    assert check.returncode == 0, check.stderr
    pdf = pikepdf.open(cards / '08-ibaraki.th.print.pdf')
    assert len(pdf.pages) == 4
    trim = [float(v) for v in pdf.pages[0].TrimBox]
    assert trim[2] - trim[0] == pytest.approx(105 * MM, abs=0.01)     # 105 × 74 mm faces
    assert trim[3] - trim[1] == pytest.approx(74 * MM, abs=0.01)


def test_a_qr_code_prints_in_cmyk_and_still_decodes(tmp_path):
    """segno's SVG names a stroke but no fill: SVG's default fill (black) would be painted
    as DeviceRGB; it is written as device-cmyk() like every other colour."""
    import pypdfium2
    import zxingcpp
    out = tmp_path / 'dist'
    result = run_cli('build', '--out', str(out), '-p', '14', '--lang', 'ja', '-j', '1',
                     '--format', 'all')
    assert result.returncode == 0, result.stderr
    check = run_cli('check-format', '--out', str(out))
    assert check.returncode == 0, check.stderr
    card = out / NOTICE / 'cards/14-kanagawa.ja.print.pdf'
    operators = {str(op) for page in pikepdf.open(card).pages
                 for _, op in pikepdf.parse_content_stream(page)}
    assert not operators & {'rg', 'RG'}
    image = pypdfium2.PdfDocument(card)[2].render(scale=6).to_pil()
    assert [found.text for found in zxingcpp.read_barcodes(image)] == [
        'http://www.pref.kanagawa.jp/docs/f5g/cnt/f520370/p1163001.html']


def test_an_untagged_original_is_not_declared_pdfua(tmp_path):
    """The screen finish declares PDF/UA-1 only for a file tagged throughout: an included
    original without tags, and the bundle that carries its pages, are not declared, and
    check-format says why."""
    root = _with_original(tmp_path, pdfa=False)
    out = tmp_path / 'dist'
    result = run_cli('build', '--out', str(out), *SMALL, '--lang', 'none', root=root)
    assert result.returncode == 0, result.stderr
    for name in ('betten-5', 'bundles/08-ibaraki', 'packets/08-ibaraki'):
        pdf = pikepdf.open(out / NOTICE / f'{name}.pdf')
        declared = pdf.open_metadata().get('pdfuaid:part') if '/Metadata' in pdf.Root else None
        assert declared is None, name
    assert pikepdf.open(out / NOTICE / 'betten-2.pdf').open_metadata()['pdfuaid:part'] == '1'
    check = run_cli('check-format', str(out / NOTICE / 'bundles/08-ibaraki.pdf'))
    assert check.returncode == 1
    assert 'structure: page 9: 2 text or drawing operators are neither tagged content nor an ' \
           'artifact' in check.stderr
    assert 'xmp-pdfua: no XMP metadata stream in the catalog' in check.stderr
