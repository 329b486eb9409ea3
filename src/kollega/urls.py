from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from kollega.api.urls import api
from kollega.core import views as core_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", core_views.home, name="home"),
    path("", include("kollega.core.urls")),
    path("", include("kollega.accounts.urls")),
    path("", include("kollega.grouping.urls")),
    path("outbox/", include("kollega.notifications.urls")),
    path("account/api-tokens/", include("kollega.api.ui_urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.DATA_DIR / "media")
