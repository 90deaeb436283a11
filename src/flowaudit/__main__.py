"""The ``flowaudit`` command (also ``python -m flowaudit``).

The dataclasses' methods are taken from the kept compiled code
(:mod:`flowaudit.compiledcode`) before the command line's modules, and the
dataclasses they define, are imported.
"""

from flowaudit.compiledcode import keep_compiled

keep_compiled()

from flowaudit.cli import main  # noqa: E402 - after keep_compiled(), see the docstring

if __name__ == "__main__":
    main()
