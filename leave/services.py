"""The rules of leave, as plain functions: setup, requests, decisions, cancellation, settings.

Decisions are compare-and-set on the request's status: ``approve``, ``decline`` and
``cancel`` each update the row only if it still has the status they read, so two
approvers clicking at once decide once, and a request cancelled while an approver clicks
is not approved (whichever update lands first wins; the other is told what happened).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q

from core import nudging
from core.channels import check_channel
from core.errors import RuleError
from core.models import Guild, GuildMember, Member
from core.timeparse import member_zone
from leave import days_off
from leave.balances import balance
from leave.discord import messages
from leave.models import DEFAULT_TYPES, Holiday, LeaveRequest, LeaveSettings, LeaveType, day_text, days_text

Status = LeaveRequest.Status
MAX_AHEAD = timedelta(days=731)  # a request ending later is a typo


def setup(guild_id: int) -> LeaveSettings:
    """The guild's leave settings, made with the default leave types on first use."""
    found = LeaveSettings.objects.filter(guild_id=guild_id).first()
    if found is not None:
        return found
    with transaction.atomic():
        try:
            with transaction.atomic():
                settings = LeaveSettings.objects.create(guild_id=guild_id)
        except IntegrityError:  # another worker made them a moment ago
            return LeaveSettings.objects.get(guild_id=guild_id)
        LeaveType.objects.bulk_create(
            [LeaveType(guild_id=guild_id, **fields) for fields in DEFAULT_TYPES], ignore_conflicts=True
        )
    return settings


def types_of(guild_id: int, *, active: bool = True) -> list[LeaveType]:
    setup(guild_id)
    types = LeaveType.objects.filter(guild_id=guild_id)
    return list(types.filter(active=True) if active else types)


def find_type(guild_id: int, name: str) -> LeaveType:
    """The guild's active leave type called ``name`` (any case)."""
    typed = (name or "").strip()
    types = types_of(guild_id)
    for leave_type in types:
        if leave_type.name.lower() == typed.lower():
            return leave_type
    names = ", ".join(t.name for t in types) or "none"
    raise RuleError(f"This server has no leave type called {typed[:40]!r}: pick one of {names}.")


def local_today(member_id: int, guild_id: int, now: datetime) -> date:
    """Today in the member's time zone (else the guild's)."""
    return now.astimezone(member_zone(member_id, guild_id)).date()


@dataclass(frozen=True)
class Asked:
    """What a member asks for: the dates as read in their zone."""

    leave_type: LeaveType
    start: date
    end: date
    half: str = ""
    note: str = ""


def check(guild_id: int, member_id: int, asked: Asked, *, today: date) -> Decimal:
    """The days the request takes, or a RuleError saying what is wrong with it."""
    leave_type, start, end, half = asked.leave_type, asked.start, asked.end, asked.half
    if leave_type.guild_id != guild_id:
        raise RuleError("That leave type belongs to another server.")
    if not leave_type.active:
        raise RuleError(f"{leave_type.name} leave takes no new requests.")
    if end < start:
        raise RuleError(f"The leave ends ({day_text(end)}) before it starts ({day_text(start)}): check the dates.")
    if start < today:
        raise RuleError(f"{day_text(start)} is past: leave starts today or later.")
    if end > today + MAX_AHEAD:
        raise RuleError(f"{day_text(end)} is more than two years ahead; check the year.")
    if start.year != end.year:
        raise RuleError(
            f"A request stays within one year (each has its own balance): ask up to 31 December {start.year}, "
            f"then from 1 January {end.year}."
        )
    if half not in LeaveRequest.Half.values:
        raise RuleError("A half day is a morning or an afternoon.")
    if half and start != end:
        raise RuleError("A half day is one day: give the same from and to date.")
    if half and not leave_type.half_days:
        raise RuleError(f"{leave_type.name} leave is taken in whole days.")
    days = days_off.counted(guild_id, start, end, half)
    if not days:
        raise RuleError(
            f"{LeaveRequest(start=start, end=end, half=half).span_text()} has no working day: "
            "weekends and public holidays do not count."
        )
    return days


def _overlapping(guild_id: int, member_id: int, start: date, end: date, half: str) -> LeaveRequest | None:
    mine = LeaveRequest.objects.filter(
        guild_id=guild_id,
        member_id=member_id,
        status__in=(Status.PENDING, Status.APPROVED),
        start__lte=end,
        end__gte=start,
    ).select_related("leave_type")
    for other in mine:
        if half and other.half and other.half != half and other.start == start:
            continue  # a morning and an afternoon of the same day
        return other
    return None


