"""Who may review, allocate, issue passes and admit at the gate."""

from django.db.models import Q, QuerySet

from events.models import Site
from events.permissions import can_edit_site, can_view_site
from vendors.models import User, Vendor
from vendors.permissions import (
    can_act_for_vendor,
    is_county_organiser,
    is_own_vendor,
    is_provincial_organiser,
)

from .models import Application, GateToken, Pass


def sites_in_scope(user: User) -> QuerySet[Site]:
    """The sites an organiser works on: their county's, or all of their province's."""
    if is_county_organiser(user):
        return Site.objects.filter(county_id=user.organiser_county_id)
    if is_provincial_organiser(user):
        return Site.objects.filter(exhibition__province_id=user.organiser_province_id)
    return Site.objects.none()


def can_review(user: User, site: Site) -> bool:
    return can_edit_site(user, site)


def can_allocate(user: User, site: Site) -> bool:
    return can_edit_site(user, site)


def can_view_lottery(user: User, site: Site) -> bool:
    """A published lottery (seed, commitment, tickets in order) is as public as its site."""
    return can_view_site(user, site)


def can_download_lottery_input(user: User, site: Site) -> bool:
    """The instance file holds each application's priority, needs and county: only the organisers
    who allocate the site download it (and hand it to whom they choose)."""
    return can_allocate(user, site)


def can_issue_passes(user: User, site: Site) -> bool:
    return can_edit_site(user, site)


def can_manage_gate_tokens(user: User, site: Site) -> bool:
    return can_edit_site(user, site)


def can_apply(user: User, vendor: Vendor) -> bool:
    return can_act_for_vendor(user, vendor)


def can_view_application(user: User, application: Application) -> bool:
    return can_act_for_vendor(user, application.vendor) or can_review(user, application.site)


def can_respond_to_offer(user: User, application: Application) -> bool:
    return can_act_for_vendor(user, application.vendor)


def can_view_pass(user: User, pass_obj: Pass) -> bool:
    return can_act_for_vendor(user, pass_obj.application.vendor) or can_issue_passes(user, pass_obj.site)


def can_name_helper(user: User, pass_obj: Pass) -> bool:
    """The vendor of the application names the helpers on its live helper passes; nobody else does."""
    return (
        pass_obj.holder == Pass.Holder.HELPER
        and pass_obj.revoked_at is None
        and is_own_vendor(user, pass_obj.application.vendor)
    )


def can_check_in(gate: GateToken | None, site: Site) -> bool:
    """Gate staff act only at the one site their token is bound to, and only while it is not revoked."""
    return gate is not None and gate.revoked_at is None and gate.site_id == site.pk


def can_view_portrait(user: User, pass_obj: Pass) -> bool:
    """The photo a vendor added of themself for the gate: the organisers who issue the site's passes."""
    return can_issue_passes(user, pass_obj.site)


def gate_can_view_portrait(gate: GateToken | None, pass_obj: Pass, day) -> bool:
    """The gate of the pass's site, once it has scanned that pass on `day`: a gate key alone cannot
    page through the faces of every vendor of the site."""
    return can_check_in(gate, pass_obj.site) and gate.admissions.filter(pass_obj=pass_obj, date=day).exists()


def applications_visible_to(user: User) -> QuerySet[Application]:
    if not user.is_authenticated:
        return Application.objects.none()
    own = Q(vendor__user=user) | Q(vendor__support_company__managers=user)
    return Application.objects.filter(own | Q(site__in=sites_in_scope(user))).distinct()
