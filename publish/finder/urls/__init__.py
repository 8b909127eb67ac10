"""The finder's pages, at the root of the site. Each area keeps its own URL module; names share
the `finder` namespace."""

from . import insight, pages, shortlist

app_name = "finder"

urlpatterns = [
    *pages.urlpatterns,
    *shortlist.urlpatterns,
    *insight.urlpatterns,
]
