"""Jinja and WeasyPrint: HTML to PDF bytes; knows no kind of document."""
