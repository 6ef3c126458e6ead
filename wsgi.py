"""The WSGI entry point: gunicorn wsgi:app"""

import gc

from supervision import create_app

app = create_app()
# What start-up made (modules, the app, the mappers, the catalogues) lives as long as the worker: out
# of the collector's sight, it is not walked again by every full collection (a worker holds some
# 200,000 such objects; each full collection walked them all). Instagram's gunicorn recipe.
gc.freeze()