def request_leave(guild_id: int, member_id: int, asked: Asked, *, now: datetime) -> LeaveRequest:
    """Make the request (approved at once when its type approves itself) and ask the approvers."""
    today = local_today(member_id, guild_id, now)
    days = check(guild_id, member_id, asked, today=today)
    leave_type = asked.leave_type
    with transaction.atomic():
        # One member's requests are made one at a time: two at once cannot both pass the checks.
        Member.objects.select_for_update().filter(id=member_id).first()
        other = _overlapping(guild_id, member_id, asked.start, asked.end, asked.half)
        if other is not None:
            raise RuleError(
                f"You already asked for {other.leave_type.name} leave on {other.span_text()} "
                f"({other.get_status_display().lower()}): cancel it first with /leave cancel."
            )
        held = balance(member_id, leave_type, asked.start.year)
        if held.remaining is not None and days > held.remaining and not leave_type.negative_allowed:
            raise RuleError(
                f"That is {days_text(days)} of {leave_type.name} leave, and you have "
                f"{days_text(max(held.remaining, 0))} left in {asked.start.year} ({days_text(held.allowance)} a year, "
                f"{days_text(held.carried)} carried over, {days_text(held.used)} taken, "
                f"{days_text(held.pending)} waiting for approval)."
            )
        approved = leave_type.approves_itself
        request = LeaveRequest.objects.create(
            guild_id=guild_id,
            member_id=member_id,
            leave_type=leave_type,
            start=asked.start,
            end=asked.end,
            half=asked.half,
            days=days,
            note=asked.note.strip()[:300],
            status=Status.APPROVED if approved else Status.PENDING,
            decided_at=now if approved else None,
            created_at=now,
        )
        if not approved:
            messages.ask_approvers(request, present_approvers(guild_id, exclude=member_id, now=now))
    return request


def approvers(guild_id: int, *, exclude: int | None = None) -> list[int]:
    """Who decides the guild's requests: members with the approver role, else its organisers (as the bot sees them)."""
    settings = setup(guild_id)
    guild = Guild.objects.get(id=guild_id)
    memberships = GuildMember.objects.filter(guild_id=guild_id, left_at__isnull=True).exclude(member_id=exclude)
    found = []
    for member_id, role_ids, flagged in memberships.values_list("member_id", "role_ids", "is_organiser"):
        roles = {int(r) for r in role_ids or ()}
        if settings.approver_role_id is not None:
            if settings.approver_role_id in roles:
                found.append(member_id)
        elif flagged or (guild.organiser_role_id is not None and guild.organiser_role_id in roles):
            found.append(member_id)
    return sorted(found)


def present_approvers(guild_id: int, *, exclude: int | None, now: datetime) -> list[int]:
    """The approvers to ask: those not away themselves (on leave, a holiday), else all of them."""
    found = approvers(guild_id, exclude=exclude)
    gone = nudging.away([(guild_id, approver) for approver in found], at=now)
    return [approver for approver in found if (guild_id, approver) not in gone] or found


def may_approve(guild_id: int, member_id: int) -> bool:
    return member_id in approvers(guild_id)


def _decided(request_id: int, approver_id: int | None, *, status: str, reason: str, now: datetime) -> LeaveRequest:
    try:
        request = LeaveRequest.objects.select_related("leave_type").get(id=request_id)
    except LeaveRequest.DoesNotExist:
        raise RuleError("That leave request no longer exists.") from None
    if approver_id is not None:
        if approver_id == request.member_id:
            raise RuleError("You cannot decide your own leave: another approver does.")
        if not may_approve(request.guild_id, approver_id):
            raise RuleError(
                "Only this server's leave approvers decide requests (its organisers, or the approver role)."
            )
    with transaction.atomic():
        changed = LeaveRequest.objects.filter(id=request_id, status=Status.PENDING).update(
            status=status, decided_by_id=approver_id, decided_at=now, decline_reason=reason[:300], updated_at=now
        )
        request.refresh_from_db()
        if not changed:
            raise RuleError(already(request))
        messages.tell_outcome(request)
    return request


def already(request: LeaveRequest) -> str:
    """Why a decision did not happen: the request's state now."""
    who = f" by {request.decided_by}" if request.decided_by_id else ""
    if request.status == Status.CANCELLED:
        return "This request was cancelled meanwhile: there is nothing to decide."
    return f"This request was already {request.get_status_display().lower()}{who}."


def approve(request_id: int, approver_id: int | None, *, now: datetime) -> LeaveRequest:
    """Approve a pending request (``approver_id`` None: an organiser on the web, checked there)."""
    return _decided(request_id, approver_id, status=Status.APPROVED, reason="", now=now)


def decline(request_id: int, approver_id: int | None, reason: str, *, now: datetime) -> LeaveRequest:
    reason = (reason or "").strip()
    if not reason:
        raise RuleError("Say why the request is declined: the member is told.")
    return _decided(request_id, approver_id, status=Status.DECLINED, reason=reason, now=now)


