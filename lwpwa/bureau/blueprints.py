"""The bureau pages' blueprints, registered together by the app factory."""
from . import admin, corrections, evidence_views, tokens_web, views

BLUEPRINTS = (views.bp, evidence_views.bp, tokens_web.bp, admin.bp, corrections.bp)
