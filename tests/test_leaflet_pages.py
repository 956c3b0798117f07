"""The leaflet's page rules (issue #17), per page, in every language it is built in, for a
prefecture with no printable center, the one with the most, and a five-center fixture."""

from __future__ import annotations

from pathlib import Path

from conftest import copy_project

NOTICE = '2024-10-08-onestop'

# Five centers in one prefecture (a test fixture: the numbers and addresses are made up and
# never leave the test's copy of the project). Each has a number, hours and a web page.
FIVE_CENTERS = [
    ('おおいた性暴力救援センター・すみれ', '097-532-0330', '相談専用電話', '24時間365日'),
    ('おおいた性暴力救援センター・すみれ 県北窓口', '0979-22-0001', '県北窓口', '24時間365日'),
    ('おおいた性暴力救援センター・すみれ 県南窓口', '0972-22-0002', '県南窓口', '24時間365日'),
    ('性暴力被害者支援センター・べっぷ', '0977-22-0003', '相談専用電話', '24時間365日'),
    ('性暴力被害者支援センター・ひた', '0973-22-0004', '相談専用電話', '24時間365日'),
]


def five_center_yaml() -> str:
    lines = ["code: '44'", 'name: 大分県', 'name_romaji: Oita', 'centers:']
    for index, (name, number, label, hours) in enumerate(FIVE_CENTERS, start=1):
        source = f'試験用の資料 {index}'
        lines += [f'- name: {name}', '  status: confirmed', f'  hours: {hours}',
                  f'  url: https://example.jp/center-{index}/', f'  source: {source}',
                  "  as_of: '2026-10-01'", '  phones:', f'  - number: {number}',
                  f'    label: {label}', f'    hours: {hours}', '    status: confirmed',
                  f'    source: {source}', "    as_of: '2026-10-01'"]
    return '\n'.join(lines) + '\n'


def five_center_project(target: Path) -> Path:
    """A copy of the project whose Oita has five printable centers, each with a QR code."""
    project = copy_project(target)
    (project / 'prefectures' / '44-oita.yaml').write_text(five_center_yaml(), encoding='utf-8')
    return project
