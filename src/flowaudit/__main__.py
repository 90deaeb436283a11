"""The ``flowaudit`` command (also ``python -m flowaudit``).

Two things are set up before the command line's modules are imported:

* the dataclasses' methods are taken from the kept compiled code
  (:mod:`flowaudit.compiledcode`);
* Python's cyclic garbage collector is off while they are imported, and
  what they built (classes, functions, rules tables: alive until the
  process ends) is then frozen out of its reach. Imports allocate hundreds of
  thousands of objects; each collection they set off walked all of those
  built so far, about a tenth of a small audit's instructions, and every
  full collection during an audit walked them again. Garbage the imports
  leave in cycles is not reclaimed: it is small and made once.

And as the command ends, before the interpreter's own last collection, all
that is left is frozen out of its reach too: the process is about to go,
and that collection would walk every object an audit kept (rules, catalog,
caches, the result) to free nothing the ending does not. On the
20,000-entry real HAR of ``bench/har.py`` it took 0.09-0.15 s after the
report was written; frozen, the ending takes 0.02-0.04 s.
"""

import atexit
import gc

from flowaudit.compiledcode import keep_compiled

gc.disable()
keep_compiled()

from flowaudit.cli import main  # noqa: E402 - after the set-up, see the docstring

gc.freeze()
gc.enable()
atexit.register(gc.freeze)  # runs before the atexit functions registered earlier, then the last collection

if __name__ == "__main__":
    main()
