"""Voicemail messages: recognising WAV and MP3 by their bytes, the upload rules, page and API."""

import io

import pytest
from sqlalchemy import select

from app.auth.service import issue_token
from app.errors import DomainError
from app.extensions import db
from app.models import Voicemail
from app.voicemails.audio import MP3, WAV, AudioError, sniff
from app.voicemails.service import create_voicemail
from tests import factories
from tests.audio_samples import mp3_bytes, wav_bytes


def test_a_wav_is_recognised_by_its_bytes_and_measured_from_its_header():
    audio = sniff(wav_bytes(2.5, rate=16000))
    assert audio.content_type == WAV
    assert audio.seconds == pytest.approx(2.5)


def test_an_mp3_is_measured_from_its_bitrate_with_or_without_an_id3_tag():
    for data in (mp3_bytes(115), mp3_bytes(115, id3=True)):
        audio = sniff(data)
        assert audio.content_type == MP3
        # 115 frames of 1152 samples at 44.1 kHz: 3.004 s; by bitrate, 115 * 417 bytes * 8 / 128k
        assert audio.seconds == pytest.approx(115 * 417 * 8 / 128000)


def test_an_mp3_with_a_xing_frame_count_is_measured_by_it():
    first = bytearray(b"\xff\xfb\x90\x00" + bytes(413))
    first[36:40] = b"Xing"
    first[40:44] = (1).to_bytes(4, "big")  # the frames field is present
    first[44:48] = (1000).to_bytes(4, "big")
    audio = sniff(bytes(first) + mp3_bytes(3))
    assert audio.seconds == pytest.approx(1000 * 1152 / 44100)


@pytest.mark.parametrize("data", [
    b"hello, this is text",
    b"RIFF\x00\x00\x00\x00WAVEjunk",  # a WAV header with nothing readable after it
    b"\xff\xfb\x90\x00" + bytes(100),  # one frame header, no second frame where it should be
    b"OggS" + bytes(200),  # WebM/Ogg: what MediaRecorder makes, which Twilio cannot play
])
def test_anything_else_is_refused(data):
    with pytest.raises(AudioError):
        sniff(data)


def _upload(client, name, data, filename="message.wav", **extra):
    return client.post("/voicemails", data={"name": name, "file": (io.BytesIO(data), filename),
                                            **extra}, content_type="multipart/form-data")


def test_a_recruiter_uploads_a_message_and_plays_it_back(logged_in, user):
    data = wav_bytes(3.2)
    response = _upload(logged_in, "  Intro, short  ", data, "whatever.mp3")
    assert response.status_code == 302
    voicemail = db.session.scalars(select(Voicemail)).one()
    assert (voicemail.name, voicemail.content_type, voicemail.duration_seconds) == (
        "Intro, short", "audio/wav", 4)
    assert (voicemail.user_id, voicemail.size_bytes) == (user.id, len(data))
    page = logged_in.get("/voicemails").get_data(as_text=True)
    assert "Intro, short" in page and f"/voicemails/{voicemail.id}/audio" in page
    audio = logged_in.get(f"/voicemails/{voicemail.id}/audio")
    assert audio.status_code == 200 and audio.mimetype == "audio/wav" and audio.data == data


def test_the_recorder_gets_json(logged_in):
    response = logged_in.post("/voicemails", data={"name": "Recorded",
                                                   "file": (io.BytesIO(mp3_bytes(40)), "r.mp3")},
                              headers={"Accept": "application/json"})
    assert response.status_code == 201
    assert response.get_json() == {"id": 1, "name": "Recorded", "duration_seconds": 2}
    bad = logged_in.post("/voicemails", data={"name": "X", "file": (io.BytesIO(b"nope"), "x.wav")},
                         headers={"Accept": "application/json"})
    assert bad.status_code == 422 and "WAV or MP3" in bad.get_json()["fields"]["file"]


@pytest.mark.parametrize(("name", "data", "field", "words"), [
    ("Not audio", b"GIF89a" + bytes(50), "file", "not a WAV or MP3"),
    ("Too long", wav_bytes(91, rate=4000, width=1), "file", "keep it to 90 s"),
    ("   ", wav_bytes(1), "name", "Give the message a name"),
    ("x" * 81, wav_bytes(1), "name", "80 characters"),
    ("No file", b"", "file", "Choose or record"),
])
def test_refusals_say_what_is_wrong_and_store_nothing(logged_in, name, data, field, words):
    response = _upload(logged_in, name, data)
    assert response.status_code == 422
    assert words in response.get_data(as_text=True)
    assert db.session.scalars(select(Voicemail)).all() == []


def test_a_file_over_the_size_cap_is_refused_before_it_is_read_as_audio(user):
    # Through the service: the test client spools an upload this big to an unclosed temp file.
    with pytest.raises(DomainError) as refused:
        create_voicemail(user, "Too big", b"RIFF" + bytes(1_500_001))
    assert "at most 1,500,000" in refused.value.fields["file"]


