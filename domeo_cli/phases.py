"""Named phases of a load, where tests can hold the process still.

Tests of crashes and races must not guess from the clock where a load is.
Instead the loader calls ``reached(name)`` as it passes each phase, and a
test sets ``DOMEO_TEST_PAUSE=PHASES:PATH`` (``PHASES`` one name or several
joined by commas, e.g. ``staged,before_commit:/tmp/pause``). On reaching a
listed phase the process writes the phase's name to ``PATH`` and waits until
``PATH`` is removed; the test meanwhile kills it, runs a report or starts a
second load, then removes the file to let it go on. Each phase holds once. Without the variable
``reached`` is one comparison; it is read once, when this module is imported.

The phases of ``ingest`` (in order; those marked * only in a load that
rebuilds the indexes, i.e. one larger than the table and than 50,000 rows):

- ``locking``: the database is open and up to date; the load is about to take the load lock
  (``db.load_lock``), which it waits for while another load holds it;
- ``opened``: the load lock is held (the write transaction has begun), nothing staged;
- ``parsing``: the first batch is staged (a large file's parsing child is running);
- ``staged``: every record is parsed and staged;
- ``indexes_dropped`` *: the secondary indexes and triggers of ``invoices`` are dropped;
- ``inserted``: the new and changed invoices are written;
- ``indexes_built`` *: the indexes and triggers are built again;
- ``before_commit``: everything is written, derived tables included; not committed;
- ``committed``: the transaction is committed; the load report is not written yet.

And of a schema upgrade (``db.migrate``): ``migrated``, every pending
migration applied, not committed.
"""

from __future__ import annotations

import os
import time

_SPEC = os.environ.get("DOMEO_TEST_PAUSE", "")
_NAMES, _, _PATH = _SPEC.rpartition(":")
_PHASES = set(_NAMES.split(",")) if _PATH else set()


def reached(name: str) -> None:
    """Pass the phase ``name``: hold here while ``$DOMEO_TEST_PAUSE`` asks for it."""
    if name not in _PHASES:
        return
    _PHASES.discard(name)  # a phase passed again (one per batch) holds only the first time
    with open(_PATH + ".tmp", "w", encoding="utf-8") as flag:
        flag.write(name)
    os.replace(_PATH + ".tmp", _PATH)  # the test never sees the file without its name
    while os.path.exists(_PATH):
        time.sleep(0.005)
