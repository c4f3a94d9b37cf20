"""Group applications: whom a user may apply for, and which businesses make one group."""

import pytest

from booths.applications import groups
from booths.applications.applying import ApplicationRefused
from tests import factories


@pytest.fixture
def manager(db):
    """A company manager with a business of their own and two companies of two members each."""
    user = factories.user()
    own = factories.vendor(user=user)
    companies = [factories.support_company() for _ in range(2)]
    for company in companies:
        company.managers.add(user)
    members = [
        [factories.vendor(support_company=company, permit_type="piece_rate") for _ in range(2)]
        for company in companies
    ]
    return user, own, companies, members


def refusal_codes(vendors, by) -> list[str]:
    with pytest.raises(ApplicationRefused) as info:
        groups.group_company(vendors, by)
    return [r.code for r in info.value.refusals]


def test_vendors_for_applying_are_own_business_then_members(manager):
    user, own, _companies, members = manager
    assert groups.vendors_for_applying(user) == [own, *members[0], *members[1]]


def test_vendors_for_applying_of_someone_else_is_empty(manager):
    assert groups.vendors_for_applying(factories.user()) == []


def test_is_group_for_several_or_for_someone_else(manager):
    user, own, _companies, members = manager
    assert groups.is_group([own], user) is False
    assert groups.is_group([members[0][0]], user) is True
    assert groups.is_group([own, members[0][0]], user) is True


def test_group_company_of_own_business_alone_is_none(manager):
    user, own, _companies, _members = manager
    assert groups.group_company([own], user) is None


def test_group_company_of_one_company_members(manager):
    user, _own, companies, members = manager
    assert groups.group_company(members[1], user) == companies[1]


def test_group_company_of_two_companies_is_refused(manager):
    user, _own, _companies, members = manager
    assert refusal_codes([members[0][0], members[1][0]], user) == [groups.SEVERAL_COMPANIES]


def test_group_company_of_own_business_with_members_is_refused(manager):
    user, own, _companies, members = manager
    assert refusal_codes([own, members[0][0]], user) == [groups.OWN_WITH_MEMBERS]
