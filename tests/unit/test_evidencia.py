"""Evidence of AR-tracked e-mails (cobranca_addon/tools/evidencia.py), without Odoo.

The known outputs are written out by hand (canonical bytes) or recomputed here with hashlib
and hmac straight from the format of the module's docstring, as a third party would; the
properties tamper with a chain in every way a database edit can and check that each change
is reported with its kind and position.
"""

import copy
import hashlib
import hmac
import json
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from .conftest import load_tool

evidencia = load_tool("evidencia")
canonical = evidencia.canonical
chain_event = evidencia.chain_event
verify_chain = evidencia.verify_chain
GENESIS = evidencia.GENESIS

D = Decimal
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
MESSAGE = (
    b"From: Cobranca <cobranca@example.com>\r\nTo: cliente@example.com\r\n"
    b"Subject: =?utf-8?q?Notifica=C3=A7=C3=A3o?=\r\nMessage-ID: <1@example.com>\r\n"
    b"\r\nOl\xc3\xa1\r\n"
)
MESSAGE_SHA256 = hashlib.sha256(MESSAGE).hexdigest()
START = datetime(2025, 5, 1, 12, 0, tzinfo=timezone.utc)


def kinds(problems):
    """The ``(index, kind)`` of each problem, in order."""
    return [(problem.index, problem.kind) for problem in problems]


def build_chain(payloads, personals=None, message_sha256=MESSAGE_SHA256):
    """A chain of events from payloads; the first is bound to the message, and event ``i``
    stores ``personals[i]`` (``{name: value}``, committed in its payload) when given."""
    events, previous = [], GENESIS
    for i, payload in enumerate(payloads):
        payload = dict(payload)
        if i == 0:
            payload[evidencia.BINDING_KEY] = message_sha256
        personal = None
        if personals and personals[i]:
            payload[evidencia.PERSONAL_KEY], personal = evidencia.seal_personal(personals[i])
        event = chain_event(previous, i + 1, payload)
        if personal is not None:
            event["personal"] = personal
        events.append(event)
        previous = event["hash"]
    return events


def other_hash(value):
    """A well-formed hash different from ``value``."""
    return hashlib.sha256(value.encode()).hexdigest()


# Canonical payloads --------------------------------------------------------------------------


def test_known_canonical_bytes():
    payload = {
        "when": datetime(2025, 5, 1, 9, 30, 0, 250000, tzinfo=SAO_PAULO),
        "type": "opened",
        "amount": D("1030.50"),
        "due": date(2025, 4, 30),
        "count": -3,
        "flags": (True, False, None),
        "nested": {"z": [], "a": {}},
        "text": 'Notificação "final"\n\\ 2/3 \x01',
    }
    expected = (
        '{"amount":"1030.50","count":-3,"due":"2025-04-30","flags":[true,false,null],'
        '"nested":{"a":{},"z":[]},"text":"Notificação \\"final\\"\\n\\\\ 2/3 \\u0001",'
        '"type":"opened","when":"2025-05-01T12:30:00.250000Z"}'
    ).encode()
    assert canonical(payload) == expected


def test_keys_are_sorted_by_code_point():
    # "Z" (U+005A) < "a" (U+0061) < "é" (U+00E9) < "\uff01" (U+FF01) < "😀" (U+1F600);
    # in UTF-16 order the emoji (a surrogate pair, 0xD83D 0xDE00) would come before U+FF01
    payload = {"😀": 4, "\uff01": 1, "é": 2, "a": 3, "Z": 5}
    assert canonical(payload) == '{"Z":5,"a":3,"é":2,"\uff01":1,"😀":4}'.encode()


def test_non_ascii_is_kept_as_utf8():
    data = canonical({"nome": "João Conceição", "cidade": "São Paulo"})
    assert "João Conceição".encode() in data
    assert b"\\u" not in data
    assert data.decode("utf-8") == '{"cidade":"São Paulo","nome":"João Conceição"}'


