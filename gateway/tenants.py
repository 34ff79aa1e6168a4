"""Tenants (a province, regency or city) as described by ``mappings/<tenant>.yaml``.

Each file names its region and the environment variables that hold its
secrets; the values are read from the environment at start-up. A tenant whose
secret variable is unset fails start-up with a message naming the file and the
variable.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from gateway.domain.complaint import REGION_CODE
from gateway.settings import is_placeholder

ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


class MappingError(ValueError):
    """A mapping file is wrong; the message names the file and what is wrong."""


class SecretNames(BaseModel):
    model_config = ConfigDict(extra="forbid")

    national_token: str
    api_key: str

    @field_validator("national_token", "api_key")
    @classmethod
    def _is_env_name(cls, value: str) -> str:
        if not ENV_NAME.match(value):
            raise ValueError(
                "must be the NAME of an environment variable (upper case), not the secret itself"
            )
        return value


class ChannelSpec(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    type: str


class Limits(BaseModel):
    """How hard this tenant may push the national registry."""

    model_config = ConfigDict(extra="forbid")

    concurrency: int | None = Field(None, gt=0)
    rate: float | None = Field(None, ge=0, description="requests per second; 0 = no limit")


class TenantSpec(BaseModel):
    model_config = ConfigDict(extra="allow")

    tenant: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    region_code: str
    secrets: SecretNames
    channels: list[ChannelSpec] = []
    limits: Limits = Limits()
    default_topic_id: int | None = None
    default_agency_code: str | None = None

    @field_validator("region_code", mode="before")
    @classmethod
    def _region(cls, value: object) -> str:
        text = str(value)
        if not REGION_CODE.match(text):
            raise ValueError("must be a Kemendagri region code such as 18 or 18.71")
        return text


@dataclass(frozen=True)
class Tenant:
    spec: TenantSpec
    national_token: SecretStr
    api_key: SecretStr
    source: Path

    @property
    def id(self) -> str:
        return self.spec.tenant


def load_tenants(
    directory: str | Path, environ: Mapping[str, str] | None = None, *, production: bool = False
) -> dict[str, Tenant]:
    env = os.environ if environ is None else environ
    folder = Path(directory)
    if not folder.is_dir():
        raise MappingError(f"{folder}: mappings directory does not exist")
    tenants: dict[str, Tenant] = {}
    for path in sorted(folder.glob("*.yaml")):
        spec = _read_spec(path)
        if spec.tenant in tenants:
            raise MappingError(
                f"{path}: tenant {spec.tenant!r} is also defined in {tenants[spec.tenant].source}"
            )
        secrets = {}
        for field_name in ("national_token", "api_key"):
            var = getattr(spec.secrets, field_name)
            value = env.get(var)
            if not value:
                raise MappingError(
                    f"{path}: secrets.{field_name}: environment variable {var} is not set"
                )
            if production and is_placeholder(value):
                raise MappingError(
                    f"{path}: secrets.{field_name}: {var} holds a placeholder value; "
                    "set a real secret in production"
                )
            secrets[field_name] = SecretStr(value)
        tenants[spec.tenant] = Tenant(spec, secrets["national_token"], secrets["api_key"], path)
    if not tenants:
        raise MappingError(f"{folder}: no tenant mapping files (*.yaml)")
    return tenants


def _read_spec(path: Path) -> TenantSpec:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise MappingError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise MappingError(f"{path}: must be a mapping at the top level")
    try:
        return TenantSpec.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise MappingError(f"{path}: {problems}") from exc
