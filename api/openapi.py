"""One OpenAPI document for the whole platform, merged from every service's own."""

from typing import Any

from services.core.app import API_VERSION


class SchemaCollision(ValueError):
    """Two services publish different schemas under one component name."""


def merge_openapi(documents: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "Mentorship platform API",
            "version": API_VERSION,
            "description": (
                "Profiles, matching, requests and progress of a mentoring platform. "
                "Authenticate with `Authorization: Bearer <token>`; errors are RFC 9457 "
                "problem+json; lists are cursor-paginated; POSTs accept Idempotency-Key."
            ),
        },
        "paths": {},
        "components": {"schemas": {}, "securitySchemes": {}},
        "tags": [],
    }
    seen_operations: dict[str, str] = {}
    seen_tags: set[str] = set()
    owners: dict[tuple[str, str], str] = {}
    for document in documents:
        document_title = str(document.get("info", {}).get("title", "a service"))
        for path, item in document.get("paths", {}).items():
            target = merged["paths"].setdefault(path, {})
            for method, operation in item.items():
                operation_id = operation.get("operationId")
                if operation_id in seen_operations:
                    raise ValueError(f"operationId {operation_id!r} is used twice")
                if operation_id:
                    seen_operations[operation_id] = path
                target[method] = operation
                for tag in operation.get("tags", []):
                    if tag not in seen_tags:
                        seen_tags.add(tag)
                        merged["tags"].append({"name": tag})
        components = document.get("components", {})
        for kind in ("schemas", "securitySchemes"):
            target = merged["components"][kind]
            for name, definition in components.get(kind, {}).items():
                # Two services sharing a core schema (Problem, a page) publish it identically;
                # the same name for two shapes would give every client the wrong one of them.
                if name in target and target[name] != definition:
                    raise SchemaCollision(
                        f"components.{kind}.{name} differs between {document_title!r} "
                        f"and {owners[kind, name]!r}; rename one of them"
                    )
                target[name] = definition
                owners.setdefault((kind, name), document_title)
    return merged
