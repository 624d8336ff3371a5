from .modules import MODULES


def portal_navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "customer_id", None):
        return {}
    return {"portal_modules": MODULES}
