"""Shared helpers for the AWS-client suites (boto3 and the AWS CLI) against Portcullis.

Environment (set by tests/aws_clients.rs): ADMIN_URL (the admin API), GATEWAY_URL (the data
plane), ISSUER (the embedded issuer's default authorization server), BACKEND_URL (the
solar-system backend).
"""
import base64
import http.client
import json
import os
import time
import urllib.parse
import urllib.request

ADMIN_URL = os.environ["ADMIN_URL"]
GATEWAY_URL = os.environ["GATEWAY_URL"]
ISSUER = os.environ["ISSUER"]
BACKEND_URL = os.environ["BACKEND_URL"]
ACCESS_KEY = "AKIDPORTCULLISLOCAL"
SECRET_KEY = "portcullis-local-secret"
SILVER = "http://myapp.com/scp/silver"
GOLD = "http://myapp.com/scp/gold"


def token(scope):
    """A client-credentials access token of the demo's service client."""
    basic = base64.b64encode(b"solar-system-service:solar-system-service-secret").decode()
    body = urllib.parse.urlencode({"grant_type": "client_credentials", "scope": scope}).encode()
    req = urllib.request.Request(
        ISSUER + "/v1/token",
        data=body,
        headers={"Authorization": "Basic " + basic, "Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.load(resp)["access_token"]


def call(api_endpoint, path, bearer=None, method="GET"):
    """Calls the gateway as a client of `api_endpoint` would: the request goes to the gateway's
    address with the API's host name in `Host` (`*.localhost` names need no DNS in browsers and
    curl, but Python's resolver does not know them)."""
    gateway = urllib.parse.urlsplit(GATEWAY_URL)
    host = urllib.parse.urlsplit(api_endpoint).netloc
    conn = http.client.HTTPConnection(gateway.hostname, gateway.port, timeout=10)
    headers = {"Host": host}
    if bearer:
        headers["Authorization"] = "Bearer " + bearer
    conn.request(method, path, headers=headers)
    resp = conn.getresponse()
    body = resp.read().decode()
    conn.close()
    return resp.status, dict((k.lower(), v) for k, v in resp.getheaders()), body


def eventually(check, timeout=5.0):
    """Retries `check` until it returns a truthy value (the data plane applies a write within a
    second); returns the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)
