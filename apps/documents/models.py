from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.core.tenancy import CustomerScopedManager


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


JOB_STATUS_BADGES = {
    JobStatus.QUEUED: "secondary",
    JobStatus.RUNNING: "info",
    JobStatus.DONE: "success",
    JobStatus.FAILED: "danger",
}
JOB_TRANSITIONS = {
    JobStatus.QUEUED: {JobStatus.RUNNING, JobStatus.FAILED},
    JobStatus.RUNNING: {JobStatus.DONE, JobStatus.FAILED},
    JobStatus.DONE: set(),
    JobStatus.FAILED: set(),
}


def job_input_path(instance, filename):
    return f"jobs/{instance.customer_id or 'staff'}/in/{timezone.now():%Y%m}/{filename}"


def job_result_path(instance, filename):
    return f"jobs/{instance.customer_id or 'staff'}/out/{timezone.now():%Y%m}/{filename}"


class Job(models.Model):
    """Long work for a customer (an import, an export): its progress, its outcome and the file
    it produced. The download centre lists them."""

    customer = models.ForeignKey(
        "accounts.Customer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="jobs",
        help_text="Empty for a staff job across customers.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    params = models.JSONField(default=dict, blank=True)
    input_file = models.FileField(upload_to=job_input_path, blank=True, max_length=300)
    input_name = models.CharField(max_length=200, blank=True)
    result_file = models.FileField(upload_to=job_result_path, blank=True, max_length=300)
    result_name = models.CharField(max_length=200, blank=True)
    result = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True, help_text="The outcome, in a sentence for people.")
    total = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = CustomerScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "-created_at"], name="documents_job_recent_idx")]

    def __str__(self):
        return f"{self.title} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def nothing_imported(self) -> bool:
        """An import that finished without importing a row (every row bad): not a green "Done"."""
        if self.status != JobStatus.DONE or not isinstance(self.result, dict):
            return False
        return any(self.result.get(key) == 0 for key in ("imported", "created"))
