import copy
import json
import logging

import pytest

from services.certificates import document
from services.identifiers import IdHasher
from services.certificates.signing import (Keyring, KeyStatus, SignatureProblem, SignedEnvelope,
                                           SigningUnavailable, b64decode, b64encode,
                                           new_private_key_b64)
from tests.factories.certificates import NOW, phone_draft


def _payload(hasher=IdHasher("unit-test-id-hash-key")):
    return document.build(phone_draft(), certificate_id="6f1c0c6e-7d1e-4a55-9d7e-2b7b0e3f1a10",
                          issued_at=NOW, hasher=hasher)


def _leaf_paths(value, prefix=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaf_paths(v, prefix + (k,))
    elif isinstance(value, list) and value:
        for i, v in enumerate(value):
            yield from _leaf_paths(v, prefix + (i,))
    else:
        yield prefix


def _collect_paths():
    # Paths depend on the document's shape, not on the hash key.
    return list(_leaf_paths(_payload(IdHasher("collection-only"))))


PAYLOAD_PATHS = _collect_paths()


def _flip(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value[:-1] + ("0" if value[-1:] != "0" else "1") if value else "x"
    if value is None:
        return "x"
    if value == []:
        return ["x"]
    raise AssertionError(f"no flip for {value!r}")


def _set(doc, path, new):
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new


def _get(doc, path):
    for key in path:
        doc = doc[key]
    return doc


@pytest.fixture
def ring():
    r = Keyring()
    r.generate("k1")
    return r


def test_a_signed_certificate_verifies(ring):
    env = ring.sign(_payload())
    result = ring.verify(env)
    assert result.valid and result.signature_ok and result.kid == "k1"
    assert result.key_status is KeyStatus.ACTIVE and result.problem is None


def test_the_shape_has_many_fields():
    assert len(PAYLOAD_PATHS) > 40  # guards the parametrisation against silently shrinking


@pytest.mark.parametrize("path", PAYLOAD_PATHS, ids=lambda p: ".".join(map(str, p)))
def test_flipping_any_payload_field_breaks_the_signature(ring, path):
    stored = ring.sign(_payload()).to_dict()
    tampered = copy.deepcopy(stored)
    _set(tampered["payload"], path, _flip(_get(stored["payload"], path)))
    result = ring.verify(tampered)
    assert not result.signature_ok and not result.valid
    assert result.problem is SignatureProblem.SIGNATURE_INVALID


@pytest.mark.parametrize("field", ["signature", "kid", "alg"])
def test_flipping_the_envelope_breaks_verification(ring, field):
    ring.generate("k2")  # so that a relabelled kid names a real, different key
    tampered = ring.sign(_payload()).to_dict()
    sig = bytearray(b64decode(tampered["signature"]))
    sig[10] ^= 0x01
    tampered[field] = {"signature": b64encode(bytes(sig)), "kid": "k1" if
                       tampered["kid"] == "k2" else "k2", "alg": "EdDSA"}[field]
    assert not ring.verify(tampered).valid


def test_added_or_removed_fields_break_the_signature(ring):
    stored = ring.sign(_payload()).to_dict()
    added = copy.deepcopy(stored)
    added["payload"]["grade"] = "A"
    removed = copy.deepcopy(stored)
    del removed["payload"]["place"]
    assert not ring.verify(added).signature_ok
    assert not ring.verify(removed).signature_ok


def test_reordering_and_reencoding_do_not_break_it(ring):
    stored = ring.sign(_payload()).to_dict()
    reencoded = json.loads(json.dumps(stored, ensure_ascii=True, indent=2, sort_keys=True))
    assert ring.verify(reencoded).valid


def test_malformed_envelopes_fail_cleanly(ring):
    good = ring.sign(_payload()).to_dict()
    assert ring.verify({"payload": {}}).problem is SignatureProblem.SIGNATURE_INVALID
    assert ring.verify({**good, "signature": "!!not base64!!"}).problem is \
        SignatureProblem.SIGNATURE_INVALID
    floaty = copy.deepcopy(good)
    floaty["payload"]["media"][0]["capacity_bytes"] = 1.0
    assert not ring.verify(floaty).signature_ok


def test_rotation_keeps_old_certificates_verifying(ring):
    old = ring.sign(_payload())
    ring.rotate("k2")
    new = ring.sign(_payload())
    assert (old.kid, new.kid) == ("k1", "k2")
    assert ring.get("k1").status is KeyStatus.RETIRED and ring.active.kid == "k2"
    old_result, new_result = ring.verify(old), ring.verify(new)
    assert old_result.valid and old_result.key_status is KeyStatus.RETIRED
    assert new_result.valid and new_result.key_status is KeyStatus.ACTIVE


def test_a_revoked_keys_certificates_show_as_revoked_with_the_reason(ring):
    env = ring.sign(_payload())
    ring.rotate("k2")
    ring.revoke("k1", "HSM k1 exposed in incident 2026-17")
    result = ring.verify(env)
    assert result.signature_ok and not result.valid
    assert result.key_status is KeyStatus.REVOKED
    assert result.problem is SignatureProblem.KEY_REVOKED
    assert result.revoked_reason == "HSM k1 exposed in incident 2026-17"
    assert ring.verify(ring.sign(_payload())).valid  # the new key still issues


def test_a_revoked_active_key_signs_nothing(ring):
    ring.revoke("k1", "compromised")
    with pytest.raises(SigningUnavailable):
        ring.sign(_payload())


def test_revocation_needs_a_reason(ring):
    with pytest.raises(ValueError, match="reason"):
        ring.revoke("k1", "  ")


def test_unknown_key_is_reported(ring):
    env = ring.sign(_payload())
    other = Keyring()
    other.generate("k9")
    assert other.verify(env).problem is SignatureProblem.KEY_UNKNOWN


def test_a_verify_only_ring_from_the_published_keys(ring):
    env = ring.sign(_payload())
    ring.rotate("k2")
    ring.revoke("k1", "retired after audit")
    public = Keyring()
    for k in ring.published():
        public.add_public(k["kid"], k["public_key"], status=KeyStatus(k["status"]),
                          revoked_reason=k["revoked_reason"])
    assert public.verify(env).problem is SignatureProblem.KEY_REVOKED
    assert public.verify(ring.sign(_payload())).signature_ok
    with pytest.raises(SigningUnavailable):
        public.sign(_payload())


def test_a_key_id_cannot_be_reused_for_another_key(ring):
    with pytest.raises(ValueError, match="different key"):
        ring.add_public("k1", Keyring().generate("x").public_b64)


def test_keys_from_env_survive_a_restart():
    env = {"CERT_SIGNING_KEYS": json.dumps({"2026-01": new_private_key_b64(),
                                            "2026-05": new_private_key_b64()})}
    first = Keyring.from_env(env)
    assert first.active.kid == "2026-05"  # the last one listed, by default
    signed = first.sign(_payload()).to_dict()
    assert Keyring.from_env(env).verify(SignedEnvelope.from_dict(signed)).valid
    pinned = Keyring.from_env({**env, "CERT_SIGNING_ACTIVE_KID": "2026-01"})
    assert pinned.sign(_payload()).kid == "2026-01"


@pytest.mark.parametrize("value", ["not json", "[]", "{}", '{"k": "c2hvcnQ="}'])
def test_malformed_env_keys_are_refused(value):
    with pytest.raises(ValueError, match="CERT_SIGNING_KEYS"):
        Keyring.from_env({"CERT_SIGNING_KEYS": value})


def test_without_env_keys_a_throwaway_key_is_generated_and_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="services.certificates.signing"):
        ring = Keyring.from_env({})
    assert ring.active.kid.startswith("dev-")
    assert "throwaway" in caplog.text and ring.active.kid in caplog.text
