"""The seed letter, checked on the real PDF: text, order, geometry, breaks, metadata, fonts."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest

from conftest import ROOT, normalize

SEED = Path(ROOT).parent / 'shared' / 'seed' / 'notice-2024-10-08.md'
PT_PER_MM = 72 / 25.4
LEFT = 25 * PT_PER_MM
EM = 12.0
TEXT_WIDTH = 38 * EM
TOLERANCE = 1.0  # pt


def seed_sentences() -> list[str]:
    """Every sentence of the seed, in order, normalised for comparison."""
    if SEED.is_file():
        text = SEED.read_text(encoding='utf-8')
    else:  # a clone without ../shared: the copy kept beside the tests
        text = (Path(__file__).parent / 'fixtures' / 'seed-notice-2024-10-08.md').read_text(
            encoding='utf-8')
    sentences = []
    for line in text.splitlines():
        line = re.sub(r'^\s*(?:#+|-)\s*', '', line).replace('**', '').strip()
        if not line:
            continue
        sentences += [normalize(part) for part in re.split(r'(?<=。)', line) if normalize(part)]
    return sentences


def body(page):
    """The page without its bottom margin, where the page number sits."""
    return page.within_bbox((0, 0, page.width, page.height - 20 * PT_PER_MM))


def page_text(pdf) -> str:
    return '\n'.join(body(page).extract_text() for page in pdf.pages)


def lines(pdf) -> list[str]:
    return [line for page in pdf.pages for line in page.extract_text().splitlines()]


def find_chars(page, text: str) -> list[dict]:
    """The chars of the first occurrence of ``text`` on ``page``, in order."""
    chars = [c for c in page.chars if not c['text'].isspace()]
    joined = ''.join(c['text'] for c in chars)
    start = joined.find(text)
    assert start >= 0, f'{text!r} not on page {page.page_number}'
    return chars[start:start + len(text)]


def test_every_seed_sentence_appears_in_reading_order(seed_plumber):
    text = normalize(page_text(seed_plumber))
    position = 0
    sentences = seed_sentences()
    assert len(sentences) > 30
    for sentence in sentences:
        found = text.find(sentence, position)
        assert found >= 0, f'missing or out of order: {sentence}'
        position = found + len(sentence)


def test_label_extracts_as_one_word(seed_plumber):
    """Spread by layout, not by spaces: no space in the text layer, and one word to a
    reader that joins characters less than a character's width apart."""
    page = seed_plumber.pages[0]
    assert '事務連絡' in ''.join(c['text'] for c in page.chars)   # no space glyph between
    words = [w['text'] for w in page.extract_words(x_tolerance=EM + 0.5)]
    assert '事務連絡' in words


def test_materials_break_across_pages_but_keep_their_heading(seed_plumber):
    """【資料】 is no unbreakable block: it starts on the page where the letter's text ends
    (no blank left there), with at least its first entry beside its heading."""
    pages = seed_plumber.pages
    where = [n for n, page in enumerate(pages) if '【資料】' in page.extract_text()]
    assert len(where) == 1
    page = pages[where[0]]
    head = find_chars(page, '【資料】')[0]
    first = find_chars(page, '別添1')[0]
    assert first['top'] > head['top']
    body_chars = [c for c in body(page).chars if c['text'].strip()]
    assert max(c['bottom'] for c in body_chars) > page.height - 20 * PT_PER_MM - 4 * 1.75 * EM
    assert head['x0'] == pytest.approx(LEFT - 0.5 * EM, abs=TOLERANCE)   # 【 trimmed


def test_label_is_spread_to_the_dates_width(seed_plumber):
    """事務連絡 starts where the date starts and ends where it ends, its four characters
    evenly spaced between."""
    page = seed_plumber.pages[0]
    label = find_chars(page, '事務連絡')
    date = find_chars(page, '令和6年10月8日')
    assert label[0]['x0'] == pytest.approx(date[0]['x0'], abs=TOLERANCE)
    assert label[-1]['x1'] == pytest.approx(date[-1]['x1'], abs=TOLERANCE)
    gaps = [b['x0'] - a['x1'] for a, b in zip(label, label[1:])]
    assert min(gaps) > 0.5 and max(gaps) - min(gaps) < 0.5, gaps


