"""Previews: PNG pages of the built PDFs, a gallery, contact sheets, and visual diffs."""

from __future__ import annotations

import html
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..build import dies_with_this_process
from ..errors import NoticegenError
from ..model.jis import PREFECTURES as PREFECTURE_NAMES
from ..model.languages import LANGUAGES
from ..output.atomic import write_atomic
from ..output.manifest import DIFF, MANIFEST, PREVIEW, Manifest, sha256
from ..plan import registry

THUMB_WIDTH = 180
LABEL_WIDTH = 72      # the contact sheets' left column: prefecture and language


def render_pages(pdf: Path, dpi: int):
    """The pages of ``pdf`` as RGB images at ``dpi`` (pypdfium2, in this process)."""
    import pypdfium2
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        return [page.render(scale=dpi / 72).to_pil().convert('RGB') for page in document]
    finally:
        document.close()


def outline_window(pdf: Path, images: list) -> None:
    """Outline the envelope window a cover records (assemble.info) on its first page image:
    the window in red, and inside it, dashed, the area the address must keep to (the
    window less the folded sheet's play). The PDF itself draws nothing."""
    from PIL import ImageDraw

    from ..assemble.info import WINDOW_KEY, read_info
    value = read_info(pdf, WINDOW_KEY)
    if not value or not images:
        return
    x, y, width, height, play = (float(part) for part in value.split())
    image = images[0]
    scale = image.width / 210.0   # px per mm of the A4 page

    def box(left, top, w, h):
        return [round(left * scale), round(top * scale), round((left + w) * scale),
                round((top + h) * scale)]

    draw = ImageDraw.Draw(image)
    draw.rectangle(box(x, y, width, height), outline=(220, 0, 0), width=max(1, round(scale / 2)))
    inner = box(x + play, y + play, width - 2 * play, height - 2 * play)
    step = max(2, round(scale * 2))
    for left in range(inner[0], inner[2], step * 2):   # dashed: the play
        draw.line([left, inner[1], min(left + step, inner[2]), inner[1]], fill=(220, 0, 0))
        draw.line([left, inner[3], min(left + step, inner[2]), inner[3]], fill=(220, 0, 0))
    for top in range(inner[1], inner[3], step * 2):
        draw.line([inner[0], top, inner[0], min(top + step, inner[3])], fill=(220, 0, 0))
        draw.line([inner[2], top, inner[2], min(top + step, inner[3])], fill=(220, 0, 0))


def pdf_title(pdf: Path) -> str:
    """The PDF's /Title (the document as its reader names it), or ''."""
    import pypdfium2
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        return (document.get_metadata_dict().get('Title') or '').strip()
    finally:
        document.close()


def ink(image) -> float:
    """The share of pixels darker than mid-grey."""
    gray = image.convert('L')
    histogram = gray.histogram()
    return sum(histogram[:128]) / (gray.width * gray.height)


def save_png(image, path: Path) -> None:
    import io
    buffer = io.BytesIO()
    image.save(buffer, format='PNG', optimize=False)
    write_atomic(path, buffer.getvalue())


@dataclass
class Document:
    """One previewed PDF and its page images (paths relative to the output folder)."""

    path: str
    kind: str
    notice: str
    prefecture: str | None
    lang: str
    sha256: str
    pages: list[str] = field(default_factory=list)
    thumbs: list[str] = field(default_factory=list)
    size: tuple[int, int] = (0, 0)
    title: str = ''       # the PDF's /Title

    @property
    def format(self) -> str:
        return self.path.rsplit('.', 1)[-1].upper() if '.' in self.path else ''


