"""Recorded voicemail messages and dropping them into a live call's voicemail box."""
