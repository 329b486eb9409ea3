"""The ``kollega`` command: Django's manage.py plus Kollega's own commands."""

from __future__ import annotations

import os
import sys

# Commands may be typed with hyphens (kollega create-organisation); Django's
# command modules use underscores.
ALIASES = {
    "create-organisation": "create_organisation",
    "api-token": "api_token",
}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1:
        argv[1] = ALIASES.get(argv[1], argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kollega.settings")
    from kollega.config import ConfigError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(argv)
    except ConfigError as exc:
        sys.stderr.write(f"kollega: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
