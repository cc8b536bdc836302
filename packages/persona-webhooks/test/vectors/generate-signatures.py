#!/usr/bin/env python3
# Writes signatures.json: the shared Persona-Signature vectors, signed by Python's own hmac module so that
# the expected values do not come from the implementation under test. Run once; the output is committed.
# Usage: python3 packages/persona-webhooks/test/vectors/generate-signatures.py
import base64
import hashlib
import hmac
import json
import os

SECRET = "wbhsec_abcdefgh-1234-5678-9ijk-lmnopqrstuvw"
OLD_SECRET = "wbhsec_0ld5ecr3-0000-1111-2222-333344445555"
NEW_SECRET = "wbhsec_n3w5ecr3-6666-7777-8888-999900001111"
OTHER_SECRET = "wbhsec_07her000-aaaa-bbbb-cccc-ddddeeeeffff"
T = 1764686826

INQUIRY_APPROVED = (
    '{"data":{"type":"event","id":"evt_vJ3Fq7uKX9xA2wTnbRjM5yLq","attributes":{"name":"inquiry.approved",'
    '"payload":{"data":{"type":"inquiry","id":"inq_2CVZ4HyVg7qaboXz8ps8Lm5b","attributes":{"status":"approved",'
    '"reference-id":"user_4242","name-first":"Ada","name-last":"Lovelace"}},"included":[]},'
    '"created-at":"2025-12-02T14:47:06.000Z","redacted-at":null}}}'
).encode("utf-8")

BODIES = {
    "event": INQUIRY_APPROVED,
    # A byte-order mark in front: a decode/re-encode step that drops it breaks the signature.
    "bom": b"\xef\xbb\xbf" + INQUIRY_APPROVED,
    # Not valid UTF-8: a lone 0xff and an overlong/truncated sequence.
    "invalid_utf8": b'{"data":{"note":"\xff\xfe bad \xc3\x28 bytes"}}',
    # Astral-plane emoji (4-byte UTF-8, a surrogate pair in JS) and CRLF line ends.
    "emoji_crlf": '{\r\n  "data": {"note": "caf\u00e9 \U0001F600 \U0001F469\u200d\U0001F4BB"}\r\n}\r\n'.encode("utf-8"),
    "empty": b"",
}


def sign(secret, t, body):
    return hmac.new(secret.encode("utf-8"), str(t).encode("ascii") + b"." + body, hashlib.sha256).hexdigest()


def b64(body):
    return base64.b64encode(body).decode("ascii")


vectors = []


def vector(name, *, secrets, header, body="event", now=T, options=None, ok=None, code=None):
    v = {"name": name, "secrets": secrets}
    if isinstance(body, dict):
        v["bodyJson"] = body
    else:
        v["bodyBase64"] = b64(BODIES[body])
    v["header"] = header
    v["now"] = now
    if options:
        v["options"] = options
    if ok is not None:
        v["expected"] = {"ok": True, "timestamp": ok[0], "secretIndex": ok[1]}
    else:
        v["expected"] = {"ok": False, "code": code}
    vectors.append(v)


def good(t=T, secret=SECRET, body="event"):
    return sign(secret, t, BODIES[body])


# Valid single-set headers over bodies whose bytes must survive untouched.
for body in ["event", "bom", "invalid_utf8", "emoji_crlf", "empty"]:
    vector(f"accepts a valid signature over the {body} body", secrets=[SECRET], body=body,
           header=f"t={T},v1={good(body=body)}", ok=(T, 0))

# Rotation: two whitespace-separated sets, each with its own t, in either order.
t_new, t_old = T, T - 2
rot_new_first = f"t={t_new},v1={good(t_new, NEW_SECRET)} t={t_old},v1={good(t_old, OLD_SECRET)}"
rot_old_first = f"t={t_old},v1={good(t_old, OLD_SECRET)} t={t_new},v1={good(t_new, NEW_SECRET)}"
vector("accepts the new secret when the new set comes first", secrets=[NEW_SECRET], header=rot_new_first,
       ok=(t_new, 0))
