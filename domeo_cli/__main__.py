"""Entry point of ``domeo`` and ``python -m domeo_cli``."""

from __future__ import annotations


def main(argv: list[str] | None = None) -> None:
    """Run the command line with ``argv`` (default: the process's arguments); exits with its code."""
    from .cli import main as run

    run(argv)


if __name__ == "__main__":
    main()
