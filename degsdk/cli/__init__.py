"""The ``degsdk`` command line: one thin entry; each sub-command calls the Python API."""
