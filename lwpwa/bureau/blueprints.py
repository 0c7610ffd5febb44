"""The bureau pages' blueprints, registered together by the app factory."""
from ..submissions import web as submissions_web
from . import admin, corrections, decisions, evidence_views, tokens_web, views

BLUEPRINTS = (views.bp, evidence_views.bp, tokens_web.bp, admin.bp, decisions.bp, submissions_web.bp, corrections.bp)
