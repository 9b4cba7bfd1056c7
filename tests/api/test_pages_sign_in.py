"""Signing in to the pages by a mailed link, through the Flask client on a real SQLite store:
the same answer for any address, a rate limit, single use, 15 minutes, and sessions that end
when the user's tokens are revoked or the user is deactivated."""

from __future__ import annotations

import re

from tests.api.conftest import ADMIN_TOKEN, enrol_cast, make_settings
from tests.support.pages import CSRF, ask, csrf, mailed_tokens, signed_in_client
from web.app import close_app, create_app
from web.pages.session import cookie_secure


def test_the_answer_is_the_same_whether_or_not_the_address_is_known(pages):
    client = pages.test_client()
    known = ask(client, "officer@rome.example")
    unknown = ask(client, "nobody@rome.example")
    assert known.status_code == unknown.status_code == 200
    page = known.get_data(as_text=True).replace("officer@rome.example", "ADDRESS")
    assert page.replace(CSRF.search(page).group(1), "") == unknown.get_data(as_text=True).replace(
        "nobody@rome.example", "ADDRESS"
    ).replace(CSRF.search(unknown.get_data(as_text=True)).group(1), "")
    assert len(mailed_tokens(pages.outbox, "officer@rome.example")) == 1
    assert mailed_tokens(pages.outbox, "nobody@rome.example") == []
    assert "outbox" in known.get_data(as_text=True)  # embedded mail: the page says where it went


def test_asking_too_often_for_one_address_is_refused_with_a_page(pages):
    client = pages.test_client()
    answers = [ask(client, "officer@yantai.example").status_code for _ in range(6)]
    assert answers[:5] == [200] * 5 and answers[5] == 429
    refused = ask(client, "officer@yantai.example")
    assert refused.mimetype == "text/html" and int(refused.headers["Retry-After"]) > 0
    assert "Too many attempts" in refused.get_data(as_text=True)
    assert len(mailed_tokens(pages.outbox, "officer@yantai.example")) == 5


def test_a_link_signs_in_once_and_a_second_use_is_refused(pages):
    client = signed_in_client(pages)
    home = client.get("/home")
    assert home.status_code == 200, home.get_data(as_text=True)[-1500:]
    assert "Welcome, Rome officer" in home.get_data(as_text=True)
    again = pages.test_client().get(f"/sign-in/{mailed_tokens(pages.outbox, 'officer@rome.example')[-1]}")
    assert again.status_code == 410 and "used already" in again.get_data(as_text=True)
    assert pages.test_client().get("/sign-in/not-a-link").status_code == 400


def test_a_link_expires_after_fifteen_minutes(pages, clock):
    client = pages.test_client()
    ask(client, "officer@rome.example")
    ask(client, "officer@yantai.example")
    rome, yantai = (mailed_tokens(pages.outbox, f"officer@{key}.example")[-1] for key in ("rome", "yantai"))
    clock.advance(minutes=14, seconds=59)
    assert client.get(f"/sign-in/{rome}").status_code == 303
    clock.advance(seconds=1)
    expired = pages.test_client().get(f"/sign-in/{yantai}")
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)


def test_deactivating_the_user_ends_their_session(pages):
    client = signed_in_client(pages)
    assert client.get("/home").status_code == 200
    admin = pages.test_client()
    gone = admin.post(
        f"/api/v1/users/{pages.user_ids['rome']}/deactivate", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    )
    assert gone.status_code == 200, gone.get_data(as_text=True)
    answer = client.get("/home")
    assert answer.status_code == 302 and "/?next=/home" in answer.headers["Location"]


def test_revoking_the_users_tokens_ends_their_session_too(pages):
    client = signed_in_client(pages)
    revoked = pages.test_client().post(
        f"/api/v1/users/{pages.user_ids['rome']}/tokens/revoke", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    )
    assert revoked.status_code == 200, revoked.get_data(as_text=True)
    assert client.get("/home").status_code == 302


