"""Entry point: ``streamlit run streamlit_app.py`` (or ``make run``)."""

from mapapp.ui.app import main

main()
