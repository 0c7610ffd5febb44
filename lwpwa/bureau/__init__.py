"""City bureaus and the province: region dashboards, submission tracking, anomaly flags, the
region table, read-only tokens for the bureau's scripts, and province administration.

Every query here is scoped on the server: a region outside the signed-in user's answers 404."""
