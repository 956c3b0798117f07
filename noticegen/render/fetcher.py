"""WeasyPrint's URL fetcher: only files under the asset folders, and data: URLs."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit


class FetchRefused(Exception):
    """A URL outside the project's asset folders."""


def make_url_fetcher(roots, refused: list[str] | None = None):
    """Return a WeasyPrint URL fetcher that serves only files under ``roots``."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    real_roots = [Path(root).resolve() for root in roots]

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
