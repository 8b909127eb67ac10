"""Finder URLs: the shortlist (with printing, email and a service's calendar) and needs-based
finding."""

from django.urls import path

from publish.finder.views import needs, shortlist

urlpatterns = [
    path("shortlist/", shortlist.ShortlistView.as_view(), name="shortlist"),
    path("shortlist/add/", shortlist.ShortlistAddView.as_view(), name="shortlist-add"),
    path("shortlist/remove/", shortlist.ShortlistRemoveView.as_view(), name="shortlist-remove"),
    path("shortlist/clear/", shortlist.ShortlistClearView.as_view(), name="shortlist-clear"),
    path("shortlist/print/", shortlist.ShortlistPrintView.as_view(), name="shortlist-print"),
    path("shortlist/email/", shortlist.ShortlistEmailView.as_view(), name="shortlist-email"),
    path(
        "services/<uuid:pk>/calendar.ics",
        shortlist.ServiceCalendarView.as_view(),
        name="service-calendar",
    ),
    path("needs/", needs.NeedsView.as_view(), name="needs"),
    path("needs/personas/", needs.PersonaListView.as_view(), name="needs-personas"),
]
