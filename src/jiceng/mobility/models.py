"""Mobile members (流动党员), migrant workers (农民工) and relation transfers (组织关系转接). Data
only; rules in services.py.

Nothing here is a member of an organisation: the member's relation is people's ``PartyMember.org``
and its history ``people.Membership``, which only ``people.services.member_move`` / ``member_leave``
change (a confirmed transfer calls them). An in-flow member hosted by a local branch is a record of
this app, never a member of the host branch, so no member figure counts them there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import Area, Org
from jiceng.orglife.models import Meeting
from jiceng.people.models import PartyMember


class BranchType(models.TextChoices):
    """003: 单独型、联合型、拓展型、流动型、网络型党支部."""

    SINGLE = "single", _("single-unit branch")  # 单独型
    JOINT = "joint", _("joint branch")  # 联合型
    EXTENDED = "extended", _("extended branch")  # 拓展型
    MOBILE = "mobile", _("mobile branch")  # 流动型
    ONLINE = "online", _("online branch type")  # 网络型


class BranchProfile(models.Model):
    """What 003 records of a branch beyond core's tree: its type and whether it is an online branch
    (网络党支部: members far away take part online; the meeting rules still apply)."""

    org = models.OneToOneField(Org, on_delete=models.CASCADE, related_name="mobility_profile")
    branch_type = models.CharField(_("branch type"), max_length=20, choices=BranchType.choices)
    online = models.BooleanField(_("online branch (网络党支部)"), default=False)
    platform = models.CharField(_("online platform (group name)"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("branch profile")

    def __str__(self) -> str:
        return f"{self.org_id} {self.branch_type}"


class Contact(models.TextChoices):
    PHONE = "phone", _("phone")
    WECHAT = "wechat", _("WeChat")
    QQ = "qq", _("QQ")
    LETTER = "letter", _("letter")
    VISIT = "visit", _("visit")
    ONLINE_BRANCH = "online_branch", _("online branch")


# the Chinese names the messages, the audit entries and the ledgers use, whatever the request's language
CONTACT_NAMES = {
    "phone": "电话",
    "wechat": "微信",
    "qq": "QQ",
    "letter": "书信",
    "visit": "走访",
    "online_branch": "网络党支部",
}


class Outflow(models.Model):
    """A member of a local branch working away (外出流动党员): where, for whom, how to reach them.
    ``ended_on``: came back (or the relation left): the record stays for the history."""

    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="outflows")
    destination = models.CharField(_("where to"), max_length=100)
    employer = models.CharField(_("employer"), max_length=100, blank=True)
    contact = models.CharField(_("contact"), max_length=50, blank=True)
    keep_in_touch = models.CharField(_("kept in touch by"), max_length=20, choices=Contact.choices)
    card_number = models.CharField(_("mobile member card number"), max_length=30, blank=True)  # 流动党员证
    fixed_place = models.BooleanField(_("at a fixed place"), default=False)
    since = models.DateField(_("away since"))
    ended_on = models.DateField(_("back on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("out-flow record")
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=models.Q(ended_on__isnull=True), name="mobility_one_open_outflow"
            )
        ]
        indexes = [models.Index(fields=["ended_on", "since"], name="mobility_outflow_open")]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.destination}"


class Inflow(models.Model):
    """A member from elsewhere hosted by a local branch (流入党员): their relation stays where it is
    (``home_org``, a name: often outside this system; ``member`` when it is inside). They take part in
    the host branch's life (``HostedAttendance``) and count in no figure of the host branch."""

    host = models.ForeignKey(
        Org, verbose_name=_("host branch"), on_delete=models.PROTECT, related_name="inflows"
    )
    member = models.ForeignKey(
        PartyMember, null=True, blank=True, on_delete=models.PROTECT, related_name="hosted_as"
    )
    name = models.CharField(_("name"), max_length=50)
    home_org = models.CharField(_("relation kept at"), max_length=100)
    workplace = models.CharField(_("works at"), max_length=100, blank=True)
    contact = models.CharField(_("contact"), max_length=50, blank=True)
    card_number = models.CharField(_("mobile member card number"), max_length=30, blank=True)
    since = models.DateField(_("hosted since"))
    ended_on = models.DateField(_("left on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("in-flow member")

    def __str__(self) -> str:
        return self.name


class CheckKind(models.TextChoices):
    REPORT = "report", _("reported in (报到)")
    THOUGHT = "thought", _("thought report (思想汇报)")
    CONTACT = "contact", _("contacted by the branch")


class CheckIn(models.Model):
    """One contact with a mobile member: an out-flow member with the home branch, or an in-flow member
    reporting to the host branch."""

    outflow = models.ForeignKey(
        Outflow, null=True, blank=True, on_delete=models.CASCADE, related_name="checkins"
    )
    inflow = models.ForeignKey(
        Inflow, null=True, blank=True, on_delete=models.CASCADE, related_name="checkins"
    )
    on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=CheckKind.choices)
    channel = models.CharField(_("by"), max_length=20, choices=Contact.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("check-in")
        indexes = [
            models.Index(fields=["outflow", "on"], name="mobility_checkin_out"),
            models.Index(fields=["inflow", "on"], name="mobility_checkin_in"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outflow__isnull=False, inflow__isnull=True)
                | models.Q(outflow__isnull=True, inflow__isnull=False),
                name="mobility_checkin_one_side",
            )
        ]

    def __str__(self) -> str:
        return f"{self.on} {self.kind}"


class TransferKind(models.TextChoices):
    INSIDE = "inside", _("inside the system")
    OUTSIDE = "outside", _("out of the system")


class TransferState(models.TextChoices):
    ISSUED = "issued", _("issued")
    CONFIRMED = "confirmed", _("confirmed")
    CANCELLED = "cancelled", _("cancelled")


class Transfer(models.Model):
    """组织关系转接: issued by the sending side with the letter (介绍信); inside the system the receiving
    side confirms (then people.services.member_move); out of the system the sending side records the
    receipt (回执) (then people.services.member_leave, reason transferred out)."""

    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="transfers")
    kind = models.CharField(_("kind"), max_length=10, choices=TransferKind.choices)
    from_org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="transfers_out")
    to_org = models.ForeignKey(
        Org, null=True, blank=True, on_delete=models.PROTECT, related_name="transfers_in"
    )
    destination = models.CharField(_("destination organisation"), max_length=100, blank=True)
    letter_number = models.CharField(_("letter number"), max_length=30)
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    dues_paid_to = models.DateField(_("dues paid up to (month)"))
    state = models.CharField(
        _("state"), max_length=10, choices=TransferState.choices, default=TransferState.ISSUED
    )
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("relation transfer")
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=models.Q(state="issued"), name="mobility_one_open_transfer"
            )
        ]
        indexes = [models.Index(fields=["state", "issued_on"], name="mobility_transfer_open")]

    def __str__(self) -> str:
        return self.letter_number


