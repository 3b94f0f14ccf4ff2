"""Django admin is for the deployment operator (superusers only) and shows configuration, not
personal data: role grants, rule overrides, the holiday table, users."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import HolidayOverride, RoleAssignment, RuleOverride, User

# is_staff is only ever set together with is_superuser (services.user_create), so the default
# AdminSite.has_permission already limits admin to the operator.
admin.site.register(User, UserAdmin)
admin.site.register(RoleAssignment, list_display=["user", "role", "org", "granted_at"], raw_id_fields=["user", "org"])
admin.site.register(RuleOverride, list_display=["org", "key", "valid_from", "reason"], raw_id_fields=["org"])
admin.site.register(HolidayOverride, list_display=["date", "is_workday", "name"])
