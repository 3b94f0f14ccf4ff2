"""Residents' requests on the home page (core.kit.HomeSection): a handler's queue, a department's
whistles to report in for, a mediator's disputes. Reads only, through this app's selectors, a few
queries each: the lists are the same the queue, department and mediator pages show."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jiceng.core.models import Org
from jiceng.core.scoping import has_perm_anywhere

from . import selectors
from .models import OPEN_STATES
from .plugin import ENTER_CASE
from .views import case_rows, whistle_row

LIST_LIMIT = 5  # the most urgent few; the link opens the whole list


def _place_filter(org: Org) -> dict:
    """A grant's section covers the cases placed under its organisation's area (a user with two
    grants gets two sections, each with its own cases)."""
    return {"area": org.area} if org.area_id else {}


def handler(actor, org: Org, today: dt.date) -> dict | None:
    """The handler's queue where this grant handles (most urgent first), and the open cases in
    its scope past their time limit."""
    f = _place_filter(org)
    queue = selectors.queue(actor, f)
    urgent = list(queue[:LIST_LIMIT])
    n_queue = len(urgent) if len(urgent) < LIST_LIMIT else queue.count()
    overdue = selectors.overdue(actor)
    if f:
        overdue = overdue.filter(area__path__startswith=org.area.path)
    n_overdue = overdue.count()
    if not n_queue and not n_overdue:
        return None
    return {
        "n_queue": n_queue,
        "urgent": case_rows(urgent, timezone.now()),
        "n_overdue": n_overdue,
        "can_enter": has_perm_anywhere(actor, ENTER_CASE),
    }


def department(actor, org: Org, today: dt.date) -> dict | None:
    """The whistles the actor's department must still report in for, and its open cases."""
    now = timezone.now()
    waiting = selectors.whistles_waiting(actor)
    first = list(waiting[:LIST_LIMIT])
    n_waiting = len(first) if len(first) < LIST_LIMIT else waiting.count()
    n_open = selectors.department_cases(actor).count()
    # the department's home is this section: "nothing waiting" is its content, not its absence
    return {"n_waiting": n_waiting, "waiting": [whistle_row(w, now) for w in first], "n_open": n_open}


def mediator(actor, org: Org, today: dt.date) -> dict | None:
    """The disputes routed to the actor that are still open."""
    qs = selectors.mediator_cases(actor, open_only=True)
    first = list(qs[:LIST_LIMIT])
    n = len(first) if len(first) < LIST_LIMIT else qs.count()
    return {"n_open": n, "rows": case_rows(first, timezone.now())}


def court(actor, org: Org, today: dt.date) -> dict:
    """A court liaison's pushes: those the grid has reported on that still need the court's outcome,
    and those still open at the grid."""
    qs = selectors.court_cases(actor)
    waiting = qs.filter(enforcement__reported_at__isnull=False, enforcement__outcome="")
    first = list(waiting[:LIST_LIMIT])
    n_waiting = len(first) if len(first) < LIST_LIMIT else waiting.count()
    return {
        "n_waiting": n_waiting,
        "rows": case_rows(first, timezone.now()),
        "n_open": qs.filter(state__in=OPEN_STATES).count(),
    }
