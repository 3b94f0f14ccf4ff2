"""Village decisions (村级重大事项决策): the village bodies' seats (村务监督委员会, 村民代表), the
registered-population figure used as a quorum base where residents are not registered, demands
for a 村民会议, the matters going through their procedure (workflows.py) and each stage's meeting.
Data only; the rules are in services.py. The 两委 seats are people's (people.CadrePost)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import Area, Org
from jiceng.people.models import Person


class Body(models.TextChoices):
    SUPERVISION = "supervision", _("village affairs supervision committee")  # 村务监督委员会
    REPRESENTATIVE = "representative", _("villagers' representative")  # 村民代表 (居民代表)


class Seat(models.Model):
    """One person's seat on a village's 村务监督委员会 or as a 村民代表 (居民代表), from ``since``
    (seated that day) until ``until`` (no longer seated that day; blank: still seated). A
    representative stands for a 村民小组 or for a number of households (第二十五条)."""

    village = models.ForeignKey(
        Area, verbose_name=_("village/community"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.CharField(_("body"), max_length=20, choices=Body.choices)
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    group_name = models.CharField(_("villagers' group"), max_length=50, blank=True)  # 村民小组
    households = models.PositiveIntegerField(_("households represented"), null=True, blank=True)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("seat")
        indexes = [models.Index(fields=["village", "body", "since"])]

    def __str__(self) -> str:
        return f"{self.get_body_display()} {self.person_id}"


class PopulationFigure(models.Model):
    """A village's registered population (adults, households) with its source and date: the quorum
    base where the village has not registered its residents in households."""

    village = models.ForeignKey(
        Area, verbose_name=_("village/community"), on_delete=models.PROTECT, related_name="+"
    )
    adults = models.PositiveIntegerField(_("adult villagers"))
    households = models.PositiveIntegerField(_("households"))
    as_of = models.DateField(_("as of"))
    source = models.CharField(_("source"), max_length=200)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("registered population")
        indexes = [models.Index(fields=["village", "as_of"])]

    def __str__(self) -> str:
        return f"{self.village_id} {self.as_of}"


class DemandBy(models.TextChoices):
    VILLAGERS = "villagers", _("villagers")  # 十分之一以上的村民
    REPRESENTATIVES = "representatives", _("villagers' representatives")  # 三分之一以上的村民代表


class Demand(models.Model):
    """A demand that a 村民会议 be convened (第二十一条), with its signatures and the base they
    were checked against when recorded."""

    village = models.ForeignKey(
        Area, verbose_name=_("village/community"), on_delete=models.PROTECT, related_name="+"
    )
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    by = models.CharField(_("demanded by"), max_length=20, choices=DemandBy.choices)
    subject = models.CharField(_("subject"), max_length=200)
    filed_on = models.DateField(_("filed on"))
    signatures = models.PositiveIntegerField(_("signatures"))
    base = models.PositiveIntegerField(_("of how many"))
    valid = models.BooleanField(_("reaches the threshold"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("demand for a villagers' assembly")

    def __str__(self) -> str:
        return self.subject


class Outcome(models.TextChoices):
    RUNNING = "running", _("in progress")
    DECIDED = "decided", _("decided")  # the assembly stage passed
    REJECTED = "rejected", _("rejected")
    VETOED = "vetoed", _("vetoed by the township")


class Matter(models.Model):
    """A major matter (重大事项) of a village going through its procedure: the workflow instance
    keeps the stage and its version; ``stage`` mirrors the instance's state for the lists."""

    org = models.ForeignKey(
        Org, verbose_name=_("village party organisation"), on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        Area, verbose_name=_("village/community"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("matter type"), max_length=40)  # a code of rule decisions.matter_types
    kind_name = models.CharField(_("matter type"), max_length=100)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    amount_fen = models.BigIntegerField(_("amount (fen)"), null=True, blank=True)
    procedure = models.CharField(_("procedure"), max_length=40)  # workflow key
    stage = models.CharField(_("stage"), max_length=40)
    stage_label = models.CharField(_("stage"), max_length=60)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.RUNNING)
    two_thirds_all = models.BooleanField(_("needs two thirds of all"), default=False)
    assembly_only = models.BooleanField(_("only a villagers' assembly may decide"), default=False)
    proposed_on = models.DateField(_("registered on"))
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    disclosed_on = models.DateField(_("resolution disclosed on"), null=True, blank=True)
    result_on = models.DateField(_("result disclosed on"), null=True, blank=True)
    end_reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("matter")
        indexes = [
            models.Index(fields=["village", "outcome"]),
            models.Index(fields=["org", "stage"]),
            models.Index(fields=["disclosed_on"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def amount_yuan(self) -> str:
        """The amount in yuan, as "186,000.00" (blank when the matter names none)."""
        if self.amount_fen is None:
            return ""
        return f"{self.amount_fen // 100:,}.{self.amount_fen % 100:02d}"


class MeetingKind(models.TextChoices):
    CONSULTATION = "consultation", _("consultation")  # 征求意见
    PARTY_COMMITTEE = "party_committee", _("village party committee")  # 村党组织提议
    JOINT = "joint", _("joint meeting of the two committees")  # 两委会议
    MEMBERS = "members", _("party members' assembly")  # 党员大会
    TOWNSHIP = "township", _("township review")  # 乡镇党委审核
    VILLAGERS = "villagers", _("villagers' assembly")  # 村民会议 (居民会议)
    REPRESENTATIVES = "representatives", _("villagers' representatives' assembly")  # 村民代表会议
    DISCLOSURE = "disclosure", _("disclosure")  # 决议公开 / 实施结果公开


class Base(models.TextChoices):
    PERSONS = "persons", _("persons seated or entitled")
    ADULTS = "adults", _("adult villagers")
    HOUSEHOLDS = "households", _("households")
    GROUPS = "groups", _("group representatives")  # 居民小组选举的代表


class Meeting(models.Model):
    """One stage of a matter as it was held: the meeting, who was entitled (computed), who attended
    (the persons, or for a 村民会议 the count), the votes, the rule's result computed from them."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="meetings")
    action = models.CharField(_("stage"), max_length=40)  # the workflow transition
    label = models.CharField(_("stage"), max_length=60)
    kind = models.CharField(_("meeting"), max_length=20, choices=MeetingKind.choices)
    held_on = models.DateField(_("date"))
    notice_on = models.DateField(_("notice published on"), null=True, blank=True)
    base = models.CharField(_("quorum base"), max_length=20, choices=Base.choices, default=Base.PERSONS)
    base_source = models.CharField(_("source of the base"), max_length=200, blank=True)
    entitled = models.PositiveIntegerField(_("entitled"), default=0)
    attended = models.PositiveIntegerField(_("attended"), default=0)
    votes_for = models.PositiveIntegerField(_("for"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("against"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("abstaining"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), default=True)
    rule_text = models.CharField(_("rule"), max_length=500, blank=True)
    minutes = models.TextField(_("minutes"), max_length=5000, blank=True)
    names = models.CharField(_("names the disclosure must name"), max_length=500, blank=True)
    attendees = models.ManyToManyField(Person, blank=True, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["held_on", "pk"]
        indexes = [models.Index(fields=["kind", "held_on"])]

    def __str__(self) -> str:
        return f"{self.matter_id} {self.label} {self.held_on}"


class MeetingPhoto(models.Model):
    """A photographed document of a meeting (the minutes, the sign-in sheet): location data removed
    (core.photos), served only through a scoped view."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="photos")
    name = models.CharField(max_length=100)
    content_type = models.CharField(max_length=50)

    def __str__(self) -> str:
        return self.name
