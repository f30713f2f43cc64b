"""WSGI entry point (gunicorn worldcup.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "worldcup.settings")

application = get_wsgi_application()

# Everything loaded so far (Django, the app, its templates' modules) lives as long as the
# process: keep it out of the garbage collector's full passes, which otherwise walk it on
# every request that allocates much (a standings page), adding tens of milliseconds at times.
gc.freeze()
