"""Drives a simulator with the official Huawei Cloud Python SDK (huaweicloudsdkcoc).

Usage: python official_sdk.py BASE_URL AK SK [via-gateway]
Run by tests/official_sdk.rs (straight at a signature-checking simulator) and
by the gateway's tests/official_sdk.rs (through a coc-gateway in local mode,
which drops the SDK's signature and signs with its own AK/SK, so the
wrong-secret check does not apply there); needs `pip install -r requirements.txt`.
Exits non-zero (with an assertion message) on any mismatch.
"""
import sys

from huaweicloudsdkcore.auth.credentials import GlobalCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcoc.v1 import (
    CocClient,
    ExecuteDocumentRequest,
    ExecuteDocumentRequestBody,
    ExecuteDocumentRequestBodyParameters,
    GetExecutionRequest,
    ListExecutionInstancesRequest,
    ListExecutionStepsRequest,
    ListExecutionsRequest,
    OperateExecutionRequest,
    OperateExecutionRequestBody,
)

base, ak, sk = sys.argv[1:4]
via_gateway = sys.argv[4:5] == ["via-gateway"]
RUNNING = "EX2025070110223402c4d6e8"
SUCCEED = "EX2025063014300103d5e7f9"
DOC_NORMAL = "DM2025061109300101c4e8a2"


def client(secret):
    # A domain id up front: without one the SDK would ask IAM for it.
    creds = GlobalCredentials(ak, secret, domain_id="0123456789abcdef0123456789abcdef")
    return CocClient.new_builder().with_credentials(creds).with_endpoints([base]).build()


c = client(sk)

got = c.get_execution(GetExecutionRequest(execution_id=RUNNING))
assert got.status_code == 200, got
# The SDK leaves GetExecution's `data` untyped: a dict.
assert got.data["execution_id"] == RUNNING and got.data["status"] == "Running", got.data

page = c.list_executions(ListExecutionsRequest(limit=5, offset=0, tags="env=prod,team=sre", exclude_child_executions=True))
assert page.total >= 5 and len(page.data) == 5, page

steps = c.list_execution_steps(ListExecutionStepsRequest(execution_id=RUNNING, limit=10))
assert steps.total == 3, steps
step_id = steps.data[0].execution_step_id

insts = c.list_execution_instances(ListExecutionInstancesRequest(execution_step_id=step_id, limit=10, offset=0))
assert insts.total == 3 and len(insts.data) == 3, insts

new = c.execute_document(ExecuteDocumentRequest(
    document_id=DOC_NORMAL,
    body=ExecuteDocumentRequestBody(
        description="from the official SDK",
        parameters=[ExecuteDocumentRequestBodyParameters(key="restart_mode", value="hard")],
    ),
))
new_id = new.data
assert isinstance(new_id, str) and new_id.startswith("EX"), new

op = c.operate_execution(OperateExecutionRequest(body=OperateExecutionRequestBody(execution_id=new_id, operate_type="TERMINATE")))
assert op.status_code == 200, op
assert c.get_execution(GetExecutionRequest(execution_id=new_id)).data["status"] == "Canceling"

try:
    c.operate_execution(OperateExecutionRequest(body=OperateExecutionRequestBody(execution_id=SUCCEED, operate_type="TERMINATE")))
    raise AssertionError("terminating a Succeed ticket should fail")
except ClientRequestException as e:
    assert e.status_code == 400 and e.error_code == "COC.00040201", (e.status_code, e.error_code, e.error_msg)

if via_gateway:
    print("official sdk ok through the gateway: get, list, steps, instances, execute, operate, 400")
    sys.exit(0)

try:
    client("wrong-secret").get_execution(GetExecutionRequest(execution_id=RUNNING))
    raise AssertionError("a wrong SK should be refused")
except ClientRequestException as e:
    assert e.status_code == 401 and e.error_code == "APIGW.0301", (e.status_code, e.error_code)

print("official sdk ok: get, list, steps, instances, execute, operate, 400 and 401")
