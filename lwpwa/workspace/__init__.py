"""The site lead's workspace: the unit's dashboard, activities, statistics table, review of
held check-ins, volunteers and their phones, per-activity reports and the xlsx import.

`blueprint.py` is the URL map; the views live in one module per page group, and the logic they
need is in plain functions that tests call without HTTP.
"""
