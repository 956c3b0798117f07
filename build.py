#!/usr/bin/env python3
"""Entry point: `python build.py COMMAND` is the `noticegen` console script."""

import sys

try:
    from noticegen.cli import main
except ModuleNotFoundError as exception:  # run outside the project's virtual environment
    sys.exit(f'noticegen: the Python package {exception.name!r} is not installed in this '
             f'Python; run ./dev.sh (it sets up .venv and runs the command), or use '
             f'.venv/bin/python')

if __name__ == '__main__':
    main()
