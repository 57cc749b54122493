"""Read ``template.yaml`` the way the local runners need it: functions, handlers and environments.

CloudFormation short-form tags (``!Ref``, ``!Sub``, ``!GetAtt``, ``!If`` ...) load as their long
form (``{"Ref": ...}``, ``{"Fn::Sub": ...}``). :func:`resolve` then evaluates the intrinsics that
appear in environment variables against parameter defaults (plus overrides), pseudo parameters
and conditions; a ``!Ref`` to a function resolves to its logical id, which is the name the local
Lambda-Invoke server answers to.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "LOCAL_ENV_OVERRIDES",
    "LOCAL_PARAMETER_DEFAULTS",
    "PSEUDO_PARAMETERS",
    "REPO_ROOT",
    "TEMPLATE_PATH",
    "FunctionSpec",
    "TemplateError",
    "dockerfile_cmd",
    "function_specs",
    "get_function",
    "load_template",
    "parameter_values",
    "resolve",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = REPO_ROOT / "template.yaml"
LAYERS_DIR = REPO_ROOT / "layers"

PSEUDO_PARAMETERS: dict[str, str] = {
    "AWS::AccountId": "123456789012",
    "AWS::Region": "us-east-1",
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": "careerready-local",
    "AWS::StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/careerready-local/local",
}

LOCAL_ENV_OVERRIDES: dict[str, str] = {
    # models come from the checkout's artifacts/ unless the caller points at S3 (moto) explicitly
    "CAREERREADY_ARTIFACT_SOURCE": "local",
    "CAREERREADY_ARTIFACTS_DIR": str(REPO_ROOT / "artifacts"),
    "AWS_SAM_LOCAL": "true",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_DEV": "false",
}
"""Applied on top of the template environment for local runs (callers' overrides win)."""

LOCAL_PARAMETER_DEFAULTS: dict[str, str] = {"ArtifactBucketName": "careerready-artifacts-local"}
"""Values for parameters that have no default in the template (deploys must pass them)."""

# ARN prefix of a local function: what `!GetAtt X.Arn` resolves to
_LOCAL_ARN = "arn:aws:lambda:{region}:{account}:function:{name}"


class TemplateError(ValueError):
    """The template lacks something a local run needs (unknown function, no handler, ...)."""


class _CfnLoader(yaml.SafeLoader):  # type: ignore[misc]  # no stubs for yaml here
    """SafeLoader that maps CloudFormation short-form tags to their long form."""


def _cfn_constructor(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _cfn_constructor)


def load_template(path: Path | str = TEMPLATE_PATH) -> dict[str, Any]:
    """Parse a SAM/CloudFormation template, accepting the ``!Tag`` short forms."""
    with Path(path).open(encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass
    if not isinstance(data, dict) or "Resources" not in data:
        raise TemplateError(f"{path}: not a CloudFormation template (no Resources)")
    return data


def parameter_values(template: dict[str, Any], overrides: dict[str, str] | None = None) -> dict[str, Any]:
    """Parameter defaults merged with ``overrides``; CommaDelimitedList values become lists."""
    values: dict[str, Any] = dict(LOCAL_PARAMETER_DEFAULTS)
    for name, spec in (template.get("Parameters") or {}).items():
        if "Default" in spec:
            values[name] = spec["Default"]
    for name, value in (overrides or {}).items():
        if name not in (template.get("Parameters") or {}):
            raise TemplateError(f"unknown parameter {name!r}")
        values[name] = value
    for name, spec in (template.get("Parameters") or {}).items():
        if spec.get("Type") == "CommaDelimitedList" and isinstance(values.get(name), str):
            values[name] = [v for v in str(values[name]).split(",") if v]
    return values


@dataclass
class _Context:
    template: dict[str, Any]
    params: dict[str, Any]
    pseudo: dict[str, str] = field(default_factory=lambda: dict(PSEUDO_PARAMETERS))
    _conditions: dict[str, bool] = field(default_factory=dict)

    def ref(self, name: str) -> Any:
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.params:
            return self.params[name]
        resources = self.template.get("Resources") or {}
        if name in resources:
            # a function's physical name locally is its logical id; other resources keep theirs too
            return name
        base, _, attr = name.partition(".")
        if attr == "Alias" and (resources.get(base) or {}).get("Type") == "AWS::Serverless::Function":
            return base  # SAM's AutoPublishAlias reference (<Function>.Alias): locally the function itself
        if name == "AWS::NoValue":
            return None
        raise TemplateError(f"!Ref {name}: no such parameter, pseudo parameter or resource (or no default)")

    def get_att(self, logical_id: str, attr: str) -> str:
        resources = self.template.get("Resources") or {}
        if logical_id not in resources:
            raise TemplateError(f"!GetAtt {logical_id}.{attr}: no such resource")
        if attr == "Arn" and resources[logical_id].get("Type") == "AWS::Serverless::Function":
            return _LOCAL_ARN.format(
                region=self.pseudo["AWS::Region"], account=self.pseudo["AWS::AccountId"], name=logical_id
            )
        return f"local-{logical_id}-{attr}"

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            spec = (self.template.get("Conditions") or {}).get(name)
            if spec is None:
                raise TemplateError(f"unknown condition {name!r}")
            self._conditions[name] = bool(resolve(spec, self))
        return self._conditions[name]


_SUB_VAR = re.compile(r"\$\{([^}!]+)\}")


def resolve(value: Any, ctx: _Context) -> Any:
    """Evaluate the intrinsic functions in ``value`` (Ref, Sub, GetAtt, Join, If, Equals, ...)."""
    if isinstance(value, list):
        return [resolve(v, ctx) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) != 1:
        return {k: resolve(v, ctx) for k, v in value.items()}
    ((key, arg),) = value.items()
    if key == "Ref":
        return ctx.ref(str(arg))
    if key == "Fn::GetAtt":
        parts = arg if isinstance(arg, list) else str(arg).split(".", 1)
        return ctx.get_att(str(parts[0]), str(parts[1]))
    if key == "Fn::Sub":
        template_str, local_vars = (arg, {}) if isinstance(arg, str) else (arg[0], resolve(arg[1], ctx))

        def _sub(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in local_vars:
                return str(local_vars[name])
            if "." in name:
                logical_id, attr = name.split(".", 1)
                return ctx.get_att(logical_id, attr)
            return str(ctx.ref(name))

        return _SUB_VAR.sub(_sub, str(template_str))
    if key == "Fn::Join":
        sep, items = arg
        return str(sep).join(str(x) for x in resolve(items, ctx))
    if key == "Fn::Select":
        index, items = resolve(arg, ctx)
        return items[int(index)]
    if key == "Fn::Split":
        sep, text = resolve(arg, ctx)
        return str(text).split(str(sep))
    if key == "Fn::If":
        cond, if_true, if_false = arg
        return resolve(if_true if ctx.condition(str(cond)) else if_false, ctx)
    if key == "Fn::Equals":
        left, right = resolve(arg, ctx)
        return str(left) == str(right)
    if key == "Fn::Not":
        return not resolve(arg[0], ctx)
    if key == "Fn::And":
        return all(resolve(x, ctx) for x in arg)
    if key == "Fn::Or":
        return any(resolve(x, ctx) for x in arg)
    if key == "Condition":
        return ctx.condition(str(arg))
    if key.startswith("Fn::"):
        raise TemplateError(f"{key} is not supported by the local resolver")
    return {key: resolve(arg, ctx)}


_CMD = re.compile(r"^\s*CMD\s+(\[.*\])\s*$", re.MULTILINE)


def dockerfile_cmd(dockerfile: Path) -> list[str]:
    """The exec-form ``CMD [...]`` of a Dockerfile (the last one wins, as in Docker)."""
    matches = _CMD.findall(dockerfile.read_text(encoding="utf-8"))
    if not matches:
        raise TemplateError(f"{dockerfile}: no exec-form CMD [...]")
    cmd = json.loads(matches[-1])
    if not isinstance(cmd, list) or not cmd or not all(isinstance(x, str) for x in cmd):
        raise TemplateError(f"{dockerfile}: CMD must be a non-empty JSON list of strings")
    return cmd


@dataclass(frozen=True)
class FunctionSpec:
    """Everything a local runner needs to execute one function like Lambda would."""

    logical_id: str
    code_dir: Path
    """Directory holding the handler module (``functions/<name>``)."""
    handler: str
    """``module.attribute``, e.g. ``app.lambda_handler``."""
    environment: dict[str, str]
    timeout_s: int
    memory_mb: int
    dockerfile: Path | None = None

    @property
    def module(self) -> str:
        return self.handler.rsplit(".", 1)[0]

    @property
    def attribute(self) -> str:
        return self.handler.rsplit(".", 1)[1]

    def python_path(self) -> list[str]:
        """sys.path entries of the function: its code dir, then the shared package."""
        return [str(self.code_dir), str(LAYERS_DIR)]


def _env_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def get_function(
    logical_id: str,
    template: dict[str, Any] | None = None,
    *,
    root: Path = REPO_ROOT,
    parameter_overrides: dict[str, str] | None = None,
    env_overrides: dict[str, str] | None = None,
    local_overrides: bool = True,
) -> FunctionSpec:
    """Build the :class:`FunctionSpec` of one ``AWS::Serverless::Function``.

    The handler comes from ``ImageConfig.Command`` (Image) / ``Handler`` (Zip), else the
    Dockerfile's ``CMD``. The environment is Globals + the function's variables with intrinsics
    resolved, then :data:`LOCAL_ENV_OVERRIDES` (if ``local_overrides``), then ``env_overrides``.

    Raises:
        TemplateError: unknown function or no resolvable handler.
    """
    tpl = template if template is not None else load_template(root / "template.yaml")
    resources = tpl.get("Resources") or {}
    resource = resources.get(logical_id)
    if resource is None or resource.get("Type") != "AWS::Serverless::Function":
        known = sorted(k for k, v in resources.items() if v.get("Type") == "AWS::Serverless::Function")
        raise TemplateError(f"no function {logical_id!r} in the template; functions: {', '.join(known)}")
    ctx = _Context(tpl, parameter_values(tpl, parameter_overrides))
    globals_fn = ((tpl.get("Globals") or {}).get("Function")) or {}
    props = resource.get("Properties") or {}
    metadata = resource.get("Metadata") or {}

    dockerfile: Path | None = None
    if props.get("PackageType", globals_fn.get("PackageType")) == "Image":
        if "Dockerfile" not in metadata:
            raise TemplateError(f"{logical_id}: Image function without Metadata.Dockerfile")
        context_dir = root / str(metadata.get("DockerContext", "."))
        dockerfile = (context_dir / str(metadata["Dockerfile"])).resolve()
        code_dir = dockerfile.parent
        command = (props.get("ImageConfig") or {}).get("Command")
        handler = str(resolve(command, ctx)[0]) if command else dockerfile_cmd(dockerfile)[0]
    else:
        code_dir = (root / str(props.get("CodeUri", "."))).resolve()
        handler = str(props.get("Handler") or globals_fn.get("Handler") or "")
    if "." not in handler:
        raise TemplateError(f"{logical_id}: handler {handler!r} is not 'module.attribute'")

    env: dict[str, str] = {}
    for source in (globals_fn, props):
        variables = ((source.get("Environment") or {}).get("Variables")) or {}
        for name, raw in variables.items():
            value = resolve(raw, ctx)
            if value is not None:
                env[name] = _env_string(value)
    if local_overrides:
        env.update(LOCAL_ENV_OVERRIDES)
    env.update(env_overrides or {})

    def _num(key: str, default: int) -> int:
        return int(resolve(props.get(key, globals_fn.get(key, default)), ctx))

    return FunctionSpec(
        logical_id=logical_id,
        code_dir=code_dir,
        handler=handler,
        environment=env,
        timeout_s=_num("Timeout", 3),
        memory_mb=_num("MemorySize", 128),
        dockerfile=dockerfile,
    )


def function_specs(
    template: dict[str, Any] | None = None,
    *,
    root: Path = REPO_ROOT,
    parameter_overrides: dict[str, str] | None = None,
    env_overrides: dict[str, str] | None = None,
) -> dict[str, FunctionSpec]:
    """``{logical id: FunctionSpec}`` of every function in the template."""
    tpl = template if template is not None else load_template(root / "template.yaml")
    return {
        logical_id: get_function(
            logical_id, tpl, root=root, parameter_overrides=parameter_overrides, env_overrides=env_overrides
        )
        for logical_id, res in (tpl.get("Resources") or {}).items()
        if res.get("Type") == "AWS::Serverless::Function"
    }
