"""One invoice in full, and the stored invoice numbers most like a mistyped one."""

from __future__ import annotations

import sqlite3
from datetime import date

from ....errors import NotFound
from ....results.invoices import IngestRun, InvoiceDetail
from . import damage

_INVOICE = f"""
    SELECT i.invoice_number, c.name, c.customer_number, c.parent_number, i.invoice_date, i.due_date,
           i.due_date_derived, i.po_number, i.bill_total_cents, i.applied_cents, i.outstanding_cents,
           i.currency, i.status, i.terms, i.terms_days, i.contact_name, i.contact_phone, i.contact_email,
           r.id, r.file_name, r.started_at, r.finished_at, r.sha256, {damage.sound()}
    FROM invoices AS i LEFT JOIN customers AS c ON c.id = i.customer_id
    LEFT JOIN ingest_runs AS r ON r.id = i.run_id
    WHERE i.invoice_number = ?"""


def invoice(db: sqlite3.Connection, number: str, as_of: date) -> InvoiceDetail:
    """The invoice numbered ``number`` (trimmed), or NotFound.

    Invoice numbers are case-sensitive keys (``AB1`` and ``aB1`` can both
    exist): an exact match wins. Otherwise the numbers that differ from it only
    in case are looked for: exactly one is shown (its ``asked`` field keeps
    the number asked for, so the caller can say so); several are listed in a
    NotFound, as the candidates to choose from.
    """
    wanted = number.strip()
    row = db.execute(_INVOICE, (wanted,)).fetchone() if wanted else None
    if row is None and wanted:
        same = case_variants(db, wanted)
        if len(same) > 1:
            raise NotFound(
                f"No invoice is numbered {number!r}; invoice numbers are case-sensitive, and "
                f"{len(same)} differ from it only in case: {', '.join(same)}.",
                same,
            )
        if same:
            row = db.execute(_INVOICE, (same[0],)).fetchone()
    if row is None:
        suggestions = close_invoice_numbers(db, wanted)
        hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
        raise NotFound(f"No invoice is numbered {number!r}.{hint}", suggestions)
    *fields, run_id, file_name, started, finished, sha, sound = row
    if not sound:  # changed by another program: shown by ``domeo check``, never as an invoice
        raise damage.refuse(db, fields[0])
    fields[6] = bool(fields[6])
    run = IngestRun(run_id, file_name, started, finished, sha) if run_id is not None else None
    return InvoiceDetail(*fields, as_of=as_of, run=run, asked=wanted if wanted != fields[0] else None)


def case_variants(db: sqlite3.Connection, number: str) -> list[str]:
    """Stored invoice numbers equal to ``number`` but for the case of its letters, sorted.

    Grows the prefixes that exist one character at a time (each an index seek
    on the unique invoice number), so a number with many letters costs a few
    seeks per stored variant, not one per possible spelling.
    """
    prefixes = [""]
    for char in number:
        spellings = dict.fromkeys(c for c in (char, char.lower(), char.upper()) if len(c) == 1)
        prefixes = [
            prefix + c
            for prefix in prefixes
            for c in spellings
            if db.execute(
                "SELECT 1 FROM invoices WHERE invoice_number >= ? AND invoice_number < ? LIMIT 1",
                (prefix + c, prefix + c + "\U0010ffff"),
            ).fetchone()
        ]
        if not prefixes:
            return []
    marks = ", ".join("?" for _ in prefixes)
    return [
        n
        for (n,) in db.execute(
            f"SELECT invoice_number FROM invoices WHERE invoice_number IN ({marks}) ORDER BY invoice_number", prefixes
        )
    ]


def close_invoice_numbers(db: sqlite3.Connection, number: str, limit: int = 3) -> list[str]:
    """Stored invoice numbers most like ``number``, from its neighbours in the index.

    Looks around the number and around ever shorter prefixes of it (each an
    index seek), then ranks those few candidates by similarity.
    """
    import difflib

    wanted = number.strip()
    if not wanted:
        return []
    candidates: set[str] = set()
    probes = dict.fromkeys(
        [wanted, wanted.upper()] + [wanted.upper()[:n] for n in range(len(wanted) - 1, max(1, len(wanted) // 2), -1)]
    )
    for probe in probes:
        candidates.update(
            n
            for (n,) in db.execute(
                "SELECT invoice_number FROM invoices WHERE invoice_number >= ? ORDER BY invoice_number LIMIT 5",
                (probe,),
            )
        )
        candidates.update(
            n
            for (n,) in db.execute(
                "SELECT invoice_number FROM invoices WHERE invoice_number < ? ORDER BY invoice_number DESC LIMIT 3",
                (probe,),
            )
        )
    upper = {c.upper(): c for c in sorted(candidates)}
    found = difflib.get_close_matches(wanted.upper(), list(upper), n=limit, cutoff=0.6)
    return [upper[f] for f in found]
