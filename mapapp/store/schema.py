"""Create or migrate the schema with Alembic (``mapapp init`` calls :func:`migrate`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect

from mapapp.resources import migrations_dir

if TYPE_CHECKING:  # Alembic takes a second to import: only migrate() needs it
    from alembic.config import Config


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; a second call changes nothing."""
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table("zones")
