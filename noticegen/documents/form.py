"""別紙様式: a form to fill in, typeset from its table (labels, and boxes to write in)."""

from __future__ import annotations

from ..model.schema import FormAttachment
from ..plan.registry import register
from .sheet import Sheet


@register
class FormSheet(Sheet):
    name = 'form-sheet'
    title = '別紙様式'
    order = 23
    template = 'form.html'
    attachment_type = FormAttachment
