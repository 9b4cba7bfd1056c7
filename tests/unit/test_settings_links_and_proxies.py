"""Settings that name where notifications go and whom to trust for a client's address."""

from __future__ import annotations

import pytest

from config.settings import Settings, SettingsError


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///tmp/hook", "ftp://hooks.example/x", "https://"])
def test_a_webhook_that_is_not_http_or_https_is_refused_naming_the_setting(url):
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"TWINNING_WEBHOOK_URL": url})
    assert "TWINNING_WEBHOOK_URL" in str(refused.value)


def test_an_https_webhook_is_kept():
    assert Settings.from_env({"TWINNING_WEBHOOK_URL": "https://hooks.example/twinning"}).webhook_url == (
        "https://hooks.example/twinning"
    )


def test_trusted_proxies_are_addresses_or_networks():
    settings = Settings.from_env({"TWINNING_TRUSTED_PROXIES": "10.0.0.1, 192.168.0.0/16,"})
    assert settings.trusted_proxies == ("10.0.0.1/32", "192.168.0.0/16")
    assert Settings.from_env({}).trusted_proxies == ()
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"TWINNING_TRUSTED_PROXIES": "the-load-balancer"})
    assert "TWINNING_TRUSTED_PROXIES" in str(refused.value)


def test_the_auth_failure_limit_is_a_setting():
    assert Settings.from_env({}).auth_failure_limit == 20
    assert Settings.from_env({"TWINNING_AUTH_FAILURE_LIMIT": "500"}).auth_failure_limit == 500
    with pytest.raises(SettingsError):
        Settings.from_env({"TWINNING_AUTH_FAILURE_LIMIT": "0"})
