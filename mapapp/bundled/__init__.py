"""Files that live at the top of the repository but ship inside the package.

The build maps them here (see ``setup.py``): ``mapapp.bundled.layers`` is the repository's
``layers/`` and ``mapapp.bundled.geo`` its ``data/geo/``. Read them through
:mod:`mapapp.resources`, never through paths beside a checkout.
"""