def test_datetimes_are_normalised_to_utc():
    utc = datetime(2025, 5, 1, 12, 0, tzinfo=timezone.utc)
    local = datetime(2025, 5, 1, 9, 0, tzinfo=SAO_PAULO)  # UTC-3
    naive = datetime(2025, 5, 1, 12, 0)  # taken as UTC
    assert canonical({"at": local}) == canonical({"at": utc}) == canonical({"at": naive})
    assert canonical({"at": utc}) == b'{"at":"2025-05-01T12:00:00Z"}'
    assert canonical({"at": utc.replace(microsecond=5)}) == b'{"at":"2025-05-01T12:00:00.000005Z"}'
    # the stored (JSON) form of a payload gives the same bytes as the original
    assert canonical({"at": "2025-05-01T12:00:00Z"}) == canonical({"at": local})


def test_decimals_keep_their_digits_in_positional_notation():
    assert canonical({"v": D("1.50")}) == b'{"v":"1.50"}'
    assert canonical({"v": D("1E+2")}) == b'{"v":"100"}'
    assert canonical({"v": D("1E-7")}) == b'{"v":"0.0000001"}'
    assert canonical({"v": D("-12.340")}) == b'{"v":"-12.340"}'
    assert canonical({"v": D("-0.00")}) == b'{"v":"0.00"}'


@pytest.mark.parametrize("value", [1.5, 0.0, float("nan")])
def test_floats_are_refused(value):
    with pytest.raises(TypeError, match="not exact"):
        canonical({"amount": value})


@pytest.mark.parametrize("value", [{1, 2}, b"bytes", object(), time(12, 0), timedelta(days=1)])
def test_unknown_types_are_refused(value):
    with pytest.raises(TypeError, match="no canonical form"):
        canonical({"nested": [{"value": value}]})


@pytest.mark.parametrize("payload", [{1: "a"}, {"a": {None: 1}}, {"a": [{(1, 2): 1}]}])
def test_non_string_keys_are_refused(payload):
    with pytest.raises(TypeError, match="not a string"):
        canonical(payload)


@pytest.mark.parametrize(
    "value", [D("NaN"), D("Infinity"), 2**53, -(2**53), "lone \ud800 surrogate"]
)
def test_values_without_an_exact_json_form_are_refused(value):
    with pytest.raises(ValueError):
        canonical({"value": value})


def test_a_payload_is_a_mapping():
    with pytest.raises(TypeError):
        canonical([1, 2])
    assert canonical({}) == b"{}"


