"""Organisational life (三会一课, 主题党日, 组织生活会, 民主评议): meetings, attendance, the county's
monthly key-content lists. Data only; the rules are in services.py and compliance.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import Org
from jiceng.people.models import PartyMember


class MeetingKind(models.TextChoices):
    BRANCH_ASSEMBLY = "branch_assembly", _("branch assembly")  # 支部党员大会
    COMMITTEE_MEETING = "committee_meeting", _("branch committee meeting")  # 支委会
    GROUP_MEETING = "group_meeting", _("party group meeting")  # 党小组会
    PARTY_LECTURE = "party_lecture", _("party lecture")  # 党课
    THEME_DAY = "theme_day", _("theme party day")  # 主题党日
    LIFE_MEETING = "life_meeting", _("organisational life meeting")  # 组织生活会
    MEMBER_APPRAISAL = "member_appraisal", _("democratic appraisal of members")  # 民主评议党员
    # Recorded so that it is visible, never counted as party life (000-R1/R2: 用行政会议替代组织生活).
    ADMINISTRATIVE = "administrative", _("administrative or work meeting (not party life)")


PARTY_LIFE_KINDS = [k.value for k in MeetingKind if k != MeetingKind.ADMINISTRATIVE]


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("present")
    ONLINE = "online", _("attended online")  # members working away (003: 网上过组织生活)
    LEAVE = "leave", _("on leave")
    ABSENT = "absent", _("absent")


ATTENDED = [AttendanceStatus.PRESENT.value, AttendanceStatus.ONLINE.value]

# A withdrawn (撤销) meeting keeps its row, for the record, and counts nowhere: every figure, list,
# calendar and ledger reads meetings through ``counted()`` (and attendance through its own
# ``counted()``), the one definition. Raw SQL (compliance._OFTEN_ABSENT_SQL) says the same in SQL.
COUNTED_SQL = "withdrawn_at IS NULL"


class MeetingQuerySet(models.QuerySet):
    def counted(self) -> MeetingQuerySet:
        """The meetings that count: not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)

    def withdrawn(self) -> MeetingQuerySet:
        return self.filter(withdrawn_at__isnull=False)


class AttendanceQuerySet(models.QuerySet):
    def counted(self) -> AttendanceQuerySet:
        """Attendance at the meetings that count (Meeting.objects.counted())."""
        return self.filter(meeting__withdrawn_at__isnull=True)


class TopicList(models.Model):
    """组织生活重点内容清单: published monthly by the county (001) for every branch below it."""

    org = models.ForeignKey(Org, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))  # first day of the month
    title = models.CharField(_("title"), max_length=200)
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("monthly key-content list")
        constraints = [models.UniqueConstraint(fields=["org", "month"], name="uniq_topic_list_month")]
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.title}"


class TopicItem(models.Model):
    topic_list = models.ForeignKey(TopicList, on_delete=models.CASCADE, related_name="items")
    seq = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("item"), max_length=300)
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        ordering = ["topic_list", "seq"]
        constraints = [models.UniqueConstraint(fields=["topic_list", "seq"], name="uniq_topic_item_seq")]

    def __str__(self) -> str:
        return f"{self.seq}. {self.title}"


class Meeting(models.Model):
    org = models.ForeignKey(
        Org, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=MeetingKind.choices)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    topic = models.CharField(_("topic"), max_length=300)
    first_agenda = models.CharField(_("first agenda item"), max_length=300, blank=True)  # 第一议题
    topic_item = models.ForeignKey(
        TopicItem,
        verbose_name=_("key-content item covered"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    minutes = models.TextField(_("minutes"), blank=True)
    # 主持人 and 记录人: members present at the meeting (services.meeting_record checks it)
    chair = models.ForeignKey(
        PartyMember,
        verbose_name=_("chaired by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    minute_taker = models.ForeignKey(
        PartyMember,
        verbose_name=_("minute-taker"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    corrected_at = models.DateTimeField(_("last corrected"), null=True, blank=True)
    # 撤销: the row stays, marked; it counts nowhere (MeetingQuerySet.counted)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # db_default: bulk writers that name their columns (orglife/gen.py) need not know this one
    withdraw_reason = models.CharField(
        _("reason for withdrawal"), max_length=300, blank=True, default="", db_default=""
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["org", "kind", "held_on"]), models.Index(fields=["held_on"])]
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.get_kind_display()} {self.topic}"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="uniq_attendance")]
        indexes = [models.Index(fields=["member", "status"])]

    def __str__(self) -> str:
        return f"{self.member} {self.get_status_display()}"


def _upload_to(instance: MeetingAttachment, filename: str) -> str:
    return f"meetings/{instance.meeting.held_on:%Y/%m}/{instance.meeting_id}-{filename}"


class MeetingAttachment(models.Model):
    """Photos and PDFs of a meeting. Served only through a scoped view, never from a public URL."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_upload_to, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name
