"""Telling a vendor something: a text message, and an e-mail too when their account has an address.

The review (an application's status changed) and the offers (a booth offered, confirmed, passed on)
reach vendors this way. A gateway or mail failure is logged and never undoes what the message is
about: the change is saved before anyone is told.
"""

from __future__ import annotations

import logging
import smtplib

from django.core.mail import send_mail

from vendors.models import Vendor
from vendors.sms import SmsError, send_sms

logger = logging.getLogger(__name__)


def tell_vendor(vendor: Vendor, subject: str, text: str, about: str) -> bool:
    """Send `text` by SMS (and by e-mail under `subject` when the vendor's account has an address);
    whether the SMS went. `about` names what it is about in the log, e.g. "offer 12"."""
    user = vendor.user
    if user is not None and user.email:
        try:
            send_mail(subject, text, None, [user.email])
        except (smtplib.SMTPException, OSError):
            logger.exception("E-mail about %s could not be sent", about)
    try:
        send_sms(vendor.mobile, text)
    except (SmsError, OSError):
        logger.exception("SMS about %s could not be sent", about)
        return False
    return True
