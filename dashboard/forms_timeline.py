"""The dashboard's timeline item form: what organisers type, read by the same services as /timeline."""

from __future__ import annotations

from django import forms

from core.models import GuildMember
from dashboard.event_forms import OnceForm
from teams.models import Team
from timeline import services
from timeline.models import Item


class ItemForm(OnceForm):
    title = forms.CharField(max_length=100, help_text="What starts, e.g. Stint 2: Alice.")
    at = forms.CharField(
        max_length=60,
        label="At",
        help_text="+1h30 or +90m from the event's start (it then follows the event if it moves), or a time: "
        "15:30, 2026-06-01 15:30 (your time zone, else the server's).",
    )
    message = forms.CharField(required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    member_ids = forms.TypedMultipleChoiceField(coerce=int, required=False, label="Members told")
    team_id = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Team told")
    dm = forms.BooleanField(required=False, initial=True, label="DM the members and the team")
    post_in = forms.ChoiceField(choices=Item.Post.choices, required=False, label="Post the alert")
    prealert = forms.IntegerField(
        required=False, min_value=1, max_value=services.MAX_PREALERT, label="Pre-alert (minutes before)"
    )

    def __init__(self, event, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        members = GuildMember.objects.filter(guild_id=event.guild_id, left_at__isnull=True).select_related("member")
        self.fields["member_ids"].choices = [
            (str(m.member_id), m.nickname or str(m.member)) for m in members.order_by("member__username")
        ]
        teams = Team.objects.filter(event_id=event.id).order_by("position", "id")
        self.fields["team_id"].choices = [("", "No team"), *((str(t.id), t.name) for t in teams)]

    @classmethod
    def of(cls, item: Item) -> ItemForm:
        if item.offset is not None:
            minutes = int(item.offset.total_seconds() // 60)
            at = f"+{minutes // 60}h{minutes % 60:02d}"
        else:
            at = item.due_at.isoformat(timespec="minutes")
        return cls(
            item.event,
            initial={
                "title": item.title,
                "at": at,
                "message": item.message,
                "member_ids": list(item.people.values_list("id", flat=True)),
                "team_id": item.team_id,
                "dm": item.dm,
                "post_in": item.post_in,
                "prealert": int(item.prealert.total_seconds() // 60) if item.prealert else None,
            },
        )

    def draft(self, member_id: int | None, now) -> services.ItemDraft:
        """The item as typed (``RuleError`` for a time that cannot be read)."""
        data = self.cleaned_data
        offset, due_at = services.read_when(data["at"], self.event, member_id, now=now)
        return services.ItemDraft(
            title=data["title"],
            due_at=due_at,
            offset=offset,
            message=data["message"] or "",
            member_ids=list(data["member_ids"]),
            team_id=data["team_id"],
            dm=data["dm"],
            post_in=data["post_in"] or "",
            prealert_minutes=data["prealert"],
        )


class ShiftForm(forms.Form):
    minutes = forms.IntegerField(
        min_value=-services.MAX_SHIFT, max_value=services.MAX_SHIFT, help_text="Later (or, negative, earlier)."
    )
