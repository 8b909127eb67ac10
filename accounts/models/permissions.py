"""Per-service permission rows, with a real foreign key to the service.

django-guardian's generic tables key objects by a text `object_pk` and content type; direct
foreign keys make lookups plain joins and let rows cascade when a service is deleted (see
django-guardian's docs/userguide/performance). Guardian finds these models by their
`content_object` field, so `get_objects_for_user`, `assign_perm` and `ObjectPermissionChecker`
use them for `Service` automatically.
"""

from __future__ import annotations

from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from directory.models import Service

# The object permissions the allocation keeps in step (codenames on directory.Service).
CHANGE = "change_service"
VIEW_DRAFT = "view_draft_service"
SUBMIT = "submit_service"
ASSURE = "assure_service"
SUGGEST = "suggest_service"
DERIVED_CODENAMES = (CHANGE, VIEW_DRAFT, SUBMIT, ASSURE)


class ServiceUserObjectPermission(UserObjectPermissionBase):
    """A permission on one service granted to one person (not used by the allocation)."""

    content_object = models.ForeignKey(Service, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "service permission of a user"


class ServiceGroupObjectPermission(GroupObjectPermissionBase):
    """A permission on one service granted to a group, normally a partner's role group."""

    content_object = models.ForeignKey(Service, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = "service permission of a group"