def test_a_name_is_unique_among_live_messages_only(logged_in, user):
    assert _upload(logged_in, "Intro", wav_bytes(1)).status_code == 302
    duplicate = _upload(logged_in, "Intro", wav_bytes(1))
    assert duplicate.status_code == 409
    assert "already have a message called" in duplicate.get_data(as_text=True)
    first = db.session.scalars(select(Voicemail)).one()
    assert logged_in.post(f"/voicemails/{first.id}/delete").status_code == 302
    assert first.deleted_at is not None
    assert "Intro" not in logged_in.get("/voicemails").get_data(as_text=True).split(
        "Your messages")[1].split("Record in the browser")[0]
    assert _upload(logged_in, "Intro", wav_bytes(1)).status_code == 302  # the name is free again


def test_someone_elses_message_is_not_found(logged_in):
    other = factories.UserFactory(email="otto@example.com")
    voicemail = Voicemail(user_id=other.id, name="Theirs", content_type="audio/wav",
                          audio=wav_bytes(1), size_bytes=1, duration_seconds=1)
    db.session.add(voicemail)
    db.session.commit()
    assert logged_in.get(f"/voicemails/{voicemail.id}/audio").status_code == 404
    assert logged_in.post(f"/voicemails/{voicemail.id}/delete").status_code == 404
    assert voicemail.deleted_at is None


def test_the_upload_form_needs_its_csrf_token(app, user):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    client.post("/login", data={"email": "rita@example.com", "password": "correct-horse-battery"})
    response = _upload(client, "Intro", wav_bytes(1))
    assert response.status_code == 400
    assert db.session.scalars(select(Voicemail)).all() == []


# The API

@pytest.fixture
def api(client, user):
    """Headers with the recruiter's bearer token."""
    return {"Authorization": f"Bearer {issue_token(user)}"}


def test_api_upload_then_list(client, api):
    response = client.post("/api/v1/voicemails", headers=api, content_type="multipart/form-data",
                           data={"name": "Follow-up", "file": (io.BytesIO(mp3_bytes(80)), "a")})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body == {"id": body["id"], "name": "Follow-up", "duration_seconds": 3}
    assert response.headers["Location"].startswith("/api/v1/voicemails")
    listed = client.get("/api/v1/voicemails", headers=api).get_json()
    assert listed == {"voicemails": [{"id": body["id"], "name": "Follow-up",
                                      "duration_seconds": 3}]}


@pytest.mark.parametrize(("kwargs", "status", "field"), [
    ({"data": {"name": "A", "file": (io.BytesIO(b"plain text"), "a.wav")}}, 422, "file"),
    ({"data": {"name": "", "file": (io.BytesIO(wav_bytes(1)), "a.wav")}}, 422, "name"),
    ({"data": {"name": "A", "file": "sent as text"}}, 422, "file"),
    ({"data": {"name": "A", "file": (io.BytesIO(wav_bytes(1)), "a"), "extra": "1"}}, 422,
     "extra"),
    ({"data": {"name": "A"}}, 422, "file"),
])
def test_api_upload_refusals_use_the_error_format(client, api, kwargs, status, field):
    response = client.post("/api/v1/voicemails", headers=api, content_type="multipart/form-data",
                           **kwargs)
    assert response.status_code == status
    body = response.get_json()
    assert body["error"] == "validation_failed" and field in body["fields"]


def test_api_upload_must_be_multipart_and_names_are_unique(client, api):
    assert client.post("/api/v1/voicemails", headers=api, json={"name": "A"}).status_code == 415
    for expected in (201, 409):
        response = client.post("/api/v1/voicemails", headers=api,
                               content_type="multipart/form-data",
                               data={"name": "Same", "file": (io.BytesIO(wav_bytes(1)), "a")})
        assert response.status_code == expected
    assert response.get_json()["fields"] == {"name": "You already have a message called “Same”."}


def test_api_lists_only_your_live_messages(client, api, user):
    other = factories.UserFactory(email="otto@example.com")
    for owner, name, deleted in ((user, "Mine", False), (other, "Theirs", False),
                                 (user, "Gone", True)):
        voicemail = Voicemail(user_id=owner.id, name=name, content_type="audio/wav",
                              audio=b"", size_bytes=0, duration_seconds=5)
        db.session.add(voicemail)
        if deleted:
            from app.models import now_utc
            voicemail.deleted_at = now_utc()
    db.session.commit()
    names = [v["name"] for v in client.get("/api/v1/voicemails", headers=api).get_json()[
        "voicemails"]]
    assert names == ["Mine"]
    assert client.get("/api/v1/voicemails").status_code == 401
