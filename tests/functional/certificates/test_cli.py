import json

from services.certificates.signing import Keyring


def test_new_key_output_is_a_valid_cert_signing_keys_entry(app):
    out = app.test_cli_runner().invoke(args=["certificates", "new-key", "--kid", "2026-06"])
    assert out.exit_code == 0, out.output
    entry = json.loads(out.output)
    ring = Keyring.from_env({"CERT_SIGNING_KEYS": json.dumps(entry)})
    assert ring.active.kid == "2026-06"
    assert ring.verify(ring.sign({"x": 1})).valid
