"""credit: subjects, append-only score history, explanations, overrides, scorecard versions

Revision ID: credit_0001
Revises: 0001_foundation
Create Date: 2026-11-24 05:41:46.130173
"""
from alembic import op
import sqlalchemy as sa
import services.db


revision = 'credit_0001'
down_revision = '0001_foundation'
branch_labels = ('credit',)
depends_on = None


def upgrade():
    op.create_table('credit_scorecards',
    sa.Column('version', sa.String(length=60), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=True),
    sa.Column('report_dir', sa.String(length=500), nullable=True),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('promoted_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('promoted_by', sa.Uuid(), nullable=True),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_credit_scorecards'))
    )
    with op.batch_alter_table('credit_scorecards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_scorecards_status'), ['status'], unique=False)

    op.create_table('credit_scores',
    sa.Column('subject_id', sa.Uuid(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('raw_score', sa.Double(), nullable=False),
    sa.Column('band', sa.String(length=20), nullable=False),
    sa.Column('scorecard_version', sa.String(length=60), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('factors', sa.JSON(), nullable=False),
    sa.Column('thin_file', sa.Boolean(), nullable=False),
    sa.Column('override_id', sa.Uuid(), nullable=True),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('computed_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_scores'))
    )
    with op.batch_alter_table('credit_scores', schema=None) as batch_op:
        batch_op.create_index('ix_credit_scores_subject_computed', ['subject_id', 'computed_at'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        # The ORM refuses to update or delete a history row; this refuses it to everyone else.
        op.execute("""
            CREATE FUNCTION credit_scores_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'credit_scores is append-only'; END $$""")
        op.execute("""
            CREATE TRIGGER credit_scores_append_only BEFORE UPDATE OR DELETE ON credit_scores
            FOR EACH ROW EXECUTE FUNCTION credit_scores_append_only()""")

    op.create_table('credit_subjects',
    sa.Column('subject_id', sa.Uuid(), nullable=False),
    sa.Column('stale', sa.Boolean(), nullable=False),
    sa.Column('stale_since', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('scored_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('subject_id', name=op.f('pk_credit_subjects'))
    )
    with op.batch_alter_table('credit_subjects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_subjects_stale'), ['stale'], unique=False)

    op.create_table('credit_explanations',
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('subject_id', sa.Uuid(), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['credit_events.id'], name=op.f('fk_credit_explanations_event_id_credit_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_explanations')),
    sa.UniqueConstraint('event_id', name=op.f('uq_credit_explanations_event_id'))
    )
    with op.batch_alter_table('credit_explanations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_explanations_subject_id'), ['subject_id'], unique=False)

    op.create_table('credit_overrides',
    sa.Column('subject_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.Uuid(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.Uuid(), nullable=True),
    sa.Column('revoke_reason', sa.String(length=500), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['credit_events.id'], name=op.f('fk_credit_overrides_event_id_credit_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_overrides'))
    )
    with op.batch_alter_table('credit_overrides', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_overrides_subject_id'), ['subject_id'], unique=False)



def downgrade():
    with op.batch_alter_table('credit_overrides', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_overrides_subject_id'))

    op.drop_table('credit_overrides')
    with op.batch_alter_table('credit_explanations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_explanations_subject_id'))

    op.drop_table('credit_explanations')
    with op.batch_alter_table('credit_subjects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_subjects_stale'))

    op.drop_table('credit_subjects')
    with op.batch_alter_table('credit_scores', schema=None) as batch_op:
        batch_op.drop_index('ix_credit_scores_subject_computed')

    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS credit_scores_append_only ON credit_scores")
        op.execute("DROP FUNCTION IF EXISTS credit_scores_append_only()")
    op.drop_table('credit_scores')
    with op.batch_alter_table('credit_scorecards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_scorecards_status'))

    op.drop_table('credit_scorecards')