def _selected(manifest: Manifest, prefectures: list[str] | None, kinds,
              others: bool = False) -> list:
    """The manifest's entries to preview (PDFs; with ``others``, other files too)."""
    # Kinds are the registry's groups; by default those previewed (bundles and packets
    # repeat the pages of the documents they merge, and are left out).
    kinds = kinds or registry.default_groups()
    entries = []
    for entry in sorted(manifest.entries.values(), key=lambda e: e.path):
        if (not entry.path.endswith('.pdf') and not others) or entry.kind not in kinds \
                or entry.status != 'ok':
            continue
        if prefectures is not None and entry.prefecture not in (None, *prefectures):
            continue
        manifest.target(entry.path)   # refuses a path that resolves outside the folder
        entries.append(entry)
    return entries


def preview(out: Path, prefectures: list[str] | None = None, kinds=None,
            dpi: int = 100, progress=None) -> list[Document]:
    """Render page PNGs of the built PDFs, then write the gallery and the contact sheets.

    A document whose PDF checksum has not changed since its PNGs were made is not rendered
    again (the record is preview/previews.json).
    """
    if not (out / MANIFEST).exists():
        raise NoticegenError(f'{out / MANIFEST} does not exist: run build first')
    manifest = Manifest.read(out)
    _own_folder(out, PREVIEW)
    record_path = out / PREVIEW / 'previews.json'
    try:
        record = json.loads(record_path.read_text(encoding='utf-8'))
    except (OSError, ValueError):
        record = {}
    if not isinstance(record, dict):
        record = {}   # damaged: every page is rendered again
    documents = []
    selected = _selected(manifest, prefectures, kinds)
    # Files that are not PDFs (the mailing list) are linked from the gallery, not rendered.
    linked = [Document(entry.path, entry.kind, entry.notice, entry.prefecture, entry.lang,
                       entry.sha256)
              for entry in _selected(manifest, prefectures, kinds, others=True)
              if not entry.path.endswith('.pdf')]
    for index, entry in enumerate(selected, start=1):
        stem = entry.path[:-len('.pdf')]
        document = Document(entry.path, entry.kind, entry.notice, entry.prefecture, entry.lang,
                            entry.sha256)
        known = record.get(entry.path)
        if _reusable(known, entry.sha256, dpi, out):
            document.pages, document.thumbs = known['pages'], known['thumbs']
            document.size = tuple(known['size'])
            document.title = known['title']
        else:
            _as_built(out / entry.path, entry.sha256)
            document.title = pdf_title(out / entry.path)
            images = render_pages(out / entry.path, dpi)
            outline_window(out / entry.path, images)
            for number, image in enumerate(images, start=1):
                page = f'{PREVIEW}/{stem}/page-{number}.png'
                thumb = f'{PREVIEW}/{stem}/thumb-{number}.png'
                save_png(image, out / page)
                height = round(image.height * THUMB_WIDTH / image.width)
                save_png(image.resize((THUMB_WIDTH, height)), out / thumb)
                document.pages.append(page)
                document.thumbs.append(thumb)
            document.size = images[0].size
            record[entry.path] = {'sha256': entry.sha256, 'dpi': dpi, 'pages': document.pages,
                                  'thumbs': document.thumbs, 'size': list(document.size),
                                  'title': document.title}
        documents.append(document)
        if progress:
            progress(index, len(selected), entry.path)
    write_atomic(record_path, (json.dumps(record, ensure_ascii=False, indent=1,
                                          sort_keys=True) + '\n').encode())
    for kind in sorted({d.kind for d in documents}):
        contact_sheet(out, [d for d in documents if d.kind == kind], kind)
    failed = sorted((entry for entry in manifest.entries.values() if entry.status != 'ok'),
                    key=lambda e: e.path)
    write_gallery(out, documents + linked, failed)
    return documents


def _readable_pages(pdf: Path, dpi: int) -> list:
    """``render_pages``, or NoticegenError naming a PDF that cannot be read (damaged or
    removed since its build: pypdfium2's PdfiumError was 'a bug in noticegen')."""
    import pypdfium2
    try:
        return render_pages(pdf, dpi)
    except (pypdfium2.PdfiumError, OSError) as error:
        raise NoticegenError(f'{pdf}: cannot be read as a PDF ({error}): damaged or removed '
                             f'since it was built; build again, or see `manifest check`') \
            from None


