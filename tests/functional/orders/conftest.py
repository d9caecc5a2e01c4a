from tests.factories.orders import (buyer, fast_passwords, frozen, seller, stranger, stripe_app,  # noqa: F401
                                    stripe_client, use_gateway)
