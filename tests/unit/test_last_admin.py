"""The programme never locks itself out: its last active admin keeps its standing."""

from __future__ import annotations

import logging

import pytest

from domain.access import SYSTEM
from domain.application.users import hash_token
from domain.model.admins import AdminRoster, LastAdmin
from domain.model.indexes import TokenOwner
from domain.model.user import User
from tests.unit.conftest import ADMIN_TOKEN, in_memory_programme


def second_admin(people):
    issued = people.programme.create_user(people.admin, "Second admin", "second@iuc.example", "admin")
    return people.programme.authenticate(issued.token)


def test_the_last_admin_cannot_deactivate_itself_nor_revoke_its_tokens(people):
    app, admin = people.programme, people.admin
    with pytest.raises(LastAdmin):
        app.deactivate_user(admin, admin.user_id)
    with pytest.raises(LastAdmin):
        app.revoke_tokens(admin, admin.user_id)
    assert app.authenticate(ADMIN_TOKEN) == admin


def test_with_a_second_admin_one_may_step_down_but_not_both(people):
    app, first = people.programme, people.admin
    second = second_admin(people)
    app.deactivate_user(second, first.user_id)
    assert not app.load(User, first.user_id).active
    with pytest.raises(LastAdmin):
        app.deactivate_user(second, second.user_id)
    with pytest.raises(LastAdmin):
        app.revoke_tokens(second, second.user_id)


def test_an_admin_without_a_token_does_not_count(people):
    """Revoking the second admin's tokens leaves only the first able to act, so the first cannot leave."""
    app, first = people.programme, people.admin
    second = second_admin(people)
    app.revoke_tokens(first, second.user_id)
    with pytest.raises(LastAdmin):
        app.deactivate_user(first, first.user_id)
    app.issue_token(first, second.user_id)
    app.deactivate_user(first, first.user_id)
    assert app.load(AdminRoster, AdminRoster.ID).admin_ids == [second.user_id]


def test_a_store_from_before_the_roster_finds_its_admins_in_the_log(clock):
    """Older stores have admins but no roster: the first change to an admin builds it from the log."""
    app = in_memory_programme(clock)
    try:
        admins = []
        for n in (1, 2):
            token_hash = hash_token(f"token-of-admin-{n}-" + "z" * 30)
            user = User.register(f"Admin {n}", f"admin{n}@iuc.example", "admin", actor=SYSTEM.user_id)
            user.issue_token(token_hash=token_hash, actor=SYSTEM.user_id)
            app.save(user, TokenOwner(token_hash=token_hash, user_id=str(user.id), actor=SYSTEM.user_id))
            admins.append(str(user.id))
        first = app.authenticate("token-of-admin-1-" + "z" * 30)
        assert not app.exists(AdminRoster.ID)
        app.deactivate_user(first, admins[1])
        assert app.load(AdminRoster, AdminRoster.ID).admin_ids == [admins[0]]
        with pytest.raises(LastAdmin):
            app.deactivate_user(first, first.user_id)
    finally:
        app.close()


def test_a_bootstrap_token_of_a_deactivated_admin_is_one_log_line(people, caplog):
    app = people.programme
    second = second_admin(people)
    app.deactivate_user(second, people.admin.user_id)
    with caplog.at_level(logging.ERROR):
        assert app.ensure_admin(ADMIN_TOKEN) is None
        assert app.ensure_admin("a-new-admin-token-" + "y" * 30) is None
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(lines) == 2 and all("deactivated admin admin@twinning.local" in line for line in lines)
    assert all(r.exc_info is None for r in caplog.records)
