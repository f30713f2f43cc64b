"""WSGI entry point (gunicorn worldcup.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "worldcup.settings")

application = get_wsgi_application()
