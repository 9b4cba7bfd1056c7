"""The OpenAPI 3.1 document: APIFlask builds paths and schemas; this adds what it cannot know: problem+json
errors, bearer security, the ETag / X-Log-Position / Location / X-Request-Id headers, If-Match and
Idempotency-Key on writes, ``format: uuid`` on id path parameters."""

from __future__ import annotations

import json

from web.api.admin import JOB_ID_PATTERN
from web.idempotency import KEY_PATTERN
from web.problems import HTTP_PROBLEMS, PROBLEM_MEDIA_TYPE
from web.schemas import Problem

INFO = {
    "description": (
        "twinning: EU–Asia city-to-city cooperation programmes, event-sourced.\n\n"
        "Authenticate with `Authorization: Bearer <token>`. Errors are RFC 9457 problem details "
        '(`application/problem+json`). Single resources carry `ETag: "<version>"`; writes honour '
        "`If-Match`. A POST with `Idempotency-Key` returns its first answer when retried. Commands answer "
        "`X-Log-Position`; lists given `?after=<position>` wait (up to 5 s) until their view has caught up.\n\n"
        "A request that matches this document is refused only for what no schema can know: 404 for an id in "
        "the path that names nothing, 409 for a rule of the recorded state (`unknown-reference` for an id in "
        "the body that names nothing, naming the field; `log-position-not-recorded` for an `after` beyond the "
        "log), 412 for a stale `If-Match`, 400 `invalid-cursor` for a cursor the list did not hand out, 429 "
        "from the limiter. Rules across fields are stated in each body's description and answer 422."
    ),
}
SECURITY_SCHEMES = {"bearerAuth": {"type": "http", "scheme": "bearer", "description": "a token issued by an admin"}}
PUBLIC_PATHS = ("/healthz", "/api/v1/themes")
READ_ERRORS = (400, 401, 403, 404, 422, 429, 500, 503)
WRITE_ERRORS = (400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 500, 503)
NON_UUID_PARAMS = {"milestone_id", "job_id"}
PATH_PARAM_SCHEMAS = {"job_id": {"type": "string", "pattern": JOB_ID_PATTERN}}
# RFC 9110 entity-tags as the server sends them ("3"); a weak one (W/"3") is well formed but never matches: 412
IF_MATCH_PATTERN = r'^(|\*|(W/)?"[0-9]{1,18}")$'