def _own_folder(out: Path, name: str) -> None:
    """Raise NoticegenError when OUT/name (preview/, diff/) is a link out of ``out``: the
    images are never written through it."""
    if not (out / name).resolve().is_relative_to(out.resolve()):
        raise NoticegenError(f'cannot write {out / name}: it resolves outside {out} (a '
                             f'symbolic link leads elsewhere); remove the link')


def _as_built(pdf: Path, digest: str) -> None:
    """Raise NoticegenError unless ``pdf`` is the file the manifest lists (pypdfium2 would
    fail on a damaged or missing one: 'a bug in noticegen')."""
    try:
        found = sha256(pdf.read_bytes())
    except OSError as error:
        raise NoticegenError(f'{pdf}: cannot be read ({error.strerror or error}): build again '
                             f'to make it') from None
    if found != digest:
        raise NoticegenError(f'{pdf}: does not match the manifest (changed or damaged since it '
                             f'was built): build again, or see `manifest check`')


def _reusable(known, digest: str, dpi: int, out: Path) -> bool:
    """Whether a record of previews.json still holds for this PDF and DPI."""
    try:
        paths = known['pages'] + known['thumbs']
        return (known['sha256'] == digest and known['dpi'] == dpi and len(known['size']) == 2
                and isinstance(known['title'], str)
                and all(isinstance(p, str) and p.startswith(f'{PREVIEW}/') and '..' not in p
                        and (out / p).is_file() for p in paths))
    except (KeyError, TypeError):
        return False


def contact_sheet(out: Path, documents: list[Document], kind: str) -> Path:
    """One PNG showing every page of every document of ``kind``, a row per document."""
    from PIL import Image, ImageDraw
    documents = [d for d in documents if d.thumbs]
    rows = [[Image.open(out / thumb) for thumb in d.thumbs] for d in documents]
    width = max(len(row) for row in rows) * (THUMB_WIDTH + 8) + 8 + LABEL_WIDTH
    height = sum(max(i.height for i in row) + 8 for row in rows) + 8
    sheet = Image.new('RGB', (width, height), 'white')
    draw = ImageDraw.Draw(sheet)
    y = 8
    for document, row in zip(documents, rows):
        # The prefecture's code and the language, in ASCII (the bitmap font has no kana).
        draw.text((8, y + 4), document.prefecture or '--', fill='black')
        draw.text((8, y + 18), document.lang, fill='black')
        x = LABEL_WIDTH
        for image in row:
            sheet.paste(image, (x, y))
            draw.rectangle((x - 1, y - 1, x + image.width, y + image.height), outline='#999')
            x += THUMB_WIDTH + 8
        y += max(i.height for i in row) + 8
    path = out / PREVIEW / f'contact-{kind}.png'
    save_png(sheet, path)
    return path


def _version(document: Document) -> str:
    return document.sha256[:12]


