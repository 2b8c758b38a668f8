"""Every report's result type: what a query returns and every renderer reads.

One small module per report, types only: no Rich, no database, no SQL, so
that importing one costs nothing and a report's start-up stays lazy. A report
described once (``describe.Report``, as ``forecast``) also declares its
options and columns here, and every front end derives from that description.
"""

import sys


def imported(module: str) -> bool:
    """True when the result module ``module`` (``"past_due"``) is imported: a result of its types can exist
    only then, so a renderer looking for a result's type need not import the others to rule them out."""
    return f"{__name__}.{module}" in sys.modules
