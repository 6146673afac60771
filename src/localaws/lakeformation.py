"""Lake Formation: registered locations keep what they were registered with.

moto's RegisterResource stores only the location and role ARN, and
DescribeResource / ListResources return only those. AWS also keeps and
returns ``HybridAccessEnabled``, ``WithFederation`` and ``LastModified``, and
with ``UseServiceLinkedRole`` the role is Lake Formation's service-linked
role. Without them the Terraform provider reads the flags back as false and
plans to replace every registered location on each plan.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

SERVICE_LINKED_ROLE = (
    "arn:aws:iam::{account}:role/aws-service-role/lakeformation.amazonaws.com/AWSServiceRoleForLakeFormationDataAccess"
)


def install() -> None:
    from moto.lakeformation.models import Resource
    from moto.lakeformation.responses import LakeFormationResponse

    original_register = LakeFormationResponse.register_resource

    def register_resource(self: Any) -> str:
        result = original_register(self)
        resource = self.lakeformation_backend.resources[self._get_param("ResourceArn")]
        role = self._get_param("RoleArn")
        if self._get_param("UseServiceLinkedRole"):
            role = SERVICE_LINKED_ROLE.format(account=self.current_account)
        resource.role_arn = role
        resource.hybrid_access_enabled = bool(self._get_param("HybridAccessEnabled"))
        resource.with_federation = bool(self._get_param("WithFederation"))
        resource.last_modified = dt.datetime.now(dt.UTC)
        return str(result)

    def to_dict(self: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"ResourceArn": self.arn}
        if self.role_arn:
            out["RoleArn"] = self.role_arn
        out["HybridAccessEnabled"] = getattr(self, "hybrid_access_enabled", False)
        out["WithFederation"] = getattr(self, "with_federation", False)
        if getattr(self, "last_modified", None) is not None:
            out["LastModified"] = self.last_modified.timestamp()
        return out

    setattr(LakeFormationResponse, "register_resource", register_resource)  # noqa: B010 - a patch
    setattr(Resource, "to_dict", to_dict)  # noqa: B010 - a patch
