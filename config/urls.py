from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from core.views import health

admin.site.site_header = "Local services directory"
admin.site.site_title = "Directory admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", health, name="health"),
    path("api/v3/", include("publish.api.urls")),
    path("accounts/", include("accounts.urls")),
    # Until the public finder lands, the portal opens on the staff pages (sign-in first).
    path("", RedirectView.as_view(url="/accounts/", permanent=False)),
]

# 403 and 404 use templates/403.html and 404.html; the 500 page renders without context processors.
handler500 = "core.views.server_error"
