"""Action plans (UCAPs): each plan with its objectives, its actions and its indicators' reported values."""

from __future__ import annotations

from typing import Any

from domain.model.action_plan import ActionPlan
from domain.model.statuses import ActionPlanStatus, ActionStatus
from domain.views import timeline
from domain.views.cities import name
from domain.views.codec import day, dump, instant, load
from domain.views.context import Context, handles, looks_up
from domain.views.table import Table
from domain.views.timeline import quoted, tells
from domain.views.told import Names, Told

ACTION_PLANS = Table(
    "view_action_plans",
    "id, partnership_id, programme_id?, title, status, member_city_ids:json, objectives:json, adopted_on:day?,"
    " drafted_at:instant, updated_at:instant, version:int, position:bigint",
    key="id",
    indexes={
        "by_position": "position",
        "by_partnership": "partnership_id, position",
        "by_programme": "programme_id, position",
    },
)
PLAN_ACTIONS = Table(
    "view_plan_actions",
    "plan_id, action_id, title, responsible_city_id, starts_on:day, ends_on:day, means?, objective_id?, status,"
    " started_on:day?, done_on:day?, dropped_on:day?, dropped_reason?, position:bigint",
    key="plan_id, action_id",
)
PLAN_INDICATORS = Table(
    "view_plan_indicators",
    "plan_id, indicator_id, name, unit, baseline:real, target:real, reported:json, latest:real?, latest_on:day?,"
    " position:bigint",
    key="plan_id, indicator_id",
)
TABLES = (ACTION_PLANS, PLAN_ACTIONS, PLAN_INDICATORS)


def _copy(plan: dict[str, Any]) -> dict[str, Any]:
    return {
        **plan,
        "objectives": list(plan["objectives"]),
        "actions": dict(plan["actions"]),
        "indicators": {k: {**i, "reported": list(i["reported"])} for k, i in plan["indicators"].items()},
    }


@looks_up("action_plans", copy=_copy)
def _load(db: Any, plan_id: str) -> dict[str, Any] | None:
    row = db.one(f"SELECT title, member_city_ids, objectives FROM {ACTION_PLANS.name} WHERE id = ?", (plan_id,))
    if row is None:
        return None
    actions = db.all(f"SELECT action_id, title FROM {PLAN_ACTIONS.name} WHERE plan_id = ?", (plan_id,))
    indicators = db.all(f"SELECT * FROM {PLAN_INDICATORS.name} WHERE plan_id = ?", (plan_id,))
    return {
        "title": row["title"],
        "members": load(row["member_city_ids"]),
        "objectives": load(row["objectives"]),
        "actions": {r["action_id"]: r["title"] for r in actions},
        "indicators": {
            r["indicator_id"]: {"name": r["name"], "unit": r["unit"], "reported": load(r["reported"])}
            for r in indicators
        },
    }


# -- handlers --------------------------------------------------------------------------------


@handles(ActionPlan.ActionPlanDrafted)
def drafted(ctx: Context, position: int, e: Any) -> None:
    plan_id, at = str(e.originator_id), instant(e.timestamp)
    members = list(e.member_city_ids)
    ACTION_PLANS.insert(
        ctx.db,
        id=plan_id,
        partnership_id=e.partnership_id,
        programme_id=getattr(e, "programme_id", None),
        title=e.title,
        status=ActionPlanStatus.DRAFTED,
        member_city_ids=dump(members),
        objectives=dump([]),
        drafted_at=at,
        updated_at=at,
        version=e.originator_version,
        position=position,
    )
    ctx.put(
        "action_plans",
        plan_id,
        {"title": e.title, "members": members, "objectives": [], "actions": {}, "indicators": {}},
    )
    timeline.record(ctx, members, position)


def _plan(ctx: Context, e: Any) -> dict[str, Any] | None:
    return ctx.get("action_plans", str(e.originator_id))


@handles(ActionPlan.ObjectiveAdded)
def objective_added(ctx: Context, position: int, e: Any) -> None:
    if (plan := _plan(ctx, e)) is None:
        return
    plan["objectives"].append({"id": e.objective_id, "text": e.text})
    ctx.touch(ACTION_PLANS.name, e, objectives=dump(plan["objectives"]))
    timeline.record(ctx, plan["members"], position)


@handles(ActionPlan.ActionAdded)
def action_added(ctx: Context, position: int, e: Any) -> None:
    if (plan := _plan(ctx, e)) is None:
        return
    plan["actions"][e.action_id] = e.title
    PLAN_ACTIONS.insert(
        ctx.db,
        plan_id=str(e.originator_id),
        action_id=e.action_id,
        title=e.title,
        responsible_city_id=e.responsible_city_id,
        starts_on=day(e.starts_on),
        ends_on=day(e.ends_on),
        means=e.means,
        objective_id=e.objective_id,
        status=ActionStatus.PLANNED,
        position=position,
    )
    ctx.touch(ACTION_PLANS.name, e)
    timeline.record(ctx, plan["members"], position)


ACTION_CHANGES = {
    ActionPlan.ActionStarted: lambda e: {"status": ActionStatus.STARTED, "started_on": day(e.on)},
    ActionPlan.ActionDone: lambda e: {"status": ActionStatus.DONE, "done_on": day(e.on)},
    ActionPlan.ActionDropped: lambda e: {
        "status": ActionStatus.DROPPED,
        "dropped_on": day(e.on),
        "dropped_reason": e.reason,
    },
}


