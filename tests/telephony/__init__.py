"""Tests of calling through Twilio, faked at the SDK's HTTP transport."""