class HostedAttendance(models.Model):
    """An in-flow member at a meeting of the host branch: recorded beside orglife's attendance (which
    lists the branch's own members only), so the meeting's figures count nobody twice."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="hosted_attendance")
    inflow = models.ForeignKey(Inflow, on_delete=models.CASCADE, related_name="attendance")
    online = models.BooleanField(_("online"), default=False)

    class Meta:
        verbose_name = _("in-flow member's attendance")
        constraints = [models.UniqueConstraint(fields=["meeting", "inflow"], name="mobility_hosted_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.inflow_id}"


class WorkSign(models.Model):
    """党章第九条: a member who for six months without good reason does not do the work assigned, as
    the secretary records it (with the reason). A sign for the branch's attention; nothing follows
    from it automatically. ``cleared_on``: the secretary took it back."""

    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="work_signs")
    since = models.DateField(_("no assigned work done since"))
    reason = models.CharField(_("what was assigned and not done"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    cleared_on = models.DateField(_("cleared on"), null=True, blank=True)

    class Meta:
        verbose_name = _("assigned-work sign")

    def __str__(self) -> str:
        return f"{self.member_id} {self.since}"


class HostEnterprise(models.Model):
    """农民工集聚地企业 (003's second ledger): where the county's migrant workers work, with its
    统一社会信用代码 (checked by python-stdnum), registered by a county, township or village."""

    org = models.ForeignKey(Org, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    place = models.CharField(_("where"), max_length=100)
    liaison = models.CharField(_("party-building liaison"), max_length=50, blank=True)  # 党建联络员
    has_party_org = models.BooleanField(_("has a party organisation"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("host enterprise")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "uscc"], condition=~models.Q(uscc=""), name="mobility_enterprise_uscc"
            )
        ]

    def __str__(self) -> str:
        return self.name


class MigrantWorker(models.Model):
    """农民工 (003's first ledger), registered by the home county, township or village; ``activist``:
    a 农民工入党积极分子 (the third ledger, a flag until member development keeps the stage);
    ``member``: a party member (the fourth ledger is the out-flow records)."""

    org = models.ForeignKey(Org, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+")
    home = models.ForeignKey(
        Area,
        verbose_name=_("home village"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(
        _("gender"), max_length=10, choices=[("male", _("male")), ("female", _("female"))]
    )
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    destination = models.CharField(_("works in"), max_length=100)
    enterprise = models.ForeignKey(
        HostEnterprise, null=True, blank=True, on_delete=models.SET_NULL, related_name="workers"
    )
    trade = models.CharField(_("trade or skill"), max_length=50, blank=True)
    contact = models.CharField(_("contact"), max_length=50, blank=True)
    since = models.DateField(_("away since"))
    activist = models.BooleanField(_("activist (入党积极分子)"), default=False)
    member = models.ForeignKey(
        PartyMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("migrant worker")

    def __str__(self) -> str:
        return self.name
