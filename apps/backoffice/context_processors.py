from .sections import active_section_key, sections_for


def staff_navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff or user.customer_id:
        return {}
    return {
        "staff_sections": sections_for(user),
        "active_section": active_section_key(getattr(request, "resolver_match", None)),
        "staff_time_zone": getattr(request, "staff_time_zone", None),
    }
