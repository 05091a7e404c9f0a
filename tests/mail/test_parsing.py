"""Parsing the real-world corpus (tests/mail/samples, see SOURCES.md): bodies, charsets, files, headers."""

import pytest

from itsm.mail.parsing import UnreadableMessage, parse
from itsm.mail.quotes import strip_reply
from itsm.mail.safety import automatic_reason
from tests.mail.conftest import all_samples, build_mail, sample

#: Samples that are not e-mail at all (a bare text file without headers).
NOT_MAIL = {"rt-lorem-ipsum.eml"}


@pytest.mark.parametrize("name", all_samples())
def test_every_sample_parses_or_is_refused_with_a_reason(name):
    # when / then: never an unexpected exception
    if name in NOT_MAIL:
        with pytest.raises(UnreadableMessage, match="no headers"):
            parse(sample(name))
        return
    parsed = parse(sample(name))
    assert parsed.message_id.startswith("<") and parsed.message_id.endswith(">")
    assert "\n" not in parsed.subject and "\x00" not in parsed.text


def test_multipart_alternative_uses_the_plain_part():
    parsed = parse(sample("dhd-quoted_printable.eml"))
    assert not parsed.from_html
    assert parsed.subject == "Český test"
    assert "<" not in parsed.text


def test_quoted_printable_umlauts_are_decoded():
    parsed = parse(sample("rt-multipart-alternative-with-umlaut.eml"))
    assert "ä" in parsed.text or "ö" in parsed.text or "ü" in parsed.text


@pytest.mark.parametrize(
    "name, expected",
    [
        ("rt-text-html-with-umlaut.eml", "Grüßen"),
        ("mail-bad_date_header.eml", "Eligible"),
        ("mail-cte_with_8bits.eml", "Provantage"),
    ],
)
def test_html_only_mail_becomes_text_without_markup(name, expected):
    parsed = parse(sample(name))
    assert parsed.from_html
    assert expected.lower() in parsed.text.lower() or expected in parsed.subject
    assert "<" not in parsed.text.replace("<http", "").replace("< ", "")


@pytest.mark.parametrize(
    "name, expected",
    [
        ("rt-8859-15-msg1.eml", "äöüß"),
        ("rt-new-ticket-from-gb18030.eml", "测试"),
        ("mail-japanese_shift_jis.eml", None),
        ("mail-japanese_iso_2022.eml", "まみむめも"),
        ("spamscope-gb2312-outlook-express-12.eml", "代开各地增值税发票"),
        ("mail-rfc6532_utf8_headers.eml", "Säying Hello"),
    ],
)
def test_non_utf8_charsets_are_decoded(name, expected):
    parsed = parse(sample(name))
    if expected:
        assert expected in parsed.subject + parsed.text
    assert "\ufffd" not in parsed.subject


def test_undecodable_bytes_are_replaced_and_recorded():
    parsed = parse(sample("mail-cte_empty.eml"))  # Big5 HTML with bytes Big5 cannot read
    assert any("big5" in note for note in parsed.notes)


def test_base64_attachments_with_encoded_names():
    parsed = parse(sample("mail-attachment_with_base64_encoded_name.eml"))
    assert len(parsed.files) == 1 and parsed.files[0].data
    assert "=?" not in parsed.files[0].filename


def test_rfc2231_continued_filenames():
    parsed = parse(sample("rt-rfc2231-attachment-filename-continuations.eml"))
    assert parsed.files and "=?" not in parsed.files[0].filename and "*" not in parsed.files[0].filename


def test_inline_images_are_files_marked_inline():
    parsed = parse(sample("mail-missing_content_disposition.eml"))
    assert [f.inline for f in parsed.files] == [True]
    assert parsed.files[0].content_type.startswith("image/")


def test_forwarded_messages_are_kept_whole_as_eml_files():
    parsed = parse(sample("mail-attachment_message_rfc822.eml"))
    forwarded = [f for f in parsed.files if f.content_type == "message/rfc822"]
    assert forwarded and forwarded[0].filename.endswith(".eml") and b"Subject:" in forwarded[0].data


def test_inline_forward_stays_in_the_text():
    parsed = parse(sample("dhd-forwarded-message.eml"))
    assert "Forwarded message" in parsed.text or "Original" in parsed.text


