"""domeo: accounts-receivable reporting from a client's invoice export."""

__version__ = "0.1.0"