LANGUAGE_ORDER = {code: index for index, code in enumerate(LANGUAGES)}   # ja first
SHARED = 'shared'     # data-pref of a document that is not a prefecture's
# Filters the documents by prefecture, kind, language and format; remembers the choice while
# serve reloads the page; an index link selects its prefecture.
GALLERY_SCRIPT = """<script>
(function () {
  var names = ['pref', 'kind', 'lang', 'format'];
  function select(name) { return document.getElementById('filter-' + name); }
  function apply() {
    var shown = 0, wanted = {};
    names.forEach(function (name) { var s = select(name); wanted[name] = s ? s.value : ''; });
    document.querySelectorAll('.doc').forEach(function (doc) {
      var match = names.every(function (name) {
        return !wanted[name] || doc.dataset[name] === wanted[name];
      });
      doc.hidden = !match;
      if (match) { shown += doc.querySelectorAll('img').length || 1; }
    });
    document.querySelectorAll('section.group, section.notice').forEach(function (section) {
      section.hidden = !section.querySelector('.doc:not([hidden])');
    });
    document.getElementById('filter-count').textContent =
      document.querySelectorAll('.doc:not([hidden])').length + ' 件';
    try { sessionStorage.setItem('noticegen-filter', JSON.stringify(wanted)); } catch (e) {}
  }
  try {
    var saved = JSON.parse(sessionStorage.getItem('noticegen-filter') || '{}');
    names.forEach(function (name) { if (select(name) && saved[name]) { select(name).value = saved[name]; } });
  } catch (e) {}
  names.forEach(function (name) { if (select(name)) { select(name).addEventListener('change', apply); } });
  document.getElementById('filter-reset').addEventListener('click', function () {
    names.forEach(function (name) { if (select(name)) { select(name).value = ''; } });
    apply();
  });
  document.querySelectorAll('#prefectures a[data-pref]').forEach(function (link) {
    link.addEventListener('click', function () { select('pref').value = link.dataset.pref; apply(); });
  });
  apply();
})();
</script>"""
STYLE = ('[hidden]{display:none!important}body{font-family:sans-serif;margin:1.5em}'
         'h2{margin-top:1.5em}'
         '.doc{display:inline-block;vertical-align:top;margin:0 1em 1em 0;'
         'border:1px solid #ccc;padding:.5em}.doc img{border:1px solid #999;margin:2px}'
         '.doc p{margin:.2em 0;font-size:.85em}#prefectures ol{list-style:none;padding:0;'
         'display:flex;flex-wrap:wrap;gap:.3em .8em;margin:.3em 0}'
         '#filter{position:sticky;top:0;background:#fff;padding:.5em 0;border-bottom:1px '
         'solid #ccc;z-index:1}#filter label{margin-right:1em}'
         '#build-errors{border:2px solid #b00020;padding:.5em 1em;margin:1em 0}'
         '#build-errors li{font-family:monospace;white-space:pre-wrap}')


def prefecture_name(code: str | None) -> str:
    if code is None:
        return '全国共通'
    return PREFECTURE_NAMES.get(code, (code, ''))[0]


def language_name(code: str) -> str:
    language = LANGUAGES.get(code)
    return language.name if language else code


def alt_text(document: Document, title: str, number: int) -> str:
    """What a page image shows: the document (its /Title, or its kind), where, language, page."""
    name = document.title or title
    if title and title not in name and not name.startswith(title.split()[0]):
        name = f'{title}：{name}'
    where = prefecture_name(document.prefecture)
    if document.prefecture and where not in name:
        name = f'{where} {name}'
    return (f'{name}（{language_name(document.lang)}）{number}/{len(document.pages)}ページ'
            if len(document.pages) > 1 else f'{name}（{language_name(document.lang)}）')


def _options(name: str, label: str, values: list[tuple[str, str]]) -> str:
    choices = ''.join(f'<option value="{html.escape(value)}">{html.escape(text)}</option>'
                      for value, text in values)
    return (f'<label>{label} <select id="filter-{name}"><option value="">すべて</option>'
            f'{choices}</select></label>')


