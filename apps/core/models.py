from django.db import models


class Sequence(models.Model):
    """A named counter for human identifiers (C10001, S…, IN…, TU…); one row per name and period.

    Numbers come from a guarded UPDATE on this row, never from ``count() + 1`` (DESIGN §4).
    """

    name = models.CharField(max_length=40)
    period = models.CharField(max_length=16, blank=True, default="", help_text="e.g. yymmdd")
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "period"], name="core_sequence_unique_name_period")
        ]

    def __str__(self):
        return f"{self.name}/{self.period or '-'} = {self.value}"