# What each operation does, in the programme's words: generated clients name their functions so.
OPERATION_IDS = {
    "GET /api/v1/action-plans": "list_action_plans",
    "GET /api/v1/action-plans/{plan_id}": "get_action_plan",
    "POST /api/v1/action-plans/{plan_id}/actions": "add_action",
    "POST /api/v1/action-plans/{plan_id}/actions/{action_id}/done": "finish_action",
    "POST /api/v1/action-plans/{plan_id}/actions/{action_id}/drop": "drop_action",
    "POST /api/v1/action-plans/{plan_id}/actions/{action_id}/start": "start_action",
    "POST /api/v1/action-plans/{plan_id}/adopt": "adopt_action_plan_for_city",
    "GET /api/v1/action-plans/{action_plan_id}/history": "get_action_plan_history",
    "POST /api/v1/action-plans/{plan_id}/indicators": "define_indicator",
    "POST /api/v1/action-plans/{plan_id}/indicators/{indicator_id}/values": "report_indicator_value",
    "POST /api/v1/action-plans/{plan_id}/objectives": "add_objective",
    "POST /api/v1/partnerships/{partnership_id}/action-plans": "draft_action_plan",
    "GET /api/v1/programmes/{programme_id}/report": "get_programme_report",
    "GET /api/v1/admin/jobs": "list_jobs",
    "POST /api/v1/admin/jobs/{job_id}/requeue": "requeue_job",
    "GET /api/v1/agreements": "list_agreements",
    "POST /api/v1/agreements": "draft_agreement",
    "GET /api/v1/agreements/{agreement_id}": "get_agreement",
    "GET /api/v1/agreements/{agreement_id}/history": "get_agreement_history",
    "POST /api/v1/agreements/{agreement_id}/sign": "sign_agreement",
    "POST /api/v1/agreements/{agreement_id}/terminate": "terminate_agreement",
    "GET /api/v1/audit/events": "list_audit_events",
    "GET /api/v1/audit/head": "get_audit_head",
    "GET /api/v1/audit/verify": "verify_audit_chain",
    "GET /api/v1/cities": "list_cities",
    "POST /api/v1/cities": "register_city",
    "GET /api/v1/cities/{city_id}": "get_city",
    "PATCH /api/v1/cities/{city_id}": "update_city",
    "GET /api/v1/cities/{city_id}/history": "get_city_history",
    "GET /api/v1/cities/{city_id}/invitations": "list_invitations_awaiting",
    "POST /api/v1/cities/{city_id}/stakeholders": "add_stakeholder",
    "GET /api/v1/cities/{city_id}/suggestions": "suggest_partners",
    "GET /api/v1/cities/{city_id}/timeline": "get_city_timeline",
    "GET /api/v1/exports/agreements.csv": "export_agreements_csv",
    "GET /api/v1/exports/agreements.json": "export_agreements_json",
    "GET /api/v1/exports/audit.csv": "export_audit_csv",
    "GET /api/v1/exports/audit.json": "export_audit_json",
    "GET /api/v1/exports/meetings.csv": "export_meetings_csv",
    "GET /api/v1/exports/meetings.json": "export_meetings_json",
    "GET /api/v1/exports/partnerships.csv": "export_partnerships_csv",
    "GET /api/v1/exports/partnerships.json": "export_partnerships_json",
    "GET /api/v1/exports/projects.csv": "export_projects_csv",
    "GET /api/v1/exports/projects.json": "export_projects_json",
    "GET /api/v1/me": "get_me",
    "GET /api/v1/me/notifications": "list_my_notifications",
    "PATCH /api/v1/me": "update_me",
    "POST /api/v1/me/notifications/{notification_id}/read": "mark_notification_read",
    "POST /api/v1/me/notifications/read": "mark_all_notifications_read",
    "GET /api/v1/meetings": "list_meetings",
    "POST /api/v1/meetings": "schedule_meeting",
    "POST /api/v1/meetings/held": "record_held_meeting",
    "GET /api/v1/meetings/slots": "find_common_slots",
    "GET /api/v1/meetings/{meeting_id}": "get_meeting",
    "POST /api/v1/meetings/{meeting_id}/cancel": "cancel_meeting",
    "POST /api/v1/meetings/{meeting_id}/feedback": "give_meeting_feedback",
    "POST /api/v1/meetings/{meeting_id}/follow-up": "give_meeting_follow_up",
    "GET /api/v1/meetings/{meeting_id}/history": "get_meeting_history",
    "GET /api/v1/meetings/{meeting_id}/ics": "get_meeting_calendar",
    "POST /api/v1/meetings/{meeting_id}/invite": "invite_to_meeting",
    "POST /api/v1/meetings/{meeting_id}/outcome": "record_meeting_outcome",
    "POST /api/v1/meetings/{meeting_id}/reschedule": "reschedule_meeting",
    "GET /api/v1/partnerships": "list_partnerships",
    "POST /api/v1/partnerships": "propose_partnership",
    "GET /api/v1/partnerships/{partnership_id}": "get_partnership",
    "POST /api/v1/partnerships/{partnership_id}/accept": "accept_invitation",
    "POST /api/v1/partnerships/{partnership_id}/action-plan": "adopt_action_plan",
    "POST /api/v1/partnerships/{partnership_id}/conclude": "conclude_partnership",
    "POST /api/v1/partnerships/{partnership_id}/decline": "decline_invitation",
    "GET /api/v1/partnerships/{partnership_id}/history": "get_partnership_history",
    "POST /api/v1/partnerships/{partnership_id}/invite": "invite_to_partnership",
    "POST /api/v1/partnerships/{partnership_id}/withdraw": "withdraw_proposal",
    "GET /api/v1/programmes": "list_programmes",
    "POST /api/v1/programmes": "launch_programme",
    "GET /api/v1/programmes/{programme_id}": "get_programme",
    "GET /api/v1/programmes/{programme_id}/history": "get_programme_history",
    "POST /api/v1/programmes/{programme_id}/cities": "join_programme",
    "POST /api/v1/programmes/{programme_id}/cities/{city_id}/leave": "leave_programme",
    "POST /api/v1/programmes/{programme_id}/close": "close_programme",
    "POST /api/v1/programmes/{programme_id}/clusters": "form_cluster",
    "POST /api/v1/programmes/{programme_id}/facilitators": "assign_facilitator",
    "GET /api/v1/clusters/{cluster_id}": "get_cluster",
    "GET /api/v1/clusters/{cluster_id}/history": "get_cluster_history",
    "POST /api/v1/clusters/{cluster_id}/cities": "join_cluster",
    "POST /api/v1/clusters/{cluster_id}/cities/{city_id}/leave": "leave_cluster",
    "GET /api/v1/projects": "list_projects",
    "POST /api/v1/projects": "launch_project",
    "GET /api/v1/projects/{project_id}": "get_project",
    "POST /api/v1/projects/{project_id}/cancel": "cancel_project",
    "POST /api/v1/projects/{project_id}/complete": "complete_project",
    "GET /api/v1/projects/{project_id}/history": "get_project_history",
    "POST /api/v1/projects/{project_id}/milestones": "plan_milestone",
    "POST /api/v1/projects/{project_id}/milestones/{milestone_id}/achieve": "achieve_milestone",
    "POST /api/v1/projects/{project_id}/milestones/{milestone_id}/reschedule": "reschedule_milestone",
    "GET /api/v1/reports/dashboard": "get_dashboard",
    "GET /api/v1/reports/progress-review": "get_progress_review",
    "GET /api/v1/themes": "list_themes",
    "POST /api/v1/users": "create_user",
    "GET /api/v1/users/{user_id}": "get_user",
    "POST /api/v1/users/{user_id}/deactivate": "deactivate_user",
    "POST /api/v1/users/{user_id}/erase": "erase_user",
    "GET /api/v1/users/{user_id}/personal-data": "get_personal_data",
    "GET /api/v1/users/{user_id}/history": "get_user_history",
    "POST /api/v1/users/{user_id}/tokens": "issue_token",
    "POST /api/v1/users/{user_id}/tokens/revoke": "revoke_tokens",
    "GET /healthz": "check_health",
}