@handles(*ACTION_CHANGES)
def action_changed(ctx: Context, position: int, e: Any) -> None:
    if (plan := _plan(ctx, e)) is None:
        return
    ctx.db.update_key(PLAN_ACTIONS.name, (str(e.originator_id), e.action_id), ACTION_CHANGES[type(e)](e))
    ctx.touch(ACTION_PLANS.name, e)
    timeline.record(ctx, plan["members"], position)


@handles(ActionPlan.IndicatorDefined)
def indicator_defined(ctx: Context, position: int, e: Any) -> None:
    if (plan := _plan(ctx, e)) is None:
        return
    plan["indicators"][e.indicator_id] = {"name": e.name, "unit": e.unit, "reported": []}
    PLAN_INDICATORS.insert(
        ctx.db,
        plan_id=str(e.originator_id),
        indicator_id=e.indicator_id,
        name=e.name,
        unit=e.unit,
        baseline=e.baseline,
        target=e.target,
        reported=dump([]),
        position=position,
    )
    ctx.touch(ACTION_PLANS.name, e)
    timeline.record(ctx, plan["members"], position)


@handles(ActionPlan.IndicatorValueReported)
def value_reported(ctx: Context, position: int, e: Any) -> None:
    if (plan := _plan(ctx, e)) is None or (indicator := plan["indicators"].get(e.indicator_id)) is None:
        return
    reported = indicator["reported"]
    reported.append({"value": e.value, "on": day(e.on), "note": e.note})
    reported.sort(key=lambda v: v["on"])
    latest = reported[-1]
    ctx.db.update_key(
        PLAN_INDICATORS.name,
        (str(e.originator_id), e.indicator_id),
        {"reported": dump(reported), "latest": latest["value"], "latest_on": latest["on"]},
    )
    ctx.touch(ACTION_PLANS.name, e)
    timeline.record(ctx, plan["members"], position)


@handles(ActionPlan.MemberAdoptedActionPlan)
def member_adopted(ctx: Context, position: int, e: Any) -> None:
    if (plan := _plan(ctx, e)) is None:
        return
    ctx.touch(ACTION_PLANS.name, e)
    timeline.record(ctx, plan["members"], position)


@handles(ActionPlan.ActionPlanAdopted)
def adopted(ctx: Context, position: int, e: Any) -> None:
    if (plan := _plan(ctx, e)) is None:
        return
    ctx.touch(ACTION_PLANS.name, e, status=ActionPlanStatus.ADOPTED, adopted_on=day(e.adopted_on))
    timeline.record(ctx, plan["members"], position)


def _action(p: dict, e: Any) -> str:
    return quoted(p["actions"].get(e.action_id, e.action_id))


TOLD: dict[type, Any] = {
    ActionPlan.ActionPlanDrafted: lambda ctx, at, p, e: Told(
        "The action plan {plan} was drafted by {cities}",
        plan=quoted(e.title),
        cities=Names([name(ctx, c, at) for c in e.member_city_ids]),
    ),
    ActionPlan.ObjectiveAdded: lambda ctx, at, p, e: Told(
        "Objective added to {plan}: {objective}", plan=quoted(p["title"]), objective=e.text
    ),
    ActionPlan.ActionAdded: lambda ctx, at, p, e: Told(
        "Action {action} planned in {plan} for {city}, {start} to {end}",
        action=quoted(e.title),
        plan=quoted(p["title"]),
        city=name(ctx, e.responsible_city_id, at),
        start=day(e.starts_on),
        end=day(e.ends_on),
    ),
    ActionPlan.ActionStarted: lambda ctx, at, p, e: Told(
        "Action {action} started on {day}", action=_action(p, e), day=day(e.on)
    ),
    ActionPlan.ActionDone: lambda ctx, at, p, e: Told(
        "Action {action} was done on {day}", action=_action(p, e), day=day(e.on)
    ),
    ActionPlan.ActionDropped: lambda ctx, at, p, e: Told(
        "Action {action} was dropped on {day}: {reason}", action=_action(p, e), day=day(e.on), reason=e.reason
    ),
    ActionPlan.IndicatorDefined: lambda ctx, at, p, e: Told(
        "Indicator {indicator} defined in {plan}: from {baseline} to {target} {unit}",
        indicator=quoted(e.name),
        plan=quoted(p["title"]),
        baseline=f"{e.baseline:g}",
        target=f"{e.target:g}",
        unit=e.unit,
    ),
    ActionPlan.IndicatorValueReported: lambda ctx, at, p, e: Told(
        "{indicator} reported at {value} {unit} on {day}",
        indicator=quoted(p["indicators"].get(e.indicator_id, {}).get("name", e.indicator_id)),
        value=f"{e.value:g}",
        unit=p["indicators"].get(e.indicator_id, {}).get("unit", ""),
        day=day(e.on),
    ),
    ActionPlan.MemberAdoptedActionPlan: lambda ctx, at, p, e: Told(
        "{city} adopted the action plan {plan} on {day}",
        city=name(ctx, e.city_id, at),
        plan=quoted(p["title"]),
        day=day(e.on),
    ),
    ActionPlan.ActionPlanAdopted: lambda ctx, at, p, e: Told(
        "The action plan {plan} was adopted by every member city on {day}",
        plan=quoted(p["title"]),
        day=day(e.adopted_on),
    ),
}


@tells(*TOLD)
def _told(ctx: Context, position: int, e: Any) -> str:
    return TOLD[type(e)](ctx, position, ctx.get("action_plans", str(e.originator_id)), e)
