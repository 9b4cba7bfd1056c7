"""Sign-in links on both stores: one use even when two clicks race, only the hash in the store,
a deactivated user's link and sessions refused."""

from __future__ import annotations

import threading

import pytest

from domain.application import hash_token
from domain.errors import NotAuthenticated
from domain.model.signin import SignInLink, SignInLinkRefused
from tests.support.cast import build_programme


def test_two_racing_uses_of_one_link_sign_in_once(cast, database_url):
    issued = cast.programme.issue_sign_in_link("officer@rome.example")
    other = build_programme(database_url)  # a second process on the same store
    outcomes: list[object] = []
    start = threading.Barrier(2)

    def click(programme) -> None:
        start.wait()
        try:
            outcomes.append(programme.sign_in_with_link(issued.token))
        except SignInLinkRefused as refused:
            outcomes.append(refused.reason)

    try:
        threads = [threading.Thread(target=click, args=(p,)) for p in (cast.programme, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        other.close()
    assert len(outcomes) == 2 and outcomes.count("used") == 1
    (signed,) = [o for o in outcomes if o != "used"]
    assert cast.programme.authenticate_session(signed.session_token).user_id == cast.officer("rome").user_id


def test_the_store_keeps_the_links_hash_never_the_link(cast):
    issued = cast.programme.issue_sign_in_link("officer@yantai.example")
    signed = cast.programme.sign_in_with_link(issued.token)
    recorder = cast.programme.recorder
    everything = b"".join(n.state for n in recorder.select_notifications(start=1, limit=10_000))
    assert hash_token(issued.token).encode() in everything  # the states are readable here: the check can fail
    assert issued.token.encode() not in everything and signed.session_token.encode() not in everything
    link = cast.programme.load(SignInLink, SignInLink.create_id(hash_token(issued.token)))
    assert link.used and link.user_id == cast.officer("yantai").user_id


def test_a_deactivated_officer_can_neither_use_a_link_nor_keep_a_session(cast):
    rome = cast.officer("rome")
    first = cast.programme.issue_sign_in_link("officer@rome.example")
    signed = cast.programme.sign_in_with_link(first.token)
    second = cast.programme.issue_sign_in_link("officer@rome.example")
    cast.programme.deactivate_user(cast.admin, rome.user_id)
    with pytest.raises(NotAuthenticated):
        cast.programme.authenticate_session(signed.session_token)
    with pytest.raises(SignInLinkRefused):
        cast.programme.sign_in_with_link(second.token)
    assert cast.programme.issue_sign_in_link("officer@rome.example") is None
