from __future__ import annotations

import pytest
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from accounts.api import PolicyPermission
from accounts.policy import Action
from directory.models import Service
from tests.accounts.matrix import build_world


class ServiceActionView(APIView):
    """A stand-in for an API endpoint that changes a service."""

    permission_classes = [PolicyPermission]
    policy_actions = {"POST": Action.SUGGEST, "PATCH": Action.EDIT, "DELETE": Action.PUBLISH}

    def get(self, request, pk):
        return Response({"ok": True})

    def post(self, request, pk):
        self.check_object_permissions(request, Service.objects.get(pk=pk))
        return Response({"ok": True}, status=201)

    def patch(self, request, pk):
        service = Service.objects.get(pk=pk)
        self.check_object_permissions(request, service)
        service.name = request.data["name"]
        service.save()
        return Response({"ok": True})

    def delete(self, request, pk):
        self.check_object_permissions(request, Service.objects.get(pk=pk))
        return Response(status=204)


class UnnamedActionView(APIView):
    permission_classes = [PolicyPermission]

    def put(self, request):
        return Response({"ok": True})


@pytest.fixture
def world(db):
    return build_world()


def call(method, user, view=ServiceActionView, **kwargs):
    request = getattr(APIRequestFactory(), method)(
        "/api/x/", kwargs.pop("data", None), format="json"
    )
    if user is not None and user.is_authenticated:
        force_authenticate(request, user=user)
    return view.as_view()(request, **kwargs)


def test_reading_is_left_to_the_view(world):
    assert call("get", world.user("anonymous"), pk=world.services["own"].pk).status_code == 200


def test_a_provider_editor_may_change_their_own_service(world):
    own = world.services["own"]
    response = call("patch", world.user("provider_editor"), pk=own.pk, data={"name": "New name"})
    assert response.status_code == 200
    own.refresh_from_db()
    assert own.name == "New name"


def test_a_provider_editor_is_refused_another_partners_service_with_403_json(world):
    other = world.services["other"]
    response = call("patch", world.user("provider_editor"), pk=other.pk, data={"name": "Hacked"})
    response.render()
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert response.data == {"detail": "You do not have permission to do that."}
    other.refresh_from_db()
    assert other.name == "Other service"


@pytest.mark.parametrize("role", ["anonymous", "signed_in", "assurer"])
def test_suggesting_is_refused_to_all_but_frontline_workers_and_admins(world, role):
    response = call("post", world.user(role), pk=world.services["own"].pk)
    assert response.status_code == 403


def test_a_frontline_worker_may_suggest_and_not_publish(world):
    worker = world.user("frontline_worker")
    assert call("post", worker, pk=world.services["other"].pk).status_code == 201
    assert call("delete", worker, pk=world.services["other"].pk).status_code == 403
    assert (
        call("delete", world.user("directory_admin"), pk=world.services["other"].pk).status_code
        == 204
    )


def test_a_method_that_names_no_action_is_refused(world):
    assert call("put", world.user("directory_admin"), view=UnnamedActionView).status_code == 403
