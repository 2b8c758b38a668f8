"""Every report's question, asked of the database: typed results, no printing.

Money stays in integer cents here (summed by SQLite's exact integer SUM);
renderers format it. Each query is shaped to one index of ``schema.py`` so
that its cost follows the size of the answer, not of the database.

The modules are imported by name (``from .queries import aging``) and this
package imports none of them, so a report loads only its own query module:
part of what keeps a report's start-up short.

- ``common``: customers looked up by name, currency codes, paging limits.
- ``past_due``: invoices past due as of a date, and their totals per currency.
- ``summary``: billing of a month, or of each month of a range.
- ``contacts``: a customer's contacts.
- ``aging``: open amounts by bucket of age, per customer, parent or currency.
- ``customers``: the customer list.
- ``invoices``: one invoice in full.
"""
