"""The typed model of the sources (pydantic), and the formats it is printed in."""

from .schema import *  # noqa: F401,F403
