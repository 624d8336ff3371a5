from rest_framework import mixins, viewsets

from apps.core.tenancy import staff_scope
from apps.documents.models import Job
from apps.documents.selectors import job_list

from .serializers import JobOutput


class JobViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Long-running work (imports, exports): poll it until `status` is done or failed."""

    serializer_class = JobOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            with staff_scope():
                return Job.objects.none()
        return job_list(customer=self.request.user.customer)
