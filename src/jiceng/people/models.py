"""People: persons, households, party members and 两委 posts. Data only; rules in services.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import Area, Org


class Gender(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")


class Education(models.TextChoices):
    """GB/T 4658 levels as cadres count them."""

    POSTGRADUATE = "postgraduate", _("postgraduate")
    BACHELOR = "bachelor", _("bachelor")
    COLLEGE = "college", _("college diploma")  # 大专
    SECONDARY_VOCATIONAL = "secondary_vocational", _("secondary vocational")  # 中专
    HIGH_SCHOOL = "high_school", _("high school")
    JUNIOR_HIGH = "junior_high", _("junior high")
    PRIMARY_OR_BELOW = "primary_or_below", _("primary or below")


ETHNICITIES = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
]


class HouseholdTag(models.Model):
    """困难户, 三留守 (留守儿童/妇女/老人), 低保户 … a list the county can extend."""

    code = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=30)

    class Meta:
        verbose_name = _("household tag")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="households"
    )
    address = models.CharField(_("address"), max_length=200)
    head_name = models.CharField(_("head of household"), max_length=50)
    tags = models.ManyToManyField(HouseholdTag, verbose_name=_("tags"), blank=True, related_name="households")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return f"{self.head_name}户 · {self.address}"


class Person(models.Model):
    """One record per human across every role they play (member, cadre, resident)."""

    name = models.CharField(_("name"), max_length=50, db_index=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, default="汉族")
    birth_date = models.DateField(_("birth date"), null=True, blank=True, db_index=True)
    education = models.CharField(_("education"), max_length=30, choices=Education.choices, blank=True)
    # Personal data: ciphertext, keyed digests for look-up, masked form for display (core.crypto).
    id_number_ciphertext = models.TextField(blank=True)
    # exact look-ups only: plain B-tree indexes (Meta), not db_index, which on PostgreSQL adds a
    # second "_like" index per column that a digest never uses and every insert pays for
    id_number_digest = models.CharField(max_length=64, blank=True)
    id_number_tail_digest = models.CharField(max_length=64, blank=True)
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True)
    phone_ciphertext = models.TextField(blank=True)
    # for an exact look-up by phone; no index until a look-up needs one (nothing queries it yet,
    # and its two random-key indexes were 500 MB at province scale, paid by every import)
    phone_digest = models.CharField(max_length=64, blank=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    area = models.ForeignKey(
        Area,
        verbose_name=_("residence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="residents",
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="persons",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [
            models.Index(fields=["id_number_digest"], name="person_id_number_digest"),
            models.Index(fields=["id_number_tail_digest"], name="person_id_tail_digest"),
        ]

    def __str__(self) -> str:
        return self.name


class MemberStatus(models.TextChoices):
    FULL = "full", _("full member")  # 正式党员
    PROBATIONARY = "probationary", _("probationary member")  # 预备党员


class Mobility(models.TextChoices):
    NONE = "none", _("resident")
    OUTFLOW = "outflow", _("working away (out-flow)")
    INFLOW = "inflow", _("hosted here (in-flow)")


class LeaveReason(models.TextChoices):
    """Why a member is no longer on this system's rolls (PartyMember.left_on)."""

    TRANSFERRED_OUT = "transferred_out", _("relation transferred out of the system")  # 组织关系转出
    DIED = "died", _("died")  # 去世
    LEFT = "left", _("left the party")  # 退党
    REMOVED = "removed", _("removed from the party")  # 除名、开除党籍


