"""Runs the command line as `python -m policygen`."""

from policygen.cli.commands import main

main()
