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


class OutboxMessage(models.Model):
    """Work for another app or process (DESIGN §3), written in the same transaction as the change
    that calls for it and sent to Celery by task name after commit. A row left unpublished (the
    broker was down, the process died between commit and send) is sent again by the beat sweep."""

    kind = models.CharField(max_length=40, help_text="What happened, e.g. stock_increased.")
    task = models.CharField(max_length=100, help_text="The Celery task name the message is sent to.")
    payload = models.JSONField(default=dict, help_text="The task's keyword arguments (ids, never objects).")
    key = models.CharField(max_length=120, help_text="Messages with the same key in one transaction coalesce.")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                name="core_outbox_unpublished_idx",
                condition=models.Q(published_at__isnull=True),
            ),
            models.Index(fields=["published_at"], name="core_outbox_published_idx"),
        ]

    def __str__(self):
        return f"{self.kind} → {self.task} ({'published' if self.published_at else 'waiting'})"
