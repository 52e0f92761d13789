#!/usr/bin/env python3
"""The main job end to end: runs tools/demo.sh (SGM_DEMO_SERVE=0) on the
built binaries with free loopback ports and a fresh data directory, and
checks that it ends with the report printed: every synthetic file imported
with no rejection, every section of the report present and none
unavailable (the practice-insight section included, which needs intake to
read open work from the KPI service), the HTML report written and each
phase timed. Real redis-server, real SQLite files, real services."""

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile


def free_ports(n):
    sockets, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
        ports.append(s.getsockname()[1])
    for s in sockets:
        s.close()
    return ports


PORT_VARS = [
    "GATEWAY", "HTTP", "INTAKE", "KPI", "WORKFORCE", "QA", "REDIS",
    "GATEWAY_METRICS", "INTAKE_METRICS", "KPI_METRICS", "WORKFORCE_METRICS",
    "QA_METRICS",
]

SECTIONS = [
    "# Monitoring safeguarding practice: ",
    "## Practice insight",
    "### Referral quality by agency",
    "### Duplicate input",
    "### Abuse-category funnel",
    "### Visit quality",
    "### Service-level flows",
    "## What changed",
]

PHASES = [
    "start", "generate", "import contacts and decisions",
    "import case events", "import workforce", "import quality assurance",
    "first report",
]


def check(output, var_dir):
    """The problems found in the demo's output; empty when it is right."""
    problems = []
    imports = re.findall(r"^accepted ([\d,]+), duplicates ([\d,]+), "
                         r"rejected ([\d,]+)$", output, re.M)
    # 6 agencies' contacts, decisions, case events, 3 workforce, 3 QA feeds.
    if len(imports) != 14:
        problems.append(f"{len(imports)} import summaries, expected 14")
    for accepted, _, rejected in imports:
        if rejected != "0":
            problems.append(f"an import rejected {rejected} records")
        if accepted == "0":
            problems.append("an import accepted nothing")
    for section in SECTIONS:
        if section not in output:
            problems.append(f"no '{section.strip()}' in the report")
    if "**Unavailable:**" in output:
        line = next(l for l in output.splitlines() if "**Unavailable:**" in l)
        problems.append(f"a section is unavailable: {line}")
    duplicate = re.search(
        r"over the 12 months ([\d,]+) of ([\d,]+) contacts with a child "
        r"identified \(([\d.]+)%\)", output)
    if not duplicate:
        problems.append("no 12-month duplicate-input sentence")
    elif not 5.0 <= float(duplicate.group(3)) <= 20.0:
        problems.append(f"duplicate input {duplicate.group(3)}%, expected "
                        "5-20% (the synthetic contacts carry about 11%)")
    for phase in PHASES:
        if not re.search(rf"^  \({re.escape(phase)}: \d+\.\d s\)$", output,
                         re.M):
            problems.append(f"phase '{phase}' not timed")
    month = re.search(r"^wrote .*/report-(\d{4}-\d{2})\.html$", output, re.M)
    if not month:
        problems.append("no HTML report written")
    else:
        path = os.path.join(var_dir, f"report-{month.group(1)}.html")
        if not os.path.exists(path) or os.path.getsize(path) < 10000:
            problems.append(f"{path} missing or too small")
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo", required=True)
    parser.add_argument("--build", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sgm-demo-") as var_dir:
        env = dict(os.environ)
        env["SGM_VAR_DIR"] = var_dir
        env["SGM_DEMO_SERVE"] = "0"
        for name, port in zip(PORT_VARS, free_ports(len(PORT_VARS))):
            env[f"SGM_DEMO_{name}_PORT"] = str(port)
        result = subprocess.run(
            ["bash", os.path.join(args.repo, "tools", "demo.sh"),
             os.path.abspath(args.build)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, timeout=540)
        output = result.stdout
        problems = check(output, var_dir)
        if result.returncode != 0:
            problems.insert(0, f"tools/demo.sh exited {result.returncode}")
        if problems:
            print(output[-6000:])
            for log in sorted(os.listdir(os.path.join(var_dir, "logs"))):
                with open(os.path.join(var_dir, "logs", log)) as f:
                    print(f"--- {log} (last lines)")
                    print("".join(f.readlines()[-10:]))
            for problem in problems:
                print(f"FAIL: {problem}")
            return 1
    print("demo ok: " + ", ".join(
        re.findall(r"^  \((.*)\)$", output, re.M)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
