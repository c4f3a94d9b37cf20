"""The review list's "select all" box, which needs JavaScript: it ticks every row, shows a part
selection, comes back with the rows after a filter, and the ticked rows are what the action changes."""

import pytest

from booths.models import Application
from tests import factories
from vendors import sms

from .conftest import signed_in_context, watch

pytestmark = [pytest.mark.e2e]


def test_select_all_ticks_every_row_and_the_action_changes_them(
    live_server, browser, screenshot, settings, reference_data
):
    settings.SMS_BACKEND = "vendors.sms.MemoryBackend"
    sms.outbox.clear()
    site = factories.site()
    applications = [factories.application(site) for _ in range(3)]
    organiser = factories.county_organiser()
    context = signed_in_context(browser, live_server, organiser, {"width": 1366, "height": 900})
    page = context.new_page()
    seen = watch(page)
    page.goto(f"{live_server.url}/organiser/sites/{site.slug}/applications/")

    select_all = page.locator("input[data-select-all]")
    rows = page.locator('input[name="applications"]')
    select_all.check()
    assert [rows.nth(i).is_checked() for i in range(3)] == [True, True, True]
    rows.nth(1).uncheck()
    assert select_all.evaluate("box => [box.checked, box.indeterminate]") == [False, True]
    rows.nth(1).check()
    assert select_all.evaluate("box => [box.checked, box.indeterminate]") == [True, False]
    screenshot(page, "review-select-all-desktop")

    # A filter brings new rows through htmx, with a select-all box of their own that works too.
    page.select_option("#id_status", "submitted")
    page.wait_for_url("**status=submitted**")
    page.locator("input[data-select-all]").check()
    page.select_option("#bulk-action", "accept")
    page.get_by_role("button", name="اعمال روی درخواست‌های علامت‌خورده").click()
    page.wait_for_selector(".notice")

    assert sorted(Application.objects.filter(site=site).values_list("status", flat=True)) == ["accepted"] * 3
    assert {a.pk for a in applications} == set(Application.objects.values_list("pk", flat=True))
    assert seen["errors"] == []
    context.close()