class PartyMember(models.Model):
    """A party member, kept in a branch or one of its groups (org). Status as of any date is
    derivable from the dates, so statistics for past periods are exact. ``org`` is the current
    organisation; where the member's relation was on a past day is ``Membership`` (the history,
    moved only by services.member_move / member_leave, which keep ``org`` in step)."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="party_member")
    org = models.ForeignKey(
        Org, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="members"
    )
    status = models.CharField(_("status"), max_length=20, choices=MemberStatus.choices)
    joined_on = models.DateField(_("admitted on"))  # 入党日期 (admitted as probationary member)
    full_on = models.DateField(_("full member since"), null=True, blank=True)  # 转正日期
    mobility = models.CharField(_("mobility"), max_length=10, choices=Mobility.choices, default=Mobility.NONE)
    mobility_note = models.CharField(_("where and how to contact"), max_length=200, blank=True)
    remarks = models.CharField(_("remarks"), max_length=500, blank=True)  # 备注, as rosters keep it
    # 亮身份 (001): the member's own card, kept by the member on "我的"
    pledge = models.CharField(_("my pledge"), max_length=200, blank=True)  # 承诺
    service_list = models.TextField(
        _("my list of services to the people"), blank=True
    )  # 服务群众工作清单, one per line
    # no longer on the rolls from this day (not counted on it); blank while still a member
    left_on = models.DateField(_("left on"), null=True, blank=True)
    left_reason = models.CharField(
        _("reason for leaving"), max_length=20, choices=LeaveReason.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        indexes = [models.Index(fields=["org", "status"])]

    def __str__(self) -> str:
        return self.person.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("member_detail", kwargs={"member_id": self.pk})


class Membership(models.Model):
    """Where a member's relation was kept: ``org`` from ``since`` (counted that day) until ``until``
    (not counted that day; blank: still there). One open row per member still on the rolls; the
    first row starts on ``joined_on``; a move closes one row and opens the next on the same day;
    leaving closes the last. Figures for a past day place a member in the row open that day."""

    member = models.ForeignKey(PartyMember, on_delete=models.CASCADE, related_name="memberships")
    org = models.ForeignKey(
        Org, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="member_history"
    )
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership period")
        verbose_name_plural = _("membership periods")
        indexes = [
            # an org subtree's members on a day: the org ids of the subtree, then a range on since
            models.Index(fields=["org", "since"], name="membership_org_since"),
            models.Index(fields=["member", "since"], name="membership_member_since"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=models.Q(until__isnull=True), name="membership_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.org_id} {self.since}–{self.until or ''}"


class Committee(models.TextChoices):
    PARTY = "party", _("village party organisation")  # 村(社区)党组织委员会
    VILLAGERS = "villagers", _("villagers' committee")  # 村民委员会
    RESIDENTS = "residents", _("residents' committee")  # 居民委员会


class Post(models.TextChoices):
    SECRETARY = "secretary", _("secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("deputy secretary")
    CHAIR = "chair", _("chair")
    VICE_CHAIR = "vice_chair", _("vice chair")
    MEMBER = "member", _("committee member")


COMMITTEE_POSTS = {
    Committee.PARTY: {Post.SECRETARY, Post.DEPUTY_SECRETARY, Post.MEMBER},
    Committee.VILLAGERS: {Post.CHAIR, Post.VICE_CHAIR, Post.MEMBER},
    Committee.RESIDENTS: {Post.CHAIR, Post.VICE_CHAIR, Post.MEMBER},
}
SINGLE_HOLDER_POSTS = {Post.SECRETARY, Post.CHAIR}


class CadrePost(models.Model):
    """One seat on one of a village's (community's) two committees (两委), for a term.

    一肩挑 (dual role) and 交叉任职 (cross-appointment) are never stored: they are derived from
    who holds which seats on the date asked (people.indicators).
    """

    area = models.ForeignKey(
        Area, verbose_name=_("village/community"), on_delete=models.PROTECT, related_name="posts"
    )
    committee = models.CharField(_("committee"), max_length=20, choices=Committee.choices)
    post = models.CharField(_("post"), max_length=20, choices=Post.choices)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="posts"
    )
    term_from = models.DateField(_("term from"))
    term_to = models.DateField(_("term to"), null=True, blank=True)

    class Meta:
        verbose_name = _("两委 post")
        verbose_name_plural = _("两委 posts")
        indexes = [models.Index(fields=["area", "committee", "post"])]

    def __str__(self) -> str:
        return f"{self.area} {self.get_committee_display()} {self.get_post_display()} {self.person}"
