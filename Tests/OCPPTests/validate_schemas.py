"""Checks edge-agent's OCPP payloads against the official OCPP 1.6 JSON schemas.

Run by SchemaConformanceTests.swift as: python validate_schemas.py <dir>
<dir>/samples/*.json   {"schema": "AuthorizeResponse", "name": "...", "payload": {...}}
<dir>/schemas/*.json   our Swift schema for <Name>, exported as JSON Schema keywords
Exit status 0 when everything conforms; otherwise one line per problem and status 1.
"""
import decimal
import json
import os
import sys

try:
    import jsonschema
    import ocpp.v16
except ImportError as error:
    print(f"missing Python package ({error}); run `make test` to set up .venv")
    sys.exit(2)

SCHEMA_DIR = os.path.join(os.path.dirname(ocpp.v16.__file__), "schemas")
COMPARED = ("type", "maxLength", "format", "multipleOf", "minItems")


def official(name):
    with open(os.path.join(SCHEMA_DIR, name + ".json"), encoding="utf-8") as handle:
        # Decimal, as the ocpp package does, so multipleOf 0.1 is exact.
        return json.load(handle, parse_float=decimal.Decimal)


def compare(ours, theirs, path, problems):
    for key in COMPARED:
        if ours.get(key) != theirs.get(key):
            problems.append(f"{path}: {key} is {ours.get(key)!r}, official {theirs.get(key)!r}")
    if ours.get("enum") != theirs.get("enum"):
        problems.append(f"{path}: enum {ours.get('enum')} != official {theirs.get('enum')}")
    if theirs.get("type") == "object":
        if set(ours.get("required", [])) != set(theirs.get("required", [])):
            problems.append(f"{path}: required {ours.get('required')} != official {theirs.get('required')}")
        if theirs.get("additionalProperties") is not False:
            problems.append(f"{path}: official schema allows additional properties")
        ours_props, their_props = ours.get("properties", {}), theirs.get("properties", {})
        if set(ours_props) != set(their_props):
            problems.append(f"{path}: properties {sorted(ours_props)} != official {sorted(their_props)}")
        for name in set(ours_props) & set(their_props):
            compare(ours_props[name], their_props[name], f"{path}.{name}", problems)
    if theirs.get("type") == "array":
        compare(ours.get("items", {}), theirs.get("items", {}), f"{path}[]", problems)


def main(directory):
    problems = []
    samples = sorted(os.listdir(os.path.join(directory, "samples")))
    for file_name in samples:
        with open(os.path.join(directory, "samples", file_name), encoding="utf-8") as handle:
            sample = json.load(handle, parse_float=decimal.Decimal)
        validator = jsonschema.Draft4Validator(
            official(sample["schema"]), format_checker=jsonschema.FormatChecker())
        for error in validator.iter_errors(sample["payload"]):
            path = ".".join(str(part) for part in error.absolute_path)
            problems.append(f"sample {sample['name']}: {path}: {error.message}")
    schemas = sorted(os.listdir(os.path.join(directory, "schemas")))
    for file_name in schemas:
        with open(os.path.join(directory, "schemas", file_name), encoding="utf-8") as handle:
            ours = json.load(handle, parse_float=decimal.Decimal)
        name = file_name[: -len(".json")]
        compare(ours, official(name), name, problems)
    for problem in problems:
        print(problem)
    print(f"checked {len(samples)} samples and {len(schemas)} schemas, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
