from __future__ import annotations

import pytest
from django.core.cache import cache

from accounts.models import Role
from tests.auth import sign_in
from tests.factories import MembershipFactory, PartnerFactory, UserFactory


@pytest.fixture(autouse=True)
def _media_and_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (API answers, email limits are counted there)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin client, past two-factor authentication as a directory admin is."""
    return sign_in(client, admin_user)


# Role fixtures: one person per role, all at the same partner (`partner`). Object permissions
# on services follow allocation rules and organisations; see tests/accounts/matrix.py for a
# world with services allocated to own and other partners.


@pytest.fixture
def partner(db):
    return PartnerFactory(name="Hull CVS", slug="hull-cvs")


@pytest.fixture
def other_partner(db):
    return PartnerFactory(name="East Riding NHS", slug="east-riding-nhs")


@pytest.fixture
def directory_admin(db):
    return UserFactory(email="admin@example.org", is_directory_admin=True)


@pytest.fixture
def assurer(partner):
    return MembershipFactory(
        partner=partner, role=Role.ASSURER, user__email="assurer@example.org"
    ).user


@pytest.fixture
def provider_user(partner):
    return MembershipFactory(
        partner=partner, role=Role.PROVIDER_EDITOR, user__email="provider@example.org"
    ).user


@pytest.fixture
def frontline_worker(partner):
    return MembershipFactory(
        partner=partner, role=Role.FRONTLINE_WORKER, user__email="worker@example.org"
    ).user


@pytest.fixture
def partner_admin(partner):
    return MembershipFactory(
        partner=partner, role=Role.PARTNER_ADMIN, user__email="partner-admin@example.org"
    ).user


@pytest.fixture
def signed_in_user(db):
    """Signed in, with no role anywhere."""
    return UserFactory(email="nobody@example.org")
