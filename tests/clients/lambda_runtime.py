"""A stand-in for the AWS Lambda Python runtime, run as its own process by test_py_lambda.py: the
module is loaded once (a tracker at module level, as in a real function), then each line on stdin
is one invocation of the handler; its return value goes to stdout. Between invocations the test
freezes this process with SIGSTOP, as Lambda freezes an execution environment, so the sender
thread makes no progress there.

argv[1]: "helper" wraps the handler with tracker.lambda_handler; "plain" does not."""
import json
import sys

import tracklake

tracker = tracklake.Tracker.from_env()


def handler(event, context):
    return [tracker.track("click", invocation=str(event["n"]), seq=str(i)) for i in range(event["count"])]


if sys.argv[1] == "helper":
    handler = tracker.lambda_handler(handler)


class Context:
    def get_remaining_time_in_millis(self):
        return 30_000


for line in sys.stdin:
    print(json.dumps(handler(json.loads(line), Context())), flush=True)
