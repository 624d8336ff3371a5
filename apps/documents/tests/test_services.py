import datetime
import os

import pytest
from django.utils import timezone

from apps.core.tenancy import staff_scope
from apps.documents.models import Job
from apps.documents.services import job_create, job_finish, job_start, jobs_purge
from apps.documents.tasks import purge_old_job_files


def finished_job(user, days_ago: int, customer="own"):
    with staff_scope():
        job = job_create(
            actor=user,
            customer=user.customer if customer == "own" else None,
            kind="test",
            title="Export",
            input_bytes=b"in",
            input_name="in.xlsx",
        )
        job_start(job_id=job.pk)
        job.refresh_from_db()
        job = job_finish(job=job, message="done", result_bytes=b"out", result_name="out.xlsx")
        Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - datetime.timedelta(days=days_ago))
        return Job.objects.get(pk=job.pk)


@pytest.mark.django_db
def test_files_older_than_the_keep_period_are_purged_and_the_record_stays(user_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    old, new, staff_job = finished_job(user_a, 8), finished_job(user_a, 2), finished_job(user_a, 9, customer=None)
    paths = [old.result_file.path, old.input_file.path]
    assert purge_old_job_files() == 2
    with staff_scope():
        old.refresh_from_db()
        new.refresh_from_db()
        staff_job.refresh_from_db()
    assert not old.result_file and not old.input_file and old.message == "done"
    assert not staff_job.result_file
    assert new.result_file and new.input_file
    assert not any(os.path.exists(p) for p in paths)
    with staff_scope():
        assert jobs_purge(older_than_days=7) == 0  # idempotent
