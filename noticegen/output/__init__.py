"""Files in the output folder: atomic writes and the manifest."""
