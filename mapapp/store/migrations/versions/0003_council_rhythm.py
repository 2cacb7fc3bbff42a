"""The council's rhythm (issue 19): the weekly tasks, the monthly actor survey (surveys,
recipients, responses, answers), the public reports' review queue and the city's
trygghetsmätning. A database made by 0001 after these were added to the models has them
already; this revision creates what is missing, and drops them on downgrade.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from mapapp.store.models import RHYTHM_TABLES, Base

    bind = op.get_bind()
    inspector = sa.inspect(bind)
    for name in RHYTHM_TABLES:  # in foreign-key order
        if not inspector.has_table(name):
            Base.metadata.tables[name].create(bind)


def downgrade() -> None:
    from mapapp.store.models import RHYTHM_TABLES, Base

    bind = op.get_bind()
    for name in reversed(RHYTHM_TABLES):
        Base.metadata.tables[name].drop(bind, checkfirst=True)
