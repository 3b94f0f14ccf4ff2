"""Grid writes: units (with their 统一社会信用代码), putting households and units into grids,
grid duties (入网定责) and visits (走访、三问三送) with photos. Every function checks the actor's
scope, then every rule into one ErrorCollector (a Chinese message naming the field), stores nothing
when anything is wrong, and writes in one transaction with its audit entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from stdnum.cn import uscc as uscc_std
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

from jiceng.core import audit, photos
from jiceng.core.boundary import identifier, text_problem
from jiceng.core.dates import years_before
from jiceng.core.errors import DomainError, ErrorCollector, NotFound
from jiceng.core.models import Area, AreaKind, RoleAssignment, User
from jiceng.core.roles import Perm
from jiceng.core.scoping import can_access_area, org_q
from jiceng.core.services import org_path_for_area
from jiceng.people import queries as people
from jiceng.people import selectors as people_selectors

from . import queries
from .models import Duty, GridDuty, Unit, UnitKind, Visit, VisitKind, VisitPhoto
from .plugin import MANAGE_GRID, RECORD_VISIT

MAX_PHOTOS = 6
PHOTO_KIND = "visits"  # the folder under MEDIA_ROOT (core.photos)
VISIT_DAYS_BACK = 1  # years: a visit is recorded within a year of it
_UNIT_KINDS = frozenset(UnitKind.values)
_DUTIES = frozenset(Duty.values)
_VISIT_KINDS = frozenset(VisitKind.values)
_ASKS = (
    ("asked_needs", "问需求", "需求"),
    ("asked_difficulties", "问困难", "困难"),
    ("asked_suggestions", "问建议", "建议"),
)
_SENDS = (("sent_warmth", "温暖"), ("sent_policy", "政策"), ("sent_service", "服务"))
# the Chinese names the messages and the audit entries use, whatever the request's language
UNIT_KIND_NAMES = {"shop": "商铺", "enterprise": "企业", "office": "机关事业单位", "other": "其他单位"}
DUTY_NAMES = {
    "grid_worker": "网格员",
    "link_leader": "联村领导",
    "work_team": "驻村工作队",
    "helper_cadre": "帮扶干部",
    "member": "入网党员",
}
VISIT_KIND_NAMES = {"receive": "接待", "visit": "走访", "screen": "排查"}


# --- 统一社会信用代码 --------------------------------------------------------------------------------


def parse_uscc(value: str | None) -> tuple[str, str | None]:
    """(the compact, upper-case code, None), or (what was typed, the refusal naming 统一社会信用代码).
    Blank is allowed (a stall without a licence). Checked by python-stdnum (GB 32100-2015: 18
    characters from the code's alphabet, the registering authority and kind, the 6-digit region,
    the organisation code and the check character)."""
    raw = identifier(value)  # full-width characters and spaces as typed on a phone
    if not raw:
        return "", None
    label = "统一社会信用代码"
    try:
        return uscc_std.validate(raw), None
    except InvalidLength:
        return raw, f"{label}：应为18位（现为{len(uscc_std.compact(raw))}位）。"
    except InvalidChecksum:
        return raw, f"{label}：校验码（最后一位）不对，请核对营业执照上的代码。"
    except (InvalidFormat, InvalidComponent):
        return raw, f"{label}：含有不允许的字符（只用数字和除I、O、Z、S、V以外的大写字母）。"
    except ValidationError:
        return raw, f"{label}：格式不正确。"


# --- units -----------------------------------------------------------------------------------------


def _text(
    errors: ErrorCollector, field: str, label: str, value: str | None, limit: int, *, required=False
) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.add(field, f"{label}：必填。")
    elif problem := text_problem(value, label=label, max_length=limit, multiline=limit > 200):
        errors.add(field, problem)
    return value


def _check_place(errors: ErrorCollector, actor, area: Area | None, field: str = "area") -> None:
    if area is None:  # none chosen, or one the actor may not register units in (which reads the same)
        errors.add(field, "所在网格：请选择您管辖范围内的网格（或尚未划入网格时的村、社区、小区）。")
    elif not can_access_area(actor, MANAGE_GRID, area):
        errors.add(field, "所在网格：不在您的管辖范围内。")
    elif area.kind not in queries.PLACE_KINDS:
        errors.add(field, "所在网格：单位应登记在网格（或尚未划入网格时登记在村、社区、小区）。")


def _check_unit(
    errors: ErrorCollector,
    actor,
    *,
    name: str,
    kind: str,
    uscc: str,
    address: str,
    exclude: Unit | None = None,
) -> tuple[str, str, str]:
    name = _text(errors, "name", "名称", name, 100, required=True)
    address = _text(errors, "address", "地址", address, 200)
    if kind not in _UNIT_KINDS:
        errors.add("kind", f"类型：应为{'、'.join(UNIT_KIND_NAMES.values())}之一。")
    code, problem = parse_uscc(uscc)
    if problem:
        errors.add("uscc", problem)
    elif code:
        same = Unit.objects.filter(uscc=code)
        if exclude is not None:
            same = same.exclude(pk=exclude.pk)
        other = same.first()
        if other is not None:
            shown = f"“{other.name}”" if can_access_area(actor, Perm.VIEW_ORG, other.area) else "另一单位"
            errors.add("uscc", f"统一社会信用代码：{code} 已登记为{shown}，同一代码只能登记一个单位。")
    return name, address, code


def _unit_state(unit: Unit) -> dict[str, Any]:
    return {
        "name": unit.name,
        "unit_kind": UNIT_KIND_NAMES.get(unit.kind, unit.kind),
        "uscc": unit.uscc,
        "grid": unit.area.name,
        "address": unit.address,
    }


def _uscc_taken() -> DomainError:
    return DomainError(field="uscc", message="统一社会信用代码：该代码刚刚被登记为另一单位。")


def unit_create(*, actor, area: Area | None, name: str, kind: str, uscc: str = "", address: str = "") -> Unit:
    """Register a shop, enterprise or office in a grid (or, until it is placed, in its village or
    community). Its 统一社会信用代码, when it has one, must be valid (GB 32100) and not registered
    for another unit."""
    errors = ErrorCollector()
    _check_place(errors, actor, area)
    name, address, code = _check_unit(errors, actor, name=name, kind=kind, uscc=uscc, address=address)
    errors.raise_if_any()
    assert area is not None  # checked above
    try:
        with transaction.atomic():
            unit = Unit.objects.create(name=name, kind=kind, uscc=code, area=area, address=address)
            audit.record(
                actor=actor,
                action="create",
                target=unit,
                org_path=org_path_for_area(area),
                changes=audit.diff({}, _unit_state(unit)),
            )
    except IntegrityError:  # the same code registered at the same moment
        raise _uscc_taken() from None
    return unit


def unit_update(
    *, actor, unit: Unit, area: Area | None, name: str, kind: str, uscc: str = "", address: str = ""
) -> Unit:
    """Change a unit's record, its place included (the new one in the actor's scope too)."""
    if not can_access_area(actor, MANAGE_GRID, unit.area):
        raise NotFound()
    errors = ErrorCollector()
    _check_place(errors, actor, area)
    name, address, code = _check_unit(
        errors, actor, name=name, kind=kind, uscc=uscc, address=address, exclude=unit
    )
    errors.raise_if_any()
    assert area is not None
    old_path = unit.area.path
    before = _unit_state(unit)
    unit.name, unit.kind, unit.uscc, unit.area, unit.address = name, kind, code, area, address
    changes = audit.diff(before, _unit_state(unit))
    if not changes:
        unit.refresh_from_db()
        raise DomainError(field="__all__", message="修改：没有修改任何内容。")
    try:
        with transaction.atomic():
            unit.save()
            for path in {org_path_for_area(area), _org_path_of(old_path)}:
                audit.record(actor=actor, action="update", target=unit, org_path=path, changes=changes)
    except IntegrityError:
        unit.refresh_from_db()
        raise _uscc_taken() from None
    return unit


def _org_path_of(area_path: str) -> str:
    area = Area.objects.filter(path=area_path).first()
    return org_path_for_area(area) if area is not None else ""


def _check_grid_target(
    errors: ErrorCollector, actor, grid: Area | None, current: Area, field: str = "grid"
) -> None:
    """A grid the actor keeps, in the same village or community as the record (moving a household
    or a unit to another village is a change of registration, not of grid)."""
    if grid is None:
        errors.add(field, "网格：必填。")
        return
    if not can_access_area(actor, MANAGE_GRID, grid):
        errors.add(field, "网格：不在您的管辖范围内。")
    elif grid.kind != AreaKind.GRID:
        errors.add(field, "网格：请选择一个网格。")
    else:
        home = queries.village_of(current)
        if home is not None and not grid.path.startswith(home.path):
            errors.add(field, f"网格：须是{home.name}的网格（跨村、社区迁移请办理户籍或登记变更）。")
        elif current.pk == grid.pk:
            errors.add(field, f"网格：已在{grid.name}。")


def unit_move(*, actor, unit: Unit, grid: Area | None) -> Unit:
    """Put a unit into a grid of its village or community (004-P7: every unit in a grid)."""
    if not can_access_area(actor, MANAGE_GRID, unit.area):
        raise NotFound()
    errors = ErrorCollector()
    _check_grid_target(errors, actor, grid, unit.area)
    errors.raise_if_any()
    assert grid is not None
    before = unit.area
    with transaction.atomic():
        Unit.objects.filter(pk=unit.pk).update(area=grid, updated_at=timezone.now())
        unit.area = grid
        for path in {org_path_for_area(grid), org_path_for_area(before)}:
            audit.record(
                actor=actor,
                action="grid_move",
                target=unit,
                org_path=path,
                changes={"grid": [before.name, grid.name]},
            )
    return unit


def household_move(*, actor, household, grid: Area | None):
    """Put a household into a grid of its village or community (004-P7: every household in a
    grid). The household's registered area changes, and with it the residence of its residents who
    were recorded where the household was (one living elsewhere keeps their own)."""
    if not can_access_area(actor, MANAGE_GRID, household.area):
        raise NotFound()
    errors = ErrorCollector()
    _check_grid_target(errors, actor, grid, household.area)
    errors.raise_if_any()
    assert grid is not None
    before = household.area
    with transaction.atomic():
        people.households().filter(pk=household.pk).update(area=grid)
        moved = people.persons().filter(household=household, area=before).update(area=grid)
        household.area = grid
        for path in {org_path_for_area(grid), org_path_for_area(before)}:
            audit.record(
                actor=actor,
                action="grid_move",
                target=household,
                org_path=path,
                changes={"grid": [before.name, grid.name], "residents_moved": [None, moved]},
            )
    return household


# --- grid duties (入网定责) --------------------------------------------------------------------------


def _resolve_person(errors: ErrorCollector, actor, person) -> Any:
    if person is None or person == "":
        return None
    pk = getattr(person, "pk", person)
    try:
        return people_selectors.person_get(actor=actor, person_id=pk)
    except NotFound:
        errors.add("person", "人员：找不到该人员，或不在您的管辖范围内。")
        return None


def _resolve_user(errors: ErrorCollector, actor, user) -> User | None:
    if user is None or user == "":
        return None
    pk = getattr(user, "pk", user)
    found = (
        User.objects.filter(
            pk__in=RoleAssignment.objects.filter(org_q(actor, Perm.VIEW_ORG, field="org")).values("user_id"),
            is_active=True,
        )
        .filter(pk=pk)
        .first()
        if isinstance(pk, int)
        else None
    )
    if found is None:
        errors.add("user", "账号：找不到该账号，或它不在您的管辖范围内任职。")
    return found


def duty_assign(
    *,
    actor,
    grid: Area,
    duty: str,
    from_date: dt.date | None,
    person=None,
    user=None,
    name: str = "",
    to_date: dt.date | None = None,
) -> GridDuty:
    """入网定责: someone answers for a grid in one duty — its grid worker (网格员), a link leader
    (联村领导), the resident work team (驻村工作队), a helper cadre (帮扶干部) or a party member
    placed in the grid (党员入网). Named by a person of the records, a log-in, or just a name; a
    party member's duty needs the person to be a party member. The same holder may not hold the
    same duty in the same grid twice at once."""
    if not can_access_area(actor, MANAGE_GRID, grid):
        raise NotFound()
    errors = ErrorCollector()
    if grid.kind != AreaKind.GRID:
        errors.add("grid", "网格：职责只能落在网格上。")
    if duty not in _DUTIES:
        errors.add("duty", f"职责：应为{'、'.join(DUTY_NAMES.values())}之一。")
    who = _resolve_person(errors, actor, person)
    account = _resolve_user(errors, actor, user)
    name = _text(errors, "name", "姓名", name, 50)
    if not name:
        name = who.name if who is not None else (account.display_name or account.username if account else "")
    if not name and "person" not in errors.errors and "user" not in errors.errors:
        errors.add("name", "姓名：必填（或选择人员、账号）。")
    if duty == Duty.MEMBER:
        if who is None:
            errors.add("person", "人员：党员入网须选择该党员。")
        elif not people.members().filter(person_id=who.pk).exists():
            errors.add("person", f"人员：{who.name} 不是党员。")
    if from_date is None:
        errors.add("from_date", "起始日期：必填。")
    elif to_date is not None and to_date < from_date:
        errors.add("to_date", "结束日期：不能早于起始日期。")
    if not errors and from_date is not None:
        overlapping = GridDuty.objects.filter(
            grid=grid, duty=duty, from_date__lte=to_date or dt.date.max
        ).filter(Q(to_date__isnull=True) | Q(to_date__gte=from_date))
        holder = (
            Q(person_id=who.pk)
            if who is not None
            else Q(user_id=account.pk)
            if account is not None
            else Q(name=name, person__isnull=True, user__isnull=True)
        )
        if overlapping.filter(holder).exists():
            errors.add("__all__", f"职责：{name} 在此期间已是{grid.name}的{DUTY_NAMES[duty]}。")
    errors.raise_if_any()
    assert from_date is not None
    with transaction.atomic():
        row = GridDuty.objects.create(
            grid=grid, duty=duty, person=who, user=account, name=name, from_date=from_date, to_date=to_date
        )
        audit.record(
            actor=actor,
            action="create",
            target=row,
            org_path=org_path_for_area(grid),
            changes={
                "duty": [None, DUTY_NAMES[duty]],
                "name": [None, name],
                "grid": [None, grid.name],
                "from_date": [None, from_date.isoformat()],
                **({"to_date": [None, to_date.isoformat()]} if to_date else {}),
            },
        )
    return row


def duty_end(*, actor, duty: GridDuty, to_date: dt.date | None) -> GridDuty:
    """End a duty (or correct its end): not before it began."""
    if not can_access_area(actor, MANAGE_GRID, duty.grid):
        raise NotFound()
    errors = ErrorCollector()
    if to_date is None:
        errors.add("to_date", "结束日期：必填。")
    elif to_date < duty.from_date:
        errors.add("to_date", f"结束日期：不能早于起始日期（{duty.from_date:%Y-%m-%d}）。")
    elif to_date == duty.to_date:
        errors.add("to_date", "结束日期：与原来相同，没有修改。")
    errors.raise_if_any()
    before = duty.to_date
    with transaction.atomic():
        GridDuty.objects.filter(pk=duty.pk).update(to_date=to_date)
        duty.to_date = to_date
        audit.record(
            actor=actor,
            action="duty_end",
            target=duty,
            org_path=org_path_for_area(duty.grid),
            changes=audit.diff({"to_date": before}, {"to_date": to_date}),
        )
    return duty


# --- visits (走访、三问三送) -----------------------------------------------------------------------


def _in_grid(model_qs, grid: Area, obj, field: str, label: str, errors: ErrorCollector, *, person=False):
    """The household, unit or person (an instance or an id) if it belongs to ``grid``, else a field
    error (one of another grid, or of nowhere, reads the same)."""
    if obj is None or obj == "":
        return None
    pk = getattr(obj, "pk", obj)
    if not isinstance(pk, int):
        errors.add(field, f"{label}：无效。")
        return None
    near = Q(area__path__startswith=grid.path)
    if person:
        near |= Q(household__area__path__startswith=grid.path)
    found = model_qs.filter(near, pk=pk).first()
    if found is None:
        errors.add(field, f"{label}：不是{grid.name}的{label}。")
    return found


def visit_record(
    *,
    actor,
    grid: Area,
    kind: str,
    visited_on: dt.date | None,
    household=None,
    unit=None,
    person=None,
    asked_needs: str = "",
    asked_difficulties: str = "",
    asked_suggestions: str = "",
    sent_warmth: bool = False,
    sent_policy: bool = False,
    sent_service: bool = False,
    notes: str = "",
    follow_up: str = "",
    photos_in: Iterable[Any] = (),
) -> Visit:
    """Record a visit in a grid (一接待、二走访、三排查; 三问三送: ask about needs, difficulties and
    suggestions; bring warmth, policy and service).

    Rules: the grid is in the actor's scope for recording visits; the date is not in the future and
    not more than a year back; the household, unit and person visited, when named, belong to the
    grid (the person to the household, when both are named), a household or a unit but not both;
    at least one of the three questions or the notes says what was found; at most six photos, each
    a real JPEG, PNG or WebP, stored stripped of its EXIF and GPS data (core.photos)."""
    if grid.kind != AreaKind.GRID or not can_access_area(actor, RECORD_VISIT, grid):
        raise NotFound()
    return _visit_write(
        actor=actor,
        grid=grid,
        kind=kind,
        visited_on=visited_on,
        household=household,
        unit=unit,
        person=person,
        asked_needs=asked_needs,
        asked_difficulties=asked_difficulties,
        asked_suggestions=asked_suggestions,
        sent_warmth=sent_warmth,
        sent_policy=sent_policy,
        sent_service=sent_service,
        notes=notes,
        follow_up=follow_up,
        photos_in=photos_in,
    )


def contact_visit_record(
    *, actor, household, visitor_person, visited_on: dt.date | None, **fields: Any
) -> Visit:
    """A party member's visit to a household they are assigned to contact (联系户: the contacts
    app's duty, which the caller has checked: the actor is the member or may record for them):
    recorded in the household's grid with the member as ``visitor_person``, by the same rules as
    ``visit_record``, without the grid worker's right to record visits there."""
    grid = queries.grid_of(household.area)
    if grid is None:
        raise DomainError(
            field="household",
            message="联系户：该户还没有划入网格，走访要记在网格里，请先请网格员把该户划入网格。",
        )
    return _visit_write(
        actor=actor,
        grid=grid,
        visited_on=visited_on,
        household=household,
        visitor_person=visitor_person,
        **fields,
    )


