"""Item markers from nesting: 1. / （1） / ア / （ア） as each notice's style says."""

from __future__ import annotations

from .wareki import widen

KANA = 'アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン'
IROHA = 'イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセス'
ALPHA = 'abcdefghijklmnopqrstuvwxyz'


def _cycle(alphabet: str, index: int) -> str:
    if index > len(alphabet):
        raise ValueError(f'item {index} is past the last marker ({alphabet[-1]})')
    return alphabet[index - 1]


def marker(template: str, index: int, digits: str) -> str:
    """Return the marker of the 1-based ``index``-th item for ``template``."""
    values = {'n': widen(str(index), digits)}
    if '{kana}' in template:
        values['kana'] = _cycle(KANA, index)
    if '{iroha}' in template:
        values['iroha'] = _cycle(IROHA, index)
    if '{alpha}' in template:
        values['alpha'] = _cycle(ALPHA, index)
    return template.format(**values)


def attachment_label(notice, number: int) -> str:
    """The label of 別添 ``number`` in ``notice``'s style: 別添1, 別添１ ..."""
    return notice.style.attachment_label.replace('{n}', widen(str(number), notice.style.digits))