def write_gallery(out: Path, documents: list[Document], failed=()) -> Path:
    """preview/index.html, in Japanese: the last build's errors, a prefecture index, a filter
    (prefecture, kind, language, and format when there are several), then the documents
    grouped by notice, kind and prefecture, Japanese first."""
    def link(target: str) -> str:
        return html.escape(os.path.relpath(out / target, out / PREVIEW))

    titles = registry.group_titles()
    kinds = [k for k in registry.groups() if any(d.kind == k for d in documents)]
    kinds += sorted({d.kind for d in documents} - set(kinds))
    codes = sorted({d.prefecture for d in documents if d.prefecture})
    langs = sorted({d.lang for d in documents}, key=lambda c: (LANGUAGE_ORDER.get(c, 99), c))
    formats = sorted({d.format for d in documents})
    parts = ['<!DOCTYPE html>', '<html lang="ja"><head><meta charset="utf-8">',
             '<title>noticegen プレビュー</title>', f'<style>{STYLE}</style></head><body>',
             '<h1>プレビュー（noticegen）</h1>']
    if failed:
        parts.append(f'<section id="build-errors" role="alert"><h2>前回のビルドのエラー'
                     f'（{len(failed)}件）</h2><p>次のファイルは作り直せませんでした。以前のファイルが'
                     f'残っていれば、その画像を表示しています。</p><ul>')
        parts += [f'<li>{html.escape(entry.path)}: {html.escape(entry.message or "failed")}'
                  f'</li>' for entry in failed[:200]]
        if len(failed) > 200:
            parts.append(f'<li>… ほか{len(failed) - 200}件</li>')
        parts.append('</ul></section>')
    if codes:
        parts.append('<nav id="prefectures" aria-label="都道府県"><h2>都道府県</h2><ol>')
        parts += [f'<li><a href="#pref-{code}" data-pref="{code}">{code} '
                  f'{html.escape(prefecture_name(code))}</a></li>' for code in codes]
        parts.append('</ol></nav>')
    filters = []
    if codes:
        filters.append(_options('pref', '都道府県', [(SHARED, '全国共通')] + [
            (code, f'{code} {prefecture_name(code)}') for code in codes]))
    filters.append(_options('kind', '種類', [(kind, titles.get(kind) or kind)
                                            for kind in kinds]))
    filters.append(_options('lang', '言語', [(lang, language_name(lang)) for lang in langs]))
    if len(formats) > 1:
        filters.append(_options('format', '形式', [(fmt, fmt) for fmt in formats]))
    parts.append('<form id="filter" role="search" aria-label="絞り込み" '
                 'onsubmit="return false">' + ''.join(filters)
                 + '<button type="button" id="filter-reset">すべて表示</button> '
                 f'<output id="filter-count">{len(documents)} 件</output></form>')
    anchored: set[str] = set()
    for notice in sorted({d.notice for d in documents}):
        parts.append(f'<section class="notice"><h2>{html.escape(notice)}</h2>')
        for kind in [k for k in kinds if any(d.kind == k and d.notice == notice
                                             for d in documents)]:
            group = [d for d in documents if d.kind == kind and d.notice == notice]
            title = titles.get(kind) or kind
            contact = (f' <a href="{link(f"{PREVIEW}/contact-{kind}.png")}">一覧画像</a>'
                       if any(d.thumbs for d in group) else '')
            parts.append(f'<section class="group" data-kind="{html.escape(kind)}">'
                         f'<h3 id="{html.escape(kind)}">{html.escape(title)}（{len(group)}件）'
                         f'{contact}</h3>')
            for document in sorted(group, key=lambda d: (
                    d.prefecture or '', LANGUAGE_ORDER.get(d.lang, 99), d.lang, d.path)):
                pref = document.prefecture or SHARED
                anchor = ''
                if document.prefecture and document.prefecture not in anchored:
                    anchored.add(document.prefecture)
                    anchor = f' id="pref-{document.prefecture}"'
                parts.append(
                    f'<div class="doc"{anchor} data-path="{html.escape(document.path)}" '
                    f'data-pref="{html.escape(pref)}" data-kind="{html.escape(kind)}" '
                    f'data-lang="{html.escape(document.lang)}" '
                    f'data-format="{html.escape(document.format)}">'
                    f'<p><a href="{link(document.path)}">{html.escape(document.path)}</a>'
                    f' · {html.escape(prefecture_name(document.prefecture))}'
                    f' · {html.escape(language_name(document.lang))}</p>')
                for number, (page, thumb) in enumerate(zip(document.pages, document.thumbs),
                                                       start=1):
                    version = _version(document)
                    parts.append(f'<a href="{link(page)}?v={version}"><img alt="'
                                 f'{html.escape(alt_text(document, title, number))}"'
                                 f' src="{link(thumb)}?v={version}" width="{THUMB_WIDTH}"></a>')
                parts.append('</div>')
            parts.append('</section>')
        parts.append('</section>')
    parts.append(GALLERY_SCRIPT)
    parts.append('</body></html>')
    path = out / PREVIEW / 'index.html'
    write_atomic(path, '\n'.join(parts).encode())
    return path


