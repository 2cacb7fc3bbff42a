"""The packaged app's entry script: ``mapapp serve`` runs ``streamlit run`` on this file, so
Streamlit serves ``mapapp/static/`` (the vendored map scripts) at ``/app/static/``.

The top-level ``streamlit_app.py`` of the repository does the same from a checkout."""

from mapapp.ui.app import main

if __name__ == "__main__":
    main()
