"""GET /api/v1/campaigns/<id>/code-filter: the phone's offline check of codes (issue 13).

The filters hold every issued code and every revoked one, as deltas after the first answer;
static/app/filter.js reads them exactly as lwpwa/pwa/codefilter.py writes them."""
import base64
import json
import shutil
import subprocess
from datetime import timedelta

import pytest

from lwpwa.database import utcnow
from lwpwa.extensions import db
from lwpwa.pwa import codefilter
from lwpwa.pwa.assets import APP_DIR
from lwpwa.residents import service
from lwpwa.residents.codes import new_code
from lwpwa.residents.models import SignInCode


def bitset(part):
    return bytearray(base64.b64decode(part["data"]))


def apply(previous, part):
    """What the phone does with one part of an answer (filter.js applyPart), in Python."""
    if part["full"]:
        return bitset(part)
    keys = base64.b64decode(part["add"])
    codefilter.add_keys(previous, [keys[i:i + 8] for i in range(0, len(keys), 8)], part["bits"], part["hashes"])
    return previous


def has(bits, part, salt, code):
    return codefilter.contains(bits, codefilter.key_of(bytes.fromhex(salt), code), part["bits"], part["hashes"])


@pytest.fixture
def scanner(make, client):
    campaign = make.campaign()
    org = make.org()
    volunteer = make.user("volunteer", org=org)
    return campaign, make.auth(volunteer)


def test_first_answer_is_whole_and_knows_every_code_and_every_revoked_one(client, make, scanner):
    campaign, headers = scanner
    codes = [make.resident()[1] for _ in range(30)]
    withdrawn, _ = make.resident()
    service.revoke_codes(withdrawn)
    db.session.commit()
    revoked_code = withdrawn.codes[0].code

    response = client.get(f"/api/v1/campaigns/{campaign.id}/code-filter", headers=headers)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["codes"]["full"] and body["revoked"]["full"]
    salt = body["salt"]
    known, revoked = bitset(body["codes"]), bitset(body["revoked"])
    assert all(has(known, body["codes"], salt, code) for code in codes + [revoked_code])
    assert has(revoked, body["revoked"], salt, revoked_code)
    assert not any(has(revoked, body["revoked"], salt, code) for code in codes)
    # Nothing in clear: no code appears in the answer.
    assert not any(code in response.get_data(as_text=True) for code in codes + [revoked_code])
    strangers = [new_code() for _ in range(3000)]
    assert sum(has(known, body["codes"], salt, code) for code in strangers) <= 12  # expected ≤ 3


def test_later_answers_are_deltas_with_the_new_and_the_newly_revoked_codes(client, make, scanner):
    campaign, headers = scanner
    first_resident, first = make.resident()
    url = f"/api/v1/campaigns/{campaign.id}/code-filter"
    body = client.get(url, headers=headers).get_json()
    known, revoked = bitset(body["codes"]), bitset(body["revoked"])

    _, late = make.resident()  # registered at the door after the phone's last sync
    service.revoke_codes(first_resident)
    db.session.commit()
    delta = client.get(url, headers=headers, query_string={"since": body["cursor"]}).get_json()
    assert not delta["codes"]["full"] and not delta["revoked"]["full"]
    assert len(base64.b64decode(delta["codes"]["add"])) < len(known)
    known, revoked = apply(known, delta["codes"]), apply(revoked, delta["revoked"])
    assert has(known, delta["codes"], delta["salt"], late)
    assert has(revoked, delta["revoked"], delta["salt"], first)
    assert not has(revoked, delta["revoked"], delta["salt"], late)


def test_a_cursor_that_is_not_one_gets_the_whole_filters(client, make, scanner):
    campaign, headers = scanner
    for since in ("garbage", "0.1.2.3", "x" * 100, "deadbeef.9.9.99999999999999999"):
        body = client.get(f"/api/v1/campaigns/{campaign.id}/code-filter", headers=headers,
                          query_string={"since": since}).get_json()
        assert body["codes"]["full"] and body["revoked"]["full"], since


