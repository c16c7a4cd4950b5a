"""The sandbox's emulated fiscal drive (ФН): what a cash register does with a receipt, offline.

Each receipt takes the next fiscal document number (ФД) of the drive, under a row lock, so two receipts never
share one; the fiscal sign (ФП, 10 digits) is an HMAC of the drive, the document, the sum and the time, so the
same receipt always gets the same sign and another receipt another one — as a real drive's sign, it proves the
document was not altered, only the key here is PAYMENTS_SIGNING_KEY instead of the drive's own."""

import datetime as dt
import hashlib
import hmac
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from ..models import FiscalDrive
from .base import FiscalData

# A test drive number (9999… is the range the tax service leaves for test drives), overridable per site.
DEFAULT_FN = "9999078900012345"


def drive_number() -> str:
    return getattr(settings, "PAYMENTS_SANDBOX_FN", "") or DEFAULT_FN


def fiscal_sign(fn: str, fd: int, total: Decimal, at: dt.datetime) -> str:
    message = f"{fn}:{fd}:{total:.2f}:{at:%Y%m%dT%H%M}".encode()
    digest = hmac.new(settings.PAYMENTS_SIGNING_KEY.encode(), message, hashlib.sha256).digest()
    return str(int.from_bytes(digest[:8], "big") % 10**10).zfill(10)


def register(total: Decimal, at: dt.datetime) -> FiscalData:
    """Register one document on the drive: the next ФД and its ФП."""
    fn = drive_number()
    with transaction.atomic():
        FiscalDrive.objects.get_or_create(fn=fn)
        drive = FiscalDrive.objects.select_for_update().get(fn=fn)
        drive.last_fd += 1
        drive.save(update_fields=["last_fd"])
    return FiscalData(fn=fn, fd=str(drive.last_fd), fp=fiscal_sign(fn, drive.last_fd, total, at), registered_at=at)
