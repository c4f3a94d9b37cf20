"""Shared test configuration: PostgreSQL-only marks and the browser for journeys."""

import pytest
from django.apps import apps
from django.db import connection

from vendors.reference_data import load_lorestan


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL"))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness buys nothing in tests and costs seconds per user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def outbox(settings):
    """The SMS messages sent during the test (the memory backend), empty at its start."""
    from vendors import sms

    settings.SMS_BACKEND = "vendors.sms.MemoryBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def reference_data(transactional_db):
    """For tests that commit (live server): the flush after each one also empties what migrate loaded."""
    load_lorestan(apps.get_model)


@pytest.fixture(autouse=True)
def _persian_first():
    # A request to /en/ leaves English active in this thread; every test starts in Persian.
    from django.utils import translation

    translation.activate("fa")
    yield
    translation.activate("fa")
