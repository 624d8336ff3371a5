"""Top-ups: the customer submits a payment with its voucher; finance approves (the wallet is
credited once) or rejects it with a reason."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from apps.core.errors import PermissionDenied, StateConflict, ValidationFailed
from apps.core.services import sequence_next

from .choices import TOPUP_TRANSITIONS, EntryKind, MiscFeeStatus, PaymentMethod, TopUpStatus
from .errors import InsufficientBalance
from .models import MiscFeeNotice, TopUp
from .money import check_currency, positive_amount, positive_rate, round_money
from .services import charge, credit, wallet_for

VOUCHER_MAX_BYTES = 10 * 1024 * 1024
IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}


def check_voucher(data: bytes) -> str:
    """The voucher's content type, judged by its content (never its name): a PDF, or an image that
    Pillow can read as PNG, JPEG, GIF or WebP; at most 10 MB."""
    if not data:
        raise ValidationFailed("The voucher file is empty.", code="invalid_voucher", extra={"voucher": ["empty"]})
    if len(data) > VOUCHER_MAX_BYTES:
        raise ValidationFailed(
            f"The voucher is {len(data) / 1024 / 1024:.1f} MB; the limit is 10 MB. Send a smaller photo or screenshot.",
            code="invalid_voucher",
            extra={"voucher": ["over 10 MB"]},
        )
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format
            image.verify()
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for "not an image"
        fmt = None
    if fmt not in IMAGE_TYPES:
        raise ValidationFailed(
            "The voucher must be a photo or screenshot (JPEG, PNG, GIF, WebP) or a PDF; this file "
            "is neither, whatever its name says.",
            code="invalid_voucher",
            extra={"voucher": ["not an image or PDF"]},
        )
    return IMAGE_TYPES[fmt]


@transaction.atomic
def topup_submit(
    *,
    actor,
    method: str,
    currency: str,
    amount,
    payer: str,
    paid_on,
    transaction_ref: str,
    voucher: bytes,
    voucher_name: str,
) -> TopUp:
    """The customer paid outside the system and sends the details with the voucher."""
    if method not in PaymentMethod.values:
        raise ValidationFailed("Choose a payment method.", extra={"method": ["unknown"]})
    currency = check_currency(currency)
    value = positive_amount(amount, currency)
    if not (payer or "").strip() or not (transaction_ref or "").strip():
        raise ValidationFailed(
            "Give the payer's name and the transaction reference from your payment.",
            extra={"payer": ["is required"]} if not (payer or "").strip() else {"transaction_ref": ["is required"]},
        )
    if paid_on is None or paid_on > timezone.localdate():
        raise ValidationFailed("The paid date cannot be in the future.", extra={"paid_on": ["in the future"]})
    content_type = check_voucher(voucher)
    day = timezone.localdate().strftime("%y%m%d")
    topup = TopUp(
        customer=actor.customer,
        number=f"TU{day}{sequence_next(name='topup', period=day, own_transaction=True):05d}",
        method=method,
        currency=currency,
        amount=value,
        payer=payer.strip()[:120],
        paid_on=paid_on,
        transaction_ref=transaction_ref.strip()[:120],
        voucher_type=content_type,
        created_by=actor,
    )
    topup.voucher.save(voucher_name[-80:] or "voucher", ContentFile(voucher), save=False)
    topup.save()
    return topup


def _review(topup: TopUp, actor, to: str) -> TopUp:
    if actor.customer_id is not None or not actor.has_perm("billing.review_topup"):
        raise PermissionDenied("Only finance staff review top-ups.")
    locked = TopUp.objects.select_for_update().get(pk=topup.pk)
    if to not in TOPUP_TRANSITIONS[TopUpStatus(locked.status)]:
        raise StateConflict(
            f"Top-up {locked.number} was already reviewed: it is {locked.get_status_display().lower()}.",
            code="topup_already_reviewed",
        )
    locked.status, locked.reviewed_by, locked.reviewed_at = to, actor, timezone.now()
    return locked


@transaction.atomic
def topup_approve(*, actor, topup: TopUp, received_amount, exchange_rate=None) -> TopUp:
    """The bank received the money: credit the wallet once (in the wallet's currency)."""
    locked = _review(topup, actor, TopUpStatus.RECEIVED)
    wallet = wallet_for(locked.customer)
    received = positive_amount(received_amount, locked.currency, what="The received amount")
    if locked.currency != wallet.currency:
        rate = positive_rate(exchange_rate, source=locked.currency, target=wallet.currency)
        locked.exchange_rate = rate
        credited = round_money(received * rate, wallet.currency)
    else:
        credited = received
    locked.received_amount, locked.credited_amount = received, credited
    locked.save()
    credit(
        customer=locked.customer,
        amount=credited,
        kind=EntryKind.TOPUP,
        idempotency_key=f"topup:{locked.pk}",
        actor=actor,
        reference_type="topup",
        reference_id=locked.number,
        reference=f"Top-up {locked.number}",
    )
    misc_fees_collect(customer=locked.customer)
    return locked


@transaction.atomic
def topup_reject(*, actor, topup: TopUp, reason: str) -> TopUp:
    locked = _review(topup, actor, TopUpStatus.REJECTED)
    if not (reason or "").strip():
        raise ValidationFailed("Give the reason; the customer sees it.", extra={"reason": ["is required"]})
    locked.reject_reason = reason.strip()[:300]
    locked.save()
    return locked


# --- Misc fees ------------------------------------------------------------------------------------


@transaction.atomic
def misc_fee_notice(*, actor, customer, amount, reason: str) -> MiscFeeNotice:
    """Finance posts a fee notice: deducted now if the balance allows, else it waits."""
    if not (reason or "").strip():
        raise ValidationFailed("Give the reason for the fee; the customer sees it.", extra={"reason": ["is required"]})
    notice = MiscFeeNotice.objects.create(
        customer=customer,
        amount=positive_amount(amount, wallet_for(customer).currency),
        reason=reason.strip(),
        created_by=actor,
    )
    misc_fees_collect(customer=customer)
    notice.refresh_from_db()
    return notice


@transaction.atomic
def misc_fees_collect(*, customer) -> int:
    """Deduct the customer's waiting misc fees, oldest first, while the balance allows. Returns how
    many were deducted (idempotent: a deducted notice is never charged again)."""
    deducted = 0
    for notice in (
        MiscFeeNotice.objects.select_for_update()
        .filter(customer=customer, status=MiscFeeStatus.WAITING)
        .order_by("noticed_at", "pk")
    ):
        try:
            entry = charge(
                customer=customer,
                amount=notice.amount,
                kind=EntryKind.MISC_FEE,
                actor=notice.created_by,
                idempotency_key=f"misc-fee:{notice.pk}",
                reference_type="misc_fee",
                reference_id=str(notice.pk),
                reference=notice.reason[:120],
                memo=notice.reason,
            )
        except InsufficientBalance:
            if not notice.cause:  # keep what finance noted (e.g. customer unreachable)
                notice.cause = "no balance"
                notice.save(update_fields=["cause"])
            break
        notice.status, notice.entry, notice.deducted_at, notice.cause = (
            MiscFeeStatus.DEDUCTED,
            entry,
            timezone.now(),
            "",
        )
        notice.save(update_fields=["status", "entry", "deducted_at", "cause"])
        deducted += 1
    return deducted


MISC_FEE_CAUSES = ("no balance", "customer unreachable", "customer disputes the fee")


@transaction.atomic
def misc_fee_set_cause(*, actor, notice: MiscFeeNotice, cause: str) -> MiscFeeNotice:
    """Finance notes why a fee is still waiting (shown in the 72-hour overdue list)."""
    cause = (cause or "").strip()
    if not cause or len(cause) > 200:
        raise ValidationFailed("Give the cause in at most 200 characters.", extra={"cause": ["1 to 200 characters"]})
    notice = MiscFeeNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.status != MiscFeeStatus.WAITING:
        raise StateConflict(f"The fee is {notice.get_status_display().lower()}; only waiting fees have a cause.")
    notice.cause = cause
    notice.save(update_fields=["cause"])
    return notice
