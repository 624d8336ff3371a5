from .modules import MODULES, active_module_key


def portal_navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "customer_id", None):
        return {}
    return {
        "portal_modules": MODULES,
        "active_module": active_module_key(getattr(request, "resolver_match", None)),
    }
