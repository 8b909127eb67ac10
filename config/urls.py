from django.contrib import admin
from django.urls import include, path

from core.views import health

admin.site.site_header = "Local services directory"
admin.site.site_title = "Directory admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", health, name="health"),
    path("api/v3/", include("publish.api.urls")),
    path("api/v1/", include("publish.api_v1.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("workflow.urls")),
    path("", include("workflow.quality.urls")),
    path("", include("publish.finder.urls")),
]

# GOV.UK error pages that render without the database or the static manifest (core.views).
handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
