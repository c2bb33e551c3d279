"""The policygen command line: click commands over the public API, and the progress display."""

from policygen.cli.commands import main

__all__ = ["main"]
