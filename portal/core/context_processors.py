def preferences(request):
    """`elder_mode`: the visitor's cookie, or the logged-in resident's profile choice."""
    user = getattr(request, "user", None)
    from_profile = bool(user is not None and user.is_authenticated and getattr(user, "elder_mode", False))
    return {"elder_mode": from_profile or request.COOKIES.get("elder_mode") == "1"}
