"""The bundled district data (see README.md here). Not code: this file only lets the build ship
the folder as ``mapapp.bundled.geo``, read through ``mapapp.resources.geo_dir()``."""
