"""boto3 drives Portcullis's admin API exactly as it drives Amazon API Gateway.

Replays the original console walkthrough step by step with `boto3.client('apigatewayv2')`:
an HTTP API with an HTTP integration to the backend, a JWT authorizer on the embedded issuer,
GET /asteroids (any token), GET /planets (silver scope), GET /moons (gold scope), served by the
auto-deploying $default stage; then calls the gateway and gets 401 / 403 / 200 as the story
says. Also: updates, deletes, deployments, pagination and AWS's error cases.
"""
import json
import os
import time
import unittest
import urllib.parse

import boto3
import botocore.exceptions

from aws_support import ACCESS_KEY, eventually, ADMIN_URL, BACKEND_URL, GOLD, ISSUER, SECRET_KEY, SILVER, call, token


def client():
    return boto3.client(
        "apigatewayv2",
        endpoint_url=ADMIN_URL,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )



class Walkthrough(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.gw = client()
        cls.silver = token(SILVER)
        cls.gold = token(GOLD)

    def create_solar_api(self):
        gw = self.gw
        api = gw.create_api(Name="solar-walkthrough", ProtocolType="HTTP")
        api_id = api["ApiId"]
        authorizer = gw.create_authorizer(
            ApiId=api_id,
            AuthorizerType="JWT",
            Name="okta",
            IdentitySource=["$request.header.Authorization"],
            JwtConfiguration={"Issuer": ISSUER, "Audience": ["api://default"]},
        )
        routes = {}
        for path, scopes in [("/asteroids", []), ("/planets", [SILVER]), ("/moons", [GOLD])]:
            integration = gw.create_integration(
                ApiId=api_id,
                IntegrationType="HTTP_PROXY",
                IntegrationMethod="GET",
                IntegrationUri=BACKEND_URL + path,
                PayloadFormatVersion="1.0",
            )
            route = gw.create_route(
                ApiId=api_id,
                RouteKey="GET " + path,
                AuthorizationType="JWT",
                AuthorizerId=authorizer["AuthorizerId"],
                AuthorizationScopes=scopes,
                Target="integrations/" + integration["IntegrationId"],
            )
            routes[path] = route
        stage = gw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
        return api, authorizer, routes, stage

    def test_console_walkthrough_then_401_403_200(self):
        api, authorizer, routes, stage = self.create_solar_api()
        endpoint = api["ApiEndpoint"]
        self.assertRegex(api["ApiId"], r"^[a-z0-9]{10}$")
        self.assertEqual(endpoint, api["ApiEndpoint"])
        self.assertIn(api["ApiId"] + ".execute-api.localhost", endpoint)
        self.assertRegex(authorizer["AuthorizerId"], r"^[a-z0-9]{7}$")
        self.assertEqual(routes["/planets"]["AuthorizationScopes"], [SILVER])
        self.assertTrue(stage["AutoDeploy"])
        self.assertRegex(stage["DeploymentId"], r"^[a-z0-9]{6}$")
        self.assertIn(stage["DeploymentId"], stage["LastDeploymentStatusMessage"])

        status = eventually(lambda: call(endpoint, "/planets")[0] == 401)
        self.assertTrue(status, "no token: 401")
        self.assertEqual(call(endpoint, "/planets")[1].get("www-authenticate"), "Bearer")
        s, h, _ = call(endpoint, "/moons", self.silver)
        self.assertEqual(s, 403)
        self.assertIn('error="insufficient_scope"', h["www-authenticate"])
        s, _, body = call(endpoint, "/planets", self.silver)
        self.assertEqual(s, 200, body)
        self.assertIn("Jupiter", body)
        self.assertEqual(call(endpoint, "/moons", self.gold)[0], 200)
        self.assertEqual(call(endpoint, "/asteroids", self.silver)[0], 200)
        self.assertEqual(call(endpoint, "/comets", self.gold)[0], 404)

        # The listing shows what was built, as AWS's SDK reads it.
        listed = self.gw.get_routes(ApiId=api["ApiId"])["Items"]
        self.assertEqual(sorted(r["RouteKey"] for r in listed), ["GET /asteroids", "GET /moons", "GET /planets"])
        got = self.gw.get_api(ApiId=api["ApiId"])
        self.assertEqual(got["Name"], "solar-walkthrough")
        self.assertEqual(got["CreatedDate"], api["CreatedDate"])

    def test_update_reaches_the_data_plane_and_delete_removes_the_api(self):
        api, authorizer, routes, _ = self.create_solar_api()
        endpoint, api_id = api["ApiEndpoint"], api["ApiId"]
        eventually(lambda: call(endpoint, "/moons", self.silver)[0] == 403)
        # Opening /moons to silver subscribers.
        self.gw.update_route(ApiId=api_id, RouteId=routes["/moons"]["RouteId"], AuthorizationScopes=[SILVER, GOLD])
        self.assertTrue(eventually(lambda: call(endpoint, "/moons", self.silver)[0] == 200))
        # Making /asteroids public.
        updated = self.gw.update_route(ApiId=api_id, RouteId=routes["/asteroids"]["RouteId"], AuthorizationType="NONE")
        self.assertEqual(updated["AuthorizationType"], "NONE")
        self.assertNotIn("AuthorizerId", updated)
        self.assertTrue(eventually(lambda: call(endpoint, "/asteroids")[0] == 200))
        self.gw.delete_route(ApiId=api_id, RouteId=routes["/asteroids"]["RouteId"])
        self.assertTrue(eventually(lambda: call(endpoint, "/asteroids")[0] == 404))
        deployments = self.gw.get_deployments(ApiId=api_id)["Items"]
        self.assertTrue(all(d["AutoDeployed"] and d["DeploymentStatus"] == "DEPLOYED" for d in deployments))
        self.gw.delete_api(ApiId=api_id)
        with self.assertRaises(self.gw.exceptions.NotFoundException):
            self.gw.get_api(ApiId=api_id)

    def test_manual_deployments_and_named_stages(self):
        gw = self.gw
        api = gw.create_api(Name="staged", ProtocolType="HTTP")
        api_id, endpoint = api["ApiId"], api["ApiEndpoint"]
        integration = gw.create_integration(
            ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationMethod="GET",
            IntegrationUri=BACKEND_URL + "/planets", PayloadFormatVersion="1.0",
        )
        target = "integrations/" + integration["IntegrationId"]
        gw.create_route(ApiId=api_id, RouteKey="GET /things", Target=target)
        gw.create_stage(ApiId=api_id, StageName="prod", StageVariables={"tier": "gold"})
        # A stage without a deployment serves nothing.
        self.assertEqual(call(endpoint, "/prod/things")[0], 404)
        first = gw.create_deployment(ApiId=api_id, StageName="prod", Description="v1")
        self.assertEqual(first["DeploymentStatus"], "DEPLOYED")
        self.assertFalse(first["AutoDeployed"])
        self.assertTrue(eventually(lambda: call(endpoint, "/prod/things")[0] == 200))
        # A change is not served until it is deployed.
        gw.create_route(ApiId=api_id, RouteKey="GET /more", Target=target)
        # A later write that does reach the data plane proves the earlier one was processed
        # (snapshots are rebuilt in order) without waiting for time to pass.
        gw.create_stage(ApiId=api_id, StageName="canary", DeploymentId=first["DeploymentId"])
        self.assertTrue(eventually(lambda: call(endpoint, "/canary/things")[0] == 200))
        self.assertEqual(call(endpoint, "/prod/more")[0], 404)
        second = gw.create_deployment(ApiId=api_id, StageName="prod")
        self.assertTrue(eventually(lambda: call(endpoint, "/prod/more")[0] == 200))
        # Rolling back is pointing the stage at the first deployment.
        gw.update_stage(ApiId=api_id, StageName="prod", DeploymentId=first["DeploymentId"])
        self.assertTrue(eventually(lambda: call(endpoint, "/prod/more")[0] == 404))
        with self.assertRaises(gw.exceptions.BadRequestException):
            gw.delete_deployment(ApiId=api_id, DeploymentId=first["DeploymentId"])
        gw.delete_deployment(ApiId=api_id, DeploymentId=second["DeploymentId"])
        stage = gw.get_stage(ApiId=api_id, StageName="prod")
        self.assertEqual(stage["StageVariables"], {"tier": "gold"})
        self.assertEqual(stage["DeploymentId"], first["DeploymentId"])

    def test_quick_create(self):
        api = self.gw.create_api(Name="quick", ProtocolType="HTTP", Target=BACKEND_URL)
        routes = self.gw.get_routes(ApiId=api["ApiId"])["Items"]
        self.assertEqual([r["RouteKey"] for r in routes], ["$default"])
        self.assertTrue(routes[0]["ApiGatewayManaged"])
        stages = self.gw.get_stages(ApiId=api["ApiId"])["Items"]
        self.assertEqual([(s["StageName"], s["AutoDeploy"]) for s in stages], [("$default", True)])
        s, _, body = eventually(lambda: (lambda r: r if r[0] == 200 else None)(call(api["ApiEndpoint"], "/planets")))
        self.assertIn("Jupiter", body)
        integration = self.gw.get_integrations(ApiId=api["ApiId"])["Items"][0]
        with self.assertRaises(self.gw.exceptions.BadRequestException):
            self.gw.delete_integration(ApiId=api["ApiId"], IntegrationId=integration["IntegrationId"])

    def test_a_disabled_execute_api_endpoint_answers_403(self):
        api = self.gw.create_api(Name="hidden", ProtocolType="HTTP", Target=BACKEND_URL)
        endpoint = api["ApiEndpoint"]
        self.assertTrue(eventually(lambda: call(endpoint, "/planets")[0] == 200))
        updated = self.gw.update_api(ApiId=api["ApiId"], DisableExecuteApiEndpoint=True)
        self.assertTrue(updated["DisableExecuteApiEndpoint"])
        self.assertTrue(eventually(lambda: call(endpoint, "/planets")[0] == 403))
        self.assertEqual(call(endpoint, "/planets")[2], '{"message":"Forbidden"}')
        self.gw.update_api(ApiId=api["ApiId"], DisableExecuteApiEndpoint=False)
        self.assertTrue(eventually(lambda: call(endpoint, "/planets")[0] == 200))

    def test_pagination(self):
        api = self.gw.create_api(Name="paged", ProtocolType="HTTP")
        integration = self.gw.create_integration(
            ApiId=api["ApiId"], IntegrationType="HTTP_PROXY", IntegrationMethod="ANY",
            IntegrationUri=BACKEND_URL, PayloadFormatVersion="1.0",
        )
        for i in range(7):
            self.gw.create_route(ApiId=api["ApiId"], RouteKey=f"GET /r{i}", Target="integrations/" + integration["IntegrationId"])
        first = self.gw.get_routes(ApiId=api["ApiId"], MaxResults="3")
        self.assertEqual(len(first["Items"]), 3)
        self.assertIn("NextToken", first)
        paginator_keys = []
        token = None
        while True:
            kwargs = {"ApiId": api["ApiId"], "MaxResults": "3"}
            if token:
                kwargs["NextToken"] = token
            page = self.gw.get_routes(**kwargs)
            paginator_keys += [r["RouteKey"] for r in page["Items"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(paginator_keys, [f"GET /r{i}" for i in range(7)])

    def test_errors_are_awss(self):
        gw = self.gw
        with self.assertRaises(gw.exceptions.NotFoundException) as e:
            gw.get_api(ApiId="a1b2c3d4e5")
        self.assertIn("Invalid API identifier specified", e.exception.response["Error"]["Message"])
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)
        api = gw.create_api(Name="errors", ProtocolType="HTTP")
        api_id = api["ApiId"]
        with self.assertRaises(gw.exceptions.NotFoundException):
            gw.get_route(ApiId=api_id, RouteId="nope123")
        with self.assertRaises(gw.exceptions.BadRequestException) as e:
            gw.create_route(ApiId=api_id, RouteKey="GET /bad/e{id}")
        self.assertIn("One or more path parts appear to be invalid", e.exception.response["Error"]["Message"])
        gw.create_route(ApiId=api_id, RouteKey="GET /orgs/{orgId}/x")
        with self.assertRaises(gw.exceptions.ConflictException) as e:
            gw.create_route(ApiId=api_id, RouteKey="GET /orgs/{org_id}/x")
        self.assertIn("conflicting variable", e.exception.response["Error"]["Message"])
        with self.assertRaises(gw.exceptions.BadRequestException) as e:
            gw.create_route(ApiId=api_id, RouteKey="GET /secure", AuthorizationType="JWT", AuthorizerId="nope123")
        self.assertEqual(
            e.exception.response["Error"]["Message"],
            "Invalid authorizer ID specified. Setting the authorization type to JWT requires a valid JWT authorizer.",
        )
        with self.assertRaises(gw.exceptions.BadRequestException) as e:
            gw.create_authorizer(
                ApiId=api_id, AuthorizerType="JWT", Name="nowhere",
                IdentitySource=["$request.header.Authorization"],
                JwtConfiguration={"Issuer": "http://127.0.0.1:9/oauth2/none", "Audience": ["x"]},
            )
        self.assertIn("Issuer must have a valid discovery endpoint", e.exception.response["Error"]["Message"])
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            gw.create_api(Name="ws", ProtocolType="WEBSOCKET")
        # An invalid write changes nothing.
        self.assertEqual([r["RouteKey"] for r in gw.get_routes(ApiId=api_id)["Items"]], ["GET /orgs/{orgId}/x"])

    def example_openapi(self):
        """examples/solar-system/openapi.yaml with this run's issuer and backend ports."""
        path = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "solar-system", "openapi.yaml")
        with open(path) as f:
            text = f.read()
        issuer_port = urllib.parse.urlsplit(ISSUER).port
        backend_port = urllib.parse.urlsplit(BACKEND_URL).port
        return text.replace("localhost:8100", f"localhost:{issuer_port}").replace("localhost:8200", f"localhost:{backend_port}")

    def test_import_the_example_openapi_export_it_and_reimport(self):
        gw = self.gw
        api = gw.import_api(Body=self.example_openapi(), FailOnWarnings=True)
        api_id = api["ApiId"]
        self.assertEqual(api["Name"], "okta solar system")
        self.assertNotIn("Warnings", api)
        routes = sorted(r["RouteKey"] for r in gw.get_routes(ApiId=api_id)["Items"])
        self.assertEqual(routes, ["$default", "GET /asteroids", "GET /moons", "GET /planets"])
        self.assertEqual(gw.get_api(ApiId=api_id)["CorsConfiguration"]["AllowOrigins"], ["http://localhost:8080"])
        # As on AWS, an import creates no stage: serve it at the root.
        gw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
        endpoint = api["ApiEndpoint"]
        self.assertTrue(eventually(lambda: call(endpoint, "/planets")[0] == 401))
        self.assertEqual(call(endpoint, "/moons", self.silver)[0], 403)
        self.assertEqual(call(endpoint, "/moons", self.gold)[0], 200)

        exported = gw.export_api(ApiId=api_id, Specification="OAS30", OutputType="JSON")["body"].read()
        document = json.loads(exported)
        self.assertEqual(document["openapi"], "3.0.1")
        self.assertEqual(document["servers"][0]["url"], endpoint + "/{basePath}")
        self.assertEqual(
            document["paths"]["/planets"]["get"]["security"], [{"Okta": ["http://myapp.com/scp/silver"]}]
        )
        yaml_text = gw.export_api(ApiId=api_id, Specification="OAS30", OutputType="YAML")["body"].read().decode()
        self.assertIn("x-amazon-apigateway-integration", yaml_text)
        # import ∘ export round-trips: a second API from the export has the same routes.
        again = gw.import_api(Body=exported.decode())
        again_routes = gw.get_routes(ApiId=again["ApiId"])["Items"]
        self.assertEqual(sorted(r["RouteKey"] for r in again_routes), routes)
        by_key = {r["RouteKey"]: r for r in again_routes}
        self.assertEqual(by_key["GET /moons"]["AuthorizationScopes"], ["http://myapp.com/scp/gold"])
        # Reimport replaces the definition; the stage follows (auto-deploy).
        smaller = {k: v for k, v in document.items()}
        smaller["paths"] = {k: v for k, v in document["paths"].items() if k != "/moons"}
        gw.reimport_api(ApiId=api_id, Body=json.dumps(smaller))
        # Without its own route, /moons falls to the open $default route: no token needed now.
        self.assertTrue(eventually(lambda: call(endpoint, "/moons")[0] == 200))
        without = gw.export_api(ApiId=api_id, Specification="OAS30", OutputType="JSON", IncludeExtensions=False)
        self.assertNotIn("x-amazon-apigateway", without["body"].read().decode())

    def test_import_errors_and_warnings(self):
        gw = self.gw
        with self.assertRaises(gw.exceptions.BadRequestException):
            gw.import_api(Body='{"swagger": "2.0", "info": {"title": "old", "version": "1"}, "paths": {}}')
        warned = self.example_openapi().replace(
            'payloadFormatVersion: "1.0"', 'payloadFormatVersion: "1.0"\n        tlsConfig: {serverNameToVerify: "x"}', 1
        )
        with self.assertRaises(gw.exceptions.BadRequestException):
            gw.import_api(Body=warned, FailOnWarnings=True)
        api = gw.import_api(Body=warned)
        self.assertTrue(api.get("Warnings"), api)

    def test_the_configuration_files_api_is_listed_and_read_only(self):
        apis = {a["ApiId"]: a for a in self.gw.get_apis()["Items"]}
        self.assertEqual(apis["solar"]["Name"], "okta solar system")
        routes = self.gw.get_routes(ApiId="solar")["Items"]
        self.assertEqual(
            sorted(r["RouteKey"] for r in routes), ["$default", "GET /asteroids", "GET /moons", "GET /planets"]
        )
        again = self.gw.get_routes(ApiId="solar")["Items"]
        self.assertEqual([r["RouteId"] for r in routes], [r["RouteId"] for r in again], "ids are stable")
        for write in (
            lambda: self.gw.update_api(ApiId="solar", Name="renamed"),
            lambda: self.gw.delete_api(ApiId="solar"),
            lambda: self.gw.create_route(ApiId="solar", RouteKey="GET /comets"),
        ):
            with self.assertRaises(self.gw.exceptions.BadRequestException) as e:
                write()
            self.assertIn("read-only", e.exception.response["Error"]["Message"])

    def test_signatures_are_checked(self):
        bad = boto3.client(
            "apigatewayv2", endpoint_url=ADMIN_URL, region_name="eu-west-1",
            aws_access_key_id=ACCESS_KEY, aws_secret_access_key="not-the-secret-at-all",
        )
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            bad.get_apis()
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidSignatureException")
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        unknown = boto3.client(
            "apigatewayv2", endpoint_url=ADMIN_URL, region_name="eu-west-1",
            aws_access_key_id="AKIDNOBODYKNOWS00", aws_secret_access_key="whatever-secret-123",
        )
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            unknown.get_apis()
        self.assertEqual(e.exception.response["Error"]["Code"], "UnrecognizedClientException")


if __name__ == "__main__":
    unittest.main()
