"""The ``kollega`` command: Django's manage.py plus Kollega's own commands.

Problems an operator must fix (a wrong setting, a database or Redis that cannot
be reached) end the command with one line on stderr and exit status 2, never a
traceback.
"""

from __future__ import annotations

import os
import sys

# Commands may be typed with hyphens (kollega create-organisation); Django's
# command modules use underscores.
ALIASES = {
    "create-organisation": "create_organisation",
    "api-token": "api_token",
    "import-applicants": "import_applicants",
    "open-round": "open_round",
    "remind-round": "remind_round",
    "close-round": "close_round",
    "propose-groups": "propose_groups",
    "generate-schedule": "generate_schedule",
    "send-due": "send_due",
}

EXIT_CONFIG = 2


def _fail(message: str) -> None:
    sys.stderr.write(f"kollega: {message}\n")
    sys.exit(EXIT_CONFIG)


def _terminal_language() -> str:
    """The operator's language for command output: KOLLEGA_LANGUAGE, else the system locale, else English.

    Pages and emails follow each user's own language; this is only the terminal's.
    """
    for name in ("KOLLEGA_LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "").strip().lower()
        if value:
            code = value.split("_")[0].split(".")[0].split("-")[0]
            return code if code in {"fi", "sv", "en"} else "en"
    return "en"


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1:
        argv[1] = ALIASES.get(argv[1], argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kollega.settings")
    from kollega.config import ConfigError

    try:
        import django
        from django.core.management import execute_from_command_line
        from django.utils import translation

        django.setup()
        translation.activate(_terminal_language())
        execute_from_command_line(argv)
    except ConfigError as exc:
        _fail(str(exc))
    except Exception as exc:
        from kollega.core.management.preflight import describe

        message = describe(exc)
        if message is None or "--traceback" in argv:
            raise
        _fail(message)


if __name__ == "__main__":
    main()
