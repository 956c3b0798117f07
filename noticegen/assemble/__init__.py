"""pikepdf only: stamping, merging, page counts, the embedded-font audit."""
