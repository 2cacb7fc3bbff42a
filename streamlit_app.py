"""Entry point: ``streamlit run streamlit_app.py`` (or ``make run``).

Streamlit runs this file as ``__main__``; the guard keeps a multiprocessing child (which
re-imports the parent's main module as ``__mp_main__``) from starting the app."""

from mapapp.ui.app import main

if __name__ == "__main__":
    main()