def test_label_and_date_share_the_right_edge(seed_plumber):
    page = seed_plumber.pages[0]
    label = find_chars(page, '事務連絡')
    date = find_chars(page, '令和6年10月8日')
    right_edge = LEFT + TEXT_WIDTH
    assert label[-1]['x1'] == pytest.approx(date[-1]['x1'], abs=TOLERANCE)
    assert label[-1]['x1'] == pytest.approx(right_edge, abs=TOLERANCE)
    assert label[0]['top'] < date[0]['top']
    assert label[0]['top'] < 100  # at the top of the page


def test_addressees_left_issuers_right(seed_plumber):
    page = seed_plumber.pages[0]
    for name in ('各都道府県衛生主管部（局）', 'ワンストップ支援センター所管部（局）'):
        assert find_chars(page, name)[0]['x0'] == pytest.approx(LEFT, abs=TOLERANCE)
    for issuer in ('厚生労働省医政局総務課', '内閣府男女共同参画局男女間暴力対策課'):
        assert find_chars(page, issuer)[-1]['x1'] == pytest.approx(LEFT + TEXT_WIDTH,
                                                                  abs=TOLERANCE)
    assert (find_chars(page, '厚生労働省医政局総務課')[0]['top']
            < find_chars(page, '内閣府男女共同参画局男女間暴力対策課')[0]['top'])
    honorifics = [c for c in page.chars if c['text'] == '御']
    assert len(honorifics) == 2


def centre(chars: list[dict]) -> float:
    return (chars[0]['x0'] + chars[-1]['x1']) / 2


def ink_centre(chars: list[dict]) -> float:
    """The centre of a line's ink: an opening bracket's ink is its right half."""
    left = chars[0]['x0'] + (0.5 * EM if chars[0]['text'] in '「『（【' else 0)
    right = chars[-1]['x1'] - (0.5 * EM if chars[-1]['text'] in '」』）】、。' else 0)
    return (left + right) / 2


def test_title_and_ki_are_centred(seed_plumber):
    """Each title line's ink is centred within 1 pt: the 「 that starts the first line is
    trimmed by half an em (its blank half), so it does not push the line off centre."""
    page = seed_plumber.pages[0]
    middle = LEFT + TEXT_WIDTH / 2
    for line in ('「性犯罪・性暴力被害者のためのワンストップ支援センター」の',
                 '運営にかかる協力依頼について'):
        assert ink_centre(find_chars(page, line)) == pytest.approx(middle, abs=TOLERANCE)
    ki = [c for c in page.chars if c['text'] == '記' and
          abs(centre([c]) - middle) < 0.5 * EM]
    assert len(ki) == 1
    assert centre(ki) == pytest.approx(middle, abs=TOLERANCE)


def test_body_paragraphs_are_indented_one_character(seed_plumber):
    page = seed_plumber.pages[0]
    first = find_chars(page, '「性犯罪・性暴力被害者のためのワンストップ支援センター」（以下')
    assert first[0]['x0'] == pytest.approx(LEFT + EM, abs=TOLERANCE)
    second = find_chars(page, 'つきましては')
    assert second[0]['x0'] == pytest.approx(LEFT + EM, abs=TOLERANCE)


def test_items_step_one_em_per_level(seed_plumber):
    page = seed_plumber.pages[1]
    level1 = find_chars(page, '3.衛生主管部局')[0]['x0']
    level2 = find_chars(page, '（1）衛生主管部局における対応')[0]['x0']
    text1 = find_chars(page, '各都道府県のセンター所管部局は')[0]['x0']
    text2 = find_chars(page, 'センター所管部局よりセンター')[0]['x0']
    assert level1 == pytest.approx(LEFT, abs=TOLERANCE)
    assert level2 - level1 == pytest.approx(EM, abs=TOLERANCE)
    assert text2 - text1 == pytest.approx(EM, abs=TOLERANCE)
    # A paragraph under an item starts two em in: one for the level, one for the indent.
    assert text1 - level1 == pytest.approx(2 * EM, abs=TOLERANCE)


def test_no_line_starts_with_closing_punctuation(seed_plumber):
    for line in lines(seed_plumber):
        assert not re.match(r'\s*[、。」）』】,.)]', line), line


