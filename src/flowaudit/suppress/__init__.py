"""Suppressions for CI: an ignore file of accepted findings (``loader``), an
earlier result as a baseline (``baseline``), and taking both out of a
result (``apply``). Import from the submodules: the command line reads the
default file name from here without loading any of them."""

DEFAULT_IGNORE_FILE = ".flowaudit-ignore.yml"
