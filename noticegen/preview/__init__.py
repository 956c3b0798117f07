"""Previews: page images, the gallery, visual diffs, and the live server."""
