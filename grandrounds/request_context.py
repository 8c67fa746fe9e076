"""What the current request is, for the records it leaves: its id, client, actor and the role used.

The web kit opens a context for every routed request (grandrounds.web.request_context);
the audit trail (accounts.audit) reads it, so services record who did something without
taking the request as a parameter. Outside a request (the worker, the command line) there
is no context and the trail names the system as the actor.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(slots=True)
class RequestContext:
    request_id: str
    client_address: str = ""
    user_agent: str = ""
    actor_id: int | None = None
    # The role that let the actor through the route's guard ("admin" when only admin did).
    role_used: str = ""
    # Action codes the audit trail wrote in committed transactions of this request, in order,
    # and those written in the transaction still open (they count once it commits).
    audited: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    # Write transactions this request committed: a request that changed nothing needs no audit row.
    commits: int = 0

    def committed(self) -> None:
        """A write transaction of this request committed: its audit rows now exist."""
        self.commits += 1
        self.audited.extend(self.pending)
        self.pending.clear()

    def rolled_back(self) -> None:
        self.pending.clear()


_current: ContextVar[RequestContext | None] = ContextVar("grandrounds_request", default=None)


def current() -> RequestContext | None:
    """The context of the request being served, or None in a background job."""
    return _current.get()


@contextmanager
def opened(context: RequestContext) -> Iterator[RequestContext]:
    """Make ``context`` current for the block (one request, or one command acting for a person)."""
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)
