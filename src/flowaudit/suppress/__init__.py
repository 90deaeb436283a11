"""Suppressions for CI: an ignore file of accepted findings (``loader``), an
earlier result as a baseline (``baseline``), and taking both out of a
result (``apply``). Import from the submodules: the command line reads the
default file name from ``model`` without loading the rest."""
