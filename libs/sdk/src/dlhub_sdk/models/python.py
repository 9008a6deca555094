"""Python-function servables (DLHub's static-method servables).

A function defined at the top level of a module file is published with its
module (shipped as an artifact), its typed input and output, its pinned
requirements and its Python version. At publish the registry checks the
module, resolves the requirements into ``environment.lock``; executors run
the function in a worker process inside that environment and pass one JSON
value in and one out::

    model = PythonStaticMethodServable.from_function(
        "examples/glass/glass.py", "predict",
        input_type=list_of("string"), output_type={"type": "number"},
        requirements=["numpy==2.1.0"], python="3.11",
    )
"""

from __future__ import annotations

import ast
import inspect
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from dlhub_common.errors import InvalidArgument
from dlhub_sdk.models.base import ServableBuilder

_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*(?:\[[^\]]*\])?)\s*(.*?)\s*$")

TypeSpec = dict[str, Any] | str


def type_spec(spec: TypeSpec) -> dict[str, Any]:
    """``"string"`` -> ``{"type": "string"}``; a dict is used as is."""
    return {"type": spec} if isinstance(spec, str) else dict(spec)


def list_of(item: TypeSpec, description: str = "") -> dict[str, Any]:
    """A ``list`` type with the given item type."""
    out: dict[str, Any] = {"type": "list", "item_type": type_spec(item)}
    if description:
        out["description"] = description
    return out


def dict_of(properties: dict[str, TypeSpec], description: str = "") -> dict[str, Any]:
    """A ``dict`` type with the given properties."""
    out: dict[str, Any] = {
        "type": "dict",
        "properties": {k: type_spec(v) for k, v in properties.items()},
    }
    if description:
        out["description"] = description
    return out


def parse_requirement(line: str) -> tuple[str, str] | None:
    """``"numpy==2.1.0"`` -> ``("numpy", "2.1.0")``; ``"scipy>=1.13"`` keeps the
    operator. Comments and blank lines give None."""
    line = line.split("#", 1)[0].strip()
    if not line:
        return None
    if line.startswith("-"):
        raise InvalidArgument(f"requirement options are not supported: {line!r}")
    m = _REQUIREMENT.match(line)
    if m is None or ";" in line or "@" in line:
        raise InvalidArgument(f"not a 'package==version' requirement: {line!r}")
    name, pin = m.group(1), m.group(2).replace(" ", "")
    if pin.startswith("==") and not any(c in pin[2:] for c in "<>=!~,*"):
        pin = pin[2:]
    return name, pin


class PythonStaticMethodServable(ServableBuilder):
    """A function at the top level of a module file, run in its own environment.

    Build it with :meth:`from_function`.
    """

    servable_type = "python"

    @classmethod
    def from_function(
        cls,
        func_or_module_path: Callable[..., Any] | str | Path,
        function_name: str | None = None,
        *,
        input_type: TypeSpec = "any",
        output_type: TypeSpec = "any",
        requirements: Sequence[str] = (),
        requirements_file: str | Path | None = None,
        python: str | None = None,
        name: str | None = None,
        module_path: str | None = None,
    ) -> PythonStaticMethodServable:
        """A servable from a function, or from a module file and a function name.

        Args:
            func_or_module_path: the function itself (its module file is
                shipped), or the path of the module file.
            function_name: the function's name (default: the function's own).
            input_type, output_type: DLHub types, e.g. ``"string"``,
                ``list_of("string")``, ``{"type": "number"}``.
            requirements: pinned requirements, ``["numpy==2.1.0"]``.
            requirements_file: or a requirements.txt of such lines.
            python: the Python version, default this interpreter's ``3.X``.
            name: servable name (default: the function name, slugified).
            module_path: the artifact path of the module (default: its file name).

        Raises:
            InvalidArgument: no such module file or function, or a bad requirement.
        """
        if callable(func_or_module_path):
            func = func_or_module_path
            source = inspect.getsourcefile(func)
            if source is None:
                raise InvalidArgument(f"cannot find the module file of {func!r}")
            module_file = Path(source)
            function_name = function_name or func.__name__
        else:
            module_file = Path(func_or_module_path)
        if not function_name:
            raise InvalidArgument("name the function to publish (function_name)")
        if not module_file.is_file():
            raise InvalidArgument(f"module file {module_file} does not exist")
        tree = ast.parse(module_file.read_text(encoding="utf-8"), filename=str(module_file))
        if not any(isinstance(n, ast.FunctionDef) and n.name == function_name for n in tree.body):
            raise InvalidArgument(f"{module_file} defines no top-level function {function_name!r}")
        self = cls()
        artifact = module_path or module_file.name
        self._files[artifact] = module_file
        self._dlhub["files"]["model"] = artifact
        self._servable["python"] = python or f"{sys.version_info[0]}.{sys.version_info[1]}"
        self._servable["methods"]["run"] = {
            "input": type_spec(input_type),
            "output": type_spec(output_type),
            "parameters": {},
            "method_details": {
                "module": artifact,
                "function": function_name,
                "interface_version": 1,
            },
        }
        lines = list(requirements)
        if requirements_file is not None:
            lines += Path(requirements_file).read_text().splitlines()
        for line in lines:
            parsed = parse_requirement(line)
            if parsed is not None:
                self.add_dependency(*parsed)
        doc = getattr(tree.body[0], "value", None) if tree.body else None
        if isinstance(doc, ast.Constant) and isinstance(doc.value, str):
            self._servable["model_summary"] = doc.value.strip().splitlines()[0][:300]
        self.set_name(name or function_name.lower().replace("_", "-"))
        return self