def cancel(request_id: int, member_id: int | None, *, now: datetime) -> LeaveRequest:
    """Cancel a request: the member's own pending one, or approved leave that has not begun
    (its days come back). ``member_id`` None: an organiser on the web, who may cancel any
    pending or approved request of their guild."""
    for _ in range(2):  # the status read may change once under us (an approval lands)
        request = LeaveRequest.objects.select_related("leave_type").filter(id=request_id).first()
        if request is None or (member_id is not None and request.member_id != member_id):
            raise RuleError("You have no such leave request: see /leave mine.")
        if request.status not in (Status.PENDING, Status.APPROVED):
            raise RuleError(f"This request is already {request.get_status_display().lower()}.")
        started = request.start <= local_today(request.member_id, request.guild_id, now)
        if member_id is not None and request.status == Status.APPROVED and started:
            raise RuleError("This leave has begun: ask an organiser to change it.")
        with transaction.atomic():
            changed = LeaveRequest.objects.filter(id=request_id, status=request.status).update(
                status=Status.CANCELLED, cancelled_at=now, updated_at=now
            )
            if changed:
                was = request.status
                request.refresh_from_db()
                messages.tell_cancelled(request, was=was, by_member=member_id is not None)
                return request
    raise RuleError("This request changed meanwhile: see /leave mine.")


def mine(guild_id: int, member_id: int, *, today: date) -> list[LeaveRequest]:
    """The member's requests that still matter: pending ones, and approved leave not over."""
    return list(
        LeaveRequest.objects.filter(guild_id=guild_id, member_id=member_id)
        .filter(Q(status=Status.PENDING) | Q(status=Status.APPROVED, end__gte=today))
        .select_related("leave_type")
        .order_by("start", "id")
    )


# --- organisers' settings ------------------------------------------------------------------


@dataclass(frozen=True)
class SettingsDraft:
    approver_role_id: int | None
    channel_id: int | None
    away_post_hour: int
    holiday_country: str
    holiday_subdivision: str


def save_settings(guild_id: int, draft: SettingsDraft) -> LeaveSettings:
    settings = setup(guild_id)
    country, subdivision = check_settings(settings, draft)
    settings.approver_role_id = draft.approver_role_id
    settings.channel_id = draft.channel_id
    settings.away_post_hour = draft.away_post_hour
    settings.holiday_country, settings.holiday_subdivision = country, subdivision
    settings.save()
    return settings


def check_settings(settings: LeaveSettings, draft: SettingsDraft) -> tuple[str, str]:
    """A RuleError when the settings may not be saved so; the country and subdivision as spelled."""
    if not 0 <= draft.away_post_hour <= 23:
        raise RuleError("The Away today hour is from 0 to 23.")
    if draft.channel_id and draft.channel_id != settings.channel_id:
        check_channel(settings.guild, draft.channel_id)
    return days_off.check_country(draft.holiday_country, draft.holiday_subdivision)


@dataclass(frozen=True)
class TypeDraft:
    name: str
    allowance_days: Decimal | None
    needs_approval: bool = True
    auto_approve: bool = False
    half_days: bool = True
    carry_over_days: Decimal = Decimal(0)
    negative_allowed: bool = False
    active: bool = True


def save_type(guild_id: int, draft: TypeDraft, *, leave_type: LeaveType | None = None) -> LeaveType:
    """Create a leave type, or change ``leave_type``; requests already made keep their days."""
    setup(guild_id)
    check_type(guild_id, draft, leave_type=leave_type)
    target = leave_type or LeaveType(guild_id=guild_id, position=LeaveType.objects.filter(guild_id=guild_id).count())
    for field, value in vars(draft).items():
        setattr(target, field, value)
    target.name = draft.name.strip()
    target.save()
    return target


def check_type(guild_id: int, draft: TypeDraft, *, leave_type: LeaveType | None = None) -> None:
    """A RuleError when the type may not be saved so."""
    if leave_type is not None and leave_type.guild_id != guild_id:
        raise RuleError("That leave type belongs to another server.")
    name = (draft.name or "").strip()
    if not name or len(name) > 40:
        raise RuleError("A leave type's name is 1 to 40 characters.")
    for days in (draft.allowance_days, draft.carry_over_days):
        if days is not None and (days < 0 or days > 366 or days * 2 != (days * 2).to_integral()):
            raise RuleError("Days are from 0 to 366, in halves (2.5).")
    clash = LeaveType.objects.filter(guild_id=guild_id, name__iexact=name)
    if leave_type is not None:
        clash = clash.exclude(id=leave_type.id)
    if clash.exists():
        raise RuleError(f"This server already has a leave type called {name}.")


def add_holiday(guild_id: int, day: date, name: str) -> Holiday:
    name = name.strip()
    if not name or len(name) > 100:
        raise RuleError("A holiday's name is 1 to 100 characters.")
    holiday, created = Holiday.objects.get_or_create(guild_id=guild_id, date=day, defaults={"name": name})
    if not created:
        raise RuleError(f"{day_text(day)} is already a holiday here ({holiday.name}).")
    return holiday


def remove_holiday(guild_id: int, holiday_id: int) -> Holiday:
    holiday = Holiday.objects.filter(guild_id=guild_id, id=holiday_id).first()
    if holiday is None:
        raise RuleError("That holiday was removed already.")
    holiday.delete()
    return holiday
