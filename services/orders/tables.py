"""Every table of buying (orders, payments, offers, reviews, disputes), for services/models.py."""
from services.disputes import models as disputes_models  # noqa: F401
from services.offers import models as offers_models  # noqa: F401
from services.orders import models as orders_models  # noqa: F401
from services.payments import models as payments_models  # noqa: F401
from services.reviews import models as reviews_models  # noqa: F401
