"""Runs cibuildwheel's audit step for tests, without building or repairing anything.

Usage: cibw_audit.py PROJECT_DIR IDENTIFIER WHEEL... -> prints JSON.

The options come from PROJECT_DIR/pyproject.toml through cibuildwheel's own reader
(`compute_options`), so overrides and `inherit` behave as in a real build. Each wheel then goes
through the audit commands the way cibuildwheel/audit.py runs them: `{abi3_wheel}` commands
only for abi3 wheels, placeholders filled by `prepare_command`, run through the shell, stopping
at the first failure. `audit-requires` is reported, not installed: the test puts blastool on
PATH itself.
"""

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

from cibuildwheel.options import CommandLineArguments, compute_options
from cibuildwheel.util.helpers import prepare_command
from cibuildwheel.util.packaging import is_abi3_wheel


def main():
    project, identifier, wheels = Path(sys.argv[1]), sys.argv[2], [Path(w) for w in sys.argv[3:]]
    arguments = dataclasses.replace(
        CommandLineArguments.defaults(),
        platform="linux",
        package_dir=project,
        config_file=str(project / "pyproject.toml"),
    )
    options = compute_options(platform="linux", command_line_arguments=arguments, env={})
    build = options.build_options(identifier)
    record = {"audit_requires": build.audit_requires, "audit_command": build.audit_command, "wheels": {}}
    for wheel in wheels:
        runs = []
        for template in build.audit_command:
            if "{abi3_wheel}" in template and not is_abi3_wheel(wheel.name):
                continue
            command = prepare_command(template, abi3_wheel=wheel, wheel=wheel, project=".", package=project)
            done = subprocess.run(command, shell=True, capture_output=True, text=True)
            runs.append({"command": command, "status": done.returncode, "output": done.stdout + done.stderr})
            if done.returncode != 0:
                break
        record["wheels"][wheel.name] = runs
    print(json.dumps(record))


main()
