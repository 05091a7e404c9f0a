"""The shared upload rules (task attachments and knowledge files both use them)."""

import pytest
from django.core.exceptions import ValidationError

from itsm.core.uploads import safe_filename, stored_content_type, validate_upload


def test_filenames_lose_paths_and_control_characters():
    assert safe_filename("C:\\Users\\me\\..\\report.pdf") == "report.pdf"
    assert safe_filename("../../etc/pass\x00wd<>.txt") == "passwd.txt"
    assert safe_filename(" . ") == "file"
    assert len(safe_filename("a" * 300 + ".pdf")) == 200


def test_size_and_extension_limits(settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    settings.ATTACHMENT_ALLOWED_EXTENSIONS = ["pdf", "png"]
    validate_upload("ok.PDF", 10)
    with pytest.raises(ValidationError, match="the limit is 10 bytes"):
        validate_upload("big.pdf", 11)
    with pytest.raises(ValidationError, match="not accepted"):
        validate_upload("run.exe", 1)


def test_files_a_browser_would_run_are_served_as_downloads():
    assert stored_content_type("page.html") == "application/octet-stream"
    assert stored_content_type("logo.svg") == "application/octet-stream"
    assert stored_content_type("photo.png") == "image/png"
