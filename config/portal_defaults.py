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
# Two-factor set-up without a device needs more than a password (accounts.two_factor): an
# admin-issued set-up link works once for this many hours; the proof a set-up link, an invitation
# or a password-reset link leaves in the browser's session lasts this many minutes.
PORTAL_TWO_FACTOR_LINK_HOURS = 72
PORTAL_TWO_FACTOR_PROOF_MINUTES = 60
# One-time recovery codes made at two-factor set-up (and when the person asks for new ones).
PORTAL_RECOVERY_CODE_COUNT = 10
# The tagging assistant's similarity index holds at most this many assured services (the most
# recently changed), so building it stays bounded on a very large directory.
PORTAL_TAGGING_INDEX_LIMIT = 20000
# More service types than this on one service draws the over-classification warning.
PORTAL_TAGGING_MAX_SERVICE_TYPES = 3
# Legacy classification uploads (workflow.tagging.legacy): the largest CSV file accepted, and the
# most categories in one file; the mapping page shows this many categories a page.
PORTAL_LEGACY_CSV_MAX_BYTES = 1_000_000
PORTAL_LEGACY_CSV_MAX_ROWS = 5000
PORTAL_LEGACY_CATEGORIES_PER_PAGE = 50
# The largest ORUK file a directory admin may import from the staff pages (bytes). It is kept
# in the database, compressed, until its import has run.
PORTAL_IMPORT_MAX_BYTES = 100_000_000
# Data quality (workflow.quality): a richness score below this is "low" on the dashboard.
PORTAL_QUALITY_LOW_SCORE = 50
# Link checks: at most this many requests to one host a minute; timeout of each request
# (seconds); links checked per run (hourly); broken links are checked again after this many
# days, working ones after this many. The User-Agent names the portal and PORTAL_BASE_URL.
PORTAL_LINK_CHECK_PER_HOST_PER_MINUTE = 6
PORTAL_LINK_CHECK_TIMEOUT_SECONDS = 10
PORTAL_LINK_CHECK_BATCH = 200
PORTAL_LINK_RECHECK_BROKEN_DAYS = 1
PORTAL_LINK_RECHECK_OK_DAYS = 7
# A review reminder's one-click "still accurate" link (workflow.review_services) works once,
# for this many days after the reminder was sent.
PORTAL_STILL_ACCURATE_LINK_DAYS = 30
