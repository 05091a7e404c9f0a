"""Sign-in, sign-out, throttling of failed sign-ins, password reset and change."""

import re

import pytest
from django.core import mail
from django.urls import reverse


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_page_offers_password_reset(client, db):
    # when
    response = client.get(reverse("login"))

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("password_reset") in page
    assert "Forgot your password?" in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_signing_in_lands_on_the_role_surface(client, agent, password):
    # when
    response = sign_in(client, agent.username, password)

    # then
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == reverse("core:workspace")


def test_wrong_password_shows_an_error(client, agent):
    # when
    response = sign_in(client, agent.username, "not-the-password")

    # then
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_repeated_failures_are_throttled_with_429(client, agent, password, settings):
    # given
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        sign_in(client, agent.username, "wrong-password")

    # when: even the right password is refused while throttled
    response = sign_in(client, agent.username, password)

    # then
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_successful_sign_in_resets_the_failure_count(client, agent, password, settings):
    # given
    settings.LOGIN_FAILURE_LIMIT = 3
    sign_in(client, agent.username, "wrong-password")
    sign_in(client, agent.username, "wrong-password")
    assert sign_in(client, agent.username, password).status_code == 302
    client.post(reverse("logout"))

    # when: two more failures stay under the limit because the count started again
    sign_in(client, agent.username, "wrong-password")
    sign_in(client, agent.username, "wrong-password")
    response = sign_in(client, agent.username, password)

    # then
    assert response.status_code == 302


def test_sign_out_needs_post_and_ends_the_session(client_for, agent):
    # given
    client = client_for(agent)

    # when
    refused = client.get(reverse("logout"))
    response = client.post(reverse("logout"))

    # then
    assert refused.status_code == 405
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get(reverse("core:workspace")).status_code == 302


def test_layout_has_a_csrf_protected_sign_out_form(client_for, agent):
    # when
    page = client_for(agent).get(reverse("core:workspace")).content.decode()

    # then
    action = reverse("logout")
    form = re.search(rf'<form method="post" action="{action}">(.*?)</form>', page, re.S)
    assert form is not None
    assert "csrfmiddlewaretoken" in form.group(1)


def test_password_reset_sends_a_link_that_works(client, requester):
    # given
    requester.email = "rita@example.org"
    requester.save()

    # when
    response = client.post(reverse("password_reset"), {"email": "rita@example.org"})

    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rita@example.org"]
    assert "\n" not in message.subject
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body).group(1)

    # when: the link leads to a form that sets the new password
    form_page = client.get(link, follow=True)
    new_password = "a-brand-new-passphrase-42"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )

    # then
    assert "Choose a new password" in form_page.content.decode()
    assert done["Location"] == reverse("password_reset_complete")
    requester.refresh_from_db()
    assert requester.check_password(new_password)
    assert client.get(link, follow=True).content.decode().count("This link no longer works") == 1


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client, db):
    # when
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)

    # then
    assert "Check your e-mail" in response.content.decode()
    assert mail.outbox == []


def test_password_reset_rejects_a_malformed_address_with_a_message(client, db):
    # when
    response = client.post(reverse("password_reset"), {"email": "not an address"})

    # then
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()


@pytest.mark.parametrize(
    ("new1", "new2", "message"),
    [
        ("short", "short", "This password is too short."),
        ("a-brand-new-passphrase-42", "something-else-entirely-7", "The two password fields"),
    ],
)
def test_password_change_explains_what_is_wrong(client_for, agent, password, new1, new2, message):
    # given
    client = client_for(agent)

    # when
    response = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": new1, "new_password2": new2},
    )

    # then
    assert response.status_code == 200
    assert message in response.content.decode()


def test_password_change_works(client_for, agent, password):
    # given
    client = client_for(agent)
    new_password = "a-brand-new-passphrase-42"

    # when
    response = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": new_password, "new_password2": new_password},
        follow=True,
    )

    # then
    assert "Your password is changed" in response.content.decode()
    agent.refresh_from_db()
    assert agent.check_password(new_password)


def test_login_page_shows_the_configured_site_name(client, db, settings):
    # given
    settings.SITE_NAME = "Acme Service Desk"

    # when
    response = client.get(reverse("login"))

    # then
    assert "Sign in to Acme Service Desk" in response.content.decode()
