"""Group applications: a support company's manager applies for several of its members at once.

A user may apply for their own business and for the member businesses of the support companies they
manage. Applying for more than one business, or for one that is not the user's own, makes a group:
its applications carry the one company they were made for (Application.company). So a group holds
the members of one company, and the manager's own business, in no company's group, applies alone.
"""

from collections.abc import Sequence

from django.db.models import Q
from django.utils.translation import gettext

from vendors.models import SupportCompany, User, Vendor

from .applying import ApplicationRefused, Refusal

SEVERAL_COMPANIES = "several_companies"
OWN_WITH_MEMBERS = "own_with_members"


def vendors_for_applying(user: User) -> list[Vendor]:
    """The businesses this user may apply for: their own, then their companies' members."""
    # The companies first, then one indexed lookup: an OR across the managers' join made PostgreSQL
    # read every vendor of the registry on every apply page and POST.
    companies = list(SupportCompany.objects.filter(managers=user).values_list("pk", flat=True))
    qs = Vendor.objects.filter(Q(user=user) | Q(support_company_id__in=companies))
    return list(qs.select_related("category__group", "county", "support_company").order_by("pk"))


def is_group(vendors: Sequence[Vendor], by: User) -> bool:
    """Whether applying for these businesses is a group application: more than one, or not the user's own."""
    return len(vendors) > 1 or vendors[0].user_id != by.pk


def group_company(vendors: Sequence[Vendor], by: User) -> SupportCompany | None:
    """The company the applications of these businesses are made for; None for the user's own alone.

    Raises ApplicationRefused when they are not one group: members of two companies, or the user's
    own business together with members.
    """
    members = [v for v in vendors if v.user_id != by.pk]
    if len({v.support_company_id for v in members}) > 1:
        raise ApplicationRefused(
            [Refusal(SEVERAL_COMPANIES, gettext("Apply for the members of one support company at a time."))]
        )
    if members and len(members) < len(vendors):
        raise ApplicationRefused(
            [
                Refusal(
                    OWN_WITH_MEMBERS,
                    gettext("Apply for your own business and for your company's members separately."),
                )
            ]
        )
    return members[0].support_company if members else None
