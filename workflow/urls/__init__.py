"""The workflow's pages: staff pages under /staff/, and the public "report a problem" form.

Each area keeps its own URL module; names share the `workflow` namespace.
"""

from workflow.tagging import legacy_urls

from . import assurance, editing, records, reports, reviews

app_name = "workflow"

urlpatterns = [
    *records.urlpatterns,
    *editing.urlpatterns,
    *assurance.urlpatterns,
    *reports.urlpatterns,
    *reviews.urlpatterns,
    *legacy_urls.urlpatterns,
]
