"""Django admin is for the deployment operator (superusers only). It shows configuration, never
personal data. Grants, rule overrides and holidays are read-only here: they are written through
the services, which validate and audit (a rule override typed here would skip validation).
User changes made here are audited like any other write."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from . import audit
from .models import HolidayOverride, RoleAssignment, RuleOverride, User


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class AuditedUserAdmin(UserAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changed = [f for f in form.changed_data if f not in ("password", "password1", "password2")]
        if "password" in form.changed_data or "password1" in form.changed_data:
            changed.append("password (set)")
        audit.record(
            actor=request.user,
            action="update" if change else "create",
            target=obj,
            changes={"fields": [None, ", ".join(changed)]},
        )

    def delete_model(self, request, obj):
        audit.record(actor=request.user, action="delete", target=obj)
        super().delete_model(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the audit log refers to users


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["user", "role", "org", "granted_at"]


@admin.register(RuleOverride)
class RuleOverrideAdmin(ReadOnlyAdmin):
    list_display = ["org", "key", "valid_from", "reason"]


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(ReadOnlyAdmin):
    list_display = ["date", "is_workday", "name"]
