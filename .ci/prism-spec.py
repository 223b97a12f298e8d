"""Writes a copy of an OpenAPI 3 spec for Prism without response headers named
Content-Type. OpenAPI 3.0.3 (Response Object, `headers`) says such a header
"SHALL be ignored", but Prism validates its own mock answers against it and
fails every response of TrueLayer's spec under --errors."""
import json
import sys

source, target = sys.argv[1], sys.argv[2]
spec = json.load(open(source))


def strip(node):
    if isinstance(node, dict):
        headers = node.get("headers")
        if isinstance(headers, dict):
            for name in [n for n in headers if n.lower() == "content-type"]:
                del headers[name]
        for value in node.values():
            strip(value)
    elif isinstance(node, list):
        for value in node:
            strip(value)


strip(spec.get("components", {}).get("responses", {}))
strip(spec.get("paths", {}))
json.dump(spec, open(target, "w"))
