from __future__ import annotations

import pytest

from accounts.models import Role
from accounts.policy import Action, objects_user_can, prefetch, user_can, users_who_can
from accounts.services import allocation_recompute_all
from directory.models import Organization, Service
from tests.accounts.matrix import Case, build_world, cases
from tests.factories import MembershipFactory, ServiceFactory, UserFactory

CASES = list(cases())


@pytest.fixture
def world(db):
    return build_world()


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_user_can_follows_the_matrix(world, case: Case):
    assert user_can(world.user(case.role), case.action, world.target(case)) is case.expected


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_objects_user_can_follows_the_matrix(world, case: Case):
    allowed = objects_user_can(world.user(case.role), case.action, world.queryset(case))
    target = world.target(case)
    if target is None:
        assert allowed.exists() is case.expected
    else:
        assert allowed.filter(pk=target.pk).exists() is case.expected


def test_the_matrix_covers_every_role_action_and_scope():
    assert len(CASES) == 8 * (6 * 3 + 2 + 8)


def test_actions_are_accepted_by_value(world):
    assert user_can(world.user("assurer"), "assure", world.services["own"])


def test_an_inactive_user_can_do_nothing(world):
    admin = world.user("directory_admin")
    admin.is_active = False
    assert not user_can(admin, Action.PUBLISH, world.services["own"])
    assert not objects_user_can(admin, Action.EDIT, Service.objects.all()).exists()


def test_members_of_an_inactive_partner_lose_their_partner_rights(world):
    world.partners["own"].is_active = False
    world.partners["own"].save()
    worker = world.user("frontline_worker")
    admin_of_partner = world.user("partner_admin")
    assert not user_can(worker, Action.SUGGEST, world.services["other"])
    assert not user_can(admin_of_partner, Action.MANAGE_MEMBERS, world.partners["own"])


def test_a_superuser_counts_as_a_directory_admin(world):
    superuser = UserFactory(is_superuser=True)
    assert user_can(superuser, Action.MANAGE_RULES)
    assert objects_user_can(superuser, Action.ASSURE, Service.objects.all()).count() == 4


def test_asking_about_some_record_gates_menus(world):
    assert user_can(world.user("assurer"), Action.ASSURE)
    assert not user_can(world.user("provider_editor"), Action.ASSURE)
    assert user_can(world.user("self_assuring_provider_editor"), Action.ASSURE)
    assert user_can(world.user("provider_editor"), Action.SUBMIT)
    assert not user_can(world.user("assurer"), Action.SUBMIT)
    assert user_can(world.user("frontline_worker"), Action.SUGGEST)
    assert user_can(world.user("partner_admin"), Action.MANAGE_MEMBERS)
    assert not user_can(world.user("signed_in"), Action.EDIT)


def test_provider_editors_may_create_services_for_their_own_organisations_only(world):
    own_org, other_org, _ = world.extra["orgs"]
    editor = world.user("provider_editor")
    assert user_can(editor, Action.EDIT, own_org)
    assert user_can(editor, Action.EDIT, Service(organization=own_org))
    assert not user_can(editor, Action.EDIT, Service(organization=other_org))
    assert not user_can(world.user("assurer"), Action.EDIT, own_org)
    assert list(objects_user_can(editor, Action.EDIT, Organization.objects.all())) == [own_org]


def test_a_question_about_the_wrong_kind_of_object_is_a_programming_error(world):
    with pytest.raises(TypeError):
        user_can(world.user("partner_admin"), Action.MANAGE_MEMBERS, world.services["own"])
    with pytest.raises(TypeError):
        user_can(world.user("assurer"), Action.ASSURE, world.partners["own"])


def test_users_who_can_assure_are_the_allocated_partners_assurers(world):
    second = MembershipFactory(partner=world.partners["own"], role=Role.ASSURER).user
    assert set(users_who_can(Action.ASSURE, world.services["own"])) == {
        world.user("assurer"),
        second,
    }
    assert not users_who_can(Action.ASSURE, world.services["unallocated"]).exists()
    assert set(
        users_who_can(Action.ASSURE, world.services["unallocated"], include_directory_admins=True)
    ) == {world.user("directory_admin")}


def test_users_who_can_edit_include_provider_editors_and_assurers(world):
    assert set(users_who_can(Action.EDIT, world.services["own"])) == {
        world.user("assurer"),
        world.user("provider_editor"),
    }
    assert set(users_who_can(Action.ASSURE, world.services["self_assured"])) == {
        world.user("self_assuring_provider_editor")
    }


def test_users_who_can_leave_out_inactive_people(world):
    assurer = world.user("assurer")
    assurer.is_active = False
    assurer.save()
    assert not users_who_can(Action.ASSURE, world.services["own"]).exists()


def test_users_who_can_for_partner_and_site_actions(world):
    assert list(users_who_can(Action.MANAGE_MEMBERS, world.partners["own"])) == [
        world.user("partner_admin")
    ]
    assert list(users_who_can(Action.SUGGEST, world.services["other"])) == [
        world.user("frontline_worker")
    ]
    assert list(users_who_can(Action.MANAGE_RULES)) == [world.user("directory_admin")]


def test_answers_are_cached_for_the_request(world, django_assert_num_queries):
    assurer = world.user("assurer")
    service = world.services["own"]
    assert user_can(assurer, Action.ASSURE, service)
    with django_assert_num_queries(0):
        assert user_can(assurer, Action.EDIT, service)
        assert user_can(assurer, Action.VIEW_DRAFT, service)
        assert not user_can(assurer, Action.SUBMIT, service)


@pytest.mark.parametrize("rows", [5, 40])
def test_objects_user_can_costs_the_same_whatever_the_rows(
    world, rows, django_assert_max_num_queries
):
    own_org = world.extra["orgs"][0]
    ServiceFactory.create_batch(rows, organization=own_org)
    allocation_recompute_all()
    editor = UserFactory()
    MembershipFactory(user=editor, partner=world.partners["own"], role=Role.PROVIDER_EDITOR)
    # Guardian looks the permission's content type up once per process (and caches it): warm
    # that cache, so the count does not depend on which test ran first in this process.
    list(objects_user_can(UserFactory(), Action.EDIT, Service.objects.none()))
    with django_assert_max_num_queries(2):
        services = list(objects_user_can(editor, Action.EDIT, Service.objects.all()))
    assert len(services) == rows + 1


@pytest.mark.parametrize("rows", [5, 40])
def test_a_list_page_asking_per_row_makes_no_query_per_row(
    world, rows, django_assert_max_num_queries
):
    own_org = world.extra["orgs"][0]
    ServiceFactory.create_batch(rows, organization=own_org)
    allocation_recompute_all()
    editor = UserFactory()
    MembershipFactory(user=editor, partner=world.partners["own"], role=Role.PROVIDER_EDITOR)
    with django_assert_max_num_queries(4):
        services = list(Service.objects.all())
        prefetch(editor, services)
        answers = [user_can(editor, Action.EDIT, service) for service in services]
    assert sum(answers) == rows + 1


def test_a_second_partner_running_an_organisation_edits_its_services_too(world):
    own_org = world.extra["orgs"][0]
    world.partners["other"].organizations.add(own_org)
    allocation_recompute_all()
    editor = MembershipFactory(partner=world.partners["other"], role=Role.PROVIDER_EDITOR).user
    assert user_can(editor, Action.EDIT, world.services["own"])