# --- Visual diff ------------------------------------------------------------------------

@dataclass
class PageChange:
    number: int
    changed_pixels: int
    share: float
    image: str            # the diff image, relative to the output folder


@dataclass
class DiffReport:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    repaginated: list[tuple[str, int, int]] = field(default_factory=list)
    changed: dict[str, list[PageChange]] = field(default_factory=dict)
    compared: int = 0

    @property
    def anything(self) -> bool:
        return bool(self.added or self.removed or self.repaginated or self.changed)

    def lines(self) -> list[str]:
        out = [f'added: {path}' for path in self.added]
        out += [f'removed: {path}' for path in self.removed]
        out += [f'repaginated: {path}: {old} → {new} pages' for path, old, new in self.repaginated]
        for path, pages in self.changed.items():
            for page in pages:
                out.append(f'changed: {path} page {page.number}: {page.changed_pixels} pixels '
                           f'({page.share:.4%}) → {page.image}')
        return out


def compare_images(old, new, pixel_threshold: int):
    """Pixels that differ by more than ``pixel_threshold`` (0–255), and a highlighted image."""
    from PIL import Image, ImageChops
    if old.size != new.size:
        new = new.resize(old.size)
    difference = ImageChops.difference(old, new).convert('L')
    mask = difference.point(lambda value: 255 if value > pixel_threshold else 0)
    count = mask.histogram()[255]
    faded = Image.blend(new.convert('L').convert('RGB'), Image.new('RGB', new.size, 'white'), 0.6)
    faded.paste((230, 0, 0), mask=mask)
    return count, faded


def diff(out: Path, baseline: Path, kinds=None, dpi: int = 100,
         tolerance: float = 0.00001, pixel_threshold: int = 16, progress=None) -> DiffReport:
    """Compare the built PDFs in ``out`` with those in ``baseline``, page by page.

    A page has changed when more than ``tolerance`` of its pixels differ by more than
    ``pixel_threshold`` in grey level. Writes diff images and diff/index.html in ``out``.
    """
    for folder in (out, baseline):
        if not (folder / MANIFEST).exists():
            raise NoticegenError(f'{folder / MANIFEST} does not exist: build it first')
    _own_folder(out, DIFF)
    current = {e.path: e for e in _selected(Manifest.read(out), None, kinds)}
    before = {e.path: e for e in _selected(Manifest.read(baseline), None, kinds)}
    report = DiffReport(added=sorted(set(current) - set(before)),
                        removed=sorted(set(before) - set(current)))
    common = sorted(set(current) & set(before))
    for index, path in enumerate(common, start=1):
        if progress:
            progress(index, len(common), path)
        report.compared += 1
        if current[path].sha256 == before[path].sha256:
            continue
        new_pages = _readable_pages(out / path, dpi)
        old_pages = _readable_pages(baseline / path, dpi)
        if len(new_pages) != len(old_pages):
            report.repaginated.append((path, len(old_pages), len(new_pages)))
        for number, (old, new) in enumerate(zip(old_pages, new_pages), start=1):
            count, image = compare_images(old, new, pixel_threshold)
            share = count / (old.width * old.height)
            if share > tolerance:
                target = f'{DIFF}/{path[:-len(".pdf")]}/page-{number}.png'
                save_png(image, out / target)
                save_png(new, out / f'{DIFF}/{path[:-len(".pdf")]}/new-{number}.png')
                save_png(old, out / f'{DIFF}/{path[:-len(".pdf")]}/old-{number}.png')
                report.changed.setdefault(path, []).append(PageChange(number, count, share, target))
    write_diff_report(out, report, baseline, tolerance, pixel_threshold)
    return report


