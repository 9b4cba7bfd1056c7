"""The OpenAPI 3.1 document: APIFlask builds paths and schemas; this adds what it cannot know.

Every operation gets its problem+json error responses (and a ``default``), the
bearer security requirement (public ones: none), the ETag / X-Log-Position /
Location / X-Request-Id response headers, If-Match and Idempotency-Key request
headers on writes, and ``format: uuid`` on id path parameters.
"""

from __future__ import annotations

from web.problems import HTTP_PROBLEMS, PROBLEM_MEDIA_TYPE
from web.schemas import Problem

INFO = {
    "description": (
        "twinning: EU–Asia city-to-city cooperation programmes, event-sourced.\n\n"
        "Authenticate with `Authorization: Bearer <token>`. Errors are RFC 9457 problem details "
        '(`application/problem+json`). Single resources carry `ETag: "<version>"`; writes honour '
        "`If-Match`. A POST with `Idempotency-Key` returns its first answer when retried. Commands answer "
        "`X-Log-Position`; lists given `?after=<position>` wait (up to 5 s) until their view has caught up."
    ),
}
SECURITY_SCHEMES = {"bearerAuth": {"type": "http", "scheme": "bearer", "description": "a token issued by an admin"}}
PUBLIC_PATHS = ("/healthz", "/api/v1/themes")
READ_ERRORS = (400, 401, 403, 404, 422, 429, 500, 503)
WRITE_ERRORS = (400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 500, 503)
NON_UUID_PARAMS = {"milestone_id", "job_id"}
PATH_PARAM_SCHEMAS = {"job_id": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[A-Za-z0-9_-]+$"}}


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


def process(spec: dict) -> dict:
    _problem_components(spec)
    for path, operations in spec.get("paths", {}).items():
        public = path in PUBLIC_PATHS
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
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
                        "schema": {"type": "string"},
                    }
                )
            if method == "post":
                operation["parameters"].append(
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "description": "a retry with the same key and body returns the first answer (kept ≥ 24 h)",
                        "schema": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 255,
                            "pattern": "^[A-Za-z0-9_.:~+/=-]+$",
                        },
                    }
                )
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
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
