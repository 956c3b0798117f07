from datetime import date

import pytest

from noticegen.model.numbering import marker
from noticegen.model.wareki import format_wareki, format_wareki_month, widen


@pytest.mark.parametrize('day, expected', [
    (date(1926, 12, 25), '昭和元年12月25日'),
    (date(1989, 1, 7), '昭和64年1月7日'),
    (date(1989, 1, 8), '平成元年1月8日'),
    (date(2019, 4, 30), '平成31年4月30日'),
    (date(2019, 5, 1), '令和元年5月1日'),
    (date(2019, 12, 31), '令和元年12月31日'),
    (date(2020, 1, 1), '令和2年1月1日'),
    (date(2024, 10, 8), '令和6年10月8日'),
])
def test_era_boundaries(day, expected):
    assert format_wareki(day) == expected


def test_full_width_digits_apply_to_generated_numerals_only():
    assert format_wareki(date(2024, 10, 8), 'full') == '令和６年１０月８日'
    assert format_wareki(date(2019, 5, 1), 'full') == '令和元年５月１日'
    assert format_wareki_month(date(2024, 10, 8), 'full') == '令和６年１０月'
    assert widen('03-5253-1111', 'half') == '03-5253-1111'


def test_before_showa_is_refused():
    with pytest.raises(ValueError, match='before 昭和'):
        format_wareki(date(1926, 12, 24))


@pytest.mark.parametrize('template, index, digits, expected', [
    ('{n}.', 1, 'half', '1.'),
    ('{n}．', 12, 'full', '１２．'),
    ('（{n}）', 2, 'half', '（2）'),
    ('{kana}', 3, 'half', 'ウ'),
    ('（{kana}）', 1, 'full', '（ア）'),
    ('{iroha}', 2, 'half', 'ロ'),
    ('({alpha})', 4, 'half', '(d)'),
])
def test_markers(template, index, digits, expected):
    assert marker(template, index, digits) == expected
