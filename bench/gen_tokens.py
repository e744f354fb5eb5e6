#!/usr/bin/env python3
"""Generate keys + Okta-like JWT access tokens for bench/compare.

Adapted from the reference measurements' generator: the issuer is an argument (the local
bench issuer), and the tokens that cheap checks must refuse before any RSA work are added.

Usage: python3 gen_tokens.py OUTDIR ISSUER
Needs: PyJWT and cryptography (bench/compare installs the versions pinned in
interop/requirements.txt into a venv when the system Python lacks them)
Writes:
  rsa_priv.pem, rsa_pub.pem (SPKI PEM, for HAProxy jwt_verify),
  rsa_pub_pkcs1.der (RSAPublicKey DER, for ring/aws-lc-rs), jwks.json,
  ec_pub_point.bin (uncompressed P-256 point), ed_pub.bin (raw 32 bytes),
  tokens: rs256_valid.jwt, rs256_badsig.jwt, rs256_expired.jwt,
          rs256_wrong_aud.jwt, rs256_wrong_iss.jwt, rs256_noscope.jwt,
          hs256_alg_confusion.jwt, es256_valid.jwt, eddsa_valid.jwt,
          malformed.jwt, rs256_unknown_kid.jwt,
          rs256_valid_large.jwt, rs256_wrong_iss_large.jwt (a 4 KB payload: 100 groups, as
          Entra and Okta write them for a user in many groups)
"""
import base64
import json
import os
import sys
import time

import jwt  # pyjwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

ISS = sys.argv[2]
AUD = "api://planets"
KID = "mXtJaUf6yBbNbhpKM2LwT5Oq3eLS_HBQ2fybdA8n0Qs"  # Okta kids are 43 chars


def b64u(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def w(name, data, mode="w"):
    with open(os.path.join(out, name), mode) as f:
        f.write(data)


# --- RSA-2048, e=65537 ---
rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
rsa_pub = rsa_key.public_key()
w("rsa_priv.pem", rsa_key.private_bytes(serialization.Encoding.PEM,
                                        serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()).decode())
w("rsa_pub.pem", rsa_pub.public_bytes(serialization.Encoding.PEM,
                                      serialization.PublicFormat.SubjectPublicKeyInfo).decode())
w("rsa_pub_pkcs1.der", rsa_pub.public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.PKCS1), "wb")
nums = rsa_pub.public_numbers()
w("jwks.json", json.dumps({"keys": [{
    "kty": "RSA", "alg": "RS256", "kid": KID, "use": "sig",
    "e": b64u(nums.e.to_bytes(3, "big")),
    "n": b64u(nums.n.to_bytes(256, "big")),
}]}, indent=1))

# --- EC P-256 and Ed25519 (for ES256 / EdDSA verify microbenchmarks) ---
ec_key = ec.generate_private_key(ec.SECP256R1())
w("ec_pub_point.bin", ec_key.public_key().public_bytes(
    serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint), "wb")
w("ec_pub.pem", ec_key.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode())
ed_key = ed25519.Ed25519PrivateKey.generate()
w("ed_pub.bin", ed_key.public_key().public_bytes(
    serialization.Encoding.Raw, serialization.PublicFormat.Raw), "wb")

now = int(time.time())


def claims(**over):
    # Okta-like access token claims. Header+payload (base64url) ~ 600 bytes.
    c = {
        "ver": 1,
        "jti": "AT.sLq3fUjYc2yqBJhQ0Wf9mXv7aZk1RtN4pEoG8hDsKcI",
        "iss": ISS,
        "aud": AUD,
        "iat": now,
        "exp": now + 30 * 24 * 3600,  # valid for the whole benchmark campaign
        "cid": "0oa8f5j3ecb5w3dF35d7",
        "uid": "00u1a2b3c4d5e6f7g8h9",
        "scp": ["openid", "profile", "email", "planets:read"],
        "scope": "openid profile email planets:read",
        "auth_time": now - 60,
        "sub": "jane.doe@example.com",
        "groups": ["Everyone", "planets-readers"],
    }
    c.update(over)
    return {k: v for k, v in c.items() if v is not None}


hdr = {"kid": KID}


def rs(c, key=rsa_key):
    return jwt.encode(c, key, algorithm="RS256", headers=hdr)


valid = rs(claims())
w("rs256_valid.jwt", valid)
h, p, s = valid.split(".")
# flip one signature byte -> bad signature
sig = bytearray(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))
sig[10] ^= 0x01
w("rs256_badsig.jwt", f"{h}.{p}.{b64u(bytes(sig))}")
w("rs256_expired.jwt", rs(claims(iat=now - 7200, exp=now - 3600)))
w("rs256_wrong_aud.jwt", rs(claims(aud="api://other")))
w("rs256_wrong_iss.jwt", rs(claims(iss="https://evil.example.com/oauth2/default")))
w("rs256_noscope.jwt", rs(claims(scp=["openid"], scope="openid")))
other_rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
w("rs256_other_key.jwt", rs(claims(), key=other_rsa))
# classic alg-confusion: HS256 with the public key PEM as HMAC secret (pyjwt refuses PEM
# secrets, so build it by hand)
import hashlib
import hmac
hh = b64u(json.dumps({"alg": "HS256", "kid": KID}, separators=(",", ":")).encode())
pp = b64u(json.dumps(claims(), separators=(",", ":")).encode())
mac = hmac.new(open(os.path.join(out, "rsa_pub.pem"), "rb").read(),
               f"{hh}.{pp}".encode(), hashlib.sha256).digest()
w("hs256_alg_confusion.jwt", f"{hh}.{pp}.{b64u(mac)}")
w("es256_valid.jwt", jwt.encode(claims(), ec_key, algorithm="ES256", headers=hdr))
w("eddsa_valid.jwt", jwt.encode(claims(), ed_key, algorithm="EdDSA", headers=hdr))

w("rs256_unknown_kid.jwt", jwt.encode(claims(), rsa_key, algorithm="RS256", headers={"kid": "not-" + KID}))
w("malformed.jwt", f"{h}.{p}")  # two segments
# A user in many groups: the claim comes last, as Okta writes it. Written last: the marker
# that the set is complete (benchlib.generate_tokens).
many_groups = [f"{i:08x}-6a1e-4c4e-9a7b-5d3c2b1a0f{i:02x}" for i in range(100)]
w("rs256_valid_large.jwt", rs(claims(groups=many_groups)))
w("rs256_wrong_iss_large.jwt", rs(claims(iss="https://evil.example.com/oauth2/default", groups=many_groups)))

print(f"token length {len(valid)} bytes; signing input (header.payload) "
      f"{len(h) + 1 + len(p)} bytes; header {len(h)}, payload {len(p)}, sig {len(s)}")
print(f"iss={ISS} aud={AUD} kid={KID}")
