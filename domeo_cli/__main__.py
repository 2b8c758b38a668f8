"""Entry point of ``domeo`` and ``python -m domeo_cli``."""

from __future__ import annotations


def main() -> None:
    """Run the command line."""
    from .cli import app

    app()


if __name__ == "__main__":
    main()
