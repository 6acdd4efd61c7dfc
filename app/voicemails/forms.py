"""The upload form (the browser recorder posts the same fields)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField

from app.voicemails.service import NAME_MAX


class VoicemailForm(FlaskForm):
    # Checked by the service (one set of rules for the page, the recorder and the API).
    name = StringField("Name", render_kw={"maxlength": NAME_MAX, "required": True})
    file = FileField("Audio file (WAV or MP3)",
                     render_kw={"accept": "audio/wav,audio/x-wav,audio/mpeg,.wav,.mp3"})