def test_phone_extension_and_dates_never_split(seed_plumber):
    extracted = [normalize(line) for line in lines(seed_plumber)]
    tokens = ['03-5253-1111', '03-5253-2111', '内線2515', '内線37551',
              '令和6年10月8日', '令和3年4月8日', '令和6年6月11日']
    for token in tokens:
        assert any(token in line for line in extracted), f'{token} is split across lines'


def test_materials_list_and_contact_close_the_letter(seed_plumber):
    last = seed_plumber.pages[-1]
    # 【資料】 may start on the page before: read the last two pages.
    text = normalize(''.join(page.extract_text() for page in seed_plumber.pages[-2:]))
    for number in range(1, 5):
        assert f'別添{number}' in text
    assert text.index('【資料】') < text.index('<照会先>')    # NFKC: ＜照会先＞
    # WeasyPrint draws the border as a pair of rectangles (its outer and inner edges).
    box = sorted((r for r in last.rects if r['width'] > 100 and r['height'] > 50),
                 key=lambda r: r['x0'])
    assert box, 'the 照会先 block is boxed'
    label = find_chars(last, '＜照会先＞')[0]                 # full-width brackets
    assert box[0]['x0'] < label['x0'] and box[0]['top'] < label['top']
    assert box[0]['x1'] == pytest.approx(LEFT + TEXT_WIDTH, abs=TOLERANCE)  # at the right
    assert box[0]['x0'] > LEFT + TEXT_WIDTH / 3


def test_page_numbers_when_longer_than_a_page(seed_plumber):
    assert len(seed_plumber.pages) > 1
    for number, page in enumerate(seed_plumber.pages, start=1):
        footer = page.within_bbox((0, page.height - 20 * PT_PER_MM, page.width, page.height))
        assert footer.extract_text().strip() == str(number)


def test_metadata_tags_and_bookmarks(seed_pdf):
    reader = pypdf.PdfReader(seed_pdf)
    info = reader.metadata
    assert info['/Title'] == ('「性犯罪・性暴力被害者のためのワンストップ支援センター」の'
                              '運営にかかる協力依頼について')
    assert info['/Author'] == '厚生労働省医政局総務課、内閣府男女共同参画局男女間暴力対策課'
    assert info['/CreationDate'].startswith('D:20241008')
    assert info['/ModDate'].startswith('D:20241008')
    catalog = reader.trailer['/Root']
    assert catalog['/Lang'] == 'ja'
    assert bool(catalog['/MarkInfo']['/Marked'])
    assert '/StructTreeRoot' in catalog
    titles = []

    def walk(outline):
        for entry in outline:
            if isinstance(entry, list):
                walk(entry)
            else:
                titles.append(entry.title)
    walk(reader.outline)
    assert titles[0].startswith('「性犯罪・性暴力被害者')
    assert any('1.センターにかかるリーフレット' in title.replace(' ', '') for title in titles)
    assert any('衛生主管部局における対応' in title for title in titles)


def test_fonts_are_embedded_subsets_of_biz_ud(seed_pdf):
    reader = pypdf.PdfReader(seed_pdf)
    names = set()
    for page in reader.pages:
        for font in page['/Resources']['/Font'].values():
            font = font.get_object()
            names.add(str(font['/BaseFont']))
            descriptor = font['/DescendantFonts'][0].get_object()['/FontDescriptor']
            assert '/FontFile2' in descriptor
    bases = {name.split('+', 1)[1] for name in names}
    assert all(re.fullmatch(r'/[A-Z]{6}\+.+', name) for name in names), names
    assert 'BIZ-UDMincho' in bases
    assert bases <= {'BIZ-UDMincho', 'BIZ-UDGothic', 'BIZ-UDGothic-Bold'}


def test_rendered_page_has_ink_where_the_layout_puts_it(seed_pdf):
    import pypdfium2

    document = pypdfium2.PdfDocument(str(seed_pdf))
    image = document[0].render(scale=1).to_pil().convert('L')
    width, height = image.size

    def ink(box) -> float:
        region = image.crop(box)
        dark = sum(1 for value in region.get_flattened_data() if value < 128)
        return dark / (region.size[0] * region.size[1])

    assert ink((int(width * 0.7), 0, width, int(height * 0.12))) > 0.005   # 事務連絡, date
    assert ink((0, 0, int(width * 0.1), height)) == 0                      # left margin
    assert 0.02 < ink((0, 0, width, height)) < 0.2                          # a page of text
