"""Sign-in, profile and user administration forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from app.timezones import all_timezones


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in")


class ProfileForm(FlaskForm):
    name = StringField("Your name", validators=[Length(max=120)])
    phone = StringField("Your phone (rung first for bridge calls)",
                        validators=[Optional(), Length(max=40)])
    timezone = SelectField("Time zone", choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = all_timezones()


class UserForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False),
                                            Length(max=254)])
    name = StringField("Name", validators=[Length(max=120)])
    password = PasswordField("Temporary password", validators=[DataRequired(), Length(min=8,
                                                                                      max=200)])
    admin = BooleanField("Administrator")


class PasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired(), Length(min=8, max=200)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password",
                                     validators=[DataRequired(), Length(max=200)])
    new_password = PasswordField("New password", validators=[DataRequired(), Length(min=8,
                                                                                    max=200)])


class TokenForm(FlaskForm):
    label = StringField("What is it for?", validators=[Length(max=80)])
