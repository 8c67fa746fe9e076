"""People, organizations, roles, sign-in sessions and API tokens."""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Person(Table, tablename="accounts_person"):
    """Someone with an account. Email is stored lower-cased so uniqueness ignores case."""

    id: Serial  # added by Piccolo; declared for type checkers

    email = Varchar(length=254, unique=True, index=True)
    name = Varchar(length=200)
    degree = Varchar(length=20, default="")
    time_zone = Varchar(length=64, default="UTC")
    password_hash = Varchar(length=255)
    is_active = Boolean(default=True)
    # Set once the person proved they read this mailbox; until then nothing is
    # matched to them by email alone (speaker invitations, for one).
    email_verified_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class RoleGrant(Table, tablename="accounts_role_grant"):
    """One grant of a role to a person, kept after it is revoked: the history of who held what.

    A grant is open while ``revoked_at`` is null; (person, role) is unique among open
    grants (see migration), so a role revoked and granted again is two rows.
    """

    id: Serial  # added by Piccolo; declared for type checkers

    person = ForeignKey(references=Person, null=False)
    role = Varchar(length=32)
    granted_by = ForeignKey(references=Person, null=True)
    granted_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
    revoked_by = Integer(null=True, default=None)


class Organization(Table, tablename="accounts_organization"):
    id: Serial  # added by Piccolo; declared for type checkers
    name = Varchar(length=200, unique=True)
    leader = ForeignKey(references=Person, null=True)
    created_at = Timestamptz(default=TimestamptzNow())


class OrganizationMember(Table, tablename="accounts_organization_member"):
    """A colleague who belongs to an organization; (organization, person) is unique."""

    id: Serial  # added by Piccolo; declared for type checkers

    organization = ForeignKey(references=Organization, null=False)
    person = ForeignKey(references=Person, null=False)
    added_at = Timestamptz(default=TimestamptzNow())


class SignInSession(Table, tablename="accounts_session"):
    """A browser session. Only the SHA-256 of the cookie value is stored."""

    id: Serial  # added by Piccolo; declared for type checkers

    person = ForeignKey(references=Person, null=False)
    token_hash = Varchar(length=64, unique=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


class ApiToken(Table, tablename="accounts_api_token"):
    """A personal API token. The secret is shown once; only its SHA-256 is kept."""

    id: Serial  # added by Piccolo; declared for type checkers

    person = ForeignKey(references=Person, null=False)
    name = Varchar(length=100)
    prefix = Varchar(length=12)
    token_hash = Varchar(length=64, unique=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class OrganizationInvitation(Table, tablename="accounts_organization_invitation"):
    """A leader's invitation to an address: the person joins only by accepting it, signed in.

    The emailed link carries a random token; only its SHA-256 is kept. The
    address is the one the leader typed; who accepted is ``accepted_by``.
    """

    id: Serial  # added by Piccolo; declared for type checkers

    organization = ForeignKey(references=Organization, null=False)
    email = Varchar(length=254)
    token_hash = Varchar(length=64, unique=True, index=True)
    invited_by = ForeignKey(references=Person, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    accepted_at = Timestamptz(null=True, default=None)
    accepted_by = ForeignKey(references=Person, null=True)


class SignInFailure(Table, tablename="accounts_sign_in_failure"):
    """A failed sign-in, kept for an hour to slow guessing per client address and per account.

    ``client_hash`` is a keyed hash of the client's address (accounts.services.throttle):
    enough to count, useless to someone reading the table.
    """

    id: Serial  # added by Piccolo; declared for type checkers

    email = Varchar(length=254, index=True)
    client_hash = Varchar(length=64, default="", index=True)
    at = Timestamptz(default=TimestamptzNow())


class ClientAttempt(Table, tablename="accounts_client_attempt"):
    """One counted request from a client address (a sign-up, a password link asked for).

    The limits per client count these rows, so they hold across processes.
    """

    id: Serial  # added by Piccolo; declared for type checkers

    action = Varchar(length=32)
    client_hash = Varchar(length=64)
    at = Timestamptz(default=TimestamptzNow())


class PasswordResetRequest(Table, tablename="accounts_reset_request"):
    """Someone asked for a password link for ``email``; the dispatcher's chore answers it.

    The request path only writes this row, for any address, so it does the same
    work whether or not the address has an account. The chore looks the address
    up, makes the link and queues the mail, then blanks the address.
    """

    id: Serial  # added by Piccolo; declared for type checkers

    email = Varchar(length=254, default="")
    requested_at = Timestamptz(default=TimestamptzNow())
    handled_at = Timestamptz(null=True, default=None)


class Program(Table, tablename="accounts_program"):
    """A line of work the network runs: a residency, a fellows ladder, a webinar series, a conference.

    It lives here, beside roles, because it is the scope of the program-staff
    role: events and cohorts both ask "does this person run this program?",
    and accounts is the one package both may import.
    """

    id: Serial  # added by Piccolo; declared for type checkers

    slug = Varchar(length=60, unique=True)
    name = Varchar(length=200)
    kind = Varchar(length=20)  # residency, fellows, webinar_series, conference, workshop
    description = Text(default="")
    # Where participants write to the program: the ORGANIZER of its calendar invites.
    contact_email = Varchar(length=254, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class ProgramStaff(Table, tablename="accounts_program_staff"):
    """A program-staff person assigned to one program; (program, person) is unique."""

    id: Serial  # added by Piccolo; declared for type checkers

    program = ForeignKey(references=Program, null=False)
    person = ForeignKey(references=Person, null=False)
    added_at = Timestamptz(default=TimestamptzNow())


class PasswordReset(Table, tablename="accounts_password_reset"):
    """A one-time, short-lived link to choose a new password; only the token's SHA-256 is kept."""

    id: Serial  # added by Piccolo; declared for type checkers

    person = ForeignKey(references=Person, null=False)
    token_hash = Varchar(length=64, unique=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class TwoFactor(Table, tablename="accounts_two_factor"):
    """A person's TOTP authenticator (RFC 6238). One per person; confirmed once a code proved it.

    The shared secret must be readable to check codes, so it is sealed (Fernet,
    keyed from the site's secret key) rather than hashed: a copy of the database
    alone does not yield anyone's second factor.
    """

    id: Serial  # added by Piccolo; declared for type checkers

    person = ForeignKey(references=Person, null=False, unique=True)
    secret_sealed = Text()
    confirmed_at = Timestamptz(null=True, default=None)
    # The last 30-second step a code was accepted for: a code works once.
    last_step = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())


class RecoveryCode(Table, tablename="accounts_recovery_code"):
    """A one-time code for when the authenticator is lost. Only its SHA-256 is kept."""

    id: Serial  # added by Piccolo; declared for type checkers

    person = ForeignKey(references=Person, null=False, index=True)
    code_hash = Varchar(length=64)
    used_at = Timestamptz(null=True, default=None)


class SignInChallenge(Table, tablename="accounts_sign_in_challenge"):
    """A password already checked, waiting for the second factor: short-lived, few attempts.

    The browser holds the secret in a cookie; only its SHA-256 is kept here, in the
    database so that any API process can finish the sign-in another one began.
    """

    id: Serial  # added by Piccolo; declared for type checkers

    person = ForeignKey(references=Person, null=False)
    token_hash = Varchar(length=64, unique=True, index=True)
    expires_at = Timestamptz()
    attempts = Integer(default=0)
