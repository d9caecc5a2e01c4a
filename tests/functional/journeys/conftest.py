from tests.factories.orders import fast_passwords, stripe_app, stripe_client  # noqa: F401
