from django.db import models


class Sequence(models.Model):
    """A named counter for human identifiers (C10001, S…, IN…, TU…); one row per name and period.

    Numbers come from a guarded UPDATE on this row, never from ``count() + 1`` (DESIGN §4).
    """

    name = models.CharField(max_length=40)
    period = models.CharField(max_length=16, blank=True, default="", help_text="e.g. yymmdd")
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "period"], name="core_sequence_unique_name_period")]

    def __str__(self):
        return f"{self.name}/{self.period or '-'} = {self.value}"


class IdempotentRequest(models.Model):
    """An API create sent with an ``Idempotency-Key`` header: the first answer is stored and replayed
    for the same key, so a client retrying after a lost response creates nothing twice."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=120)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    status_code = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Empty while the first request runs."
    )
    response = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "key"], name="core_idempotent_request_key")]

    def __str__(self):
        return f"{self.customer_id}:{self.key}"
