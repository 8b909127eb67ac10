"""Defaults for the portal's own PORTAL_* / ORUK_* settings, in one place."""

PORTAL_NAME = "Find local services"
# Where the published ORUK 3.0 files are fetched from when ORUK_SCHEMA_DIR is absent.
ORUK_SPEC_BASE_URL = "https://openreferraluk.org/specifications/3.0/"
# The ORUK version string the official validator parses (see shared/oruk/README.md).
ORUK_VERSION = "HSDS-UK-3.0"
ORUK_PROFILE_URL = "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md"
# Addresses written without a country are in the UK.
PORTAL_DEFAULT_COUNTRY = "GB"
PORTAL_DEFAULT_STATE_PROVINCE = "England"
# The ORUK API's page sizes (README, "The ORUK 3.0 API").
PORTAL_API_PER_PAGE = 50
PORTAL_API_MAX_PER_PAGE = 1000
PORTAL_API_PER_PAGE_MINIMAL = 1000
PORTAL_API_MAX_PER_PAGE_MINIMAL = 10000
# How long clients and caches may reuse an API answer before asking again (seconds).
PORTAL_API_MAX_AGE = 300
# Two-factor authentication is required of assurers, partner admins and directory admins (and of
# anyone who has set it up). Demo accounts (@demo.example) are let off while DEBUG is on.
PORTAL_REQUIRE_2FA = True
# Rows per page of the staff lists (partners' services, unallocated services, audit log).
PORTAL_STAFF_PER_PAGE = 50
# A service is due for its next review (re-assurance) this many days after its assured date.
PORTAL_REVIEW_INTERVAL_DAYS = 90
# Emails anyone can make the portal send (password-reset links, invitations) are limited per
# address and per client address, per hour (accounts.throttle): (per address, per client).
PORTAL_RESET_EMAILS_PER_HOUR = (3, 10)
PORTAL_INVITATIONS_PER_HOUR = (5, 50)
# Reports of a problem with a public listing (workflow.views.reports), per hour: (per email
# address left on the form, per client address). Anyone can send them, signed in or not.
PORTAL_REPORTS_PER_HOUR = (5, 20)
# Shortlists emailed from the finder (publish.finder.shortlist), per hour: (per recipient
# address, per client address).
PORTAL_SHORTLIST_EMAILS_PER_HOUR = (5, 30)
# Search records (publish.finder.insight) older than this many months are deleted each night.
PORTAL_SEARCH_RECORD_MONTHS = 25
