"""Every sRGB colour of a stylesheet or a page (SVG data URIs included) as ``device-cmyk()``,
for print files: WeasyPrint paints CSS and SVG colours as DeviceRGB otherwise.

The conversion is the plain one (K = 1 − max(R, G, B), grey stays on the black plate),
not a colour-managed one: the print shop proofs the CMYK values against the output
intent's profile. The same colour always gives the same numbers.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

_HEX = re.compile(r'#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b')
_RGB = re.compile(r'rgba?\(\s*([\d.]+)\s*[, ]\s*([\d.]+)\s*[, ]\s*([\d.]+)\s*(?:[,/]\s*[\d.]+%?\s*)?\)')
_NAMED = re.compile(r'(?<=[:\s"])(white|black)(?=[\s;"!}])')
_SVG_URI = re.compile(r'(data:image/svg\+xml(?:;charset=[\w-]+)?,)([^"\')\s]+)')
_NAMES = {'white': (255, 255, 255), 'black': (0, 0, 0)}
_SVG_ROOT = re.compile(r'<svg\b[^>]*>')


def device_cmyk(red: float, green: float, blue: float) -> str:
    """``device-cmyk(c m y k)`` of an sRGB colour given in 0-255."""
    r, g, b = red / 255, green / 255, blue / 255
    k = 1 - max(r, g, b)
    if k >= 1:
        return 'device-cmyk(0 0 0 1)'
    c, m, y = ((1 - v - k) / (1 - k) for v in (r, g, b))
    return 'device-cmyk({})'.format(' '.join(f'{round(v, 3):g}' for v in (c, m, y, k)))


def _hex(match: re.Match) -> str:
    digits = match.group(1)
    if len(digits) == 3:
        digits = ''.join(d * 2 for d in digits)
    return device_cmyk(*(int(digits[i:i + 2], 16) for i in (0, 2, 4)))


def _svg(svg: str) -> str:
    """An SVG document with its colours as device-cmyk(), and its root's fill named: a shape
    that names no fill is filled black by default, which WeasyPrint paints as DeviceRGB
    (segno's QR codes name only a stroke)."""
    root = _SVG_ROOT.search(svg)
    if root and not re.search(r'\sfill\s*=', root.group(0)):
        tag = root.group(0)
        tag = tag[:-2] + " fill='#000'/>" if tag.endswith('/>') else tag[:-1] + " fill='#000'>"
        svg = svg[:root.start()] + tag + svg[root.end():]
    return to_cmyk(svg)


def to_cmyk(text: str) -> str:
    """``text`` (CSS or HTML) with every hex, rgb() and white/black colour as device-cmyk(),
    in SVG data URIs too (with the SVG default fill, black, named)."""
    text = _SVG_URI.sub(lambda m: m.group(1) + quote(_svg(unquote(m.group(2))), safe=''),
                        text)
    text = _HEX.sub(_hex, text)
    text = _RGB.sub(lambda m: device_cmyk(*(float(v) for v in m.groups())), text)
    return _NAMED.sub(lambda m: device_cmyk(*_NAMES[m.group(1)]), text)
