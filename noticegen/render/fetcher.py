"""WeasyPrint's URL fetcher: only files under the asset folders, and data: URLs."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit


# Folders of the colour profiles a stylesheet may name in @color-profile, from Debian
# packages: libgs-common's Artifex CMYK SWOP profile is the output intent of print files.
PROFILE_FOLDERS = ('/usr/share/color/icc/ghostscript',)


class FetchRefused(Exception):
    """A URL outside the project's asset folders."""


def make_url_fetcher(roots, refused: list[str] | None = None):
    """Return a WeasyPrint URL fetcher that serves only files under ``roots`` (and the
    colour profiles of ``PROFILE_FOLDERS``)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    real_roots = [Path(root).resolve() for root in (*roots, *PROFILE_FOLDERS)]

    class AssetFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            scheme = url.split(':', 1)[0].lower()
            if scheme == 'data':
                return super().fetch(url, headers)
            try:
                if scheme != 'file':
                    raise FetchRefused(f'refused {url}: only files in the project\'s asset '
                                       f'folders are fetched, never network URLs')
                path = Path(unquote(urlsplit(url).path))
                real = path.resolve()  # follows symlinks, so a link out is caught
                if not any(real.is_relative_to(root) for root in real_roots):
                    raise FetchRefused(f'refused {url}: {real} is outside the asset folders '
                                       f'({", ".join(str(r) for r in real_roots)})')
                if not real.is_file():
                    raise FetchRefused(f'refused {url}: no such file')
            except FetchRefused as exception:
                if refused is not None:
                    refused.append(str(exception))
                raise
            return URLFetcherResponse(url, body=real.read_bytes())

    return AssetFetcher(fail_on_errors=True)
