"""Entry point of ``domeo`` and ``python -m domeo_cli``."""

from __future__ import annotations

import sys


def main() -> None:
    """Run the command line: plain report invocations take the fast path, the rest Typer."""
    from .fastcli import run

    code = run(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from .cli import app

    app()


if __name__ == "__main__":
    main()