def _name_components(spec: dict) -> None:
    """APIFlask names a nested model ``Parent.Child``; generators then make two ``Child`` classes.

    Every component gets one name: a nested model is called by its own name, one component
    for all the places it appears when they are the same schema, ``ParentChild`` when not.
    """
    schemas = spec.get("components", {}).get("schemas", {})
    by_child: dict[str, list[str]] = {}
    for name in schemas:
        by_child.setdefault(name.rsplit(".", 1)[-1], []).append(name)
    renamed: dict[str, str] = {}
    for child, names in by_child.items():
        if not any("." in name for name in names):
            continue
        shapes = {json.dumps(schemas[name], sort_keys=True) for name in names}
        for name in names:
            renamed[name] = child if len(shapes) == 1 else name.replace(".", "")
    if not renamed:
        return
    for old, new in renamed.items():
        schemas[new] = schemas.pop(old) if old != new else schemas[old]
    text = json.dumps(spec)
    for old, new in sorted(renamed.items(), key=lambda item: -len(item[0])):
        text = text.replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
    spec.clear()
    spec.update(json.loads(text))


def _header(description: str, schema: dict | None = None) -> dict:
    return {"description": description, "schema": schema or {"type": "string"}}


RESPONSE_HEADERS = {
    "X-Request-Id": _header("the request's id (echoed when the client sent a valid one)"),
}
RESOURCE_HEADERS = {
    "ETag": _header('the resource\'s version, e.g. "3"'),
    "X-Log-Position": _header("position of the command's last event in the log (commands only)"),
    "Location": _header("where the created resource is (201 only)"),
}


