"""The site lock: one change to a site's plan at a time, and the order in which rows are locked.

Whoever changes which application holds which booth of a site (an allocation run, publishing, a
move or swap, a decline, an expiry, a withdrawal or a review that releases a booth, and the
promotion that follows) takes the site's row first, with `lock_site`, and only then the rows under
it, in this order:

1. the site row (`lock_site`);
2. the run being published (publishing only);
3. the applications (moves, swaps, pins, withdrawals, reviews); a decline locks the offer it answers
   first and its application after, which is safe because the site lock already orders it;
4. their offers (released, declined, expired), then the assignments they free or take.

Confirming takes no site lock: it changes one pending offer (locked alone) and issues its passes,
which refer to the site. The site lock is FOR NO KEY UPDATE for that reason: it serialises everyone
who takes it, yet lets a row that merely refers to the site be written meanwhile, so a confirmation
in flight never deadlocks with a withdrawal or a rejection waiting for its offer. The Assignment
unique constraints make a double booking impossible even if something skipped the lock.
"""

from __future__ import annotations

from events.models import Site


def lock_site(site_id: int) -> Site:
    """Lock the site's row until the transaction ends (call inside one) and return it."""
    return Site.objects.select_for_update(no_key=True).get(pk=site_id)
