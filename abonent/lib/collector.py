"""Python's cyclic garbage collector paused while a step builds millions of objects that form no cycles (a file's
cells, its lines): each generation-2 pass walks every live object, and a million-line month triggered dozens of them —
a third of reading a CSV. Reference counting still frees everything as usual; the collector resumes afterwards."""

import gc
from contextlib import contextmanager


@contextmanager
def collector_paused():
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
