"""Tables of the library package: items, their topic tags, and cohort prerequisites.

Composite uniqueness (one tag per item and word, one prerequisite per cohort
and item) lives in a raw index migration, because SQLite rejects the ALTER
statements Piccolo would generate for it.
"""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.tables import Person
from events.tables import Event
from programs.tables import Cohort


class LibraryItem(Table, tablename="library_item"):
    """A white paper, guide, policy template, recorded webinar or video, written for one audience.

    ``audience`` decides who reads the content (``body`` and every URL):
    public and guest_sample items are open to everyone, members_only items to
    members and staff; everyone else sees the title and summary with an
    invitation to join. Only published items are listed outside the staff pages.
    """

    id: Serial  # added by Piccolo; declared for type checkers
    kind = Varchar(length=20)  # white_paper, guide, policy_template, recorded_webinar, video
    title = Varchar(length=200)
    summary = Text(default="")
    body = Text(default="")
    link_url = Varchar(length=500, default="")  # the document or the video
    recording_url = Varchar(length=500, default="")  # recorded webinars
    slides_url = Varchar(length=500, default="")  # recorded webinars, optional
    # The event a recorded webinar was recorded at, for the link back.
    event = ForeignKey(references=Event, null=True, index=True)
    audience = Varchar(length=16)  # public, guest_sample, members_only
    author_name = Varchar(length=200, default="")
    author = ForeignKey(references=Person, null=True)  # when the author has an account
    status = Varchar(length=16, default="draft")  # draft, published
    published_at = Timestamptz(null=True, default=None)
    created_by = ForeignKey(references=Person, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_by = ForeignKey(references=Person, null=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class LibraryItemTag(Table, tablename="library_item_tag"):
    """One topic tag of an item, lower-cased, so filtering by tag is an exact match on an index."""

    id: Serial  # added by Piccolo; declared for type checkers
    item = ForeignKey(references=LibraryItem, null=False)
    tag = Varchar(length=40, index=True)


class CohortPrerequisite(Table, tablename="library_cohort_prerequisite"):
    """A library item a cohort's learners should read or watch first, in the order staff chose."""

    id: Serial  # added by Piccolo; declared for type checkers
    cohort = ForeignKey(references=Cohort, null=False, index=True)
    item = ForeignKey(references=LibraryItem, null=False)
    position = Integer(default=0)
    added_by = ForeignKey(references=Person, null=True)
    added_at = Timestamptz(default=TimestamptzNow())
