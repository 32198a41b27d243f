"""Runs a composite action's `run:` steps the way a GitHub runner does, for tests.

Usage: run_action.py ACTION_DIR INPUTS_JSON WORKDIR -> prints a JSON record of the run.

Steps run in order with `bash --noprofile --norc -eo pipefail`, the step's `env:` rendered
from `${{ inputs.* }}`, `${{ github.action_path }}` and `${{ steps.*.outputs.* }}` (any other
expression is refused, so the test notices one it does not model), and the GITHUB_OUTPUT,
GITHUB_PATH and GITHUB_STEP_SUMMARY files. `uses:` steps are recorded with their rendered
`with:` instead of being run; `if:` conditions are recorded, not evaluated. A run step whose
script contains `${{` is refused: inputs must reach scripts through the environment.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def render(value, inputs, action_dir, outputs):
    def one(match):
        expr = match.group(1)
        if expr.startswith("inputs."):
            return inputs[expr[len("inputs."):]]
        if expr == "github.action_path":
            return action_dir
        step = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr)
        if step:
            return outputs.get(step.group(1), {}).get(step.group(2), "")
        raise SystemExit(f"expression not modelled by the test runner: {expr}")

    return EXPRESSION.sub(one, str(value))


def main():
    action_dir, given, workdir = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    with open(os.path.join(action_dir, "action.yml")) as handle:
        action = yaml.safe_load(handle)
    inputs = {}
    for name, spec in action["inputs"].items():
        if name in given:
            inputs[name] = given[name]
        elif spec.get("required"):
            raise SystemExit(f"required input {name} not given")
        else:
            inputs[name] = spec.get("default", "")
    temp = tempfile.mkdtemp(prefix="runner-", dir=workdir)
    summary = os.path.join(temp, "summary.md")
    path_file = os.path.join(temp, "path")
    open(summary, "w").close()
    open(path_file, "w").close()
    outputs, record = {}, {"steps": [], "uses": []}
    for index, step in enumerate(action["runs"]["steps"]):
        step_id = step.get("id", f"step{index}")
        if "uses" in step:
            record["uses"].append({
                "uses": step["uses"],
                "if": step.get("if"),
                "with": {k: render(v, inputs, action_dir, outputs) for k, v in step.get("with", {}).items()},
            })
            continue
        if "${{" in step["run"]:
            raise SystemExit(f"step {step.get('name')}: an expression inside run:")
        output_file = os.path.join(temp, f"output-{index}")
        open(output_file, "w").close()
        env = dict(os.environ)
        extra_path = [line for line in open(path_file).read().splitlines() if line]
        env["PATH"] = os.pathsep.join(list(reversed(extra_path)) + [env["PATH"]])
        env.update({
            "GITHUB_OUTPUT": output_file,
            "GITHUB_PATH": path_file,
            "GITHUB_STEP_SUMMARY": summary,
            "RUNNER_TEMP": temp,
        })
        for key, value in step.get("env", {}).items():
            env[key] = render(value, inputs, action_dir, outputs)
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=workdir, env=env, capture_output=True, text=True,
        )
        produced = {}
        for line in open(output_file).read().splitlines():
            key, _, value = line.partition("=")
            produced[key] = value
        outputs[step_id] = produced
        record["steps"].append({
            "name": step.get("name"), "status": done.returncode, "outputs": produced,
            "stdout": done.stdout, "stderr": done.stderr,
        })
        if done.returncode != 0:
            break
    record["summary"] = open(summary).read()
    print(json.dumps(record))


main()
