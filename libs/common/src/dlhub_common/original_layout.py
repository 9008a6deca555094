"""A described version in the original DLHub's three-block layout, field for field.

The original SDK's ``to_dict()`` (and the original service's ``describe``)
gave::

    datacite: identifier {identifier, identifierType}, creators [{givenName,
              familyName, affiliations}], titles, publisher, publicationYear,
              resourceType {resourceTypeGeneral}, relatedIdentifiers, ...
    dlhub:    version, domains, visible_to, id, name, files {model, other},
              type "servable", owner, publication_date, identifier, digest
    servable: methods.run {input, output, parameters, method_details
              {method_name, classes}}, shim, type, model_type, model_summary,
              language, dependencies {python: {package: version}}, options

:func:`original_layout` maps DLHub's stored document (and the version's
summary: what the system assigned) onto it. A ``dict`` input or output with
a single named tensor is shown as that tensor, as the original did.
"""

from __future__ import annotations

import copy
from typing import Any

from dlhub_common.datacite_schema import UNASSIGNED_DOI

# servable.type -> (original "type", "shim", "model_type")
KINDS: dict[str, tuple[str, str, str]] = {
    "keras": ("Keras Model", "keras.KerasServable", "Deep NN"),
    "onnx": ("ONNX Model", "onnx.OnnxServable", "ONNX graph"),
    "sklearn": ("Scikit-learn estimator", "sklearn.ScikitLearnServable", "scikit-learn"),
    "torchscript": ("TorchScript Model", "torch.TorchServable", "Deep NN"),
    "torch_export": ("torch.export Model", "torch.TorchServable", "Deep NN"),
    "python": ("Python static method", "python.PythonStaticMethodServable", "python function"),
}


def _creator(creator: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if creator.get("familyName"):
        out["familyName"] = creator["familyName"]
        if creator.get("givenName"):
            out["givenName"] = creator["givenName"]
    else:
        out["creatorName"] = creator.get("name", "")
    out["affiliations"] = [
        a if isinstance(a, str) else str(a.get("name", "")) for a in creator.get("affiliation", [])
    ]
    if creator.get("nameIdentifiers"):
        out["nameIdentifiers"] = copy.deepcopy(creator["nameIdentifiers"])
    return out


def _datacite(block: dict[str, Any], summary: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(block)
    given = (block.get("identifier") or {}).get("identifier")
    doi = summary.get("doi") or (given if given and given != UNASSIGNED_DOI else "")
    out["identifier"] = {"identifier": doi or UNASSIGNED_DOI, "identifierType": "DOI"}
    out["creators"] = [_creator(c) for c in block.get("creators", [])]
    out.setdefault("publisher", "DLHub")
    if not out.get("publicationYear") and summary.get("publication_date"):
        out["publicationYear"] = str(summary["publication_date"])[:4]
    resource = block.get("resourceType") or {}
    out["resourceType"] = {
        "resourceTypeGeneral": resource.get("resourceTypeGeneral", "InteractiveResource")
    }
    for key in [k for k, v in out.items() if v in ([], {}, None)]:
        del out[key]
    return out


def _io(spec: dict[str, Any]) -> dict[str, Any]:
    props = spec.get("properties") or {}
    if spec.get("type") == "dict" and len(props) == 1:
        (inner,) = props.values()
        merged: dict[str, Any] = copy.deepcopy(inner)
        if spec.get("description") and not merged.get("description"):
            merged["description"] = spec["description"]
        return merged
    whole: dict[str, Any] = copy.deepcopy(spec)
    return whole


def _servable(block: dict[str, Any]) -> dict[str, Any]:
    kind = str(block.get("type", ""))
    label, shim, model_type = KINDS.get(kind, (kind, kind, ""))
    methods = {}
    for name, method in (block.get("methods") or {}).items():
        details = copy.deepcopy(method.get("method_details") or {})
        details.setdefault(
            "method_name", details.get("method", "predict" if name == "run" else name)
        )
        if name == "run" and block.get("classes"):
            details["classes"] = list(block["classes"])
        model_type = str(details.pop("model_type", model_type))
        methods[name] = {
            "input": _io(method.get("input") or {}),
            "output": _io(method.get("output") or {}),
            "parameters": copy.deepcopy(method.get("parameters") or {}),
            "method_details": details,
        }
    out: dict[str, Any] = {
        "methods": methods,
        "shim": shim,
        "type": label,
        "model_type": model_type,
        "language": "python",
        "dependencies": {"python": dict(block.get("dependencies") or {})},
        "options": {},
        "servable_type": kind,
    }
    if block.get("model_summary"):
        out["model_summary"] = block["model_summary"]
    if block.get("python"):
        out["python_version"] = block["python"]
    return out


def original_layout(summary: dict[str, Any], metadata: dict[str, Any]) -> dict[str, Any]:
    """The version in the original layout.

    Args:
        summary: the version's summary (owner, version, identifier, doi,
            publication_date, digest, visible_to), as ``describe`` returns it.
        metadata: its stored metadata document.
    """
    dlhub = metadata.get("dlhub") or {}
    identifier = summary.get("identifier") or dlhub.get("identifier", "")
    files = dlhub.get("files") or {}
    return {
        "datacite": _datacite(metadata.get("datacite") or {}, summary),
        "dlhub": {
            "version": summary.get("version") or dlhub.get("version"),
            "domains": list(dlhub.get("domains") or []),
            "visible_to": list(summary.get("visible_to") or dlhub.get("visible_to") or []),
            "id": identifier,
            "name": dlhub.get("name", summary.get("name", "")),
            "owner": summary.get("owner") or dlhub.get("owner", ""),
            "files": {"model": files.get("model"), "other": list(files.get("other") or [])},
            "type": "servable",
            "identifier": identifier,
            "publication_date": summary.get("publication_date") or dlhub.get("publication_date"),
            "digest": summary.get("digest") or dlhub.get("digest"),
        },
        "servable": _servable(metadata.get("servable") or {}),
    }