def write_diff_report(out: Path, report: DiffReport, baseline: Path, tolerance: float,
                      pixel_threshold: int) -> Path:
    def link(target: str) -> str:
        return html.escape(os.path.relpath(out / target, out / DIFF))

    parts = ['<!DOCTYPE html>', '<html lang="ja"><head><meta charset="utf-8">',
             '<title>noticegen visual diff</title>',
             '<style>body{font-family:sans-serif;margin:1.5em}img{width:32%;border:1px solid #999}'
             '</style></head><body>', '<h1>Visual diff</h1>',
             f'<p>Baseline: {html.escape(str(baseline))}. {report.compared} documents compared. '
             f'A page has changed when more than {tolerance:.4%} of its pixels differ by more '
             f'than {pixel_threshold}/255.</p>']
    if not report.anything:
        parts.append('<p>No change.</p>')
    for title, items in (('Added', report.added), ('Removed', report.removed)):
        if items:
            parts.append(f'<h2>{title}</h2><ul>' + ''.join(
                f'<li>{html.escape(item)}</li>' for item in items) + '</ul>')
    if report.repaginated:
        parts.append('<h2>Re-paginated</h2><ul>' + ''.join(
            f'<li>{html.escape(path)}: {old} → {new} pages</li>'
            for path, old, new in report.repaginated) + '</ul>')
    for path, pages in report.changed.items():
        parts.append(f'<h2>Changed: {html.escape(path)}</h2>')
        for page in pages:
            base = page.image.rsplit('/', 1)[0]
            parts.append(f'<h3>page {page.number}: {page.changed_pixels} pixels '
                         f'({page.share:.4%})</h3><p>'
                         f'<img alt="baseline" src="{link(f"{base}/old-{page.number}.png")}">'
                         f'<img alt="current" src="{link(f"{base}/new-{page.number}.png")}">'
                         f'<img alt="changes in red" src="{link(page.image)}"></p>')
    parts.append('</body></html>')
    path = out / DIFF / 'index.html'
    write_atomic(path, '\n'.join(parts).encode())
    return path


def build_git_ref(root: Path, ref: str, target: Path) -> Path:
    """Build ``ref`` of the repository at ``root`` in a temporary worktree; return its output."""
    import subprocess
    import sys
    worktree = target / 'worktree'
    # The ref is resolved to a commit first, and only that SHA reaches `worktree add`: a
    # ref that starts with '-' is never read as an option.
    resolved = subprocess.run(
        ['git', '-C', str(root), 'rev-parse', '--verify', '--quiet', '--end-of-options',
         f'{ref}^{{commit}}'], capture_output=True, text=True)
    sha = resolved.stdout.strip()
    if resolved.returncode != 0 or not re.fullmatch(r'[0-9a-f]{40,64}', sha):
        raise NoticegenError(f'{ref!r} is neither a folder nor a commit of {root}')
    try:
        subprocess.run(['git', '-C', str(root), 'worktree', 'add', '--detach', str(worktree), sha],
                       check=True, capture_output=True, text=True)
    except subprocess.CalledProcessError as exception:
        raise NoticegenError(f'cannot check out {ref!r}: {exception.stderr.strip()}') from None
    try:
        out = target / 'dist'
        # The one call by script path: a baseline is built by its own code, so run the
        # ref's own entry point in its worktree, never this checkout's package.
        result = subprocess.run([sys.executable, str(worktree / 'build.py'), 'build', '--out',
                                 str(out)], capture_output=True, text=True, cwd=worktree,
                                preexec_fn=dies_with_this_process())
        if not (out / MANIFEST).exists():
            raise NoticegenError(f'building {ref!r} failed: {result.stderr.strip()[-500:]}')
        return out
    finally:
        subprocess.run(['git', '-C', str(root), 'worktree', 'remove', '--force', str(worktree)],
                       capture_output=True)

