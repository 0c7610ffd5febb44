"""Entry point for gunicorn (`wsgi:app`) and the Flask CLI (`flask --app wsgi ...`)."""
import gc

from lwpwa import create_app

app = create_app()
# The app's modules, mappers and templates live as long as the process: out of the garbage
# collector's reach, so that the collections a 500-item sync triggers walk only its own objects.
gc.freeze()
