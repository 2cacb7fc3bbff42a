"""mapapp: platssamverkanskarta (place-collaboration map) for local crime-prevention councils.

Modules, by topic (see ARCHITECTURE in the README):

- :mod:`mapapp.settings`, :mod:`mapapp.errors`, :mod:`mapapp.crs`, :mod:`mapapp.categories`,
  :mod:`mapapp.i18n`, :mod:`mapapp.access` -- the shared vocabulary;
- :mod:`mapapp.store` -- the database (SQLite by default, PostgreSQL+PostGIS for many users);
- :mod:`mapapp.io` -- importers; :mod:`mapapp.analysis` -- pure computations;
- :mod:`mapapp.render` and ``layers/`` -- maps; :mod:`mapapp.snapshot` -- documents;
- :mod:`mapapp.ui` -- the Streamlit app (the only place that imports streamlit);
- :mod:`mapapp.cli` -- the ``mapapp`` command.
"""

__version__ = "0.1.0"
