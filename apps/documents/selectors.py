from django.db.models import QuerySet

from .models import Job


def job_list(*, customer, kind: str | None = None) -> QuerySet[Job]:
    qs = Job.objects.filter(customer=customer).select_related("created_by")
    return qs.filter(kind=kind) if kind else qs
