"""WSGI entry point for ``kollega serve`` (gunicorn).

A wrong setting stops the server with one line naming the variable instead of
a traceback from every worker.
"""

import os
import sys

from django.core.wsgi import get_wsgi_application

from kollega.config import ConfigError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kollega.settings")

try:
    application = get_wsgi_application()
except ConfigError as exc:
    sys.stderr.write(f"kollega: {exc}\n")
    sys.stderr.flush()
    # gunicorn treats exit status 4 as "the application could not be loaded" and stops.
    sys.exit(4)