@pytest.mark.parametrize("query", [{"since": "x" * 101}, {"since": "a\x1bb"}, {"since": "\u202eab"},
                                   [("since", "garbage"), ("since", "garbage")]])
def test_a_since_that_is_no_cursor_text_or_given_twice_is_a_400(client, make, scanner, query):
    """The document says what a cursor may be (at most 100 characters of text), as for any query."""
    campaign, headers = scanner
    response = client.get(f"/api/v1/campaigns/{campaign.id}/code-filter", headers=headers, query_string=query)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and set(error["fields"]) == {"since"}


def test_codes_older_than_the_overlap_are_not_sent_again(client, make, scanner):
    campaign, headers = scanner
    _, old = make.resident()
    db.session.execute(db.update(SignInCode).values(created_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    url = f"/api/v1/campaigns/{campaign.id}/code-filter"
    body = client.get(url, headers=headers).get_json()
    delta = client.get(url, headers=headers, query_string={"since": body["cursor"]}).get_json()
    assert delta["codes"]["add"] == ""


def test_another_regions_campaign_is_404_and_bureaus_are_403(client, make, scanner):
    _campaign, headers = scanner
    shandong = make.campaign(region_code="370000")
    response = client.get(f"/api/v1/campaigns/{shandong.id}/code-filter", headers=headers)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/campaigns/2147483648/code-filter", headers=headers).status_code == 404
    bureau = make.auth(make.user("bureau", region_code="140000"))
    assert client.get(f"/api/v1/campaigns/{shandong.id}/code-filter", headers=bureau).status_code == 403


@pytest.mark.parametrize("kind, bound", [(codefilter.CODES, 1e-3), (codefilter.REVOKED, 1e-6)])
def test_sizes_stay_within_two_bytes_per_code_and_the_false_positive_bound(kind, bound):
    n = kind.minimum
    while n < 5_000_000:
        bits = kind.bits(kind.generation(n))
        false_positive = (1 - pow(2.718281828459045, -kind.hashes * n / bits)) ** kind.hashes
        assert false_positive <= bound, n
        if kind is codefilter.CODES:
            assert bits / 8 / n <= 2.0, n
        n = int(n * 1.037) + 1


def test_the_phone_reads_the_filter_as_the_server_writes_it(client, make, scanner):
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is required (it also installs the PWA's libraries)")
    campaign, headers = scanner
    codes = [make.resident()[1] for _ in range(5)]
    withdrawn, _ = make.resident()
    service.revoke_codes(withdrawn)
    db.session.commit()
    body = client.get(f"/api/v1/campaigns/{campaign.id}/code-filter", headers=headers).get_json()
    _, late = make.resident()
    delta = client.get(f"/api/v1/campaigns/{campaign.id}/code-filter", headers=headers,
                       query_string={"since": body["cursor"]}).get_json()
    texts = codes + [withdrawn.codes[0].code, late, new_code()]
    script = (
        f"import {{ applyAnswer, classify }} from {json.dumps((APP_DIR / 'filter.js').as_uri())};"
        "const [first, delta, texts] = JSON.parse(process.argv[1]);"
        "const filter = applyAnswer(applyAnswer(null, first), delta);"
        "console.log(JSON.stringify(await Promise.all(texts.map((t) => classify(filter, t)))));"
    )
    result = subprocess.run([node, "--input-type=module", "-e", script, json.dumps([body, delta, texts])],
                            capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == ["known"] * 5 + ["revoked", "known", "unknown"]


def test_a_whole_filter_built_with_numpy_equals_the_one_built_key_by_key():
    salt = codefilter.campaign_salt(7, secret="test")
    keys = [codefilter.key_of(salt, new_code()) for _ in range(codefilter.VECTOR_FROM + 10)]
    bits = codefilter.CODES.bits(codefilter.CODES.generation(len(keys)))
    whole, one_by_one = bytearray(bits // 8), bytearray(bits // 8)
    codefilter.add_keys(whole, keys, bits, 10)
    for start in range(0, len(keys), 100):
        codefilter.add_keys(one_by_one, keys[start:start + 100], bits, 10)
    assert whole == one_by_one
    assert all(codefilter.contains(whole, key, bits, 10) for key in keys[:50])
