"""factory_boy factories for the common objects, made through the real services.

Each factory's ``_create`` calls the service a user's action would, so the record is validated,
scoped and audited like a real one. The actor is ``actor=`` if given, else the tree's officer: a
county administrator of the tree's root committee, made once per tree (for an area tree without a
committee yet, the root committee is made too). Factories fill what a test does not care about: ``MemberFactory(org=branch)`` is a full party member with a valid ID number, phone
and dates; ``MeetingFactory(org=branch)`` a 支部党员大会 held yesterday at which every member was present.

    county = AreaFactory(kind="county")
    committee = OrgFactory(kind="committee", area=county)
    branch = OrgFactory(parent=committee, kind="branch", area=AreaFactory(parent=county, kind="village"))
    secretary = UserFactory(roles=[("branch_secretary", branch)])
    MemberFactory.create_batch(20, org=branch)
"""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from stdnum.cn import ric

from jiceng.core import services as core
from jiceng.core.models import Area, Org, User
from jiceng.orglife import services as orglife
from jiceng.orglife.models import Meeting
from jiceng.orglife.services import AttendanceIn
from jiceng.people import queries as people_queries
from jiceng.people import services as people
from jiceng.people.models import PartyMember

PASSWORD = "Test-pass-2026!"


def make_id(birth: dt.date, male: bool, seq: int = 1, region: str = "430724") -> str:
    """A valid GB 11643 number: the region, the birth date, an order code whose parity is the sex."""
    body = f"{region}{birth:%Y%m%d}{(seq * 2 + (1 if male else 0)) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects the check digit slot


_AREA_NAMES = {"county": "县", "township": "镇", "village": "村", "community": "社区", "grid": "网格"}
_ORG_NAMES = {"committee": "委员会", "general_branch": "党总支", "branch": "党支部", "group": "党小组"}


def officer(node: Area | Org) -> User:
    """The county administrator of the tree ``node`` is in (the factories' default actor)."""
    root = type(node).objects.get(path=node.path[: Org.steplen])
    if isinstance(root, Area):
        committee = Org.objects.filter(depth=1, area=root).first() or core.org_create(
            actor=None, parent=None, name=f"中共{root.name}委员会", kind="committee", area=root
        )
    else:
        committee = root
    user = User.objects.filter(username=f"officer{committee.pk}").first()
    if user is None:
        user = core.user_create(actor=None, username=f"officer{committee.pk}", password=PASSWORD)
        core.role_grant(actor=None, user=user, role="county_admin", org=committee)
    return user


class AreaFactory(factory.Factory):
    class Meta:
        model = Area

    parent = None
    kind = "village"
    name = factory.LazyAttributeSequence(lambda o, n: f"测试{n}{_AREA_NAMES.get(o.kind, '')}")
    code = ""

    @classmethod
    def _create(cls, model_class, actor=None, **kw):
        if actor is None and kw["parent"] is not None:
            actor = officer(kw["parent"])
        return core.area_create(actor=actor, **kw)


class OrgFactory(factory.Factory):
    class Meta:
        model = Org

    parent = None
    kind = "branch"
    area = None
    name = factory.LazyAttributeSequence(lambda o, n: f"测试{n}{_ORG_NAMES.get(o.kind, '')}")

    @classmethod
    def _create(cls, model_class, actor=None, **kw):
        if actor is None and kw["parent"] is not None:
            actor = officer(kw["parent"])
        return core.org_create(actor=actor, **kw)


class UserFactory(factory.Factory):
    """``roles``: (role, org) pairs granted after the user is made."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, roles=(), actor=None, **kw):
        u = core.user_create(actor=None, **kw)
        for role, org in roles:
            core.role_grant(actor=actor or officer(org), user=u, role=role, org=org)
        u.refresh_from_db()
        return u


class MemberFactory(factory.Factory):
    """A full party member of ``org`` (admitted 2020, confirmed 2021) with a unique valid ID."""

    class Meta:
        model = PartyMember

    org = None
    name = factory.Sequence(lambda n: f"党员{n}")
    male = factory.Sequence(lambda n: n % 2 == 0)
    birth = factory.Sequence(lambda n: dt.date(1950 + n % 50, 1 + n % 12, 1 + n % 28))
    seq = factory.Sequence(lambda n: 100 + n)
    ethnicity = "汉族"
    education = "high_school"
    status = "full"
    joined_on = dt.date(2020, 7, 1)
    full_on = dt.date(2021, 7, 1)

    @classmethod
    def _create(cls, model_class, male, birth, seq, actor=None, **kw):
        # the order code has three digits: past a thousand members the region code varies too
        region = "430724" if seq < 1000 else f"43{seq // 1000 % 100:02d}24"
        return people.member_create(
            actor=actor or officer(kw["org"]),
            gender="male" if male else "female",
            id_number=make_id(birth, male, seq % 1000, region=region),
            phone=f"138{seq:08d}",
            **kw,
        )


class MeetingFactory(factory.Factory):
    """A meeting of ``org``; ``attendance`` defaults to every member of it on that day, attended."""

    class Meta:
        model = Meeting

    org = None
    kind = "branch_assembly"
    held_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=1))
    place = "党员活动室"
    topic = factory.Sequence(lambda n: f"学习会{n}")
    attendance = None

    @classmethod
    def _create(cls, model_class, attendance=None, actor=None, **kw):
        if attendance is None:
            attendance = [
                AttendanceIn(m.pk, "present") for m in people_queries.members_of(kw["org"], kw["held_on"])
            ]
        # several meetings of one kind on one day are what the tests that grow lists want
        kw.setdefault("confirm_duplicate", True)
        return orglife.meeting_record(actor=actor or officer(kw["org"]), attendance=attendance, **kw)
