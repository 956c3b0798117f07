"""Checks before anything is written: glyphs against fonts, data quality, translations."""
