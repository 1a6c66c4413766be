"""Asks, gives, discussions and introductions arrive with the conversations issue."""
