"""Two people change the same thing: the later save over an older form is refused with both
versions shown, and starting again from what is saved works (core.concurrency)."""

from __future__ import annotations

from accounts.models import Membership, Partner, Role, User
from accounts.services import membership_set_roles
from tests.system.people import open_partner_as_its_admin

MEMBER = "assurer@people.test"


def test_a_stale_roles_form_shows_both_versions_and_starts_again(open_portal, world):
    admin = open_partner_as_its_admin(open_portal(), world.password)
    partner = Partner.objects.get(name="Hull CVS (demo)")
    member = User.objects.get(email=MEMBER)
    admin.follow(f"Change roles of {MEMBER}")
    admin.choose("Frontline worker")

    # Meanwhile a directory admin makes them a provider editor too.
    membership_set_roles(
        partner=partner,
        user=member,
        roles=[Role.ASSURER, Role.PROVIDER_EDITOR],
        actor=User.objects.get(email="admin@people.test"),
    )
    admin.press("Save roles")

    assert admin.heading().endswith("Someone else changed this while you were editing it")
    admin.sees("Nothing you sent has been saved")
    admin.row("Provider editor").get_by_text("Different").wait_for()
    assert set(Membership.objects.filter(user=member).values_list("role", flat=True)) == {
        Role.ASSURER,
        Role.PROVIDER_EDITOR,
    }

    admin.follow("Start again from what is saved now")
    admin.choose("Frontline worker")
    admin.press("Save roles")
    admin.sees(f"The roles of {MEMBER} have been saved")
    assert set(Membership.objects.filter(user=member).values_list("role", flat=True)) == {
        Role.FRONTLINE_WORKER,
        Role.ASSURER,
        Role.PROVIDER_EDITOR,
    }
