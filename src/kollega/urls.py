from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from kollega.api.urls import api
from kollega.core import views as core_views

# The operators' admin site signs in through allauth: rate limits and TOTP apply.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Kollega"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", core_views.home, name="home"),
    path("", include("kollega.core.urls")),
    path("", include("kollega.accounts.urls")),
    path("", include("kollega.grouping.urls")),
    path("", include("kollega.grouping.proposal_urls")),
    path("", include("kollega.grouping.facilitator_urls")),
    path("", include("kollega.grouping.theme_urls")),
    path("", include("kollega.outreach.public_urls")),
    path("", include("kollega.outreach.urls")),
    path("", include("kollega.surveys.urls")),
    path("", include("kollega.recruitment.urls")),
    path("", include("kollega.recruitment.import_urls")),
    path("", include("kollega.interviews.urls")),
    path("", include("kollega.interviews.record_urls")),
    path("", include("kollega.interviews.readiness_urls")),
    path("", include("kollega.evaluation.urls")),
    path("", include("kollega.meetings.urls")),
    path("", include("kollega.meetings.coordinator_urls")),
    path("outbox/", include("kollega.notifications.urls")),
    path("account/api-tokens/", include("kollega.api.ui_urls")),
    # Changing one's sign-in address is not offered: the address is the person's
    # identity across programmes. allauth's page for it answers "not found".
    path("accounts/email/", core_views.not_found),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.DATA_DIR / "media")