def test_signing_out_ends_this_session_only(pages):
    first, second = signed_in_client(pages), signed_in_client(pages)
    out = first.post("/sign-out", data={"csrf_token": csrf(first, "/home")})
    assert out.status_code == 303
    assert first.get("/home").status_code == 302
    assert second.get("/home").status_code == 200
    api = pages.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {pages.tokens['rome']}"})
    assert api.status_code == 200  # the API token is untouched


def test_the_session_token_is_no_bearer_token_for_the_api(pages):
    client = signed_in_client(pages)
    cookie = client.get_cookie("twinning_session")
    session = pages.session_interface.get_signing_serializer(pages).loads(cookie.value)
    answer = pages.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {session['session']}"})
    assert answer.status_code == 401


def test_the_session_cookie_is_httponly_lax_and_secure_unless_local(pages):
    client = pages.test_client()
    answer = client.get("/")
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert cookie_secure("production", "http://127.0.0.1:8000")
    assert cookie_secure("embedded", "https://twinning.example")
    assert not cookie_secure("embedded", "http://127.0.0.1:8000")
    assert not cookie_secure("test", "http://localhost:8123")
    assert cookie_secure("embedded", "http://192.0.2.7:8000")


def test_pages_carry_the_security_headers_and_the_api_keeps_its_problems(pages):
    page = pages.test_client().get("/")
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff" and page.headers["Referrer-Policy"] == "same-origin"
    problem = pages.test_client().post("/api/v1/partnerships", json={})
    assert problem.status_code == 401 and problem.mimetype == "application/problem+json"  # no CSRF on the API


def test_signed_out_a_page_sends_to_sign_in_with_next_and_only_to_this_site(pages):
    answer = pages.test_client().get("/audit")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/?next=/audit")
    client = signed_in_client(pages)
    assert client.get("/?next=/audit").headers["Location"] == "/audit"
    assert client.get("/?next=//evil.example/").headers["Location"] == "/home"


def test_after_signing_in_the_link_goes_back_to_the_page_asked_for(pages):
    client = pages.test_client()
    assert client.get("/audit").headers["Location"].endswith("/?next=/audit")
    client.get("/?next=/audit")
    assert ask(client, "auditor@iuc.example").status_code == 200
    answer = client.get(f"/sign-in/{mailed_tokens(pages.outbox, 'auditor@iuc.example')[-1]}")
    assert answer.status_code == 303 and answer.headers["Location"] == "/audit"
    assert client.get("/audit").status_code == 200


def test_the_wrong_role_gets_a_403_page_in_the_persons_language(pages):
    client = signed_in_client(pages)
    refused = client.get("/audit", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert refused.status_code == 403 and refused.mimetype == "text/html"
    page = refused.get_data(as_text=True)
    assert '<html lang="zh-Hans">' in page and "您无法打开此页面" in page


def test_with_smtp_the_link_goes_by_real_mail_in_the_askers_language(
    programme, database_url, views, tmp_path, smtp_server
):
    settings = make_settings(database_url, var_dir=tmp_path, public_url="http://pages.test", smtp_url=smtp_server.url)
    app = create_app(settings, programme=programme, views=views)
    try:
        enrol_cast(programme)
        client = app.test_client()
        page = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
        assert "outbox" not in page  # real mail: no folder to look in
        token = CSRF.search(page).group(1)
        client.post(
            "/sign-in",
            data={"email": "officer@yantai.example", "csrf_token": token},
            headers={"Accept-Language": "zh-CN"},
        )
        (mail,) = smtp_server.wait_for("officer@yantai.example", "sign-in-link")
        assert mail["Subject"] == "您的 twinning 登录链接"
        link = re.search(
            r"http://pages\.test(/sign-in/[A-Za-z0-9_\-]+)", mail.get_body(("plain",)).get_content()
        ).group(1)
        assert client.get(link).status_code == 303 and client.get("/home").status_code == 200
        assert not (tmp_path / "outbox").exists()
    finally:
        close_app(app)
