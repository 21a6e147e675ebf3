"""The ``degsdk`` command line: one thin entry (``main``); each sub-command calls the Python
API. ``degsdk.cli.main(argv)`` runs it in-process and returns the exit code."""

from ._main import main

__all__ = ["main"]
