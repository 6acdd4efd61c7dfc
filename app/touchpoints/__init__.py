"""Touchpoints beyond the phone (email, LinkedIn or social messages, meetings) and the timeline."""