@pytest.mark.parametrize(
    "name",
    [
        "mail-cant_parse_from.eml",
        "mail-bad_encoded_subject.eml",
        "mail-invalid_subject_characters.eml",
        "mail-two_from_in_message.eml",
        "mail-raw_email_double_at_in_header.eml",
        "mail-new_line_in_to_header.eml",
        "mail-multiple_content_types.eml",
        "mail-raw_email_with_illegal_boundary.eml",
        "mail-missing_body.eml",
    ],
)
def test_broken_headers_and_structure_are_read_with_fallbacks(name):
    parsed = parse(sample(name))
    assert isinstance(parsed.subject, str) and isinstance(parsed.text, str)


def test_a_second_from_header_is_noted():
    parsed = parse(sample("mail-two_from_in_message.eml"))
    assert parsed.from_address == "tester1@test.com"


def test_a_message_without_message_id_gets_a_stable_one():
    raw = b"From: a@example.org\r\nSubject: no id\r\n\r\nbody\r\n"
    assert parse(raw).message_id == parse(raw).message_id
    assert parse(raw).message_id.endswith("@no-message-id>")


def test_threading_ids_nearest_first():
    raw = build_mail(in_reply_to="<c@x>", references=["<a@x>", "<b@x>", "<c@x>"])
    assert parse(raw).thread_ids == ["<c@x>", "<b@x>", "<a@x>"]


# --- automatic mail -----------------------------------------------------------------------

AUTOMATIC = [name for name in all_samples() if name.startswith("sisimai-") and "not-bounce" not in name] + [
    "mail-multi_address_bounce1.eml",
    "mail-multipart_report_multiple_status.eml",
    "mail-report_530.eml",
    "mail-raw_email_with_mimepart_without_content_type.eml",
    "rt-multipart-report.eml",
    "spamscope-malformed-dsn-2.eml",
]
PEOPLE = [name for name in all_samples() if name.startswith("talon-")] + [
    "sisimai-not-bounce-01.eml",
    "sisimai-not-bounce-02.eml",
    "dhd-quoted_printable.eml",
    "rt-8859-15-msg1.eml",
]


@pytest.mark.parametrize("name", AUTOMATIC)
def test_bounces_auto_replies_and_reports_are_recognised(name, db):
    assert automatic_reason(parse(sample(name)))


@pytest.mark.parametrize("name", PEOPLE)
def test_mail_people_wrote_is_not_mistaken_for_automatic(name, db):
    assert automatic_reason(parse(sample(name))) == ""


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X-Autoreply": "yes"},
        {"X-Auto-Response-Suppress": "All"},
        {"List-Id": "<team.lists.example.org>"},
    ],
)
def test_automatic_mail_headers(headers, db):
    assert automatic_reason(parse(build_mail(headers=headers)))


def test_auto_submitted_no_is_a_person(db):
    assert automatic_reason(parse(build_mail(headers={"Auto-Submitted": "no"}))) == ""


# --- quoted history ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, kept, cut",
    [
        ("talon-reply-gmail.eml", None, "wrote:"),
        ("talon-reply-outlook.eml", None, "From:"),
        ("talon-reply-hotmail.eml", None, "From:"),
        ("talon-reply-thunderbird.eml", None, "wrote:"),
        ("talon-reply-apple_mail.eml", None, "wrote:"),
        ("talon-reply-iphone.eml", None, "Sent from my iPhone"),
        ("talon-reply-yahoo.eml", None, "From:"),
        ("talon-reply-android.eml", None, "wrote:"),
    ],
)
def test_quoted_history_is_cut_from_replies(name, kept, cut):
    text = parse(sample(name)).text
    reply = strip_reply(text)
    assert reply and len(reply) < len(text)
    assert cut not in reply


def test_outlook_original_message_block():
    text = "Still broken after the restart.\n\n-----Original Message-----\nFrom: Desk\nSent: Monday\nOld text"
    assert strip_reply(text) == "Still broken after the restart."


def test_signature_is_cut_and_an_all_quoted_reply_keeps_its_text():
    assert strip_reply("Thanks!\n-- \nRita\nACME Ltd") == "Thanks!"
    assert strip_reply("> only a quote\n> nothing new") == "> only a quote\n> nothing new"
