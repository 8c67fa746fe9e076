"""Staff pages for managing an event: edit and cancel it, its sessions and tracks, speakers, tickets.

Reached from /staff/events/{id}. Only staff of the event's program and
admins get in (another program's event is 403, an unknown one 404, a
signed-out visitor goes to sign-in). Every form posts back with its CSRF
field; a good one redirects (Post/Redirect/Get) with a notice named in the
query string, a bad one shows the form again with what was typed and the
message, having written nothing. Every change goes through the events
services, which queue the emails and calendar updates it causes.
"""

from __future__ import annotations

from events.pages.staff_manage.event import EventManagePages
from events.pages.staff_manage.schedule import SchedulePages
from events.pages.staff_manage.session_speakers import SpeakerPages
from events.pages.staff_manage.tickets import TicketPages

CONTROLLERS = [EventManagePages, SchedulePages, SpeakerPages, TicketPages]
