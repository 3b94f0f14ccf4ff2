"""Forms only parse input into Python values; the rules are checked by the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.boundary import BoundaryForm
from jiceng.core.forms import DateInput
from jiceng.core.widgets import SearchSelect

from .models import MeetingKind
from .plugin import PUBLISH_TOPICS, RECORD_MEETING


class _MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m")


class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class _MultipleFileField(forms.FileField):
    """Parses a list of uploads; what a file may be (type, size, count) is the service's rule."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", _MultipleFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(_MultipleFileField, self).clean(d, initial) for d in data]
        return super().clean(data, initial)


class MeetingFilterForm(BoundaryForm):
    org = forms.IntegerField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", "—"), *MeetingKind.choices])
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())
    q = forms.CharField(label=_("Topic or place"), required=False, max_length=50)
    withdrawn = forms.BooleanField(label=_("Withdrawn meetings only"), required=False)


class MeetingForm(BoundaryForm):
    """The record form. Nothing here is a rule: blank place or topic, a date in the future, a kind
    the organisation cannot hold are all left for ``meeting_record`` to refuse with its message."""

    # a county officer records for any of ~1,800 units: a search, not a list (core.widgets)
    org = forms.TypedChoiceField(
        label=_("Organisation"),
        coerce=int,
        widget=SearchSelect(
            url_name="org_lookup", params={"perm": RECORD_MEETING, "kind": "general_branch,branch,group"}
        ),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *MeetingKind.choices])
    held_on = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    topic = forms.CharField(label=_("Topic"), required=False, max_length=300)
    first_agenda = forms.CharField(
        label=_("First agenda item"),
        required=False,
        max_length=300,
        help_text=_("The first item on the agenda, usually the study of the latest important speeches."),
    )
    topic_item = forms.TypedChoiceField(
        label=_("Key-content item covered"), required=False, coerce=int, empty_value=None
    )
    minutes = forms.CharField(
        label=_("Minutes"), max_length=20_000, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    # 主持人, 记录人: members of the holder; that they were present is the service's rule
    chair = forms.TypedChoiceField(
        label=_("Chaired by"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("A member present at the meeting."),
    )
    minute_taker = forms.TypedChoiceField(
        label=_("Minute-taker"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("A member present at the meeting."),
    )
    attachments = _MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Photos (JPEG, PNG) or PDF, up to 10 files of 10 MB each."),
    )
    # shown with the warning when the organisation has a meeting of this kind on this date already
    confirm_duplicate = forms.BooleanField(label=_("I confirm this is another meeting"), required=False)

    def __init__(self, *args, org_choices=(), topic_item_choices=(), member_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        if "org" in self.fields:
            self.fields["org"].choices = list(org_choices)
        self.fields["topic_item"].choices = [("", "—"), *topic_item_choices]
        for name in ("chair", "minute_taker"):
            self.fields[name].choices = [("", "—"), *member_choices]


class MeetingCorrectForm(MeetingForm):
    """更正: the record form without the organisation (a meeting stays with its holder) and the
    attachments, and with the reason the correction needs (the service requires it)."""

    reason = forms.CharField(
        label=_("Reason for the correction"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was wrong and what was changed; kept in the change history."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["org"]
        del self.fields["attachments"]


class MeetingWithdrawForm(BoundaryForm):
    reason = forms.CharField(
        label=_("Reason for the withdrawal"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. recorded twice, never held, recorded under the wrong organisation."),
    )


class TopicListForm(BoundaryForm):
    org = forms.TypedChoiceField(
        label=_("Published by"),
        coerce=int,
        widget=SearchSelect(url_name="org_lookup", params={"perm": PUBLISH_TOPICS, "kind": "committee"}),
    )
    month = forms.DateField(
        label=_("Month"), required=False, input_formats=["%Y-%m", "%Y-%m-%d"], widget=_MonthInput()
    )
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    items = forms.CharField(
        max_length=5_000,
        label=_("Items, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args, org_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = list(org_choices)
