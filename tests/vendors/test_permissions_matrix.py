"""Every role against every action: the one table that says who may do what."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from booths import permissions as booths_perm
from booths.models import GateToken, Pass
from events import permissions as events_perm
from tests import factories
from vendors import permissions as vendors_perm

ACTIONS = {
    "create_exhibition": lambda u, w: events_perm.can_create_exhibition(u),
    "edit_exhibition": lambda u, w: events_perm.can_edit_exhibition(u, w["exhibition"]),
    "publish_exhibition": lambda u, w: events_perm.can_publish_exhibition(u, w["exhibition"]),
    "add_site": lambda u, w: events_perm.can_add_site(u, w["exhibition"]),
    "view_draft_site": lambda u, w: events_perm.can_view_site(u, w["draft_site"]),
    "edit_site": lambda u, w: events_perm.can_edit_site(u, w["site"]),
    "review": lambda u, w: booths_perm.can_review(u, w["site"]),
    "allocate": lambda u, w: booths_perm.can_allocate(u, w["site"]),
    "issue_passes": lambda u, w: booths_perm.can_issue_passes(u, w["site"]),
    "manage_gate_tokens": lambda u, w: booths_perm.can_manage_gate_tokens(u, w["site"]),
    "apply_for_vendor": lambda u, w: booths_perm.can_apply(u, w["vendor"]),
    "view_application": lambda u, w: booths_perm.can_view_application(u, w["application"]),
    "respond_to_offer": lambda u, w: booths_perm.can_respond_to_offer(u, w["application"]),
    "view_pass": lambda u, w: booths_perm.can_view_pass(u, w["pass"]),
    "name_helper": lambda u, w: booths_perm.can_name_helper(u, w["helper_pass"]),
    "view_vendor_private": lambda u, w: vendors_perm.can_view_vendor_private(u, w["vendor"]),
    "edit_vendor_profile": lambda u, w: vendors_perm.can_edit_vendor_profile(u, w["vendor"]),
    "import_registry": lambda u, w: vendors_perm.can_import_registry(u),
}

ORGANISING = {
    "edit_site",
    "review",
    "allocate",
    "issue_passes",
    "manage_gate_tokens",
    "view_application",
    "view_pass",
    "view_vendor_private",
    "view_draft_site",
}
OWN_VENDOR = {"apply_for_vendor", "view_application", "respond_to_offer", "view_pass", "view_vendor_private"}

EXPECTED = {
    "anonymous": set(),
    "provincial_organiser": ORGANISING
    | {"create_exhibition", "edit_exhibition", "publish_exhibition", "add_site", "import_registry"},
    "county_organiser_here": ORGANISING | {"add_site"},
    "county_organiser_elsewhere": {"add_site"},
    "vendor_self": OWN_VENDOR | {"edit_vendor_profile", "name_helper"},
    "other_vendor": set(),
    "company_manager": OWN_VENDOR,
    "other_company_manager": set(),
    "inactive_provincial_organiser": set(),
}


@pytest.fixture
def world(db):
    """A Khorramabad site of a published exhibition, a draft one, a piece-rate vendor with an application and a pass."""
    exhibition = factories.exhibition()
    site = factories.site(exhibition, county_slug="khorramabad")
    draft_site = factories.site(factories.exhibition(status="draft"), county_slug="khorramabad")
    company = factories.support_company()
    owner = factories.user()
    vendor = factories.vendor(user=owner, permit_type="piece_rate", support_company=company)
    application = factories.application(site, vendor)
    pass_obj = Pass.objects.create(site=site, application=application, code="code-1")
    helper_pass = Pass.objects.create(site=site, application=application, holder="helper", code="code-2")
    manager = factories.user()
    company.managers.add(manager)
    other_manager = factories.user()
    factories.support_company().managers.add(other_manager)
    users = {
        "anonymous": AnonymousUser(),
        "provincial_organiser": factories.provincial_organiser(),
        "county_organiser_here": factories.county_organiser("khorramabad"),
        "county_organiser_elsewhere": factories.county_organiser("borujerd"),
        "vendor_self": owner,
        "other_vendor": factories.vendor(user=factories.user()).user,
        "company_manager": manager,
        "other_company_manager": other_manager,
        "inactive_provincial_organiser": factories.provincial_organiser(is_active=False),
    }
    return {
        "users": users,
        "exhibition": exhibition,
        "site": site,
        "draft_site": draft_site,
        "vendor": vendor,
        "application": application,
        "pass": pass_obj,
        "helper_pass": helper_pass,
    }


def test_permissions_every_role_against_every_action(world):
    allowed = {
        role: {name for name, check in ACTIONS.items() if check(user, world)}
        for role, user in world["users"].items()
    }
    assert allowed == EXPECTED


def test_gate_token_checks_in_only_at_its_own_site_while_not_revoked(world):
    other_site = factories.site(world["exhibition"], county_slug="borujerd")
    gate = GateToken.objects.create(site=world["site"], name="gate 1", key_hash="h1", key_prefix="h1")
    assert booths_perm.can_check_in(gate, world["site"]) is True
    assert booths_perm.can_check_in(gate, other_site) is False
    assert booths_perm.can_check_in(None, world["site"]) is False
    gate.revoked_at = timezone.now()
    assert booths_perm.can_check_in(gate, world["site"]) is False


def test_roles_names_each_kind_of_user(world):
    names = {role: set(vendors_perm.Roles(user).names) for role, user in world["users"].items()}
    assert names == {
        "anonymous": set(),
        "provincial_organiser": {"provincial_organiser"},
        "county_organiser_here": {"county_organiser"},
        "county_organiser_elsewhere": {"county_organiser"},
        "vendor_self": {"vendor"},
        "other_vendor": {"vendor"},
        "company_manager": {"company_manager"},
        "other_company_manager": {"company_manager"},
        "inactive_provincial_organiser": set(),
    }


def test_applications_visible_to_is_scoped(world):
    users = world["users"]
    app_id = world["application"].pk
    visible = {
        role: list(booths_perm.applications_visible_to(u).values_list("pk", flat=True))
        for role, u in users.items()
    }
    assert visible == {
        "anonymous": [],
        "provincial_organiser": [app_id],
        "county_organiser_here": [app_id],
        "county_organiser_elsewhere": [],
        "vendor_self": [app_id],
        "other_vendor": [],
        "company_manager": [app_id],
        "other_company_manager": [],
        "inactive_provincial_organiser": [],
    }
