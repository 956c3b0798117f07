#!/usr/bin/env python3
"""Entry point: `python build.py COMMAND` is the `noticegen` console script."""

from noticegen.cli import main

if __name__ == '__main__':
    main()
