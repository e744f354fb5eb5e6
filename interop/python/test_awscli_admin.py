"""The AWS CLI (`aws apigatewayv2 ... --endpoint-url`) drives Portcullis's admin API.

Replays the console walkthrough with the CLI exactly as a user types it, then calls the gateway
and gets 401 / 403 / 200; also the CLI's view of errors (AWS CLI v1 exits with 255 on a
service error and prints AWS's exception name and message).
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

from aws_support import ACCESS_KEY, eventually, ADMIN_URL, BACKEND_URL, GOLD, ISSUER, SECRET_KEY, SILVER, call, token

# AWS CLI v1 fetches parameter values that look like http:// URLs (the scope names here);
# `cli_follow_urlparam = false` turns that off, as users with URL-shaped scopes must do too.
CONFIG = tempfile.NamedTemporaryFile("w", suffix=".aws-config", delete=False)
CONFIG.write("[default]\ncli_follow_urlparam = false\n")
CONFIG.close()

ENV = dict(
    os.environ,
    AWS_ACCESS_KEY_ID=ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY=SECRET_KEY,
    AWS_DEFAULT_REGION="us-east-1",
    AWS_CONFIG_FILE=CONFIG.name,
    AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    AWS_PAGER="",
)


def aws(*args, check=True):
    """Runs `aws apigatewayv2 <args> --endpoint-url ADMIN_URL` and returns (exit code, JSON or text)."""
    cmd = [sys.executable, "-m", "awscli", "apigatewayv2", *args, "--endpoint-url", ADMIN_URL, "--output", "json"]
    out = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=60)
    if check and out.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({out.returncode}): {out.stderr}")
    text = out.stdout.strip()
    return out.returncode, (json.loads(text) if text else None), out.stderr



class CliWalkthrough(unittest.TestCase):
    def test_console_walkthrough_with_the_cli(self):
        _, api, _ = aws("create-api", "--name", "solar-cli", "--protocol-type", "HTTP")
        api_id, endpoint = api["ApiId"], api["ApiEndpoint"]
        _, authorizer, _ = aws(
            "create-authorizer", "--api-id", api_id, "--authorizer-type", "JWT", "--name", "okta",
            "--identity-source", "$request.header.Authorization",
            "--jwt-configuration", json.dumps({"Issuer": ISSUER, "Audience": ["api://default"]}),
        )
        for path, scopes in [("/asteroids", []), ("/planets", [SILVER]), ("/moons", [GOLD])]:
            _, integration, _ = aws(
                "create-integration", "--api-id", api_id, "--integration-type", "HTTP_PROXY",
                "--integration-method", "GET", "--integration-uri", BACKEND_URL + path,
                "--payload-format-version", "1.0",
            )
            args = [
                "create-route", "--api-id", api_id, "--route-key", "GET " + path,
                "--authorization-type", "JWT", "--authorizer-id", authorizer["AuthorizerId"],
                "--target", "integrations/" + integration["IntegrationId"],
            ]
            if scopes:
                args += ["--authorization-scopes", *scopes]
            _, route, _ = aws(*args)
            self.assertEqual(route["RouteKey"], "GET " + path)
        _, stage, _ = aws("create-stage", "--api-id", api_id, "--stage-name", "$default", "--auto-deploy")
        self.assertTrue(stage["AutoDeploy"])

        silver, gold = token(SILVER), token(GOLD)
        self.assertTrue(eventually(lambda: call(endpoint, "/planets")[0] == 401))
        self.assertEqual(call(endpoint, "/moons", silver)[0], 403)
        self.assertEqual(call(endpoint, "/planets", silver)[0], 200)
        self.assertEqual(call(endpoint, "/moons", gold)[0], 200)

        _, routes, _ = aws("get-routes", "--api-id", api_id)
        self.assertEqual(len(routes["Items"]), 3)
        _, stages, _ = aws("get-stages", "--api-id", api_id)
        self.assertEqual(stages["Items"][0]["StageName"], "$default")
        code, _, _ = aws("delete-stage", "--api-id", api_id, "--stage-name", "$default")
        self.assertEqual(code, 0)
        self.assertTrue(eventually(lambda: call(endpoint, "/planets", silver)[0] == 404))
        aws("delete-api", "--api-id", api_id)

    def test_cli_reports_awss_errors(self):
        code, _, err = aws("get-api", "--api-id", "a1b2c3d4e5", check=False)
        self.assertEqual(code, 255)
        self.assertIn("NotFoundException", err)
        self.assertIn("Invalid API identifier specified", err)
        _, api, _ = aws("create-api", "--name", "cli-errors", "--protocol-type", "HTTP")
        code, _, err = aws("create-route", "--api-id", api["ApiId"], "--route-key", "GET /a/", check=False)
        self.assertEqual(code, 255)
        self.assertIn("BadRequestException", err)
        bad_env = dict(ENV, AWS_SECRET_ACCESS_KEY="wrong-secret-value")
        out = subprocess.run(
            [sys.executable, "-m", "awscli", "apigatewayv2", "get-apis", "--endpoint-url", ADMIN_URL],
            env=bad_env, capture_output=True, text=True, timeout=60,
        )
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("InvalidSignatureException", out.stderr)


if __name__ == "__main__":
    unittest.main()
