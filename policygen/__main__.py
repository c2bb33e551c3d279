"""Runs the command line as `python -m policygen`."""

from policygen.cli import main

main()
