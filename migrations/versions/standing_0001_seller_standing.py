"""seller standing: the per-user rating, trade count and credit band shown on listings

Revision ID: standing_0001
Revises: orders_0001
"""
from alembic import op
import sqlalchemy as sa
import services.db


revision = 'standing_0001'
# On the orders branch: the backfill reads its reviews and orders.
down_revision = 'orders_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('seller_standing',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('rating_sum', sa.Integer(), server_default='0', nullable=False),
    sa.Column('rating_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('completed_trades', sa.Integer(), server_default='0', nullable=False),
    sa.Column('credit_band', sa.String(length=20), nullable=True),
    sa.Column('updated_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_seller_standing_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_seller_standing'))
    )
    # Existing participants: the same counts services/standing/service.py keeps from now on.
    op.execute("""
        INSERT INTO seller_standing (user_id, rating_sum, rating_count, completed_trades, credit_band, updated_at)
        SELECT u.id,
               (SELECT COALESCE(SUM(r.stars), 0) FROM reviews r
                 WHERE r.subject_id = u.id AND r.published_at IS NOT NULL),
               (SELECT COUNT(*) FROM reviews r WHERE r.subject_id = u.id AND r.published_at IS NOT NULL),
               (SELECT COUNT(*) FROM orders o
                 WHERE o.status = 'completed' AND (o.buyer_id = u.id OR o.seller_id = u.id)),
               NULL, CURRENT_TIMESTAMP
          FROM users u WHERE u.role <> 'operator'
    """)
    # The credit branch may be applied after this one (a fresh database): then there is no score yet.
    if sa.inspect(op.get_bind()).has_table('credit_scores'):
        op.execute("""
            UPDATE seller_standing SET credit_band = (
                SELECT cs.band FROM credit_scores cs JOIN users u ON u.id = seller_standing.user_id
                 WHERE (u.role = 'consumer' AND cs.subject_id = u.id)
                    OR (u.role <> 'consumer' AND cs.subject_id IN (SELECT m.org_id FROM memberships m
                                                                 WHERE m.user_id = u.id))
                 ORDER BY cs.computed_at DESC LIMIT 1)
        """)


def downgrade():
    op.drop_table('seller_standing')
