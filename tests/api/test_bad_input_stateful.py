"""A stateful fuzz of the API: hypothesis drives the Flask test client with random sequences of
commands — valid ones on the things created so far, and invalid ones (wrong types, wrong
people, bad dates, odd Unicode, stale If-Match, replayed Idempotency-Keys, garbage bodies).

Each command is drawn either "tame" (every field from a valid range, by someone who may act,
about 3 in 4 commands, so that state builds up: cities, partnerships, meetings, agreements,
projects) or "wild" (each field from everything a client could send).

After every request: never a 5xx; every error is problem+json; a refused command records
nothing (the log head does not move); an accepted one answers its version as ETag. At the end
the read models, rebuilt from the log, equal the ones followed live.
"""

from __future__ import annotations

import json
import os
import string
import uuid
from collections import Counter
from datetime import date, datetime
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from domain.followers import Follower
from domain.themes import THEMES

PROBLEM = "application/problem+json"
EXAMPLES = int(os.environ.get("TWINNING_STATEFUL_EXAMPLES", "60"))  # raise them for a deeper local run
STEPS = int(os.environ.get("TWINNING_STATEFUL_STEPS", "40"))
WHO = ["admin", "facilitator", "auditor", "rome", "yantai", "chengdu", "barcelona", None, "bogus"]
TAME = st.sampled_from([True, True, True, False])

# -- tame values ------------------------------------------------------------------------------
NAME = st.text(string.ascii_letters + "柳州Málaga '-", min_size=1, max_size=30).filter(lambda s: s.strip())
DAY = st.dates(date(2000, 1, 1), date(2100, 1, 1)).map(str)
INSTANT = st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1), timezones=st.timezones()).map(
    lambda d: d.isoformat()
)
THEME_LIST = st.lists(st.sampled_from(sorted(THEMES)), max_size=3, unique=True)

# -- wild values ------------------------------------------------------------------------------
# Text from every corner of Unicode: controls, lone surrogates, combining marks, CJK, bidi, emoji …
WILD_TEXT = st.one_of(
    st.text(st.characters(codec=None, categories=None, exclude_categories=()), max_size=40),
    st.sampled_from(
        ["", " ", "'; DROP TABLE x; --", "\r\nX-Evil: 1", "Rome\u202e", "a\x00b", "\ud800", "Ma\u0301laga"]
    ),
    st.text(max_size=3).map(lambda s: s * 4000),
)
WILD_DAY = st.one_of(
    st.dates().map(str), st.sampled_from(["2020-02-30", "0000-01-01", "2021-1-1", "", "yesterday"]), st.integers()
)
WILD_INSTANT = st.one_of(
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.sampled_from(["2030-03-04T09:00:00", "nope", "9999-12-31T23:59:59-23:59", "2030-03-04T25:00:00Z"]),
    st.integers(),
)
WILD_INT = st.one_of(
    st.integers(), st.just(2**80), st.just(-(2**63)), st.floats(allow_nan=False), st.text(max_size=3), st.booleans()
)
WILD_THEMES = st.one_of(st.lists(st.sampled_from(sorted(THEMES) + ["bogus", ""]), max_size=5), WILD_TEXT)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | WILD_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(WILD_TEXT, inner, max_size=4),
    max_leaves=10,
)
HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "If-Match": st.sampled_from(['"1"', '"2"', '"99"', "*", 'W/"1"', "junk"]),
        "Idempotency-Key": st.sampled_from(["k1", "k2", "k3", "bad key", "x" * 300]),
    },
)


