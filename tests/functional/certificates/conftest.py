import pytest

from tests.factories.certificates import recycler_team


@pytest.fixture
def team(session):
    """(technician, validator, operator); the tool is allowed."""
    return recycler_team(session)


@pytest.fixture
def ring(app):
    return app.extensions["huanxin.cert_keyring"]
