"""Schemathesis against a real gunicorn, as an outside tester runs it: every check, every phase
(examples, coverage, fuzzing and the stateful phase over the document's links), as each kind of
caller — volunteer, site lead, bureau, admin, resident and anonymous — on each engine.
Zero failures of every kind: the document (generated from the request declarations) and the
server agree.

What schemathesis cannot know from a document is given to it, each with its reason: realistic
ids and times for activities drawn as valid (tests/fuzz_hooks.py), 415 for valid-shaped bytes
that are not an image, and the stateful phase following declared links, not guessed ones
(tests/schemathesis.toml).

Left out of the runs, because each ends the very session the run goes on with: revoking the
token in use (`revokeToken`, and `revokeOwnToken`, whose ids a run can guess) and erasing
the resident whose key is in use (`eraseResident`). tests/test_auth_api.py and
tests/test_residents_api.py test those three.
"""
import os
import re
import subprocess
import sys

from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import ENGINES, drop_database_url, fresh_database_url, seeding
from servers import gunicorn, log_tail

ROLES = ("volunteer", "site_lead", "bureau", "admin", "resident", "anonymous")
SELF_ENDING = ("revokeToken", "revokeOwnToken", "eraseResident")
# Enough examples per operation to find each class of disagreement the document can have
# (a fixed seed, so a failure reproduces; LWPWA_FUZZ_SEED tries another).
MAX_EXAMPLES = int(os.environ.get("LWPWA_FUZZ_EXAMPLES", "25"))
SEED = os.environ.get("LWPWA_FUZZ_SEED", "20261201")
CONFIG = Path(__file__).with_name("schemathesis.toml")  # what it says and why


def seed(database_url):
    """A unit with an activity happening now and a resident, and one caller of each kind."""
    with seeding(database_url) as make:
        campaign = make.campaign()
        org = make.org()
        make.activity(org, campaign)
        # Where a new activity of this unit may take place (tests/fuzz_hooks.py).
        state = {"LWPWA_FUZZ_CAMPAIGN_ID": str(campaign.id), "LWPWA_FUZZ_ORG_ID": str(org.id),
                 "LWPWA_FUZZ_STARTS_AT": datetime.combine(campaign.starts_on, time(10),
                                                          ZoneInfo(campaign.timezone)).isoformat()}
        resident, _code = make.resident(display_name="张阿姨", age_group="60_plus")
        headers = {
            "volunteer": make.auth(make.user("volunteer", org=org)),
            "site_lead": make.auth(make.user("site_lead", org=org)),
            "bureau": make.auth(make.user("bureau", region_code="140100")),
            "admin": make.auth(make.user("admin")),
            "resident": {"Authorization": f"Resident {resident.key}"},
            "anonymous": {},
        }
    return headers, state


@pytest.fixture(scope="module", params=ENGINES)
def served(request, tmp_path_factory):
    """A gunicorn (2 workers) on a fresh database, and the headers of each kind of caller.
    Without rate limits, so that public registration is tested past its 60 a minute
    (tests/test_rate_limits_shared.py and test_auth_api.py test the limits)."""
    tmp = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    url = fresh_database_url(request.param, tmp)
    headers, state = seed(url)
    log = tmp / "gunicorn.log"
    try:
        # The README's production recipe (gunicorn -c python:lwpwa.serving): what gunicorn
        # refuses itself, a request line too long, answers in the JSON envelope too.
        with gunicorn(url, log, workers=2, env={"RATELIMIT_ENABLED": "0"},
                      args=("-c", "python:lwpwa.serving", "--timeout", "120", "--no-control-socket")) as base:
            yield base, headers, state, log
    finally:
        drop_database_url(url)


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_schemathesis_finds_nothing(served, role, tmp_path):
    base, headers, state, log = served
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG),
        "run", f"{base}/api/v1/openapi.json",
        "--checks", "all", "--phases", "examples,coverage,fuzzing,stateful",
        "--max-examples", str(MAX_EXAMPLES), "--seed", SEED, "--workers", "1",
        "--suppress-health-check", "all", "--no-color", "--request-timeout", "60",
        *[arg for operation_id in SELF_ENDING for arg in ("--exclude-operation-id", operation_id)],
        *[arg for name, value in headers[role].items() for arg in ("-H", f"{name}: {value}")],
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=900,
                         cwd=tmp_path, env={**os.environ, **state, "SCHEMATHESIS_HOOKS": "fuzz_hooks",
                              "PYTHONPATH": str(Path(__file__).parent)})
    output = run.stdout + run.stderr
    (tmp_path / "schemathesis.txt").write_text(output)
    assert run.returncode == 0, f"schemathesis as {role} (seed {SEED}; all of it in " \
                                f"{tmp_path / 'schemathesis.txt'}):\n{output[-12000:]}\n\n" \
                                f"server log:\n{log_tail(log)}"
    tested = re.search(r"Tested: (\d+)", output)
    assert tested and int(tested.group(1)) >= 40, f"too few operations tested:\n{output[-4000:]}"