@pytest.mark.slow
def test_random_sequences_of_commands_never_break_the_api(api, views):
    client, programme = api.client, api.programme
    api.app.config["AUTH_FAILURE_LIMIT"] = 10**6  # this test sends many bad tokens on purpose
    follower = Follower(programme, views)
    cast = dict(api.city_ids)
    statuses: Counter = Counter()

    class ApiMachine(RuleBasedStateMachine):
        cities = Bundle("cities")
        partnerships = Bundle("partnerships")
        meetings = Bundle("meetings")
        agreements = Bundle("agreements")
        projects = Bundle("projects")

        def send(self, method: str, path: str, who, body=None, headers=None, raw: bytes | None = None):
            sent = dict(headers or {})
            if who == "bogus":
                sent["Authorization"] = "Bearer not-a-token"
            elif who is not None:
                sent["Authorization"] = f"Bearer {api.tokens[who]}"
            if raw is None and body is not None:
                raw = json.dumps(body).encode()
            if raw is not None:
                sent.setdefault("Content-Type", "application/json")
            before = programme.recorder.max_notification_id() or 0
            response = client.open(path, method=method, data=raw, headers=sent)
            after = programme.recorder.max_notification_id() or 0
            status = response.status_code
            parts = path.split("?")[0].split("/")
            statuses[(method, parts[3] + ("/" + parts[-1] if len(parts) > 5 else ""), status)] += 1
            assert status < 500, (method, path, who, body, status, response.get_data(as_text=True)[:500])
            replayed = response.headers.get("Idempotent-Replayed") is not None
            if status >= 400:
                assert response.mimetype == PROBLEM, (path, status, response.mimetype)
                problem = response.get_json(force=True)
                assert problem["status"] == status and problem["type"] and problem["title"]
                assert after == before, f"{method} {path} answered {status} but recorded events"
            elif method != "GET" and not replayed:
                got = response.get_json()
                assert response.headers["ETag"] == f'"{got["version"]}"'
                assert after >= before  # a no-op (PATCH with nothing new) records nothing
            return response

        @staticmethod
        def created(response, fallback: str | None = None) -> str:
            return response.get_json()["id"] if response.status_code == 201 else (fallback or str(uuid.uuid4()))

        # -- cities ------------------------------------------------------------------------

        @rule(target=cities, data=st.data(), tame=TAME)
        def register_city(self, data, tame):
            if tame:
                country, tz = data.draw(
                    st.sampled_from([("IT", "Europe/Rome"), ("CN", "Asia/Shanghai"), ("ES", "Europe/Madrid")])
                )
                who = data.draw(st.sampled_from(["facilitator", "admin"]))
                body = {
                    "name": data.draw(NAME) + uuid.uuid4().hex[:6],
                    "country": country,
                    "timezone": tz,
                    "themes_offered": data.draw(THEME_LIST),
                    "population": data.draw(st.integers(1, 10**8)),
                }
            else:
                who = data.draw(st.sampled_from(WHO))
                body = {
                    "name": data.draw(WILD_TEXT),
                    "country": data.draw(st.sampled_from(["ZZ", "", "ita", "IT"])),
                    "timezone": data.draw(st.sampled_from(["Mars/Olympus", "", "Europe/Rome", "../etc"])),
                    "population": data.draw(WILD_INT),
                    "themes_offered": data.draw(WILD_THEMES),
                }
            return self.created(
                self.send("POST", "/api/v1/cities", who, body, data.draw(HEADERS) if not tame else None), cast["rome"]
            )

        @rule(city=st.one_of(cities, st.sampled_from(list(cast.values()))), data=st.data(), tame=TAME)
        def patch_city(self, city, data, tame):
            if tame:
                who, changes = "facilitator", {"description": data.draw(NAME), "themes_sought": data.draw(THEME_LIST)}
            else:
                who = data.draw(st.sampled_from(WHO))
                changes = data.draw(
                    st.dictionaries(
                        st.sampled_from(["name", "description", "population", "timezone", "colour"]),
                        st.one_of(WILD_TEXT, WILD_INT, st.none()),
                        max_size=3,
                    )
                )
            self.send("PATCH", f"/api/v1/cities/{city}", who, changes, data.draw(HEADERS) if not tame else None)

        # -- partnerships --------------------------------------------------------------------

        @rule(target=partnerships, data=st.data(), tame=TAME)
        def propose(self, data, tame):
            if tame:
                who = data.draw(st.sampled_from(["rome", "facilitator"]))
                body = {
                    "title": data.draw(NAME),
                    "proposer_city_id": cast["rome"],
                    "themes": data.draw(THEME_LIST),
                    "invited_city_ids": data.draw(
                        st.sampled_from([[cast["yantai"]], [cast["yantai"]], [cast["yantai"], cast["chengdu"]]])
                    ),
                }
            else:
                who = data.draw(st.sampled_from(WHO))
                body = {
                    "title": data.draw(WILD_TEXT),
                    "proposer_city_id": data.draw(st.sampled_from(list(cast.values()) + ["x"])),
                    "invited_city_ids": data.draw(
                        st.lists(st.sampled_from(list(cast.values()) + [str(uuid.uuid4()), 5]), max_size=4)
                    ),
                    "themes": data.draw(WILD_THEMES),
                }
            return self.created(
                self.send("POST", "/api/v1/partnerships", who, body, data.draw(HEADERS) if not tame else None)
            )

        @rule(
            partnership=partnerships,
            data=st.data(),
            tame=TAME,
            action=st.sampled_from(["accept", "accept", "decline", "invite", "withdraw", "conclude", "action-plan"]),
        )
        def act_on_partnership(self, partnership, data, tame, action):
            invitee = data.draw(st.sampled_from(["yantai", "yantai", "chengdu"]))
            if tame:
                who = data.draw(st.sampled_from([invitee, "facilitator", "rome"]))
                text, day = data.draw(NAME), data.draw(DAY)
            else:
                who, text, day = data.draw(st.sampled_from(WHO)), data.draw(WILD_TEXT), data.draw(WILD_DAY)
            body = {
                "accept": {"city_id": cast[invitee]},
                "decline": {"city_id": cast[invitee], "reason": text},
                "invite": {"city_id": cast[data.draw(st.sampled_from(["barcelona", "mannheim", "chengdu"]))]},
                "withdraw": {"reason": text},
                "conclude": {"outcome": text},
                "action-plan": {"summary": text, "adopted_on": day},
            }[action]
            self.send(
                "POST",
                f"/api/v1/partnerships/{partnership}/{action}",
                who,
                body,
                data.draw(HEADERS) if not tame else None,
            )

        @rule(target=projects, title=NAME)
        def active_partnership_with_a_project(self, title):
            body = {"title": title, "proposer_city_id": cast["rome"], "invited_city_ids": [cast["yantai"]]}
            pid = self.created(self.send("POST", "/api/v1/partnerships", "rome", body))
            self.send("POST", f"/api/v1/partnerships/{pid}/accept", "yantai", {"city_id": cast["yantai"]})
            return self.created(
                self.send("POST", "/api/v1/projects", "yantai", {"title": title, "partnership_id": pid})
            )

        # -- meetings --------------------------------------------------------------------------

        @rule(target=meetings, data=st.data(), tame=TAME)
        def schedule(self, data, tame):
            if tame:
                who = "facilitator"
                body = {
                    "title": data.draw(NAME),
                    "kind": data.draw(st.sampled_from(["online", "workshop", "field_visit"])),
                    "starts_at": data.draw(INSTANT),
                    "duration_minutes": data.draw(st.integers(15, 600)),
                    "invited_city_ids": data.draw(
                        st.lists(st.sampled_from(list(cast.values())), min_size=1, max_size=3, unique=True)
                    ),
                }
            else:
                who = data.draw(st.sampled_from(WHO))
                body = {
                    "title": data.draw(WILD_TEXT),
                    "kind": data.draw(st.sampled_from(["party", "", "online"])),
                    "starts_at": data.draw(WILD_INSTANT),
                    "duration_minutes": data.draw(WILD_INT),
                    "invited_city_ids": data.draw(st.lists(st.sampled_from(list(cast.values()) + ["x"]), max_size=3)),
                }
            return self.created(
                self.send("POST", "/api/v1/meetings", who, body, data.draw(HEADERS) if not tame else None)
            )

        @rule(meeting=meetings, data=st.data(), tame=TAME, action=st.sampled_from(["reschedule", "cancel", "outcome"]))
        def change_meeting(self, meeting, data, tame, action):
            if tame:
                who, starts, text, attendance = (
                    "facilitator",
                    data.draw(INSTANT),
                    data.draw(NAME),
                    data.draw(st.integers(0, 500)),
                )
            else:
                who, starts, text, attendance = (
                    data.draw(st.sampled_from(WHO)),
                    data.draw(WILD_INSTANT),
                    data.draw(WILD_TEXT),
                    data.draw(WILD_INT),
                )
            body = {
                "reschedule": {"starts_at": starts},
                "cancel": {"reason": text},
                "outcome": {"attendance": attendance, "summary": text},
            }[action]
            self.send(
                "POST", f"/api/v1/meetings/{meeting}/{action}", who, body, data.draw(HEADERS) if not tame else None
            )

        # -- agreements ------------------------------------------------------------------------

        @rule(target=agreements, data=st.data(), tame=TAME)
        def draft(self, data, tame):
            if tame:
                who = data.draw(st.sampled_from(["yantai", "rome", "facilitator"]))
                body = {
                    "title": data.draw(NAME),
                    "kind": data.draw(st.sampled_from(["mou", "framework", "protocol"])),
                    "parties": [
                        {"name": "Yantai University", "city_id": cast["yantai"]},
                        {"name": "Tuscia University", "city_id": cast["rome"]},
                    ],
                }
            else:
                who = data.draw(st.sampled_from(WHO))
                body = {
                    "title": data.draw(WILD_TEXT),
                    "kind": data.draw(st.sampled_from(["treaty", "mou"])),
                    "parties": data.draw(
                        st.lists(
                            st.fixed_dictionaries(
                                {"name": WILD_TEXT}, optional={"city_id": st.sampled_from(list(cast.values()) + ["x"])}
                            ),
                            max_size=4,
                        )
                    ),
                }
            return self.created(
                self.send("POST", "/api/v1/agreements", who, body, data.draw(HEADERS) if not tame else None)
            )

        @rule(agreement=agreements, data=st.data(), tame=TAME)
        def sign(self, agreement, data, tame):
            if tame:
                party, who = data.draw(
                    st.sampled_from(
                        [
                            ("Yantai University", "yantai"),
                            ("Tuscia University", "rome"),
                            ("Tuscia University", "facilitator"),
                        ]
                    )
                )
                body = {"party": party, "signed_on": data.draw(DAY)}
            else:
                who = data.draw(st.sampled_from(WHO))
                body = {
                    "party": data.draw(st.one_of(WILD_TEXT, st.just("Yantai University"))),
                    "signed_on": data.draw(WILD_DAY),
                }
            self.send(
                "POST", f"/api/v1/agreements/{agreement}/sign", who, body, data.draw(HEADERS) if not tame else None
            )

        # -- projects --------------------------------------------------------------------------

        @rule(target=projects, partnership=partnerships, data=st.data(), tame=TAME)
        def launch(self, partnership, data, tame):
            who = data.draw(st.sampled_from(["rome", "facilitator"] if tame else WHO))
            body = {"title": data.draw(NAME if tame else WILD_TEXT), "partnership_id": partnership}
            return self.created(self.send("POST", "/api/v1/projects", who, body))

        @rule(
            project=projects,
            data=st.data(),
            tame=TAME,
            milestone=st.sampled_from(["m1", "m2", "柳"]),
            action=st.sampled_from(["plan", "plan", "achieve", "reschedule", "complete"]),
        )
        def milestone(self, project, data, tame, milestone, action):
            who = data.draw(st.sampled_from(["rome", "yantai", "facilitator"] if tame else WHO))
            text, day = (data.draw(NAME), data.draw(DAY)) if tame else (data.draw(WILD_TEXT), data.draw(WILD_DAY))
            path, body = {
                "plan": ("milestones", {"title": text, "due_on": day, "milestone_id": milestone}),
                "achieve": (f"milestones/{milestone}/achieve", {"achieved_on": day}),
                "reschedule": (f"milestones/{milestone}/reschedule", {"due_on": day, "reason": text}),
                "complete": ("complete", {"summary": text}),
            }[action]
            self.send("POST", f"/api/v1/projects/{project}/{path}", who, body)

        # -- garbage and reads ---------------------------------------------------------------

        @rule(
            data=st.data(),
            path=st.sampled_from(
                [
                    "/api/v1/cities",
                    "/api/v1/partnerships",
                    "/api/v1/meetings",
                    "/api/v1/agreements",
                    "/api/v1/projects",
                    "/api/v1/users",
                    "/api/v1/cities/{c}/stakeholders",
                    "/api/v1/partnerships/{p}/accept",
                    "/api/v1/users/{u}/tokens",
                ]
            ),
            partnership=st.one_of(partnerships, st.just(str(uuid.uuid4()))),
        )
        def garbage(self, data, path, partnership):
            path = path.format(c=cast["rome"], p=partnership, u=api.user_ids["auditor"])
            who = data.draw(st.sampled_from(WHO))
            if data.draw(st.booleans()):
                self.send("POST", path, who, data.draw(JSON), data.draw(HEADERS))
            else:
                self.send("POST", path, who, raw=data.draw(st.binary(min_size=1, max_size=64)))

        @rule(
            data=st.data(),
            path=st.sampled_from(
                [
                    "/api/v1/cities",
                    "/api/v1/partnerships",
                    "/api/v1/agreements",
                    "/api/v1/meetings",
                    "/api/v1/projects",
                    "/api/v1/me/notifications",
                ]
            ),
            param=st.sampled_from(
                ["q", "status", "kind", "city_id", "theme", "cursor", "limit", "after", "from", "as_of"]
            ),
        )
        def list_with_odd_query(self, data, path, param):
            value = data.draw(st.one_of(WILD_TEXT, st.integers().map(str), NAME))
            self.send(
                "GET",
                f"{path}?{urlencode({param: value.encode('utf-8', 'surrogatepass')})}",
                data.draw(st.sampled_from(WHO)),
            )

        @invariant()
        def the_views_keep_up(self):
            follower.run_once()

    run_state_machine_as_test(
        ApiMachine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
    accepted = {key: n for key, n in statuses.items() if key[2] < 300}
    # the run did build state: every kind of thing was created, and commands were also refused
    assert {kind for (method, kind, status) in accepted if status == 201} >= {
        "cities",
        "partnerships",
        "meetings",
        "agreements",
        "projects",
    }, statuses
    assert sum(n for key, n in statuses.items() if 400 <= key[2] < 500) > 100, statuses
    follower.run_once()
    live = views.dump()
    views.rebuild(programme)
    assert views.dump() == live