vector("accepts the old secret when the new set comes first", secrets=[OLD_SECRET], header=rot_new_first,
       ok=(t_old, 0))
vector("accepts the new secret when the old set comes first", secrets=[NEW_SECRET], header=rot_old_first,
       ok=(t_new, 0))
vector("accepts the old secret when the old set comes first", secrets=[OLD_SECRET], header=rot_old_first,
       ok=(t_old, 0))
vector("reports which of several configured secrets matched", secrets=[OTHER_SECRET, OLD_SECRET],
       header=rot_new_first, ok=(t_old, 1))
vector("rejects a rotation header when no configured secret matches", secrets=[OTHER_SECRET],
       header=rot_old_first, code="signature_mismatch")
vector("uses each set's own t: a set's signature does not verify under the other set's t",
       secrets=[NEW_SECRET], header=f"t={t_old},v1={good(t_new, NEW_SECRET)} t={t_new},v1={good(t_old, NEW_SECRET)}",
       code="signature_mismatch")
vector("accepts a set tab- and newline-separated from the next", secrets=[OLD_SECRET],
       header=f"t={t_new},v1={good(t_new, NEW_SECRET)}\t\n t={t_old},v1={good(t_old, OLD_SECRET)}", ok=(t_old, 0))
vector("prefers a matching set inside the window over a matching stale set", secrets=[SECRET],
       header=f"t={T - 1000},v1={good(T - 1000)} t={T},v1={good(T)}", ok=(T, 0))

# Several v1 values in one set; unknown keys; pairs split on the first '='.
vector("accepts when any of several v1 values in a set matches", secrets=[SECRET],
       header=f"t={T},v1={'0' * 64},v1={good()},v1={'f' * 64}", ok=(T, 0))
vector("ignores unknown keys such as a future v2", secrets=[SECRET],
       header=f"v0=abc,t={T},v2={'a' * 64},v1={good()},scheme=hmac", ok=(T, 0))
vector("splits each pair on its first '=' only", secrets=[SECRET],
       header=f"t={T},note=a=b==c,v1={good()}", ok=(T, 0))
vector("reads a v1 value that contains '=' as a wrong signature, not a malformed header", secrets=[SECRET],
       header=f"t={T},v1={good()}=", code="signature_mismatch")
vector("accepts keys in any order within a set", secrets=[SECRET], header=f"v1={good()},t={T}", ok=(T, 0))
vector("accepts a trailing comma", secrets=[SECRET], header=f"t={T},v1={good()},", ok=(T, 0))
vector("accepts sets joined with ', ' as Node joins a repeated header", secrets=[OLD_SECRET],
       header=f"t={t_new},v1={good(t_new, NEW_SECRET)}, t={t_old},v1={good(t_old, OLD_SECRET)}", ok=(t_old, 0))
vector("accepts surrounding whitespace around the header", secrets=[SECRET], header=f"  t={T},v1={good()}\t ",
       ok=(T, 0))
vector("accepts an upper-case hex signature", secrets=[SECRET], header=f"t={T},v1={good().upper()}", ok=(T, 0))
vector("accepts a header sent twice (an array of values)", secrets=[OLD_SECRET],
       header=[f"t={t_new},v1={good(t_new, NEW_SECRET)}", f"t={t_old},v1={good(t_old, OLD_SECRET)}"], ok=(t_old, 0))
vector("accepts a one-element header array", secrets=[SECRET], header=[f"t={T},v1={good()}"], ok=(T, 0))

# Secrets.
vector("rejects a signature made with another secret", secrets=[OTHER_SECRET], header=f"t={T},v1={good()}",
       code="signature_mismatch")
vector("uses the secret as-is: a whitespace-padded secret does not match (and the message hints at it)",
       secrets=[f" {SECRET}\n"], header=f"t={T},v1={good()}", code="signature_mismatch")
vector("uses the secret as-is: the wbhsec_ prefix is part of the key", secrets=[SECRET],
       header=f"t={T},v1={sign(SECRET[len('wbhsec_'):], T, BODIES['event'])}", code="signature_mismatch")
