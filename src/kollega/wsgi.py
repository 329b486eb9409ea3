"""WSGI entry point for ``kollega serve`` (gunicorn)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kollega.settings")

application = get_wsgi_application()
