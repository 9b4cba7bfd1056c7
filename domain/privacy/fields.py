"""The one declaration of personal data: event class -> {field: the event attribute naming its data subject}.

A field listed here is encrypted in the stored event under its data subject's key
(``domain.privacy.keys``), and in snapshots of the aggregate that holds it; once the
subject is erased it reads as their pseudonym. The subject is named by another
attribute of the same event: ``originator_id`` (the aggregate is the person),
``actor`` (the person who wrote it) or a field holding a user id.

Adding personal data is one line here (plus, where a view keeps the field, its purge on
erasure): a session's feedback and follow-up carry free text its author wrote (``comment``).

Not here, because the domain has no such field today: stakeholders' contact persons
(``StakeholderAdded.name`` names an organisation) and free text a person writes about
themselves. The signatory of an agreement is a name typed by the officer who records the
signature; it is that officer's data subject (``actor``), so erasing them erases it too.
"""

from __future__ import annotations

from domain.model.agreement import Agreement
from domain.model.indexes import UserEmail
from domain.model.meeting import Meeting
from domain.model.user import User

PERSONAL_FIELDS: dict[type, dict[str, str]] = {
    User.UserRegistered: {"name": "originator_id", "email": "originator_id"},
    UserEmail.UserEmailClaimed: {"email": "user_id"},
    Agreement.PartySigned: {"signatory": "actor"},
    Meeting.FeedbackGiven: {"comment": "actor"},
    Meeting.FollowUpGiven: {"comment": "actor"},
}