vector("fails with no_secret when no secret is configured", secrets=[], header=f"t={T},v1={good()}",
       code="no_secret")
vector("fails with no_secret when the secret is empty", secrets=[""], header=f"t={T},v1={good()}",
       code="no_secret")
vector("fails with no_secret when the secret is only whitespace", secrets=["  \t"], header=f"t={T},v1={good()}",
       code="no_secret")

# Signatures that cannot match: never an exception of another kind.
vector("treats a non-hex v1 of the right length as a mismatch", secrets=[SECRET],
       header=f"t={T},v1={'zz' + good()[2:]}", code="signature_mismatch")
vector("treats a v1 that is hex up to a stray character as a mismatch", secrets=[SECRET],
       header=f"t={T},v1={good()[:40] + 'g' + good()[41:]}", code="signature_mismatch")
vector("treats a v1 that is too short as a mismatch", secrets=[SECRET], header=f"t={T},v1={good()[:63]}",
       code="signature_mismatch")
vector("treats a v1 of odd length as a mismatch", secrets=[SECRET], header=f"t={T},v1={good()}0",
       code="signature_mismatch")
vector("treats a v1 that is too long as a mismatch", secrets=[SECRET], header=f"t={T},v1={good()}00",
       code="signature_mismatch")
vector("treats a base64 v1 as a mismatch", secrets=[SECRET],
       header=f"t={T},v1={base64.b64encode(bytes.fromhex(good())).decode()}", code="signature_mismatch")
vector("treats an empty v1 as a mismatch", secrets=[SECRET], header=f"t={T},v1=", code="signature_mismatch")
vector("rejects a signature computed over the body alone", secrets=[SECRET],
       header=f"t={T},v1={hmac.new(SECRET.encode(), BODIES['event'], hashlib.sha256).hexdigest()}",
       code="signature_mismatch")
vector("rejects a signature whose t was changed", secrets=[SECRET], header=f"t={T + 1},v1={good()}", now=T,
       code="signature_mismatch")
vector("rejects a signature over another body", secrets=[SECRET], body="bom", header=f"t={T},v1={good()}",
       code="signature_mismatch")
vector("rejects a signature with leading zeros added to t", secrets=[SECRET], header=f"t=0{T},v1={good()}",
       code="signature_mismatch")

# Missing and malformed headers.
vector("fails with missing_header when the header is absent", secrets=[SECRET], header=None, code="missing_header")
vector("fails with missing_header when the header is empty", secrets=[SECRET], header="", code="missing_header")
vector("fails with missing_header when the header is only whitespace", secrets=[SECRET], header=" \t ",
       code="missing_header")
vector("fails with missing_header when the header array is empty", secrets=[SECRET], header=[],
       code="missing_header")
vector("fails with malformed_header on a value without key=value pairs", secrets=[SECRET], header="garbage",
       code="malformed_header")
vector("fails with malformed_header on a set without t", secrets=[SECRET], header=f"v1={good()}",
       code="malformed_header")
vector("fails with malformed_header on a non-numeric t", secrets=[SECRET], header=f"t=yesterday,v1={good()}",
       code="malformed_header")
vector("fails with malformed_header on a t in milliseconds with a fraction", secrets=[SECRET],
       header=f"t={T}.5,v1={good()}", code="malformed_header")
vector("fails with malformed_header on a negative t", secrets=[SECRET], header=f"t=-{T},v1={good()}",
       code="malformed_header")
vector("fails with malformed_header on two t values in one set", secrets=[SECRET],
       header=f"t={T},t={T},v1={good()}", code="malformed_header")
vector("fails with malformed_header on an empty key", secrets=[SECRET], header=f"t={T},={good()}",
       code="malformed_header")
vector("fails with malformed_header on only commas", secrets=[SECRET], header=",,,", code="malformed_header")
vector("fails with malformed_header when a second set has no t", secrets=[SECRET],
       header=f"t={T},v1={good()} v1={good()}", code="malformed_header")
vector("fails with no_signatures on a set with t but no v1", secrets=[SECRET], header=f"t={T}",
       code="no_signatures")
