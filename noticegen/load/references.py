"""References to attachments by label (別添1, 別紙2, 別紙様式1) checked against the notice's own."""

from __future__ import annotations

import re
import unicodedata

from ..errors import SourceError
from ..model.numbering import attachment_label
from ..model.schema import SERIES
from .sources import strings

# The fields of a notice (and of a typeset attachment) whose text may refer to an attachment.
TEXT_FIELDS = ('title', 'body', 'items', 'closing', 'lead', 'after', 'heading')
_BRACKETS = str.maketrans('', '', '（）()〔〕［］[]【】')


def _word(template: str) -> str:
    """The word a label template is referred to by: （参考{n}） → 参考."""
    return template.replace('{n}', '').translate(_BRACKETS).strip()


def _normal(label: str) -> str:
    """A label as compared: NFKC, without brackets, spaces, 第 or 号."""
    return re.sub(r'[\s第号]', '', unicodedata.normalize('NFKC', label).translate(_BRACKETS))




def reference_errors(notice_set) -> list[SourceError]:
    """An error at each reference to an attachment label the notice does not have.

    A numbered reference (別紙3) must name an attachment; a bare one (別紙のとおり) needs one
    of that series. 参考 is an ordinary word, so only its numbered form is checked.
    Quoting another document's 別紙? Set ``style.check_references: false``.
    """
    notice = notice_set.notice
    if not notice.style.check_references:
        return []
    words = {}
    for series in SERIES:
        word = _word(notice.style.label_template(series))
        if word:
            words.setdefault(word, series)
    if not words:
        return []
    labels = {_normal(attachment_label(notice, a)) for a in notice_set.attachments}
    present = {a.series for a in notice_set.attachments}
    names = ', '.join(attachment_label(notice, a) for a in notice_set.attachments)
    pattern = re.compile('(' + '|'.join(re.escape(w) for w in sorted(words, key=len,
                                                                       reverse=True))
                         + r')(第?[0-9０-９]+号?)?')
    errors = []
    sources = [(notice_set.source, None)] + [
        (source, attachment) for attachment, source in zip(notice_set.attachments,
                                                           notice_set.attachment_sources)
        if getattr(attachment, 'kind', None) in ('text', 'form')]
    for source, _ in sources:
        data = source.data if isinstance(source.data, dict) else {}
        for field in TEXT_FIELDS:
            for loc, text in strings(data.get(field), (field,)):
                for match in pattern.finditer(text):
                    word, number = match.group(1), match.group(2)
                    series = words[word]
                    if number:
                        if _normal(word + number) in labels:
                            continue
                        wanted = word + number
                    elif series in present or series == 'sanko':
                        continue
                    else:
                        wanted = word
                    line, col = source.char_position(loc, text, match.start())
                    has = f'the notice has {names}' if names else 'the notice has no attachment'
                    errors.append(SourceError(
                        source.path, line, col,
                        f'{_format(loc)}: refers to {wanted}, but {has} (or set '
                        f'style.check_references: false if it names another document\'s)'))
    return errors


def _format(loc) -> str:
    from .sources import format_loc
    return format_loc(loc)
