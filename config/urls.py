from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "Local services directory"
admin.site.site_title = "Directory admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v3/", include("publish.api.urls")),
    # Until the public finder lands, the portal opens on the directory team's admin.
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