vector("fails with no_signatures when only unknown schemes are present", secrets=[SECRET],
       header=f"t={T},v2={good()}", code="no_signatures")

# Replay window (default 300 s into the past, 60 s into the future).
vector("accepts a t exactly at the 300 s default tolerance", secrets=[SECRET], header=f"t={T},v1={good()}",
       now=T + 300, ok=(T, 0))
vector("fails with timestamp_too_old one second past the default tolerance", secrets=[SECRET],
       header=f"t={T},v1={good()}", now=T + 301, code="timestamp_too_old")
vector("accepts a t exactly at the 60 s default future tolerance", secrets=[SECRET], header=f"t={T},v1={good()}",
       now=T - 60, ok=(T, 0))
vector("fails with timestamp_in_future one second past the default future tolerance", secrets=[SECRET],
       header=f"t={T},v1={good()}", now=T - 61, code="timestamp_in_future")
vector("accepts an older t with a wider tolerance", secrets=[SECRET], header=f"t={T},v1={good()}", now=T + 3600,
       options={"toleranceSeconds": 3600}, ok=(T, 0))
vector("rejects with a narrower tolerance", secrets=[SECRET], header=f"t={T},v1={good()}", now=T + 11,
       options={"toleranceSeconds": 10}, code="timestamp_too_old")
vector("accepts a future t with a wider future tolerance", secrets=[SECRET], header=f"t={T},v1={good()}",
       now=T - 600, options={"futureToleranceSeconds": 600}, ok=(T, 0))
vector("accepts any age when the timestamp check is explicitly disabled", secrets=[SECRET],
       header=f"t={T},v1={good()}", now=T + 10 * 365 * 86400, options={"disableTimestampCheck": True}, ok=(T, 0))
vector("accepts any future t when the timestamp check is explicitly disabled", secrets=[SECRET],
       header=f"t={T},v1={good()}", now=0, options={"disableTimestampCheck": True}, ok=(T, 0))
vector("checks the signature before the timestamp: a stale forged header is a mismatch", secrets=[SECRET],
       header=f"t={T},v1={'ab' * 32}", now=T + 10000, code="signature_mismatch")
vector("rejects a stale header when every matching set is stale", secrets=[OLD_SECRET, NEW_SECRET],
       header=rot_new_first, now=T + 1000, code="timestamp_too_old")
vector("fails with invalid_options on a zero tolerance", secrets=[SECRET], header=f"t={T},v1={good()}",
       options={"toleranceSeconds": 0}, code="invalid_options")
vector("fails with invalid_options on a negative tolerance", secrets=[SECRET], header=f"t={T},v1={good()}",
       options={"toleranceSeconds": -1}, code="invalid_options")
vector("fails with invalid_options on a zero future tolerance", secrets=[SECRET], header=f"t={T},v1={good()}",
       options={"futureToleranceSeconds": 0}, code="invalid_options")

# A body a framework already parsed.
vector("fails with body_not_raw when the body is a parsed object", secrets=[SECRET],
       body={"data": {"type": "event", "id": "evt_x"}}, header=f"t={T},v1={good()}", code="body_not_raw")

names = [v["name"] for v in vectors]
assert len(names) == len(set(names)), "vector names must be unique"

out = {
    "description": "Persona-Signature vectors shared by the library tests and the CLI tests. "
                   "Signatures were computed by Python's hmac module (generate-signatures.py), not by persona-webhooks. "
                   "The signed bytes are `${t}.` followed by the body bytes (bodyBase64). `now` is unix seconds. "
                   "`options` are verifySignature options (toleranceSeconds, futureToleranceSeconds, disableTimestampCheck). "
                   "`bodyJson` (instead of bodyBase64) is a body some framework already parsed into an object.",
    "generator": "python3 test/vectors/generate-signatures.py",
    "vectors": vectors,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "signatures.json")
with open(path, "w", encoding="utf-8") as f:
    json.dump(out, f, indent=2, ensure_ascii=True)
    f.write("\n")
print(f"wrote {len(vectors)} vectors to {path}")
