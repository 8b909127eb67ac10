"""The Django admin is no second door: directory records, hidden services, change requests and
versions can be listed and viewed there but not changed; hiding and showing go through the
workflow (policy and audit log). Taxonomies stay editable: they are reference data."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import AuditAction, AuditEvent
from directory import models as m
from publish.models import HiddenService, PublishedService
from publish.services import services_publish
from tests.auth import sign_in
from tests.factories import LocationFactory, OrganizationFactory, ServiceFactory, UserFactory
from workflow import services as ws
from workflow.models import ChangeRequest, ServiceVersion

pytestmark = pytest.mark.django_db

RECORD_MODELS = [
    m.Organization,
    m.OrganizationIdentifier,
    m.Service,
    m.Location,
    m.Address,
    m.Accessibility,
    m.ServiceAtLocation,
    m.Schedule,
    m.Contact,
    m.Phone,
    m.CostOption,
    m.Language,
    m.ServiceArea,
    m.Funding,
    m.Url,
    m.Attribute,
    m.Metadata,
]
REFERENCE_MODELS = [m.Taxonomy, m.TaxonomyTerm, m.Need, m.Circumstance]
WORKFLOW_MODELS = [ChangeRequest, ServiceVersion, HiddenService, PublishedService]


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def service():
    return ServiceFactory(name="Hull Food Bank")


@pytest.mark.parametrize("model", RECORD_MODELS + WORKFLOW_MODELS, ids=lambda m: m.__name__)
def test_records_and_workflow_rows_cannot_be_added_changed_or_deleted(rf, admin_user, model):
    model_admin = admin.site._registry[model]
    request = rf.get("/admin/")
    request.user = admin_user
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    for inline in model_admin.get_inline_instances(request):
        assert not inline.has_add_permission(request, None)
        assert not inline.has_change_permission(request)
        assert not inline.has_delete_permission(request)


@pytest.mark.parametrize("model", REFERENCE_MODELS, ids=lambda m: m.__name__)
def test_taxonomies_and_needs_stay_editable(rf, admin_user, model):
    model_admin = admin.site._registry[model]
    request = rf.get("/admin/")
    request.user = admin_user
    assert model_admin.has_add_permission(request)
    assert model_admin.has_change_permission(request)


def test_every_directory_model_in_the_admin_is_either_a_record_or_reference_data():
    registered = {model for model in admin.site._registry if model._meta.app_label == "directory"}
    assert registered == set(RECORD_MODELS) | set(REFERENCE_MODELS)


def test_a_service_is_listed_and_viewed_with_a_link_to_its_staff_page(admin_client, service):
    m.Contact.objects.create(service=service, name="Front desk")
    listing = admin_client.get(admin_url(m.Service, "changelist"))
    assert listing.status_code == 200
    assert "Hull Food Bank" in listing.content.decode()
    assert "Directory records are read-only here" in listing.content.decode()

    page = admin_client.get(admin_url(m.Service, "change", service.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Directory records are read-only here" in html
    assert f'href="/staff/services/{service.pk}/"' in html
    assert 'name="_save"' not in html
    assert "Front desk" in html  # the nested records show, read-only


def test_a_nested_record_links_to_the_staff_page_of_its_service(admin_client, service):
    contact = m.Contact.objects.create(service=service, name="Front desk")
    page = admin_client.get(admin_url(m.Contact, "change", contact.pk))
    assert f'href="/staff/services/{service.pk}/"' in page.content.decode()
    organization = OrganizationFactory()
    page = admin_client.get(admin_url(m.Organization, "change", organization.pk))
    assert f'href="/staff/organisations/{organization.pk}/"' in page.content.decode()
    location = LocationFactory()
    page = admin_client.get(admin_url(m.Location, "change", location.pk))
    assert page.status_code == 200
    assert 'href="/staff/services/"' in page.content.decode()


def test_posting_a_change_to_a_record_through_the_admin_changes_nothing(admin_client, service):
    url = admin_url(m.Service, "change", service.pk)
    response = admin_client.post(url, {"name": "Renamed", "status": "active"})
    assert response.status_code == 403
    assert admin_client.post(admin_url(m.Service, "add"), {"name": "New"}).status_code == 403
    deleted = admin_client.post(admin_url(m.Service, "delete", service.pk), {"post": "yes"})
    assert deleted.status_code == 403
    service.refresh_from_db()
    assert service.name == "Hull Food Bank"
    assert m.Service.objects.count() == 1


def test_bulk_delete_is_not_offered_for_records(admin_client, service):
    response = admin_client.post(
        admin_url(m.Service, "changelist"),
        {"action": "delete_selected", "_selected_action": [service.pk], "post": "yes"},
    )
    assert m.Service.objects.filter(pk=service.pk).exists()
    assert response.status_code in (200, 302)


def test_a_taxonomy_term_can_still_be_edited(admin_client):
    assert admin_client.get(admin_url(m.Taxonomy, "add")).status_code == 200
    assert admin_client.get(admin_url(m.TaxonomyTerm, "add")).status_code == 200


def test_hidden_services_cannot_be_added_from_the_admin(admin_client, service):
    response = admin_client.post(
        admin_url(HiddenService, "add"), {"service": service.pk, "reason": "Unsafe"}
    )
    assert response.status_code == 403
    assert not HiddenService.objects.exists()


def test_showing_a_hidden_service_from_the_admin_goes_through_the_workflow(
    admin_client, admin_user
):
    service = ServiceFactory()
    ws.service_hide(actor=admin_user, service=service, reason="Safeguarding concern")
    hidden = HiddenService.objects.get(service=service)
    listing = admin_client.get(admin_url(HiddenService, "changelist"))
    assert "Safeguarding concern" in listing.content.decode()

    response = admin_client.post(
        admin_url(HiddenService, "changelist"),
        {"action": "show_again", "_selected_action": [hidden.pk]},
        follow=True,
    )
    assert "1 service(s) shown again" in response.content.decode()
    assert not HiddenService.objects.exists()
    shown = AuditEvent.objects.get(action=AuditAction.SERVICE_SHOWN)
    assert shown.actor == admin_user


def test_a_staff_member_the_policy_refuses_cannot_show_a_service(client, admin_user):
    service = ServiceFactory()
    services_publish(service_ids=[service.pk])
    ws.service_hide(actor=admin_user, service=service, reason="Safeguarding concern")
    hidden = HiddenService.objects.get(service=service)
    # Django's own permission to look at the list, but no PUBLISH right in the policy.
    support = UserFactory(email="support@example.org", is_staff=True)
    support.user_permissions.add(Permission.objects.get(codename="view_hiddenservice"))
    sign_in(client, support)
    before = AuditEvent.objects.count()

    response = client.post(
        admin_url(HiddenService, "changelist"),
        {"action": "show_again", "_selected_action": [hidden.pk]},
        follow=True,
    )
    assert f"You may not show: {service.name}" in response.content.decode()
    assert HiddenService.objects.filter(pk=hidden.pk).exists()
    assert not PublishedService.objects.filter(pk=service.pk).exists()
    assert AuditEvent.objects.count() == before


def test_change_requests_and_versions_are_listed_and_viewed(admin_client, admin_user):
    service = ServiceFactory()
    change = ws.report_create(service=service, part="closed", email="sam@example.net")
    version = ws.service_reassure(actor=admin_user, service=service)
    for model, pk in ((ChangeRequest, change.pk), (ServiceVersion, version.pk)):
        assert admin_client.get(admin_url(model, "changelist")).status_code == 200
        page = admin_client.get(admin_url(model, "change", pk))
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode()


def _hide_from_the_admin(client, service, **data):
    return client.post(
        admin_url(PublishedService, "changelist"),
        {"action": "hide_from_feeds", "_selected_action": [service.pk], **data},
        follow=True,
    )


def test_hiding_from_the_admin_asks_why_then_goes_through_the_workflow(admin_client, admin_user):
    service = ServiceFactory(name="Hull Food Bank")
    services_publish(service_ids=[service.pk])
    asked = _hide_from_the_admin(admin_client, service)
    assert "Why are they hidden?" in asked.content.decode()
    blank = _hide_from_the_admin(admin_client, service, apply="Hide services", reason=" ")
    assert "Enter why the services are hidden" in blank.content.decode()
    assert not HiddenService.objects.exists()

    done = _hide_from_the_admin(admin_client, service, apply="Hide services", reason="Unsafe")
    assert "1 service(s) hidden" in done.content.decode()
    assert HiddenService.objects.get().reason == "Unsafe"
    assert not PublishedService.objects.filter(pk=service.pk).exists()
    event = AuditEvent.objects.get(action=AuditAction.SERVICE_HIDDEN)
    assert (event.actor, event.detail["reason"]) == (admin_user, "Unsafe")


def test_a_staff_member_the_policy_refuses_cannot_hide_a_service(client):
    service = ServiceFactory(name="Hull Food Bank")
    services_publish(service_ids=[service.pk])
    support = UserFactory(email="support@example.org", is_staff=True)
    support.user_permissions.add(Permission.objects.get(codename="view_publishedservice"))
    sign_in(client, support)
    response = _hide_from_the_admin(client, service, apply="Hide services", reason="Unsafe")
    assert "You may not hide: Hull Food Bank" in response.content.decode()
    assert not HiddenService.objects.exists()
    assert PublishedService.objects.filter(pk=service.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.SERVICE_HIDDEN).exists()
