"""Japan Post's customer barcode: the manual's extraction examples, its worked encodings,
and the bars as printed, measured at 600 dpi.

The expected values are typed from the manual (郵便番号・バーコードマニュアル,
https://www.post.japanpost.jp/zipcode/zipmanual/): p17–p21 as stored by the research search
tool, and p25 (抜き出し法 9/9, the list of test addresses with their full barcode
characters) as transcribed, with the same characters, by several public test suites that
cite it (the page itself was not in the stored pages). The bar table here is typed
separately from the code's (noticegen/recipients/barcode.py), in the manual's terms.
"""

from __future__ import annotations

import pytest

from noticegen.recipients.barcode import (BARS, BarcodeError, Dimensions, characters,
                                          draw_svg, encode, extract, extract_number)

# --- extraction -------------------------------------------------------------------------------

# p25: postal code, address, the barcode characters between the start and stop codes.
P25 = [
    ('263-0023', '千葉市稲毛区緑町3丁目30-8　郵便ビル403号',
     '2 6 3 0 0 2 3 3 - 3 0 - 8 - 4 0 3 CC4 CC4 CC4 5'),
    ('014-0113', '秋田県大仙市堀見内　南田茂木　添60-1',
     '0 1 4 0 1 1 3 6 0 - 1 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC8'),
    ('110-0016', '東京都台東区台東5-6-3　ABCビル10F',
     '1 1 0 0 0 1 6 5 - 6 - 3 - 1 0 CC4 CC4 CC4 CC4 CC4 9'),
    ('060-0906', '北海道札幌市東区北六条東4丁目　郵便センター6号館',
     '0 6 0 0 9 0 6 4 - 6 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 9'),
    ('065-0006', '北海道札幌市東区北六条東8丁目　郵便センター10号館',
     '0 6 5 0 0 0 6 8 - 1 0 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 9'),
    ('407-0033', '山梨県韮崎市龍岡町下條南割　韮崎400',
     '4 0 7 0 0 3 3 4 0 0 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 -'),
    ('273-0102', '千葉県鎌ケ谷市右京塚　東3丁目-20-5　郵便・A&bコーポB604号',
     '2 7 3 0 1 0 2 3 - 2 0 - 5 CC1 1 6 0 4 CC4 CC4 0'),
    ('198-0036', '東京都青梅市河辺町十一丁目六番地一号　郵便タワー601',
     '1 9 8 0 0 3 6 1 1 - 6 - 1 - 6 0 1 CC4 CC4 CC4 CC8'),
    ('027-0203', '岩手県宮古市大字津軽石第二十一地割大淵川480',
     '0 2 7 0 2 0 3 2 1 - 4 8 0 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC5'),
    ('590-0016', '大阪府堺市堺区中田出井町四丁六番十九号',
     '5 9 0 0 0 1 6 4 - 6 - 1 9 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC2'),
    ('080-0831', '北海道帯広市稲田町南七線　西28',
     '0 8 0 0 8 3 1 7 - 2 8 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC7'),
    ('317-0055', '茨城県日立市宮田町6丁目7-14　ABCビル2F',
     '3 1 7 0 0 5 5 6 - 7 - 1 4 - 2 CC4 CC4 CC4 CC4 CC4 CC1'),
    ('650-0046', '神戸市中央区港島中町9丁目7-6　郵便シティA棟1F1号',
     '6 5 0 0 0 4 6 9 - 7 - 6 CC1 0 1 - 1 CC4 CC4 CC4 5'),
    ('623-0011', '京都府綾部市青野町綾部6-7　LプラザB106',
     '6 2 3 0 0 1 1 6 - 7 CC2 1 CC1 1 1 0 6 CC4 CC4 CC4 4'),
    ('064-0804', '札幌市中央区南四条西29丁目1524-23　第2郵便ハウス501',
     '0 6 4 0 8 0 4 2 9 - 1 5 2 4 - 2 3 - 2 - 3'),
    ('910-0067', '福井県福井市新田塚3丁目80-25　J1ビル2-B',
     '9 1 0 0 0 6 7 3 - 8 0 - 2 5 CC1 9 1 - 2 CC1 9'),
    ('100-0013', '東京都千代田区霞が関1丁目3番2号　郵便プラザ503室',
     '1 0 0 0 0 1 3 1 - 3 - 2 - 5 0 3 CC4 CC4 CC4 CC4 9'),
]

# The 住所表示番号 of each p25 address, as the manual's pages show it (p17, p19, p20) or as
# the characters of p25 spell it (a letter is CC1–CC3 and a digit: B = CC1 1).
P25_NUMBERS = ['3-30-8-403', '60-1', '5-6-3-10', '4-6', '8-10', '400', '3-20-5B604',
               '11-6-1-601', '21-480', '4-6-19', '7-28', '6-7-14-2', '9-7-6A1-1',
               '6-7LB106', '29-1524-23-2-501', '3-80-25J1-2B', '1-3-2-503']


@pytest.mark.parametrize(('postal', 'address', 'expected'),
                         [(p, a, n) for (p, a, _), n in zip(P25, P25_NUMBERS)])
