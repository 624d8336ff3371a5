from django.urls import reverse
from rest_framework import serializers

from apps.documents.models import Job
from apps.documents.services import job_progress_get


class JobOutput(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    result_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "title",
            "status",
            "progress",
            "message",
            "result",
            "result_url",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_progress(self, job) -> dict:
        done, total = job_progress_get(job)
        return {"done": done, "total": total}

    def get_result_url(self, job) -> str | None:
        if not job.result_file:
            return None
        return self.context["request"].build_absolute_uri(reverse("documents:job-file", args=[job.pk, "result"]))
