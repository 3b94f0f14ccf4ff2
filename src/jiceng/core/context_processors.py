"""What every page's frame needs: the main menu, from the installed apps' navigation entries,
each shown only to users who hold its permission somewhere (an entry that would answer 404 is
not offered)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from . import kit
from .scoping import has_perm_anywhere, roles_held


def platform(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": [], "unread": 0}
    items = []
    held = roles_held(user)
    for item in kit.nav_items():
        if not has_perm_anywhere(user, item.perm) or (item.roles and not held & set(item.roles)):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue  # its app's URLs are not mounted (a trimmed deployment)
        items.append(
            {
                "label": item.label,
                "url": url,
                "current": request.path == url or (url != "/" and request.path.startswith(url)),
            }
        )
    from .notify import unread

    return {"nav": items, "unread": unread(user)}