def test_every_p25_address_gives_its_address_number(postal, address, expected):
    assert extract(address, postal.replace('-', '')) == expected


# 住所B (after the town name) → 住所表示番号: the examples of p17, p19 (the basic rules and
# the supplementary rules 1–5) and p20.
RULE_EXAMPLES = [
    ('1丁目3番2号 郵便プラザ503室', '1-3-2-503'),            # p17
    ('東3丁目-20-5 郵便・A&bコーポB604号', '3-20-5B604'),      # p19, basic rules + 補足4
    ('十一丁目六番地一号　郵便タワー601', '11-6-1-601'),        # 補足1: kanji numerals
    ('第二十一地割大淵川480', '21-480'),                       # 補足1: 地割
    ('四丁六番十九号', '4-6-19'),                              # 補足1: 丁, 番, 号
    ('七線　西28', '7-28'),                                    # 補足1: 線
    ('6丁目7-14　ABCビル2F', '6-7-14-2'),                      # 補足2: F after a digit
    ('6丁目7-14　ABCビル2F201号室', '6-7-14-2-201'),           # 補足3: F → hyphen
    ('9丁目7-6　郵便シティA棟1F1号', '9-7-6A1-1'),             # 補足3, 4
    ('綾部6-7　LプラザB106', '6-7LB106'),                      # 補足5: letters together
    ('南田茂木　添60-1', '60-1'),                              # 字: names are skipped
    ('29丁目1524-23　第2郵便ハウス501', '29-1524-23-2-501'),   # p20
    ('3丁目80-25　J1ビル2-B', '3-80-25J1-2B'),                 # p20
]


@pytest.mark.parametrize(('address_b', 'expected'), RULE_EXAMPLES)
def test_the_manuals_rule_examples(address_b, expected):
    assert extract_number(address_b) == expected


def test_the_no_kanji_numeral_is_read_unless_a_number_word_follows():
    """補足1 names the words; a kanji numeral in a name (六本木, 一番町) is not a number."""
    assert extract_number('郵便六本木ビル') == ''
    assert extract('東京都港区六本木') is None


def test_no_number_no_barcode():
    assert extract('東京都千代田区霞が関', '1000013') is None
    assert extract('郵便プラザ') is None


def test_a_representative_postal_code_gets_no_barcode():
    """p18: 以下に掲載がない場合 (060-0000 札幌市中央区) is never barcoded."""
    assert extract('北海道札幌市中央区北1条西2丁目1', '0600000') is None


def test_a_large_office_code_has_no_address_number():
    """p22: a 大口事業所 code alone, the 13 places CC4 (the manual's 100-8792)."""
    assert extract('東京都千代田区大手町2-3-1', '1008792') == ''
    # Check digit: 1+0+0+8+7+9+2 + 13 × 14 = 209 = 11 × 19, so 0.
    assert characters('100-8792', '')[1:-1] == list('1008792') + ['CC4'] * 13 + ['0']


def test_the_town_must_be_found_to_split_the_address():
    assert extract('東京都千代田区永田町1-7-1', '1000013') is None   # 永田町 is 100-0014
    assert extract('千代田区霞が関1-3-2', '1000013') == '1-3-2'


# --- encoding ---------------------------------------------------------------------------------

# The bar table, typed separately (manual p11: L long, U semi-long upper, D semi-long lower,
# T timing).
L, U, D, T = 'long', 'semi-long-upper', 'semi-long-lower', 'timing'
TRANSCRIBED = {
    '0': (L, T, T), '1': (L, L, T), '2': (L, D, U), '3': (D, L, U), '4': (L, U, D),
    '5': (L, T, L), '6': (D, U, L), '7': (U, L, D), '8': (U, D, L), '9': (T, L, L),
    '-': (T, L, T), 'CC1': (D, U, T), 'CC2': (D, T, U), 'CC3': (U, D, T),
    'CC4': (T, D, U), 'CC5': (U, T, D), 'CC6': (T, U, D), 'CC7': (T, T, L), 'CC8': (L, L, L),
    'STC': (L, D), 'SPC': (D, L),
}
CHECK = {**{str(n): n for n in range(10)}, '-': 10, **{f'CC{n}': 10 + n for n in range(1, 9)}}


def bars_of(chars: list[str]) -> list[str]:
    return [bar for char in chars for bar in TRANSCRIBED[char]]


@pytest.mark.parametrize(('postal', 'address', 'expected'), P25)
def test_every_worked_example_gives_the_manuals_bars(postal, address, expected):
    number = extract(address, postal.replace('-', ''))
    chars = ['STC', *expected.split(), 'SPC']
    assert characters(postal, number) == chars
    assert encode(postal, number) == bars_of(chars)
    assert len(encode(postal, number)) == 67


def test_the_check_digit_makes_a_multiple_of_19():
    """p21's example: 東京都千代田区霞が関1丁目3番2号 郵便プラザ503室 → check digit 9."""
    chars = characters('1000013', '1-3-2-503')
    assert chars[-2] == '9'
    assert sum(CHECK[c] for c in chars[1:-1]) % 19 == 0


