from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import path

from . import figure_views, lookup, views

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="core/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/2fa/", views.two_factor, name="two_factor"),
    path("accounts/password/", login_required(views.PasswordChange.as_view()), name="password_change"),
    path("figures/<str:name>/", figure_views.figure_rows, name="figure_rows"),
    path("figures/<str:name>/rows.csv", figure_views.figure_rows_csv, name="figure_rows_csv"),
    path("audit/", views.audit_list, name="audit_list"),
    path("lookup/orgs/", lookup.org_lookup, name="org_lookup"),
    path("security/", views.security_list, name="security_list"),
    path("security/unlock/", views.security_unlock, name="security_unlock"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/holidays/", views.holiday_list, name="holiday_list"),
    path("ledgers/", views.ledger_list, name="ledger_list"),
    path("ledgers/<str:key>/", views.ledger_detail, name="ledger_detail"),
    path("rollups/refresh/", views.rollup_refresh, name="rollup_refresh"),
    path("workflows/", views.workflow_list, name="workflow_list"),
    path("workflows/<str:workflow>/", views.workflow_detail, name="workflow_detail"),
    path("workflows/instances/<int:instance_id>/advance/", views.workflow_advance, name="workflow_advance"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job_detail"),
    path("jobs/<uuid:job_id>/result/", views.job_result, name="job_result"),
    path("jobs/<uuid:job_id>/retry/", views.job_retry, name="job_retry"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<int:notification_id>/read/", views.notification_read, name="notification_read"),
    path("outbox/", views.outbox, name="outbox"),
    path("profile/", views.profile, name="profile"),
    path("profile/contact/", views.contact_update, name="contact_update"),
    path("profile/tokens/", views.token_create, name="token_create"),
    path("profile/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