leaves = (
    st.none()
    | st.booleans()
    | st.integers(-evidencia.MAX_INT, evidencia.MAX_INT)
    | st.text(max_size=8)
    | st.decimals(allow_nan=False, allow_infinity=False, places=2, max_value=10**9)
    | st.dates()
    | st.datetimes(
        min_value=datetime(1900, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.none() | st.just(timezone.utc) | st.just(SAO_PAULO),
    )
)
values = st.recursive(
    leaves,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=10,
)
payloads = st.dictionaries(st.text(max_size=6), values, max_size=5)


@settings(max_examples=100, deadline=None)
@given(payload=payloads, data=st.data())
def test_canonical_is_deterministic_whatever_the_key_order(payload, data):
    shuffled = dict(data.draw(st.permutations(list(payload.items()))))
    assert canonical(shuffled) == canonical(payload)
    stored = evidencia.jsonable(payload)
    # what is stored (its JSON form, read back) serialises to the very same bytes
    assert json.loads(canonical(payload)) == stored
    assert canonical(json.loads(json.dumps(stored))) == canonical(payload)


# Hashes and commitments, recomputed from the specification ----------------------------------


def test_event_hash_follows_the_specification():
    payload = {"type": "created", "at": START}
    expected = hashlib.sha256(
        b"cobranca-evidence-v1\n" + b"0" * 64 + b'\n{"at":"2025-05-01T12:00:00Z","type":"created"}'
    ).hexdigest()
    assert evidencia.event_hash(GENESIS, payload) == expected
    event = chain_event(GENESIS, 1, payload)
    assert event == {
        "sequence": 1,
        "previous_hash": GENESIS,
        "payload": {"type": "created", "at": "2025-05-01T12:00:00Z"},
        "hash": expected,
    }


@pytest.mark.parametrize("previous", ["0" * 63, "0" * 65, "A" * 64, "g" * 64, None, 0])
def test_event_hash_needs_a_well_formed_previous_hash(previous):
    with pytest.raises(ValueError, match="64 lowercase hex"):
        evidencia.event_hash(previous, {})


@pytest.mark.parametrize("sequence", [0, -1, True, "1", 1.0])
def test_chain_event_needs_a_positive_sequence(sequence):
    with pytest.raises(ValueError, match="sequence"):
        chain_event(GENESIS, sequence, {})


def test_commitment_is_hmac_sha256_keyed_with_the_salt():
    salt = "ab" * 32
    expected = hmac.new(bytes.fromhex(salt), b"203.0.113.7", hashlib.sha256).hexdigest()
    assert evidencia.commitment("203.0.113.7", salt) == expected
    assert evidencia.check_commitment("203.0.113.7", salt, expected)
    assert not evidencia.check_commitment("203.0.113.8", salt, expected)
    assert not evidencia.check_commitment("203.0.113.7", "cd" * 32, expected)


def test_a_commitment_cannot_be_looked_up_without_its_salt():
    ip = "203.0.113.7"
    first, second = evidencia.new_salt(), evidencia.new_salt()
    assert first != second and evidencia.is_hash(first) and evidencia.is_hash(second)
    assert evidencia.commitment(ip, first) != evidencia.commitment(ip, second)
    plain = {
        hashlib.sha256(ip.encode()).hexdigest(),
        hashlib.sha256(b"ip" + ip.encode()).hexdigest(),
    }
    assert evidencia.commitment(ip, first) not in plain


def test_malformed_commitments_are_false_not_errors():
    salt = evidencia.new_salt()
    good = evidencia.commitment("x", salt)
    assert not evidencia.check_commitment("x", salt.upper(), good)
    assert not evidencia.check_commitment("x", salt, good.upper())
    assert not evidencia.check_commitment("x", None, good)
    assert not evidencia.check_commitment(None, salt, good)
    assert not evidencia.check_commitment("x", salt, "é" * 64)
    with pytest.raises(ValueError):
        evidencia.commitment("x", "short")


def test_seal_personal_leaves_none_out():
    commitments, personal = evidencia.seal_personal({"ip": "203.0.113.7", "user_agent": None})
    assert set(commitments) == set(personal) == {"ip"}
    value, salt = personal["ip"]
    assert value == "203.0.113.7"
    assert evidencia.check_commitment(value, salt, commitments["ip"])


# Chains ----------------------------------------------------------------------------------


def ar_payloads(count):
    types = ["created", "accepted", "delivered", "opened", "acknowledged"]
    return [
        {"type": types[i % len(types)], "at": START + timedelta(hours=i), "data": {"n": i}}
        for i in range(count)
    ]


PERSONALS = [None, None, {"ip": "2001:db8::1"}, {"ip": "203.0.113.7", "user_agent": "Mozilla/5.0"}]


def test_an_intact_chain_verifies():
    events = build_chain(ar_payloads(4), PERSONALS)
    assert verify_chain(events) == []
    assert verify_chain(events, head=events[-1]["hash"], message_sha256=MESSAGE_SHA256) == []
    assert evidencia.verify_evidence(MESSAGE, MESSAGE_SHA256, events) == []
    assert verify_chain([]) == []
    assert verify_chain([], head=GENESIS) == []


def test_events_may_be_objects():
    class Event:
        def __init__(self, **fields):
            vars(self).update(fields)

    events = [Event(**event) for event in build_chain(ar_payloads(3), PERSONALS)]
    assert verify_chain(events) == []
    events[1].payload = dict(events[1].payload, type="bounced")
    assert kinds(verify_chain(events)) == [(1, "event_hash")]


def test_events_cannot_be_moved_to_another_message():
    events = build_chain(ar_payloads(3), message_sha256=hashlib.sha256(b"other").hexdigest())
    assert verify_chain(events) == []  # valid on its own ...
    problems = evidencia.verify_evidence(MESSAGE, MESSAGE_SHA256, events)
    assert kinds(problems) == [(0, "broken_link")]  # ... but bound to another message
    assert "bound to the message" in problems[0].detail
    del events[0]["payload"][evidencia.BINDING_KEY]
    problems = verify_chain(events, message_sha256=MESSAGE_SHA256)
    assert kinds(problems) == [(0, "broken_link"), (0, "event_hash")]


def test_details_say_what_does_not_match():
    events = build_chain(ar_payloads(3))
    original = events[1]["hash"]
    events[1]["hash"] = "f" * 64
    problems = verify_chain(events)
    assert kinds(problems) == [(1, "event_hash"), (2, "broken_link")]
    assert problems[0].detail == (
        f"Event at index 1 (sequence 2) has the stored hash ffffffffffff…, but its payload "
        f"and previous hash give {original[:12]}…."
    )
    assert problems[1].detail == (
        f"Event at index 2 (sequence 3) has previous_hash {original[:12]}…, which is not the "
        "stored hash of the event at index 1, ffffffffffff…."
    )
    assert str(problems[0]) == problems[0].detail


def test_events_damaged_in_the_database_are_reported_not_raised():
    events = build_chain(ar_payloads(4))
    events[0]["payload"]["data"] = 1.5  # a float written by hand
    events[1]["sequence"] = "2"
    events[2]["previous_hash"] = None
    del events[3]["payload"]
    problems = verify_chain(events)
    assert kinds(problems) == [
        (0, "event_hash"),
        (1, "sequence"),
        (2, "broken_link"),
        (2, "event_hash"),
        (3, "event_hash"),
    ]
    assert "no canonical form" in problems[0].detail
    assert "it has no payload" in problems[4].detail


def test_a_truncated_chain_is_caught_by_its_recorded_head():
    events = build_chain(ar_payloads(4))
    head = events[-1]["hash"]
    assert verify_chain(events[:-1]) == []  # a shorter chain is valid on its own
    assert kinds(verify_chain(events[:-1], head=head)) == [(3, "broken_link")]
    assert kinds(verify_chain([], head=head)) == [(0, "broken_link")]


def chains(min_size=1):
    """Chains of ``min_size`` to 6 events whose payloads hold random values."""
    return st.lists(values, min_size=min_size, max_size=6).map(
        lambda data: build_chain(
            [
                {"type": "opened", "at": START + timedelta(minutes=i), "data": d}
                for i, d in enumerate(data)
            ]
        )
    )


hashes = st.binary(min_size=1, max_size=8).map(lambda data: hashlib.sha256(data).hexdigest())


@settings(max_examples=100, deadline=None)
@given(events=chains(), data=st.data())
def test_a_changed_payload_value_is_an_event_hash_problem(events, data):
    index = data.draw(st.integers(0, len(events) - 1))
    key = data.draw(st.sampled_from(sorted(events[index]["payload"])))
    value = data.draw(values)
    old = events[index]["payload"][key]
    assume(canonical({"v": value}) != canonical({"v": old}))
    events[index]["payload"][key] = value
    problems = verify_chain(events)
    if index == 0 and key == evidencia.BINDING_KEY:
        assert kinds(problems) == [(0, "event_hash")]
        bound = verify_chain(events, message_sha256=MESSAGE_SHA256)
        assert kinds(bound) == [(0, "broken_link"), (0, "event_hash")]
    else:
        assert kinds(problems) == [(index, "event_hash")]


@settings(max_examples=100, deadline=None)
@given(events=chains(), data=st.data())
def test_a_changed_stored_hash_is_reported_there_and_at_the_next_link(events, data):
    index = data.draw(st.integers(0, len(events) - 1))
    new = data.draw(hashes)
    assume(new != events[index]["hash"])
    events[index]["hash"] = new
    expected = [(index, "event_hash")]
    if index + 1 < len(events):
        expected.append((index + 1, "broken_link"))
    assert kinds(verify_chain(events)) == expected


@settings(max_examples=100, deadline=None)
@given(events=chains(), data=st.data())
def test_a_changed_previous_hash_is_a_broken_link_and_a_wrong_hash(events, data):
    index = data.draw(st.integers(0, len(events) - 1))
    new = data.draw(hashes)
    assume(new != events[index]["previous_hash"])
    events[index]["previous_hash"] = new
    assert kinds(verify_chain(events)) == [(index, "broken_link"), (index, "event_hash")]


@settings(max_examples=100, deadline=None)
@given(events=chains(min_size=2), data=st.data())
def test_a_removed_event_is_reported(events, data):
    index = data.draw(st.integers(0, len(events) - 1))
    head = events[-1]["hash"]
    del events[index]
    if index < len(events):
        assert kinds(verify_chain(events)) == [(index, "sequence"), (index, "broken_link")]
        assert "a gap" in verify_chain(events)[0].detail
    else:  # the last one: only the recorded head shows it
        assert verify_chain(events) == []
        assert kinds(verify_chain(events, head=head)) == [(index, "broken_link")]


@settings(max_examples=100, deadline=None)
@given(events=chains(), data=st.data())
def test_a_duplicated_event_is_reported(events, data):
    index = data.draw(st.integers(0, len(events) - 1))
    events.insert(index + 1, copy.deepcopy(events[index]))
    problems = verify_chain(events)
    assert kinds(problems) == [(index + 1, "sequence"), (index + 1, "broken_link")]
    assert "a repeat" in problems[0].detail


@settings(max_examples=100, deadline=None)
@given(events=chains(min_size=2), data=st.data())
def test_reordered_events_are_reported(events, data):
    first = data.draw(st.integers(0, len(events) - 2))
    second = data.draw(st.integers(first + 1, len(events) - 1))
    events[first], events[second] = events[second], events[first]
    found = kinds(verify_chain(events))
    for index in (first, second):
        assert (index, "sequence") in found
        assert (index, "broken_link") in found
    assert not any(kind == "event_hash" for _, kind in found)  # each event is intact itself


@settings(max_examples=100, deadline=None)
@given(events=chains(), data=st.data())
def test_several_tamperings_are_all_reported(events, data):
    changed = data.draw(st.sets(st.integers(0, len(events) - 1), min_size=1))
    for index in changed:
        events[index]["payload"]["data"] = {
            "tampered": index,
            "was": events[index]["payload"]["data"],
        }
    relinked = data.draw(st.integers(0, len(events) - 1))
    events[relinked]["previous_hash"] = other_hash(events[relinked]["previous_hash"])
    expected = {(index, "event_hash") for index in changed | {relinked}}
    expected.add((relinked, "broken_link"))
    found = kinds(verify_chain(events))
    assert set(found) == expected
    assert len(found) == len(expected)
    assert found == sorted(found, key=lambda item: item[0])  # in chain order


# Anonymisation (LGPD) ----------------------------------------------------------------------


def anonymise(events):
    for event in events:
        if "personal" in event:
            event["personal"] = {name: (None, None) for name in event["personal"]}


def test_anonymised_events_still_verify():
    events = build_chain(ar_payloads(4), PERSONALS)
    hashes_before = [event["hash"] for event in events]
    anonymise(events)
    assert verify_chain(events) == []
    assert [event["hash"] for event in events] == hashes_before
    # the timestamps stay in the hashed payload
    assert events[3]["payload"]["at"] == "2025-05-01T15:00:00Z"
    # the values can also just be dropped
    for event in events:
        event.pop("personal", None)
    assert verify_chain(events) == []


def test_a_replaced_personal_value_is_a_commitment_problem():
    events = build_chain(ar_payloads(4), PERSONALS)
    value, salt = events[3]["personal"]["ip"]
    events[3]["personal"]["ip"] = ("198.51.100.9", salt)
    problems = verify_chain(events)
    assert kinds(problems) == [(3, "commitment")]
    assert "ip" in problems[0].detail
    assert value not in problems[0].detail and "198.51.100.9" not in problems[0].detail


def test_a_value_with_its_salt_erased_cannot_be_shown_as_evidence():
    events = build_chain(ar_payloads(4), PERSONALS)
    events[3]["personal"]["ip"] = ("198.51.100.9", None)  # changed, salt erased to hide it
    problems = verify_chain(events)
    assert kinds(problems) == [(3, "commitment")]
    assert "salt is missing" in problems[0].detail
    # a salt left behind without its value hides nothing but is no integrity problem
    events[3]["personal"]["ip"] = (None, evidencia.new_salt())
    assert verify_chain(events) == []


def test_a_personal_value_without_a_commitment_is_reported():
    events = build_chain(ar_payloads(4), PERSONALS)
    events[1]["personal"] = {"ip": ("203.0.113.7", evidencia.new_salt())}
    assert kinds(verify_chain(events)) == [(1, "commitment")]


def test_a_changed_commitment_is_an_event_hash_problem():
    events = build_chain(ar_payloads(4), PERSONALS)
    commitments = events[2]["payload"][evidencia.PERSONAL_KEY]
    commitments["ip"] = other_hash(commitments["ip"])
    # with the value still kept, it does not match the new commitment either
    assert kinds(verify_chain(events)) == [(2, "event_hash"), (2, "commitment")]
    anonymise(events)
    assert kinds(verify_chain(events)) == [(2, "event_hash")]


@settings(max_examples=50, deadline=None)
@given(ip=st.ip_addresses().map(str), agent=st.text(max_size=40), other=st.ip_addresses().map(str))
def test_personal_values_are_checked_whatever_they_are(ip, agent, other):
    assume(other != ip)
    events = build_chain(ar_payloads(2), [None, {"ip": ip, "user_agent": agent}])
    assert verify_chain(events) == []
    events[1]["personal"]["ip"] = (other, events[1]["personal"]["ip"][1])
    assert kinds(verify_chain(events)) == [(1, "commitment")]


# Messages --------------------------------------------------------------------------------

ATTACHMENT = b"%PDF-1.7 boleto"
ATTACHMENTS = [("boleto.pdf", ATTACHMENT, hashlib.sha256(ATTACHMENT).hexdigest())]


def test_an_unchanged_message_has_no_problem():
    assert evidencia.sha256_hex(MESSAGE) == MESSAGE_SHA256
    assert evidencia.verify_message(MESSAGE, MESSAGE_SHA256, ATTACHMENTS) == []


def flip(data, position, bit):
    changed = bytearray(data)
    changed[position % len(changed)] ^= 1 << bit
    return bytes(changed)


@settings(max_examples=100, deadline=None)
@given(position=st.integers(0, 10**6), bit=st.integers(0, 7))
def test_a_changed_byte_of_the_message_is_reported(position, bit):
    problems = evidencia.verify_message(flip(MESSAGE, position, bit), MESSAGE_SHA256, ATTACHMENTS)
    assert kinds(problems) == [(None, "message_hash")]
    assert MESSAGE_SHA256[:12] in problems[0].detail


@settings(max_examples=100, deadline=None)
@given(position=st.integers(0, 10**6), bit=st.integers(0, 7))
def test_a_changed_byte_of_an_attachment_is_reported(position, bit):
    other = ("nota.xml", b"<nfe/>", hashlib.sha256(b"<nfe/>").hexdigest())
    name, data, stored = ATTACHMENTS[0]
    attachments = [other, (name, flip(data, position, bit), stored)]
    problems = evidencia.verify_message(MESSAGE, MESSAGE_SHA256, attachments)
    assert kinds(problems) == [(1, "attachment_hash")]
    assert "'boleto.pdf'" in problems[0].detail


def test_missing_bytes_are_reported_not_raised():
    problems = evidencia.verify_message(None, MESSAGE_SHA256, [("boleto.pdf", None, "0" * 64)])
    assert kinds(problems) == [(None, "message_hash"), (0, "attachment_hash")]
    assert "has no bytes" in problems[0].detail
    assert kinds(evidencia.verify_message(MESSAGE, None)) == [(None, "message_hash")]


def test_problem_kinds_are_checked():
    with pytest.raises(ValueError, match="kind"):
        evidencia.Problem(0, "typo", "")