def test_the_code_table_is_the_transcribed_one():
    assert {char: tuple(bars) for char, bars in BARS.items()} == \
        {k: v for k, v in TRANSCRIBED.items() if k not in ('STC', 'SPC')}
    assert len(set(BARS.values())) == 19


def test_values_the_barcode_cannot_hold_are_refused():
    with pytest.raises(BarcodeError):
        encode('100-001', '1-3-2')
    with pytest.raises(BarcodeError):
        encode('1000013', '1の3')
    with pytest.raises(BarcodeError):
        Dimensions(12)


# --- drawing, measured at 600 dpi ---------------------------------------------------------------

DPI = 600
MM = DPI / 25.4   # pixels per millimetre

# p12's table: (reference, low, high) in mm at a = 10; every value scales by a/10.
TABLE = {'long': (3.6, 3.40, 3.60), 'timing': (1.2, 1.05, 1.35), 'pitch': (1.2, 0.95, 1.30),
         'width': (0.6, 0.50, 0.70), 'space': (0.6, 0.45, 0.60)}
# One pixel of rasterisation at 600 dpi either way.
PIXEL = 1 / MM


def render(html: str):
    """The first page of ``html`` at 600 dpi, as a greyscale PIL image."""
    import pypdfium2
    from weasyprint import HTML
    pdf = pypdfium2.PdfDocument(HTML(string=html).write_pdf())
    return pdf[0].render(scale=DPI / 72, grayscale=True).to_pil().convert('L')


def measure(image, box=None):
    """Each bar's left and right edge, top and bottom (pixels), left to right, in ``box``."""
    if box:
        image = image.crop(box)
    width, height = image.size
    pixels = image.load()
    dark_rows = [[x for x in range(width) if pixels[x, y] < 128] for y in range(height)]
    columns: dict[int, list[int]] = {}
    for y, xs in enumerate(dark_rows):
        for x in xs:
            columns.setdefault(x, []).append(y)
    bars, run = [], []
    for x in range(width + 1):
        if x in columns:
            run.append(x)
            continue
        if run:
            ys = [y for column in run for y in columns[column]]
            bars.append((run[0], run[-1] + 1, min(ys), max(ys) + 1))
            run = []
    return bars


def classify(bars, scale):
    """Bar classes from measured extents, by where each bar starts and ends."""
    top = min(b[2] for b in bars)
    bottom = max(b[3] for b in bars)
    middle = (top + bottom) / 2
    found = []
    for _, _, y0, y1 in bars:
        reaches_top = y0 <= top + 0.2 * MM * scale
        reaches_bottom = y1 >= bottom - 0.2 * MM * scale
        found.append(L if reaches_top and reaches_bottom else U if reaches_top else
                     D if reaches_bottom else T)
        assert y0 < middle < y1   # every bar crosses the timing zone
    return found


def decode(classes):
    by_bars = {bars: char for char, bars in TRANSCRIBED.items() if char not in ('STC', 'SPC')}
    assert tuple(classes[:2]) == TRANSCRIBED['STC'] and tuple(classes[-2:]) == TRANSCRIBED['SPC']
    body = classes[2:-2]
    return [by_bars[tuple(body[i:i + 3])] for i in range(0, len(body), 3)]


@pytest.mark.parametrize('point', [10.0, 11.5])
def test_the_drawn_bars_have_the_manuals_classes_pitch_and_width(point):
    postal, address, expected = P25[12]   # 港島中町: letters, F, every kind of bar
    number = extract(address, postal.replace('-', ''))
    svg = draw_svg(encode(postal, number), point)
    image = render(f'<html><style>@page {{ margin: 0 }} body {{ margin: 0 }}</style>'
                   f'<body>{svg}</body></html>')
    bars = measure(image, (0, 0, int(100 * MM), int(15 * MM)))
    assert len(bars) == 67
    scale = point / 10
    size = Dimensions(point)

    def within(name, value_mm):
        reference, low, high = TABLE[name]
        assert low * scale - PIXEL <= value_mm <= high * scale + PIXEL, (name, value_mm)

    lengths = {}
    classes = classify(bars, scale)
    for (x0, x1, y0, y1), kind in zip(bars, classes):
        within('width', (x1 - x0) / MM)
        lengths.setdefault(kind, []).append((y1 - y0) / MM)
    for left, right in zip(bars, bars[1:]):
        within('pitch', (right[0] - left[0]) / MM)
        within('space', (right[0] - left[1]) / MM)
    for value in lengths[L]:
        within('long', value)
    for value in lengths[T]:
        within('timing', value)
    for value in lengths[U] + lengths[D]:   # semi-long: inferred 4 of the long bar's 6 units
        assert abs(value - size.semi_long) <= 2 * PIXEL
    decoded = decode(classes)
    assert decoded == expected.split()
    assert sum(CHECK[c] for c in decoded) % 19 == 0
    # The quiet zone: 2 mm of white on every side of the bars, inside the SVG itself.
    left = min(b[0] for b in bars) / MM
    top = min(b[2] for b in bars) / MM
    assert left >= 2 - PIXEL and top >= 2 - PIXEL