# Operations that also answer in other media types (content negotiation: Accept, or ?format=).
ALTERNATE_MEDIA = {
    "GET /api/v1/programmes/{programme_id}/report": {
        "text/csv": {"schema": {"type": "string", "description": "rows: section, item, metric, value"}},
        "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    },
}


def _problem_components(spec: dict) -> None:
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in schema.pop("$defs", {}).items():
        schemas.setdefault(name, definition)
    schemas["Problem"] = schema
    responses = spec["components"].setdefault("responses", {})
    for status, (code, title) in HTTP_PROBLEMS.items():
        headers = dict(RESPONSE_HEADERS)
        if status in (429, 503):
            headers["Retry-After"] = _header("seconds to wait before retrying", {"type": "string"})
        if status == 401:
            headers["WWW-Authenticate"] = _header("Bearer")
        responses[f"Problem{status}"] = {
            "description": f"{title} (problem type …/problems/{code} or a more specific one)",
            "headers": headers,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    responses["ProblemDefault"] = {
        "description": "any other problem",
        "headers": dict(RESPONSE_HEADERS),
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _require_body(spec: dict, operation: dict) -> None:
    """A body whose schema has required fields must be sent (APIFlask leaves requestBody.required out)."""
    body = operation.get("requestBody")
    if not body:
        return
    schema = body.get("content", {}).get("application/json", {}).get("schema", {})
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        schema = spec["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
    if schema.get("required"):
        body["required"] = True


def process(spec: dict) -> dict:
    _problem_components(spec)
    _name_components(spec)
    for path, operations in spec.get("paths", {}).items():
        public = path in PUBLIC_PATHS
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            operation["operationId"] = OPERATION_IDS.get(f"{method.upper()} {path}", operation.get("operationId"))
            write = method != "get"
            operation["security"] = [] if public else [{"bearerAuth": []}]
            for parameter in operation.get("parameters", []):
                if (
                    parameter.get("in") == "path"
                    and parameter["name"].endswith("_id")
                    and parameter["name"] not in NON_UUID_PARAMS
                ):
                    parameter["schema"] = {"type": "string", "format": "uuid"}
                if parameter.get("in") == "path" and parameter["name"] in PATH_PARAM_SCHEMAS:
                    parameter["schema"] = dict(PATH_PARAM_SCHEMAS[parameter["name"]])
            if write:
                operation.setdefault("parameters", []).append(
                    {
                        "name": "If-Match",
                        "in": "header",
                        "required": False,
                        "description": 'act only if the resource is still at this version (its ETag, e.g. "3")',
                        "schema": {"type": "string", "pattern": IF_MATCH_PATTERN},
                    }
                )
            if method == "post":
                operation["parameters"].append(
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "description": "a retry with the same key and body returns the first answer (kept ≥ 24 h)",
                        "schema": {"type": "string", "pattern": KEY_PATTERN},
                    }
                )
            _require_body(spec, operation)
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
                if status == "200" and f"{method.upper()} {path}" in ALTERNATE_MEDIA:
                    response.setdefault("content", {}).update(ALTERNATE_MEDIA[f"{method.upper()} {path}"])
                if status.startswith("2"):
                    headers = response.setdefault("headers", {})
                    headers.update(RESPONSE_HEADERS)
                    if path.startswith("/api/v1") and not public:
                        headers.update(RESOURCE_HEADERS)
            errors = WRITE_ERRORS if write else READ_ERRORS
            for status in errors:
                if public and status in (401, 403, 404, 409, 412, 429):
                    continue
                responses.setdefault(str(status), {"$ref": f"#/components/responses/Problem{status}"})
            if method == "get" and path != "/healthz":
                responses.setdefault("503", {"$ref": "#/components/responses/Problem503"})
            responses.setdefault("default", {"$ref": "#/components/responses/ProblemDefault"})
    return spec


def install(app) -> None:
    app.spec_processor(process)
