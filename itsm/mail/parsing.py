"""Raw RFC 5322 bytes into what the channel needs: addresses, threading ids, best body, files.

Parsing uses the `compat32` policy on purpose: it never raises while reading a header, so
broken mail (8-bit bytes in headers, bad encoded words, missing Content-Type) is decoded
here with explicit fallbacks, and every fallback taken is written to `notes` so the record
says what was guessed. A message that still cannot be read raises `UnreadableMessage`
and goes to the quarantine.
"""

import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.header import Header, decode_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from itsm.mail.htmltext import html_to_text, tidy

_MSGID = re.compile(r"<[^<>\s]{1,240}>")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class UnreadableMessage(ValueError):
    """The bytes are not a message we can read; the reason goes to the quarantine list."""


@dataclass
class MailFile:
    """An attachment or inline image."""

    filename: str
    content_type: str
    data: bytes
    inline: bool = False


@dataclass
class ParsedMail:
    message_id: str
    in_reply_to: list[str]
    references: list[str]
    from_address: str
    from_name: str
    recipients: list[str]
    subject: str
    sent_at: datetime | None
    content_type: str
    report_type: str
    headers: dict[str, str]
    text: str
    from_html: bool
    files: list[MailFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this one answers, nearest first (In-Reply-To, then References newest first)."""
        seen: dict[str, None] = {}
        for message_id in [*self.in_reply_to, *reversed(self.references)]:
            seen.setdefault(message_id, None)
        return list(seen)


def parse(raw: bytes) -> ParsedMail:
    """Read one message; raises UnreadableMessage when there is nothing to work with."""
    if not raw or not raw.strip():
        raise UnreadableMessage("The message is empty.")
    try:
        message = message_from_bytes(raw, policy=policy.compat32)
    except Exception as exc:  # the parser is lenient; anything here is truly broken
        raise UnreadableMessage(f"The MIME structure cannot be parsed: {exc}") from exc
    notes: list[str] = []
    headers = _headers(message, notes)
    if not headers:
        raise UnreadableMessage("The message has no headers.")
    from_name, from_address = _sender(message, notes)
    text, from_html, files = _body(message, notes)
    return ParsedMail(
        message_id=_message_id(message, raw),
        in_reply_to=_ids(headers.get("in-reply-to", "")),
        references=_ids(headers.get("references", "")),
        from_address=from_address,
        from_name=from_name,
        recipients=_recipients(message),
        subject=_one_line(headers.get("subject", ""))[:300],
        sent_at=_date(headers.get("date", ""), notes),
        content_type=message.get_content_type(),
        report_type=(message.get_param("report-type") or "").lower()
        if isinstance(message.get_param("report-type"), str)
        else "",
        headers=headers,
        text=text,
        from_html=from_html,
        files=files,
        notes=notes,
    )


# --- headers ----------------------------------------------------------------------------


def decode_value(value, notes: list[str] | None = None) -> str:
    """A header value as text: RFC 2047 words decoded, raw 8-bit bytes read as UTF-8 or cp1252."""
    if value is None:
        return ""
    try:
        chunks = decode_header(value if isinstance(value, str | Header) else str(value))
    except Exception:
        return _raw_header_text(str(value))
    out = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            out.append(_raw_header_text(chunk))
            continue
        out.append(_decode_bytes(chunk, charset if charset != "unknown-8bit" else None, notes))
    return "".join(out)


def _raw_header_text(value: str) -> str:
    """compat32 keeps undecodable header bytes as surrogates; read them as UTF-8, else cp1252."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    data = value.encode("ascii", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _decode_bytes(data: bytes, charset: str | None, notes: list[str] | None) -> str:
    if charset:
        try:
            return data.decode(charset)
        except LookupError:
            _note(notes, f"Unknown charset {charset!r}; read as UTF-8 with replacements.")
        except UnicodeDecodeError:
            _note(notes, f"Text was not valid {charset}; undecodable bytes were replaced.")
            return data.decode(charset, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        if charset is None:
            _note(notes, "Undeclared 8-bit text read as Windows-1252.")
            return data.decode("cp1252", errors="replace")
        return data.decode("utf-8", errors="replace")


def _note(notes: list[str] | None, text: str) -> None:
    if notes is not None and text not in notes:
        notes.append(text)


def _headers(message: Message, notes: list[str]) -> dict[str, str]:
    """First occurrence of each header, lower-cased name, decoded value (a second From is noted)."""
    out: dict[str, str] = {}
    for name, value in message.items():
        key = name.lower().strip()
        if key in out:
            if key in ("from", "subject", "message-id"):
                _note(notes, f"More than one {name} header; the first was used.")
            continue
        out[key] = decode_value(value, notes)
    return out


def _sender(message: Message, notes: list[str]) -> tuple[str, str]:
    for header in ("from", "sender", "reply-to"):
        values = message.get_all(header) or []
        for name, address in getaddresses([decode_value(v) for v in values]):
            address = address.strip().strip("<>").lower()
            if "@" in address and " " not in address and address.count("@") == 1:
                if header != "from":
                    _note(notes, f"No usable From address; used {header.title()}.")
                return _one_line(name)[:250], address[:250]
    return "", ""


def _recipients(message: Message) -> list[str]:
    values = []
    for header in ("to", "cc", "delivered-to", "x-original-to", "envelope-to"):
        values.extend(decode_value(v) for v in message.get_all(header) or [])
    return [address.lower() for _, address in getaddresses(values) if "@" in address]


def _message_id(message: Message, raw: bytes) -> str:
    found = _ids(decode_value(message.get("message-id")))
    if found:
        return found[0]
    return f"<{hashlib.sha256(raw).hexdigest()}@no-message-id>"


def _ids(value: str) -> list[str]:
    return [match[:250] for match in _MSGID.findall(value or "")]


def _date(value: str, notes: list[str]) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        _note(notes, f"Unreadable Date header {value[:60]!r}.")
        return None
    if parsed.tzinfo is None:
        _note(notes, "Date header without a time zone; read as UTC.")
        from datetime import UTC

        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _one_line(value: str) -> str:
    return " ".join(_CONTROL.sub(" ", value).split())


# --- body and files ---------------------------------------------------------------------


def _body(message: Message, notes: list[str]) -> tuple[str, bool, list[MailFile]]:
    plain: str | None = None
    html: str | None = None
    files: list[MailFile] = []
    for part in _leaves(message):
        kind = _classify(part)
        if kind == "plain" and plain is None:
            plain = _part_text(part, notes)
        elif kind == "html" and html is None:
            html = _part_text(part, notes)
        elif kind in ("plain", "html"):
            continue  # further alternatives of an already chosen body
        else:
            mail_file = _file(part, len(files) + 1, notes)
            if mail_file is not None:
                files.append(mail_file)
    if plain is not None and plain.strip():
        return tidy(plain), False, files
    if html is not None:
        return html_to_text(html), True, files
    return tidy(plain or ""), False, files


def _leaves(message: Message):
    """Leaf parts, not descending into attached messages (they are kept whole, as .eml files)."""
    if message.is_multipart():
        payload = message.get_payload()
        for part in payload if isinstance(payload, list) else []:
            if part.get_content_type() == "message/rfc822":
                yield part
            else:
                yield from _leaves(part)
    else:
        yield message


def _classify(part: Message) -> str:
    disposition = (part.get_content_disposition() or "").lower()
    ctype = part.get_content_type()
    if disposition == "attachment" or part.get_filename():
        return "file"
    if ctype == "text/plain":
        return "plain"
    if ctype == "text/html":
        return "html"
    return "file"


def _part_text(part: Message, notes: list[str]) -> str:
    data = _payload(part, notes)
    charset = part.get_content_charset()
    if charset in (None, "us-ascii", "ascii") and any(byte > 127 for byte in data):
        charset = None  # mislabelled 8-bit text: let the fallback chain guess
    return _decode_bytes(data, charset, notes).replace("\x00", "")


def _payload(part: Message, notes: list[str]) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception as exc:
        _note(notes, f"A part's transfer encoding could not be decoded ({exc}); kept as sent.")
        data = None
    if data is None:
        raw = part.get_payload()
        data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
    for defect in getattr(part, "defects", []):
        _note(notes, f"MIME defect: {type(defect).__name__}.")
    return data


def _file(part: Message, number: int, notes: list[str]) -> MailFile | None:
    ctype = part.get_content_type()
    if ctype == "message/rfc822":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        data = inner.as_bytes() if isinstance(inner, Message) else b""
        subject = decode_value(inner.get("subject")) if isinstance(inner, Message) else ""
        name = (_one_line(subject)[:80] or f"message-{number}") + ".eml"
        return MailFile(filename=_clean_name(name), content_type="message/rfc822", data=data)
    data = _payload(part, notes)
    if not data:
        return None
    disposition = (part.get_content_disposition() or "").lower()
    inline = disposition != "attachment" and (
        bool(part.get("content-id")) or disposition == "inline" or ctype.startswith("image/")
    )
    name = decode_value(part.get_filename()) if part.get_filename() else ""
    if not name:
        extension = mimetypes.guess_extension(ctype) or ".bin"
        name = f"{'inline-image' if inline else 'attachment'}-{number}{extension}"
    return MailFile(filename=_clean_name(name), content_type=ctype, data=data, inline=inline)


def _clean_name(name: str) -> str:
    return _one_line(name).replace("/", "_").replace("\\", "_")[:200] or "file"
