"""Checks HTTP exchanges with the daemon against docs/openapi.yaml: the path and method must be documented, the
status code listed for the operation, and a JSON body must match the response's schema (jsonschema, draft
2020-12, which OpenAPI 3.1 schemas are). Every exchange is recorded so a test can ask which documented
operations were never called."""
import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

OPENAPI_PATH = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
BASE_URI = "urn:edge-agent:openapi"
METHODS = ("get", "post", "put", "patch", "delete", "head")


def load_spec():
    return yaml.safe_load(OPENAPI_PATH.read_text())


def pointer(*parts):
    return "#/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def template_regex(template):
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template.rstrip("/") or "/")) + "/?$")


class Exchange:
    def __init__(self, method, path, status, headers, body):
        self.method, self.path, self.status, self.headers, self.body = method, path, status, headers, body

    @property
    def json(self):
        return json.loads(self.body or b"null")

    @property
    def media_type(self):
        return (self.headers.get("Content-Type") or "").split(";")[0].strip()


class Contract:
    def __init__(self, base_url, spec=None):
        self.base_url = base_url
        self.spec = spec or load_spec()
        self.registry = Registry().with_resource(BASE_URI, Resource(contents=self.spec, specification=DRAFT202012))
        self.called = set()  # (method, template, status)

    # Matching and schemas

    def operations(self):
        return {(method, template) for template, item in self.spec["paths"].items()
                for method in item if method in METHODS}

    def template_for(self, method, path):
        """The documented path template the concrete path matches; literal segments win over parameters."""
        bare = path.split("?")[0]
        matches = [t for t, item in self.spec["paths"].items() if method in item and template_regex(t).match(bare)]
        assert matches, f"{method.upper()} {bare} is not in docs/openapi.yaml"
        return max(matches, key=lambda t: (len([s for s in t.split("/") if s and not s.startswith("{")]), len(t)))

    def validator(self, location):
        return Draft202012Validator({"$ref": BASE_URI + location}, registry=self.registry,
                                    format_checker=Draft202012Validator.FORMAT_CHECKER)

    def schema_errors(self, location, instance):
        return [f"{'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message}"
                for e in self.validator(location).iter_errors(instance)]

    def response_location(self, method, template, status):
        responses = self.spec["paths"][template][method]["responses"]
        key = str(status)
        assert key in responses, (f"{method.upper()} {template} answered {status}, which docs/openapi.yaml does not list "
                                  f"(it lists {sorted(responses)})")
        node = responses[key]
        if "$ref" in node:
            parts = node["$ref"][2:].split("/")
            return self.resolve(node["$ref"]), parts
        return node, ["paths", template, method, "responses", key]

    def resolve(self, ref):
        node = self.spec
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def request_schema_location(self, method, template):
        body = self.spec["paths"][template][method].get("requestBody")
        if not body or "application/json" not in body.get("content", {}):
            return None
        return pointer("paths", template, method, "requestBody", "content", "application/json", "schema")

    # Checking

    def check(self, exchange, template=None):
        template = template or self.template_for(exchange.method, exchange.path)
        response, location = self.response_location(exchange.method, template, exchange.status)
        content = response.get("content")
        if content:
            assert exchange.media_type in content, (
                f"{exchange.method.upper()} {exchange.path} {exchange.status} answered {exchange.media_type!r}; "
                f"docs/openapi.yaml has {sorted(content)}")
            if exchange.media_type == "application/json":
                errors = self.schema_errors(pointer(*location, "content", "application/json", "schema"), exchange.json)
                assert not errors, (f"{exchange.method.upper()} {exchange.path} {exchange.status} does not match "
                                    f"docs/openapi.yaml:\n  " + "\n  ".join(errors) + f"\nbody: {exchange.body[:2000]!r}")
        for name, header in response.get("headers", {}).items():
            assert exchange.headers.get(name) is not None, f"{exchange.path} {exchange.status} lacks the header {name}"
            expected = header.get("schema", {}).get("const")
            if expected is not None:
                assert exchange.headers.get(name) == expected, f"{name}: {exchange.headers.get(name)!r} != {expected!r}"
        self.called.add((exchange.method, template, exchange.status))
        return exchange

    def call(self, method, path, body=None, token=None, raw=None, expect=None, timeout=30, follow=False):
        """Sends a request, checks the answer against the contract, and (with `expect`) its status."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        template = self.template_for(method, path)
        if body is not None and expect is not None and 200 <= expect < 300:
            location = self.request_schema_location(method, template)
            if location:
                errors = self.schema_errors(location, body)
                assert not errors, f"the request body we send to {path} does not match docs/openapi.yaml: {errors}"
        request = urllib.request.Request(self.base_url + path, data=data, method=method.upper())
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        opener = urllib.request.build_opener() if follow else urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=timeout) as response:
                exchange = Exchange(method, path, response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            exchange = Exchange(method, path, error.code, error.headers, error.read())
        if expect is not None:
            assert exchange.status == expect, (f"{method.upper()} {path}: {exchange.status} (wanted {expect}): "
                                               f"{exchange.body[:1000]!r}")
        return self.check(exchange, template)

    def uncalled(self, predicate=lambda status: 200 <= status < 400):
        """Documented operations that no exchange answered with a status `predicate` accepts."""
        done = {(m, t) for m, t, s in self.called if predicate(s)}
        return sorted(self.operations() - done)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
