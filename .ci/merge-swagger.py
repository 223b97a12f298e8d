"""Merges Swagger 2.0 files into one for a single Prism server: the first
file's definitions keep their names, the others' get a prefix (their
`Error`/`ErrorList` would clash) with every $ref rewritten to match.
Usage: merge-swagger.py OUT FIRST [PREFIX=FILE ...]"""
import json
import sys

out, first, *others = sys.argv[1:]
merged = json.load(open(first))


def rename(node, prefix):
    if isinstance(node, dict):
        return {
            k: (v.replace("#/definitions/", f"#/definitions/{prefix}") if k == "$ref" and isinstance(v, str) else rename(v, prefix))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [rename(v, prefix) for v in node]
    return node


for spec in others:
    prefix, path = spec.split("=", 1)
    doc = rename(json.load(open(path)), prefix)
    merged["paths"].update(doc.get("paths", {}))
    for name, definition in doc.get("definitions", {}).items():
        merged["definitions"][prefix + name] = definition
json.dump(merged, open(out, "w"))
