"""Meetings, RSVPs, agenda topics and notes arrive with the meetings issue."""
