"""``mapapp serve``, ``mapapp backup`` and ``mapapp restore``: running and keeping a store."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mapapp.access import CLI_PRINCIPAL
from mapapp.cli.common import add_common, engine_from, settings_from
from mapapp.i18n import bilingual, t

#: The project's Streamlit settings, given on the command line so that the packaged app does
#: not depend on a ``.streamlit/config.toml`` beside a checkout (the checkout's file says the
#: same; tests/security/test_streamlit_config.py compares them).
STREAMLIT_OPTIONS: dict[str, str] = {
    "server.headless": "true",
    "browser.gatherUsageStats": "false",
    "server.enableXsrfProtection": "true",
    "server.enableCORS": "true",
    "server.enableStaticServing": "true",
    "server.maxUploadSize": "200",
    "server.runOnSave": "false",
    "server.fileWatcherType": "none",
    "client.toolbarMode": "minimal",
    "client.showErrorDetails": "none",
    "theme.base": "light",
    "theme.primaryColor": "#0b5394",
    "theme.textColor": "#111111",  # contrast of faded texts (WCAG 1.4.3), as in the file
}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_common(sub.add_parser("serve", help=bilingual("serve.help"),
                                  description=bilingual("serve.description"),
                                  epilog=bilingual("log.settings")))
    p.add_argument("--port", type=int, default=8501, help=bilingual("serve.port"))
    p.add_argument("--address", default="0.0.0.0", help=bilingual("serve.address"))  # noqa: S104
    p.set_defaults(func=cmd_serve)

    p = add_common(sub.add_parser("backup", help=bilingual("backup.help"),
                                  description=bilingual("backup.description")))
    p.add_argument("file", type=Path, metavar="FIL", help=bilingual("backup.file"))
    p.set_defaults(func=cmd_backup)

    p = add_common(sub.add_parser("restore", help=bilingual("restore.help"),
                                  description=bilingual("restore.description")))
    p.add_argument("file", type=Path, metavar="FIL", help=bilingual("restore.file"))
    p.add_argument("--force", action="store_true", help=bilingual("restore.force"))
    p.set_defaults(func=cmd_restore)


def streamlit_command(port: int, address: str) -> list[str]:
    """``python -m streamlit run <packaged entry script>`` with the project's settings."""
    from mapapp.resources import app_script

    cmd = [sys.executable, "-m", "streamlit", "run", str(app_script()),
           "--server.port", str(port), "--server.address", address]
    for key, value in STREAMLIT_OPTIONS.items():
        cmd += [f"--{key}", value]
    return cmd


def cmd_serve(args: argparse.Namespace) -> int:
    from mapapp.errors import ConfigurationError
    from mapapp.render import assets
    from mapapp.resources import static_dir

    settings = settings_from(args)
    vendor = static_dir() / "vendor"
    try:
        assets.ensure_vendor(vendor)  # a wheel carries them: nothing is written then
    except OSError as exc:
        raise ConfigurationError("serve.vendor_missing", folder=str(vendor), detail=str(exc)) from exc
    env = dict(os.environ)
    env["MAPAPP_DATABASE_URL"] = settings.database_url
    env["MAPAPP_LANG"] = settings.lang
    from sqlalchemy.engine import make_url

    store = make_url(settings.database_url).render_as_string(hide_password=True)
    print(t("serve.starting", settings.lang, address=args.address, port=args.port, store=store),
          file=sys.stderr, flush=True)
    cmd = streamlit_command(args.port, args.address)
    os.execve(sys.executable, cmd, env)  # noqa: S606 - our own interpreter, fixed arguments
    return 0  # pragma: no cover - execve does not return


def cmd_backup(args: argparse.Namespace) -> int:
    from mapapp.store.backup import backup

    settings, engine = engine_from(args)
    result = backup(engine, CLI_PRINCIPAL, args.file)
    print(t("backup.done", settings.lang, file=str(result.path), size=result.bytes,
            backend=result.backend))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from mapapp.store.backup import restore

    settings, engine = engine_from(args, require_schema=False)
    backend = restore(engine, CLI_PRINCIPAL, args.file, force=args.force)
    print(t("restore.done", settings.lang, file=str(args.file), backend=backend))
    return 0