def _visit_write(
    *,
    actor,
    grid: Area,
    kind: str = "visit",
    visited_on: dt.date | None,
    household=None,
    unit=None,
    person=None,
    asked_needs: str = "",
    asked_difficulties: str = "",
    asked_suggestions: str = "",
    sent_warmth: bool = False,
    sent_policy: bool = False,
    sent_service: bool = False,
    notes: str = "",
    follow_up: str = "",
    photos_in: Iterable[Any] = (),
    visitor_person=None,
) -> Visit:
    errors = ErrorCollector()
    if kind not in _VISIT_KINDS:
        errors.add("kind", f"走访方式：应为{'、'.join(VISIT_KIND_NAMES.values())}之一。")
    today = timezone.localdate()
    earliest = years_before(today, VISIT_DAYS_BACK)
    if visited_on is None:
        errors.add("visited_on", "走访日期：必填。")
    elif visited_on > today:
        errors.add("visited_on", "走访日期：不能晚于今天，走访在发生后记录。")
    elif visited_on < earliest:
        errors.add("visited_on", f"走访日期：不能早于{earliest:%Y-%m-%d}（一年内的走访才能补记）。")
    hh = _in_grid(people.households(), grid, household, "household", "户", errors)
    un = _in_grid(queries.units(), grid, unit, "unit", "单位", errors)
    who = _in_grid(people.persons(), grid, person, "person", "居民", errors, person=True)
    if hh is not None and un is not None:
        errors.add("unit", "走访对象：一次走访记一户或一个单位，不能同时选。")
    if hh is not None and who is not None and who.household_id != hh.pk:
        errors.add("person", f"居民：{who.name} 不是该户的成员。")
    asked_in = {
        "asked_needs": asked_needs,
        "asked_difficulties": asked_difficulties,
        "asked_suggestions": asked_suggestions,
    }
    texts = {field: _text(errors, field, label, asked_in[field], 500) for field, label, _short in _ASKS}
    texts["notes"] = _text(errors, "notes", "情况记录", notes, 1000)
    texts["follow_up"] = _text(errors, "follow_up", "后续跟进", follow_up, 500)
    if not any(texts[f] for f, _l, _s in _ASKS) and not texts["notes"] and "notes" not in errors.errors:
        errors.add("notes", "走访内容：问需求、问困难、问建议或情况记录至少填写一项。")
    uploads = [u for u in photos_in if u]
    cleaned: list[photos.CleanImage] = []
    if len(uploads) > MAX_PHOTOS:
        errors.add("photos", f"照片：最多上传 {MAX_PHOTOS} 张（现为 {len(uploads)} 张）。")
    else:
        for up in uploads:
            try:
                cleaned.append(photos.clean_image(up, field="photos"))
            except DomainError as exc:
                for msg in exc.errors.get("photos", []):
                    errors.add("photos", msg)
    errors.raise_if_any()
    assert visited_on is not None
    names = [photos.save(img, kind=PHOTO_KIND) for img in cleaned]
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                grid=grid,
                household=hh,
                unit=un,
                person=who,
                visitor=actor if getattr(actor, "pk", None) else None,
                visitor_person=visitor_person,
                visited_on=visited_on,
                kind=kind,
                sent_warmth=bool(sent_warmth),
                sent_policy=bool(sent_policy),
                sent_service=bool(sent_service),
                **texts,
            )
            VisitPhoto.objects.bulk_create(
                [
                    VisitPhoto(
                        visit=visit, name=n, content_type=img.content_type, width=img.width, height=img.height
                    )
                    for n, img in zip(names, cleaned, strict=True)
                ]
            )
            asked = "、".join(short for f, _l, short in _ASKS if texts[f])
            sent = "、".join(short for f, short in _SENDS if getattr(visit, f))
            changes: dict[str, list[Any]] = {
                "visit_kind": [None, VISIT_KIND_NAMES[kind]],
                "visited_on": [None, visited_on.isoformat()],
                "grid": [None, grid.name],
            }
            if hh is not None:
                changes["household"] = [None, hh.address]
            if un is not None:
                changes["unit"] = [None, un.name]
            if who is not None:
                changes["person_visited"] = [None, who.name]
            if asked:
                changes["three_asks"] = [None, asked]
            if sent:
                changes["three_sends"] = [None, sent]
            if names:
                changes["photos"] = [None, len(names)]
            audit.record(
                actor=actor, action="create", target=visit, org_path=org_path_for_area(grid), changes=changes
            )
    except BaseException:
        for n in names:  # nothing of a refused write stays behind, on disk either
            photos.delete(n)
        raise
    return visit
