"""Shared plumbing of the JSON API under /api/v1: body parsing, validation, token auth."""
