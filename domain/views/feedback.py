"""Where sessions led: each attending city's feedback and follow-up, and the figures reports give of them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from domain.model.feedback import FEEDBACK, FOLLOW_UP, STAGES
from domain.model.meeting import Meeting
from domain.model.statuses import FeedbackOutcome, MeetingStatus
from domain.privacy.personal import pseudonym
from domain.storage import marks
from domain.views import timeline
from domain.views.cities import name
from domain.views.codec import instant
from domain.views.context import Context, handles, on_erasure
from domain.views.meetings import MEETINGS
from domain.views.table import Table
from domain.views.timeline import quoted, tells
from domain.views.told import Told, word

FEEDBACK_TABLE = Table(
    "view_meeting_feedback",
    "meeting_id, stage, city_id, rating:int?, outcome, comment?, given_by?, given_at:instant, position:bigint",
    key="meeting_id, stage, city_id",
    indexes={"by_outcome": "stage, outcome"},
)
TABLES = (FEEDBACK_TABLE,)
STAGE_OF = {Meeting.FeedbackGiven: FEEDBACK, Meeting.FollowUpGiven: FOLLOW_UP}


@handles(Meeting.FeedbackGiven, Meeting.FollowUpGiven)
def given(ctx: Context, position: int, e: Any) -> None:
    mid = str(e.originator_id)
    FEEDBACK_TABLE.insert(
        ctx.db,
        meeting_id=mid,
        stage=STAGE_OF[type(e)],
        city_id=e.city_id,
        rating=getattr(e, "rating", None),
        outcome=e.outcome,
        comment=e.comment,
        given_by=e.actor,
        given_at=instant(e.timestamp),
        position=position,
    )
    if ctx.get("meetings", mid) is not None:
        ctx.touch(MEETINGS.name, e)
    timeline.record_city(ctx, e.city_id, position)


@on_erasure
def author_erased(ctx: Context, position: int, e: Any) -> None:
    """The comments the erased person wrote read as their pseudonym, as the events now decode."""
    user_id = str(e.originator_id)
    ctx.db.run(
        f"UPDATE {FEEDBACK_TABLE.name} SET comment = ? WHERE given_by = ? AND comment IS NOT NULL",
        (pseudonym(user_id), user_id),
    )


@tells(Meeting.FeedbackGiven, Meeting.FollowUpGiven)
def _given(ctx: Context, position: int, e: Any) -> str:
    meeting = ctx.get("meetings", str(e.originator_id)) or {"title": str(e.originator_id)}
    city, title, led = (
        name(ctx, e.city_id, position),
        quoted(meeting["title"]),
        word(FeedbackOutcome(e.outcome).replace("_", " ")),
    )
    if isinstance(e, Meeting.FeedbackGiven):
        return Told(
            "{city} rated {session} {rating}/5: {outcome}", city=city, session=title, rating=e.rating, outcome=led
        )
    return Told("{city} followed up on {session}: {outcome}", city=city, session=title, outcome=led)


def outcomes(db: Any, partnership_ids: Iterable[str] | None = None, programme_id: str | None = None) -> dict[str, Any]:
    """Counts per outcome for each stage, and the share of held sessions that led to an agreement
    (``agreement_reached`` at either stage); ``partnership_ids`` keeps to those partnerships' sessions,
    ``programme_id`` to that programme's."""
    where, params = " WHERE m.status = ?", [MeetingStatus.HELD]
    if programme_id is not None:
        where += " AND m.programme_id = ?"
        params.append(programme_id)
    if partnership_ids is not None:
        ids = list(partnership_ids)
        where += f" AND m.partnership_id IN ({marks(ids)})" if ids else " AND 0 = 1"
        params += ids
    held = db.scalar(f"SELECT COUNT(*) FROM {MEETINGS.name} m{where}", params) or 0
    rows = db.all(
        "SELECT f.stage, f.outcome, COUNT(*) AS n"
        f" FROM {FEEDBACK_TABLE.name} f JOIN {MEETINGS.name} m ON m.id = f.meeting_id{where}"
        " GROUP BY f.stage, f.outcome",
        params,
    )
    by_stage = {stage: dict.fromkeys(FeedbackOutcome, 0) for stage in STAGES}
    for r in rows:
        by_stage[r["stage"]][FeedbackOutcome(r["outcome"])] = int(r["n"])
    agreed = db.scalar(
        f"SELECT COUNT(DISTINCT f.meeting_id) FROM {FEEDBACK_TABLE.name} f JOIN {MEETINGS.name} m"
        f" ON m.id = f.meeting_id{where} AND f.outcome = ?",
        [*params, FeedbackOutcome.AGREEMENT_REACHED],
    )
    return {
        "held_sessions": int(held),
        "feedback": {str(k): v for k, v in by_stage[FEEDBACK].items()},
        "follow_up": {str(k): v for k, v in by_stage[FOLLOW_UP].items()},
        "sessions_with_agreement": int(agreed or 0),
        "agreement_share": round(int(agreed or 0) / held, 4) if held else None,
    }


class FeedbackQueries:
    """Mixed into ``Views``."""

    def session_feedback(self, meeting_id: str) -> list[dict[str, Any]]:
        """A session's answers, in the order given."""
        with self._read() as db:
            rows = db.all(
                f"SELECT * FROM {FEEDBACK_TABLE.name} WHERE meeting_id = ? ORDER BY position", (str(meeting_id),)
            )
        return [FEEDBACK_TABLE.decode(r) for r in rows]
