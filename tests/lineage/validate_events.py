#!/usr/bin/env python3
"""Validates OpenLineage events (JSON lines) against the 2-0-2 schema and the facet schemas
in a folder, offline: every schema is loaded into a registry keyed by its $id, each event is
checked as a RunEvent, and each facet against the schema of the facet with its key.

Usage: validate_events.py SCHEMA_DIR EVENTS.jsonl...   (exit 1 on the first invalid event)
"""
import glob
import json
import os
import sys

import jsonschema

schema_dir = sys.argv[1]
schemas = {}
for path in [os.path.join(schema_dir, "OpenLineage.json")] + sorted(glob.glob(os.path.join(schema_dir, "facets", "*.json"))):
    with open(path) as f:
        s = json.load(f)
    schemas[s["$id"]] = s
core = schemas["https://openlineage.io/spec/2-0-2/OpenLineage.json"]
# facet key (as it appears in an event) -> its schema
facet_schemas = {}
for sid, s in schemas.items():
    if sid == core["$id"]:
        continue
    for key in s.get("properties", {}):
        facet_schemas[key] = s


def validator_for(schema, pointer=None):
    target = schema if pointer is None else {"$ref": schema["$id"] + pointer}
    try:  # jsonschema >= 4.18: a referencing registry
        from referencing import Registry, Resource
        registry = Registry().with_resources(
            [(sid, Resource.from_contents(s)) for sid, s in schemas.items()])
        return jsonschema.Draft202012Validator(target, registry=registry)
    except ImportError:  # Debian 12's jsonschema 4.10: a RefResolver with a store
        resolver = jsonschema.RefResolver.from_schema(schema, store=dict(schemas))
        return jsonschema.Draft202012Validator(target, resolver=resolver)


run_event = validator_for(core, "#/$defs/RunEvent")
facet_validators = {k: validator_for(s) for k, s in facet_schemas.items()}
checked = facets_checked = 0
types = {}


def check_facets(where, facets):
    global facets_checked
    for key, facet in (facets or {}).items():
        v = facet_validators.get(key)
        if v is None:
            # A custom facet (Strata's own): the base facet rules apply (checked by RunEvent).
            continue
        errors = sorted(v.iter_errors({key: facet}), key=lambda e: e.path)
        if errors:
            sys.exit(f"{where}: facet {key}: {errors[0].message} at {list(errors[0].path)}")
        facets_checked += 1


# The validators must be able to fail: a broken event and a broken facet are refused.
_probe = {"eventTime": "2026-01-01T00:00:00Z", "producer": "x", "schemaURL": "x", "eventType": "START",
          "run": {"runId": "8c2c8e4e-7a43-4c52-9e2b-4b0a4c1a3c10"}, "job": {"name": "j"}}
assert list(run_event.iter_errors(_probe)), "a RunEvent without job.namespace passed"
assert list(facet_validators["errorMessage"].iter_errors(
    {"errorMessage": {"_producer": "x", "_schemaURL": "x", "message": "m"}})), \
    "an errorMessage facet without programmingLanguage passed"

for path in sys.argv[2:]:
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"{path} line {number}"
            event = json.loads(line)
            errors = sorted(run_event.iter_errors(event), key=lambda e: e.path)
            if errors:
                sys.exit(f"{where}: {errors[0].message} at {list(errors[0].path)}")
            check_facets(where + " run", event["run"].get("facets"))
            check_facets(where + " job", event["job"].get("facets"))
            for side in ("inputs", "outputs"):
                for d in event.get(side, []):
                    check_facets(f"{where} {side} {d['name']}", d.get("facets"))
                    check_facets(f"{where} {side} {d['name']}", d.get("inputFacets"))
                    check_facets(f"{where} {side} {d['name']}", d.get("outputFacets"))
            checked += 1
            types[event["eventType"]] = types.get(event["eventType"], 0) + 1
print(f"{checked} events valid ({', '.join(f'{n} {t}' for t, n in sorted(types.items()))}), "
      f"{facets_checked} facets checked against their schemas")
