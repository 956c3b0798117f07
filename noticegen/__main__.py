"""``python -m noticegen`` is the CLI (serve runs it this way in its child process)."""

from .cli import main

main()
