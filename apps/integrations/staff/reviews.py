"""Back office: shop orders the shop changed or cancelled after they left Confirming here
(updates.py flags them), for customer service to check with the seller and clear."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from apps.core.access import StaffPermissionRequiredMixin

from ..selectors import links_needing_review
from ..updates import link_review_clear

VIEW = ("integrations.view_orderlink",)
CLEAR = ("integrations.view_orderlink", "integrations.change_orderlink")
SHOWN = 200


class ReviewForm(forms.Form):
    note = forms.CharField(max_length=300, required=False, strip=True)


class ReviewQueueView(StaffPermissionRequiredMixin, View):
    """The flagged shop orders, oldest first, with what the shop changed."""

    permission_required = VIEW

    def get(self, request):
        links = links_needing_review()
        rows = list(links[:SHOWN])
        return render(
            request,
            "integrations/staff/reviews.html",
            {"rows": rows, "total": links.count() if len(rows) == SHOWN else len(rows), "shown": SHOWN},
        )


class ReviewClearView(StaffPermissionRequiredMixin, View):
    permission_required = CLEAR

    def post(self, request, pk):
        link = get_object_or_404(links_needing_review(), pk=pk)
        form = ReviewForm(request.POST)
        if not form.is_valid():
            messages.error(request, "The note is longer than 300 characters; shorten it. Nothing was changed.")
            return redirect("backoffice:integration-reviews")
        link_review_clear(actor=request.user, link=link, note=form.cleaned_data["note"])
        number = link.order.number if link.order else link.platform_order_name
        messages.success(request, f"Order {number} is reviewed; the order's timeline says so.")
        return redirect("backoffice:integration-reviews")
