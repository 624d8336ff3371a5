"""``Idempotency-Key`` for API creates (DESIGN §7): the same key twice creates once and answers the
same; a key reused for another request, or while the first is still running, answers 409."""

from __future__ import annotations

import functools
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.response import Response

from apps.core.errors import StateConflict, ValidationFailed
from apps.core.models import IdempotentRequest

HEADER = "HTTP_IDEMPOTENCY_KEY"
ABANDONED_AFTER = timedelta(minutes=10)


def idempotent(view_method):
    """Decorate a viewset/APIView ``create``/``post``: replays the stored answer for a known key."""

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.META.get(HEADER, "").strip()
        customer = getattr(request.user, "customer", None)
        if not key or customer is None:
            return view_method(self, request, *args, **kwargs)
        if len(key) > 120:
            raise ValidationFailed(
                "The Idempotency-Key may have at most 120 characters.", code="invalid_idempotency_key"
            )
        try:
            with transaction.atomic():
                record = IdempotentRequest.objects.create(
                    customer=customer, key=key, method=request.method, path=request.path
                )
        except IntegrityError:
            record = IdempotentRequest.objects.get(customer=customer, key=key)
            if record.method != request.method or record.path != request.path:
                raise StateConflict(
                    "This Idempotency-Key was used for another request.", code="idempotency_key_reused"
                ) from None
            if record.status_code is None and record.created_at > timezone.now() - ABANDONED_AFTER:
                raise StateConflict(
                    "A request with this Idempotency-Key is still running; retry in a moment.",
                    code="idempotency_in_progress",
                ) from None
            if record.status_code is None:  # the first request died long ago: run this one instead
                IdempotentRequest.objects.filter(pk=record.pk).delete()
                return wrapper(self, request, *args, **kwargs)
            response = Response(record.response, status=record.status_code)
            response["Idempotent-Replayed"] = "true"
            return response
        try:
            response = view_method(self, request, *args, **kwargs)
        except Exception:
            IdempotentRequest.objects.filter(pk=record.pk).delete()  # failed: the key may be used again
            raise
        if 200 <= response.status_code < 300:
            IdempotentRequest.objects.filter(pk=record.pk).update(
                status_code=response.status_code, response=response.data
            )
        else:
            IdempotentRequest.objects.filter(pk=record.pk).delete()
        return response

    return wrapper
