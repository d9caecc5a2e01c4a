"""Imports every domain's models so that Base.metadata is complete (Alembic, tests).
Each domain adds its models module here with one line."""
from services import audit, idempotency  # noqa: F401
from services.accounts import models as accounts_models  # noqa: F401
from services.credit import events as credit_events  # noqa: F401
from services.credit import models as credit_models  # noqa: F401
from services.listings import models as listings_models  # noqa: F401
from services.notifications import models as notifications_models  # noqa: F401
from services.pickups import models as pickups_models  # noqa: F401
from services.certificates import models as certificates_models  # noqa: F401
from services.search import models as search_models  # noqa: F401
from services.subsidies import models as subsidies_models  # noqa: F401
from services.tradeins import models as tradeins_models  # noqa: F401
from services.ledger import models as ledger_models  # noqa: F401
from services.blocklist import models as blocklist_models, gates as blocklist_gates  # noqa: F401 (gates: listing guard)
from services.disputes import models as disputes_models  # noqa: F401
from services.offers import models as offers_models  # noqa: F401
from services.orders import models as orders_models  # noqa: F401
from services.payments import models as payments_models  # noqa: F401
from services.reviews import models as reviews_models  # noqa: F401
from services.conversations import models as conversations_models  # noqa: F401
from services.watchlist import models as watchlist_models  # noqa: F401
from services.standing import models as standing_models  # noqa: F401
from services.remanufacturing import models as remanufacturing_models  # noqa: F401
from services.batteries import models as batteries_models  # noqa: F401
from services.shipping import models as shipping_models  # noqa: F401
from services.db import Base

metadata = Base.metadata
