#!/usr/bin/env python3
"""Checks the deployment files in deploy/ against the binaries and dev.sh.

    check_deploy.py --repo . --intake build/services/intake/sgm-intake \
        --kpi build/services/kpi/sgm-kpi \
        --workforce build/services/workforce/sgm-workforce \
        --qa build/services/qa/sgm-qa \
        --gateway build/services/gateway/sgm-gateway [--cli build/tools/sgm]

What it checks (each failure names the file and the key at fault):

  * every YAML document under deploy/ parses;
  * every service binary (SERVICES: intake, kpi, workforce, qa, gateway)
    is in every artefact: a Dockerfile target, a compose service, a Kubernetes
    Deployment with its ConfigMap, Service (port grpc), PodDisruptionBudget,
    NetworkPolicy and kustomization image, and its settings table, its
    ports and its manifest file in docs/operations.md;
  * Kubernetes (deploy/k8s) and compose (deploy/compose.yaml): for each
    container of an sgm service, every SGM_* variable (env,
    ConfigMaps in envFrom, compose environment) and every --flag in
    args/command names a flag the binary accepts (from `--helpfull`); the
    container ports, probe ports and Service targetPorts match the ports of
    the listen/metrics settings in effect; probes are gRPC probes on the
    gRPC port; the grace period before SIGKILL exceeds --shutdown_grace;
    --listen and --metrics are not on loopback (127.0.0.1 would be
    unreachable from outside the container; the Dockerfile's ENV too);
    the security settings (non-root, read-only root filesystem, no
    capabilities); the store and the token table are on mounted volumes;
    a store on a PersistentVolumeClaim means replicas: 1, strategy
    Recreate and a ReadWriteOnce claim; files the image ships (IMAGE_FILES,
    e.g. the kpi's reference data) are set and found in the image or on a
    volume; every --*_address names a Service/compose service (except
    UNDEPLOYED_ADDRESSES), and addresses that name one use one of its
    ports (and, in compose, the caller depends on it); the NetworkPolicies
    admit every caller found that way on the callee's port (and admit no
    pod that calls nothing there; only PUBLIC_SERVICES take gRPC from
    anywhere), Prometheus on each metrics port, and any Egress policy lets
    the caller out; every other service is called by a PUBLIC_SERVICES
    one (the gateway's --<service>_address names it); and the binary
    accepts the settings with --check_config (the image's ENV under the
    manifest's settings; paths rewritten to a temporary directory; the
    token table from the Secret when mounted, files the image ships from
    the repository);
  * Dockerfile: the build stage installs only packages of dev.sh's
    APT_PACKAGES and all those the top-level CMakeLists.txt needs, switches
    tests and benchmarks off; each runtime stage's packages provide
    libraries `ldd` of its binaries needs (the ENTRYPOINT's and any other
    copied from the build), and every library `ldd` shows is provided by
    those packages, their dependencies (apt-cache depends) or the
    debian:bookworm-slim base; ENV names are flags, EXPOSEd ports match the
    listen settings, the user is 10001; every binary a runtime stage
    copies is built by the build stage (--target); IMAGE_FILES are COPYd
    from the repository and their flag's ENV points at them.

Exits 1 on any failure; ends with "deploy check: N checks passed".
"""

import argparse
import base64
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:  # pragma: no cover
    # CMake may have found another python3 first (e.g. pyenv's); Debian's
    # python3-yaml (dev.sh) is for /usr/bin/python3.
    DEBIAN_PYTHON = "/usr/bin/python3"
    if os.path.realpath(sys.executable) != os.path.realpath(DEBIAN_PYTHON) \
            and os.access(DEBIAN_PYTHON, os.X_OK) \
            and not os.environ.get("SGM_CHECK_DEPLOY_REEXEC"):
        os.environ["SGM_CHECK_DEPLOY_REEXEC"] = "1"
        os.execv(DEBIAN_PYTHON, [DEBIAN_PYTHON] + sys.argv)
    sys.stderr.write("check_deploy.py needs PyYAML (Debian: python3-yaml)\n")
    sys.exit(2)


# The CMake packages of the top-level CMakeLists.txt and the Debian
# packages that provide them. A find_package / pkg_check_modules not listed
# here fails the check: add it here, to dev.sh and to the Dockerfile.
CMAKE_PACKAGES = {
    "Protobuf": ["libprotobuf-dev", "protobuf-compiler"],
    "gRPC": ["libgrpc++-dev", "protobuf-compiler-grpc"],
    "absl": ["libabsl-dev"],
    "spdlog": ["libspdlog-dev"],
    "prometheus-cpp": ["prometheus-cpp-dev"],
    "SQLite3": ["libsqlite3-dev"],
    "OpenSSL": ["libssl-dev"],
    "Threads": ["build-essential"],
    "nlohmann_json": ["nlohmann-json3-dev"],
    "PkgConfig": ["pkg-config"],
    "hiredis": ["libhiredis-dev"],
    "cpp-httplib": ["libcpp-httplib-dev"],
    "GTest": ["libgtest-dev", "libgmock-dev"],
    "benchmark": ["libbenchmark-dev"],
}
# Always needed to configure and build with Ninja.
BUILD_TOOLS = ["build-essential", "cmake", "ninja-build"]
# The options that gate find_package calls we do not want in a release.
RELEASE_OFF_OPTIONS = ["SGM_BUILD_TESTS", "SGM_BUILD_BENCH"]

# Packages every debian:bookworm-slim image already holds (libc, the C++
# runtime apt itself links, zlib which dpkg needs).
SLIM_BASE_PACKAGES = {"libc6", "libgcc-s1", "libstdc++6", "zlib1g"}
# Runtime packages that provide data, not libraries, and why they are there.
DATA_PACKAGES = {
    "tzdata": "Europe/London dates (absl::LoadTimeZone)",
    "ca-certificates": "TLS peers",
}
REQUIRED_DATA_PACKAGES = ["tzdata"]

SERVICE_UID = 10001

# The ports third-party images listen on without being told.
WELL_KNOWN_PORTS = {"redis": [6379]}

# Docker targets / k8s image names / compose build targets -> binary key.
BINARY_NAMES = {"intake": "sgm-intake", "kpi": "sgm-kpi",
                "workforce": "sgm-workforce", "qa": "sgm-qa",
                "gateway": "sgm-gateway", "cli": "sgm"}
# The services (gRPC servers): each must be in every artefact.
SERVICES = ["intake", "kpi", "workforce", "qa", "gateway"]
# Services whose gRPC port any pod may reach (the entry point); the others
# admit only the pods found to call them, and each must be called by one of
# these (else the gateway cannot route to it).
PUBLIC_SERVICES = {"gateway"}
# Files the image of a service ships from the repository, by the flag that
# reads them: the Dockerfile stage COPYs the repository file and points
# the flag's ENV at it; every deployment sets the flag (empty would
# silently fall back to built-in defaults).
IMAGE_FILES = {"kpi": {"reference_data": "data/kpi-reference.json"}}
# --*_address settings that need not name a deployed service (flag name ->
# why: the service they call is not in deploy/ yet). None at present: every
# one must name a Service / compose service: a default such as
# 127.0.0.1:50053 would be called inside the caller's own pod, and an empty
# --kpi_address sends nothing.
UNDEPLOYED_ADDRESSES = {}


class Checker:
    def __init__(self):
        self.passed = 0
        self.failures = []

    def check(self, condition, where, key, message):
        if condition:
            self.passed += 1
        else:
            self.fail(where, key, message)
        return condition

    def fail(self, where, key, message):
        line = f"FAIL {where}: {key}: {message}"
        self.failures.append(line)
        print(line)


# --------------------------------------------------------------------------
# Small parsers.

DURATION_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6,
                  "ns": 1e-9}


def parse_duration(text):
    """absl / Go / compose durations ("20s", "1m30s", "500ms") -> seconds."""
    text = str(text).strip()
    if text in ("0", ""):
        return 0.0
    if text == "inf":
        return float("inf")
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|us|ns|h|m|s)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a duration: {text!r}")
    return sum(float(n) * DURATION_UNITS[u] for n, u in parts)


def port_of(address):
    """ "0.0.0.0:50052" -> 50052; "" -> None."""
    address = str(address or "")
    if not address:
        return None
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"not host:port: {address!r}")
    return int(port)


def host_of(address):
    return str(address).rpartition(":")[0].strip("[]")


def is_abseil_file(filename):
    # Mirrors common/config.cc: absl's own flags are never read from SGM_*.
    return filename.startswith("absl/") or "/absl/" in filename


def env_name(flag):
    return "SGM_" + flag.upper()


class Binary:
    """A binary's flags, from `--helpfull`."""

    def __init__(self, key, path):
        self.key = key
        self.path = path
        self.flags = {}  # name -> {"default": str, "abseil": bool}
        out = subprocess.run([path, "--helpfull"], capture_output=True,
                             text=True, timeout=60)
        text = out.stdout + out.stderr
        section = None
        entries = []
        for line in text.splitlines():
            m = re.match(r"^  Flags from (.*):$", line)
            if m:
                section = m.group(1)
                continue
            m = re.match(r"^    --([A-Za-z0-9_]+) \(", line)
            if m and section is not None:
                entries.append([m.group(1), section, line])
            elif line.startswith("      ") and entries and section:
                entries[-1][2] += " " + line.strip()
        for name, section, body in entries:
            m = re.search(r"default: (.*);$", body)
            default = m.group(1) if m else ""
            if default.startswith('"') and default.endswith('"'):
                default = default[1:-1]
            self.flags[name] = {"default": default,
                                "abseil": is_abseil_file(section)}
        self.env_flags = {env_name(n): n for n, f in self.flags.items()
                          if not f["abseil"]}

    def default(self, flag):
        return self.flags.get(flag, {}).get("default", "")

    def accepts_arg(self, name):
        if name in self.flags or name in ("help", "helpfull", "version",
                                          "helpshort", "only_check_args"):
            return True
        # absl booleans may be negated: --nocheck_config.
        return name.startswith("no") and name[2:] in self.flags


def parse_flag_args(tokens):
    """["--listen=x", "--metrics", "y", "pos"] -> [(name, value)]."""
    result = []
    i = 0
    tokens = [str(t) for t in tokens or []]
    while i < len(tokens):
        tok = tokens[i]
        if tok.startswith("--") and len(tok) > 2:
            name, eq, value = tok[2:].partition("=")
            if not eq:
                if i + 1 < len(tokens) and not tokens[i + 1].startswith("-"):
                    value = tokens[i + 1]
                    i += 1
                else:
                    value = "true"
            result.append((name, value))
        i += 1
    return result


def read_bash_array(path, name):
    text = open(path, encoding="utf-8").read()
    m = re.search(r"^%s=\((.*?)^\)" % re.escape(name), text, re.S | re.M)
    if not m:
        return None
    body = "\n".join(l.split("#", 1)[0] for l in m.group(1).splitlines())
    return shlex.split(body)


# --------------------------------------------------------------------------
# Settings in effect and --check_config.

def effective_settings(binary, env, args):
    """The flag values in effect: default, then SGM_* env, then args."""
    values = {n: f["default"] for n, f in binary.flags.items()}
    for var, value in env.items():
        if var in binary.env_flags:
            values[binary.env_flags[var]] = str(value)
    for name, value in parse_flag_args(args):
        if name in values:
            values[name] = value
    return values


def run_check_config(chk, where, binary, env, args, files):
    """Runs BINARY --check_config with ENV (SGM_* only) and ARGS.

    Absolute paths in the values are moved into a temporary directory; FILES
    maps an original path to the text to write there (e.g. a Secret's token
    table). A tokens file with no known text gets a generated valid table,
    other files an empty one; store paths are left to be created.
    """
    with tempfile.TemporaryDirectory(prefix="sgm-deploy-check-") as tmp:
        def rewrite(flag, value):
            value = str(value)
            if not value.startswith("/"):
                return value
            target = os.path.join(tmp, value.lstrip("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if flag == "store_path" or value.startswith("/tmp"):
                return target
            if value in files:
                content = files[value]
            elif flag == "tokens_file":
                content = ("%s admin 831 deploy-check\n" % ("ab" * 32))
            else:
                content = ""
            with open(target, "w", encoding="utf-8") as f:
                f.write(content)
            return target

        run_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                   "HOME": tmp, "TMPDIR": tmp}
        for var, value in env.items():
            if var.startswith("SGM_"):
                run_env[var] = rewrite(binary.env_flags.get(var, ""), value)
        run_args = []
        for name, value in parse_flag_args(args):
            run_args.append("--%s=%s" % (name, rewrite(name, value)))
        try:
            out = subprocess.run([binary.path] + run_args + ["--check_config"],
                                 env=run_env, capture_output=True, text=True,
                                 timeout=60, cwd=tmp)
        except subprocess.TimeoutExpired:
            chk.fail(where, "--check_config", "timed out")
            return
        chk.check(out.returncode == 0 and "config ok" in out.stdout, where,
                  "--check_config",
                  "%s refused the settings (exit %d): %s" % (
                      os.path.basename(binary.path), out.returncode,
                      (out.stderr or out.stdout).strip()[:500]))


def check_env_names(chk, where, binary, names):
    for var in names:
        if var.startswith("SGM_"):
            chk.check(var in binary.env_flags, where, var,
                      "no flag --%s in %s (its flags: %s)" % (
                          var[4:].lower(), binary.key,
                          ", ".join(sorted(binary.env_flags))))


def check_arg_flags(chk, where, binary, tokens):
    for name, _ in parse_flag_args(tokens):
        chk.check(binary.accepts_arg(name), where, "--" + name,
                  "%s has no such flag" % binary.key)


def check_addresses(chk, where, settings, hosts):
    """Each *_address setting names one of HOSTS (Services / compose
    services), except UNDEPLOYED_ADDRESSES."""
    for flag, value in sorted(settings.items()):
        if not flag.endswith("_address") or flag in UNDEPLOYED_ADDRESSES:
            continue
        host = host_of(value).split(".")[0] if value else ""
        chk.check(host in hosts, where, env_name(flag),
                  "%r names none of %s (a default would call the pod "
                  "itself; empty calls nothing)" % (value, ", ".join(
                      sorted(hosts))))


def check_grace(chk, where, key, grace_seconds, settings):
    try:
        shutdown = parse_duration(settings.get("shutdown_grace", "20s"))
    except ValueError as e:
        chk.fail(where, "shutdown_grace", str(e))
        return
    chk.check(grace_seconds > shutdown, where, key,
              "%ss must exceed --shutdown_grace (%ss): in-flight calls "
              "would be killed" % (grace_seconds, shutdown))


LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
# The settings a service listens on (the gateway's HTTP side is the third).
LISTEN_FLAGS = ("listen", "metrics", "http_listen")


def setting_ports(chk, where, settings):
    """The ports of --listen / --metrics / --http_listen in effect; each
    must listen on an address other containers reach (not loopback, which
    nothing outside the container could reach)."""
    ports = {}
    for flag in LISTEN_FLAGS:
        try:
            p = port_of(settings.get(flag, ""))
        except ValueError as e:
            chk.fail(where, flag, str(e))
            continue
        if p is not None:
            ports[flag] = p
            host = host_of(settings[flag])
            chk.check(host not in LOOPBACK_HOSTS and
                      not host.startswith("127."), where, env_name(flag),
                      "%s listens on loopback: unreachable from outside "
                      "the container (probes, callers, Prometheus)" %
                      settings[flag])
    return ports


# --------------------------------------------------------------------------
# YAML.

def check_yaml(chk, repo):
    docs = {}
    for root, _, names in os.walk(os.path.join(repo, "deploy")):
        for name in sorted(names):
            if not name.endswith((".yaml", ".yml")):
                continue
            path = os.path.join(root, name)
            rel = os.path.relpath(path, repo)
            try:
                with open(path, encoding="utf-8") as f:
                    docs[rel] = [d for d in yaml.safe_load_all(f)
                                 if d is not None]
                chk.check(True, rel, "yaml", "")
            except yaml.YAMLError as e:
                chk.fail(rel, "yaml", "does not parse: %s" % e)
    return docs


# --------------------------------------------------------------------------
# Kubernetes.

def binary_for_image(image, binaries):
    name = str(image).rsplit("/", 1)[-1].split("@")[0].split(":")[0]
    for key, b in binaries.items():
        if name == BINARY_NAMES[key]:
            return b
    return None


def labels_match(selector, labels):
    return all(labels.get(k) == v for k, v in (selector or {}).items())


def check_k8s(chk, repo, docs, binaries, images):
    k8s_dir = os.path.join("deploy", "k8s")
    objects = []  # (file, doc)
    for rel, file_docs in docs.items():
        if rel.startswith(k8s_dir + os.sep):
            objects += [(rel, d) for d in file_docs if isinstance(d, dict)]
    if not chk.check(objects, k8s_dir, "manifests", "none found"):
        return

    # kustomization lists every manifest, and only existing ones.
    kust = os.path.join(k8s_dir, "kustomization.yaml")
    kdocs = docs.get(kust)
    if chk.check(kdocs, kust, "kustomization", "missing"):
        resources = kdocs[0].get("resources", [])
        for r in resources:
            chk.check(os.path.exists(os.path.join(repo, k8s_dir, r)), kust,
                      "resources", "%s does not exist" % r)
        for rel in docs:
            if rel.startswith(k8s_dir + os.sep) and rel != kust:
                chk.check(os.path.basename(rel) in resources, kust,
                          "resources", "%s is not listed" % rel)

    by_kind = {}
    for rel, d in objects:
        by_kind.setdefault(d.get("kind"), []).append((rel, d))
    configmaps = {d["metadata"]["name"]: (rel, d)
                  for rel, d in by_kind.get("ConfigMap", [])}
    secrets = {d["metadata"]["name"]: (rel, d)
               for rel, d in by_kind.get("Secret", [])}
    services = [(rel, d) for rel, d in by_kind.get("Service", [])]

    for rel, d in objects:
        meta = d.get("metadata", {})
        if d.get("kind") in ("Kustomization",):
            continue
        labels = meta.get("labels", {}) or {}
        chk.check(labels.get("app.kubernetes.io/part-of") ==
                  "safeguarding-monitor", rel,
                  "%s/%s metadata.labels" % (d.get("kind"), meta.get("name")),
                  "app.kubernetes.io/part-of: safeguarding-monitor missing")

    pvcs = {d["metadata"]["name"]: (rel, d)
            for rel, d in by_kind.get("PersistentVolumeClaim", [])}
    workloads = []
    for rel, d in by_kind.get("Deployment", []) + by_kind.get(
            "StatefulSet", []):
        workloads.append(check_workload(
            chk, repo, rel, d, binaries, images, configmaps, secrets,
            services, pvcs))

    # Every service is deployed, with all its parts.
    kimages = [str(i.get("name")) for i in
               ((kdocs or [{}])[0].get("images") or [])]
    for key in SERVICES:
        bname = BINARY_NAMES[key]
        mine = [w for w in workloads if w["key"] == key]
        if not chk.check(len(mine) == 1, k8s_dir, bname,
                         "%d Deployments run image %s, want 1" % (
                             len(mine), bname)):
            continue
        w = mine[0]
        where = "%s (%s)" % (w["rel"], w["name"])
        chk.check(any(ef.startswith("configMapRef:") for ef in w["envFrom"]),
                  where, "envFrom", "no ConfigMap with %s's settings" % bname)
        chk.check(any(
            labels_match(svc.get("spec", {}).get("selector"), w["labels"]) and
            any(p.get("name") == "grpc" for p in
                svc.get("spec", {}).get("ports", []))
            for _, svc in services), k8s_dir, "Service " + bname,
            "no Service with a grpc port selects the %s pods" % bname)
        pdbs = [d for _, d in by_kind.get("PodDisruptionBudget", [])
                if labels_match((d.get("spec", {}).get("selector") or {})
                                .get("matchLabels"), w["labels"])]
        chk.check(pdbs, k8s_dir, "PodDisruptionBudget " + bname,
                  "none selects the %s pods" % bname)
        if w["replicas"] == 1:
            for pdb in pdbs:
                chk.check("minAvailable" not in pdb.get("spec", {}),
                          k8s_dir, "PodDisruptionBudget %s.minAvailable" %
                          pdb["metadata"]["name"],
                          "one replica: minAvailable would block every "
                          "node drain (use maxUnavailable: 1)")
        chk.check(bname in kimages, kust, "images",
                  "%s is not listed (its registry/tag cannot be set)" %
                  bname)
    check_network_policies(chk, by_kind.get("NetworkPolicy", []), workloads,
                           services)


def rule_admits(rule_from, labels):
    """An ingress rule's `from` (or an egress rule's `to`) admits pods of
    this namespace with LABELS."""
    if not rule_from:
        return True
    for peer in rule_from:
        if "podSelector" in peer and "namespaceSelector" not in peer \
                and "ipBlock" not in peer and labels_match(
                    (peer["podSelector"] or {}).get("matchLabels"), labels):
            return True
    return False


def rule_ports(rule, named):
    """The port numbers a rule covers (None: every port); NAMED maps the
    target pods' port names to numbers."""
    if not rule.get("ports"):
        return None
    out = set()
    for p in rule["ports"]:
        port = p.get("port")
        out.add(named.get(port) if isinstance(port, str) else port)
    return out


def check_network_policies(chk, policies, workloads, services):
    rel = os.path.join("deploy", "k8s", "networkpolicy.yaml")

    def selecting(w, kind):
        return [(prel, np) for prel, np in policies
                if labels_match((np.get("spec", {}).get("podSelector") or {})
                                .get("matchLabels"), w["labels"])
                and kind in (np.get("spec", {}).get("policyTypes") or
                             ["Ingress"])]

    def workload_of_service(host):
        for _, svc in services:
            if svc["metadata"]["name"] != host:
                continue
            for w in workloads:
                if labels_match(svc.get("spec", {}).get("selector"),
                                w["labels"]):
                    return w
        return None

    # Callers: every address setting naming a Service of another workload.
    calls = {}  # (callee name, port) -> [caller workloads]
    for w in workloads:
        for flag, value in w["settings"].items():
            if flag in LISTEN_FLAGS or not isinstance(value, str) \
                    or not re.match(r"^[a-z0-9.-]+:\d+$", value):
                continue
            callee = workload_of_service(host_of(value).split(".")[0])
            if callee is None or callee is w:
                continue
            # The Service port -> the container port it targets.
            port = port_of(value)
            for _, svc in services:
                if svc["metadata"]["name"] == host_of(value).split(".")[0]:
                    for p in svc.get("spec", {}).get("ports", []):
                        if p.get("port") == port:
                            t = p.get("targetPort", port)
                            port = callee["ports"].get(t, t) \
                                if isinstance(t, str) else t
            calls.setdefault((callee["name"], port), []).append(w)
            where = "%s (NetworkPolicy for %s)" % (rel, callee["name"])
            ingress = selecting(callee, "Ingress")
            if not chk.check(ingress, where, "podSelector",
                             "no Ingress policy selects the %s pods" %
                             callee["name"]):
                continue
            admitted = any(
                rule_admits(r.get("from"), w["labels"]) and
                (rule_ports(r, callee["ports"]) is None or
                 port in rule_ports(r, callee["ports"]))
                for _, np in ingress
                for r in np.get("spec", {}).get("ingress") or [])
            chk.check(admitted, where, "ingress",
                      "%s calls %s (%s=%s) but no rule admits its pods on "
                      "port %s" % (w["name"], callee["name"],
                                   env_name(flag), value, port))
            for erel, np in selecting(w, "Egress"):
                out = any(
                    rule_admits(r.get("to"), callee["labels"]) and
                    (rule_ports(r, callee["ports"]) is None or
                     port in rule_ports(r, callee["ports"]))
                    for r in np.get("spec", {}).get("egress") or [])
                chk.check(out, "%s (NetworkPolicy %s)" % (
                    erel, np["metadata"]["name"]), "egress",
                    "%s calls %s on %s but no egress rule lets it out" % (
                        w["name"], callee["name"], port))

    # Each sgm service behind the entry point is routed to: a public
    # service's --<service>_address names its Service (e.g. the gateway's
    # SGM_QA_ADDRESS: sgm-qa:50055).
    for w in workloads:
        if w["key"] is None or w["key"] in PUBLIC_SERVICES:
            continue
        callers = calls.get((w["name"], w["ports"].get("grpc")), [])
        chk.check(any(c["key"] in PUBLIC_SERVICES for c in callers),
                  os.path.join("deploy", "k8s"), w["name"],
                  "no %s calls it: set the %s's --%s_address (%s) to its "
                  "Service (its callers: %s)" % (
                      "/".join(sorted(PUBLIC_SERVICES)),
                      "/".join(sorted(PUBLIC_SERVICES)), w["key"],
                      env_name(w["key"] + "_address"),
                      ", ".join(sorted(c["name"] for c in callers))
                      or "none"))

    # Each sgm service: gRPC only from its callers (or from anywhere for
    # the public ones), metrics from another namespace (Prometheus).
    for w in workloads:
        if w["key"] is None:
            continue
        where = "%s (NetworkPolicy for %s)" % (rel, w["name"])
        ingress = selecting(w, "Ingress")
        if not chk.check(ingress, where, "podSelector",
                         "no Ingress policy selects the %s pods" % w["name"]):
            continue
        rules = [r for _, np in ingress
                 for r in np.get("spec", {}).get("ingress") or []]
        grpc = w["ports"].get("grpc")
        metrics = w["ports"].get("metrics")
        callers = calls.get((w["name"], grpc), [])
        for r in rules:
            ports = rule_ports(r, w["ports"])
            if ports is not None and grpc not in ports:
                continue
            if w["key"] in PUBLIC_SERVICES:
                continue
            chk.check(r.get("from"), where, "ingress",
                      "admits anyone on the gRPC port %s: %s trusts its "
                      "callers' identity headers" % (grpc, w["name"]))
            for peer in r.get("from") or []:
                chk.check(
                    "podSelector" in peer and "namespaceSelector" not in peer
                    and any(labels_match((peer["podSelector"] or {}).get(
                        "matchLabels"), c["labels"]) for c in callers),
                    where, "ingress.from",
                    "%s on the gRPC port: no deployed workload selected "
                    "there calls %s (its callers: %s)" % (
                        json.dumps(peer, sort_keys=True), w["name"],
                        ", ".join(sorted(c["name"] for c in callers))
                        or "none"))
        if metrics is not None:
            chk.check(any(
                any("namespaceSelector" in peer for peer in r.get("from")
                    or []) and metrics in (rule_ports(r, w["ports"]) or ())
                for r in rules), where, "ingress",
                "no rule admits Prometheus (a namespaceSelector) on the "
                "metrics port %s" % metrics)


def secret_files(secret):
    out = {}
    for k, v in (secret.get("stringData") or {}).items():
        out[k] = str(v)
    for k, v in (secret.get("data") or {}).items():
        out[k] = base64.b64decode(v).decode("utf-8", "replace")
    return out


def check_workload(chk, repo, rel, d, binaries, images, configmaps, secrets,
                   services, pvcs):
    """Checks a Deployment/StatefulSet; returns what the cross-checks need:
    its name, pod labels, container ports by name, settings, binary key."""
    name = d["metadata"]["name"]
    spec = d.get("spec", {})
    template = spec.get("template", {})
    pod = template.get("spec", {})
    pod_labels = template.get("metadata", {}).get("labels", {}) or {}
    pod_sc = pod.get("securityContext", {}) or {}
    where = "%s (%s %s)" % (rel, d.get("kind"), name)
    chk.check(labels_match(spec.get("selector", {}).get("matchLabels"),
                           pod_labels) and "app.kubernetes.io/name" in
              pod_labels, where, "spec.selector",
              "must select the pod template's app.kubernetes.io/name")

    volumes = {v["name"]: v for v in pod.get("volumes", []) or []}
    grace = pod.get("terminationGracePeriodSeconds", 30)
    info = {"rel": rel, "name": name, "labels": pod_labels, "ports": {},
            "settings": {}, "key": None, "envFrom": [],
            "replicas": spec.get("replicas", 1)}

    for c in pod.get("containers", []) or []:
        for p in c.get("ports", []) or []:
            if p.get("name"):
                info["ports"][p["name"]] = p["containerPort"]
        cwhere = "%s container %s" % (where, c.get("name"))
        sc = c.get("securityContext", {}) or {}
        non_root = sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot"))
        chk.check(non_root is True, cwhere, "securityContext.runAsNonRoot",
                  "must be true")
        chk.check(sc.get("readOnlyRootFilesystem") is True, cwhere,
                  "securityContext.readOnlyRootFilesystem", "must be true")
        chk.check(sc.get("allowPrivilegeEscalation") is False, cwhere,
                  "securityContext.allowPrivilegeEscalation",
                  "must be false")
        drop = (sc.get("capabilities", {}) or {}).get("drop", []) or []
        chk.check("ALL" in drop, cwhere, "securityContext.capabilities.drop",
                  "must contain ALL")

        binary = binary_for_image(c.get("image", ""), binaries)
        if binary is None:
            continue
        image = images.get(binary.key)
        info["key"] = binary.key
        info["envFrom"] = [
            "configMapRef:%s" % (ef.get("configMapRef") or {}).get("name")
            if "configMapRef" in ef else "other"
            for ef in c.get("envFrom", []) or []]
        uid = sc.get("runAsUser", pod_sc.get("runAsUser"))
        chk.check(uid == SERVICE_UID, cwhere, "securityContext.runAsUser",
                  "must be %d (the image's user), got %r" % (SERVICE_UID, uid))
        chk.check(pod.get("enableServiceLinks") is False, where,
                  "spec.template.spec.enableServiceLinks",
                  "must be false: service links put SGM_<SERVICE>_* "
                  "variables into the settings' SGM_ namespace")

        # Environment: the image's ENV, envFrom ConfigMaps, then env (env
        # wins).
        env = dict((image or {}).get("env", {}))
        for ef in c.get("envFrom", []) or []:
            ref = (ef.get("configMapRef") or {}).get("name")
            if ref is None:
                sref = (ef.get("secretRef") or {}).get("name")
                if sref in secrets:
                    for k in secret_files(secrets[sref][1]):
                        env[k] = "x"
                continue
            if not chk.check(ref in configmaps, cwhere, "envFrom",
                             "ConfigMap %s not found" % ref):
                continue
            cm_rel, cm = configmaps[ref]
            for k, v in (cm.get("data") or {}).items():
                chk.check(k.startswith("SGM_"), "%s (ConfigMap %s)" % (
                    cm_rel, ref), k, "not an SGM_* setting (a typo?)")
                env[k] = "" if v is None else str(v)
            check_env_names(chk, "%s (ConfigMap %s)" % (cm_rel, ref), binary,
                            (cm.get("data") or {}).keys())
        for e in c.get("env", []) or []:
            env[e["name"]] = str(e.get("value", "x" if "valueFrom" in e
                                       else ""))
        check_env_names(chk, cwhere + " env", binary,
                        [e["name"] for e in c.get("env", []) or []])
        args = list(c.get("command", []) or []) + list(c.get("args", []) or [])
        check_arg_flags(chk, cwhere + " args", binary, args)
        settings = effective_settings(binary, env, args)
        info["settings"] = settings
        check_addresses(chk, cwhere, settings,
                        {svc["metadata"]["name"] for _, svc in services})

        # Ports.
        ports = setting_ports(chk, cwhere, settings)
        cports = {p.get("name"): p["containerPort"]
                  for p in c.get("ports", []) or []}
        listen = ports.get("listen")
        chk.check(cports.get("grpc") == listen, cwhere,
                  "ports[grpc].containerPort",
                  "%r, but --listen is on port %r" % (cports.get("grpc"),
                                                      listen))
        chk.check(cports.get("metrics") == ports.get("metrics"), cwhere,
                  "ports[metrics].containerPort",
                  "%r, but --metrics is on port %r" % (
                      cports.get("metrics"), ports.get("metrics")))
        for pname, p in cports.items():
            chk.check(p in ports.values(), cwhere, "ports[%s]" % pname,
                      "%d is not a port any --listen, --metrics or --http_listen gives (%s)" % (
                          p, ports))

        # Probes: gRPC health on the gRPC port.
        for probe in ("readinessProbe", "livenessProbe"):
            chk.check(probe in c, cwhere, probe, "missing")
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            if probe not in c:
                continue
            grpc = c[probe].get("grpc")
            others = [h for h in ("exec", "httpGet", "tcpSocket")
                      if h in c[probe]]
            if chk.check(isinstance(grpc, dict) and not others, cwhere,
                         probe, "must be a gRPC probe only (grpc: {port: "
                         "%s}), got %s" % (listen, others or "no grpc")):
                chk.check(grpc.get("port") == listen, cwhere,
                          probe + ".grpc.port",
                          "%r, but --listen is on port %r" % (
                              grpc.get("port"), listen))

        # Grace period.
        check_grace(chk, where, "spec.template.spec."
                    "terminationGracePeriodSeconds", grace, settings)

        # Files: what is written must be on a writable volume; what is read
        # from a Secret/ConfigMap is written for --check_config.
        mounts = [(m["mountPath"].rstrip("/"), m) for m in
                  c.get("volumeMounts", []) or []]

        def mount_for(path):
            best = None
            for mpath, m in mounts:
                if path == mpath or path.startswith(mpath + "/"):
                    if best is None or len(mpath) > len(best[0]):
                        best = (mpath, m)
            return best

        chk.check(mount_for("/tmp") is not None, cwhere, "volumeMounts",
                  "/tmp must be a volume (emptyDir): the root is read-only")
        files = image_file_contents(repo, image, settings.values())
        check_image_files(chk, cwhere, binary.key, binary, settings, image,
                          lambda v: mount_for(v) is not None)
        for flag, value in settings.items():
            if not (isinstance(value, str) and value.startswith("/")):
                continue
            m = mount_for(value)
            if flag == "store_path":
                ok = m is not None and not m[1].get("readOnly", False)
                chk.check(ok, cwhere, env_name(flag),
                          "%s is not on a writable volume" % value)
                if m is not None:
                    vol = volumes.get(m[1]["name"], {})
                    if chk.check("persistentVolumeClaim" in vol, cwhere,
                                 "volumes[%s]" % m[1]["name"],
                                 "the store must be on a "
                                 "PersistentVolumeClaim"):
                        check_single_writer(
                            chk, where, d, vol["persistentVolumeClaim"].get(
                                "claimName"), pvcs)
                continue
            if m is None and value in files:
                continue  # shipped in the image (IMAGE_FILES)
            if not chk.check(m is not None, cwhere, env_name(flag),
                             "%s is on no mounted volume" % value):
                continue
            vol = volumes.get(m[1]["name"], {})
            rel_path = value[len(m[0]) + 1:]
            if "secret" in vol:
                sname = vol["secret"].get("secretName")
                if chk.check(sname in secrets, cwhere,
                             "volumes[%s]" % m[1]["name"],
                             "Secret %s not found" % sname):
                    content = secret_files(secrets[sname][1])
                    if chk.check(rel_path in content, cwhere, env_name(flag),
                                 "Secret %s has no key %s" % (sname,
                                                             rel_path)):
                        files[value] = content[rel_path]
            elif "configMap" in vol:
                cname = vol["configMap"].get("name")
                if cname in configmaps:
                    data = configmaps[cname][1].get("data") or {}
                    if rel_path in data:
                        files[value] = str(data[rel_path])

        # Addresses naming a Service use one of its ports.
        for flag, value in settings.items():
            if flag in LISTEN_FLAGS or not isinstance(value, str):
                continue
            if not re.match(r"^[a-z0-9.-]+:\d+$", value):
                continue
            host = host_of(value).split(".")[0]
            for srel, svc in services:
                if svc["metadata"]["name"] != host:
                    continue
                sports = [p.get("port") for p in
                          svc.get("spec", {}).get("ports", [])]
                chk.check(port_of(value) in sports, cwhere, env_name(flag),
                          "%s: Service %s (%s) has ports %s" % (
                              value, host, srel, sports))

        # Services selecting this pod: target ports exist and grpc is
        # --listen.
        for srel, svc in services:
            sspec = svc.get("spec", {})
            if not sspec.get("selector") or not labels_match(
                    sspec["selector"], pod_labels):
                continue
            swhere = "%s (Service %s)" % (srel, svc["metadata"]["name"])
            for p in sspec.get("ports", []):
                target = p.get("targetPort", p.get("port"))
                tport = cports.get(target) if isinstance(target, str) \
                    else target
                chk.check(tport in cports.values(), swhere,
                          "ports[%s].targetPort" % p.get("name"),
                          "%r is no container port of %s (%s)" % (
                              target, name, cports))
                if p.get("name") == "grpc":
                    chk.check(tport == listen, swhere, "ports[grpc]",
                              "targets %r, but --listen is on %r" % (tport,
                                                                    listen))

        run_check_config(chk, cwhere, binary, env, args, files)
    return info


def check_single_writer(chk, where, d, claim, pvcs):
    """A SQLite store on a claim: one pod, never two (even in a rollout),
    on a ReadWriteOnce claim that exists."""
    spec = d.get("spec", {})
    chk.check(d.get("kind") == "Deployment" and spec.get("replicas") == 1,
              where, "spec.replicas", "must be 1 (SQLite allows one writer "
              "and the claim is ReadWriteOnce), got %r" %
              spec.get("replicas"))
    chk.check((spec.get("strategy") or {}).get("type") == "Recreate", where,
              "spec.strategy.type", "must be Recreate: a rolling update "
              "would open the store from two pods")
    if chk.check(claim in pvcs, where, "persistentVolumeClaim",
                 "PersistentVolumeClaim %s not found" % claim):
        modes = pvcs[claim][1].get("spec", {}).get("accessModes") or []
        chk.check(modes == ["ReadWriteOnce"], "%s (PersistentVolumeClaim "
                  "%s)" % (pvcs[claim][0], claim), "spec.accessModes",
                  "must be [ReadWriteOnce], got %r" % modes)


# --------------------------------------------------------------------------
# Compose.

def interpolate(value):
    """${VAR:-default} / ${VAR-default} / ${VAR} with the defaults."""
    def sub(m):
        body = m.group(1)
        for sep in (":-", "-", ":?", "?"):
            if sep in body:
                var, _, default = body.partition(sep)
                return os.environ.get(var, default if "-" in sep else "")
        return os.environ.get(body, "")
    return re.sub(r"\$\{([^}]*)\}", sub, str(value))


def compose_env(svc):
    env = svc.get("environment") or {}
    if isinstance(env, list):
        env = dict(e.split("=", 1) if "=" in e else (e, "") for e in env)
    return {k: interpolate("" if v is None else v) for k, v in env.items()}


def compose_container_port(spec):
    if isinstance(spec, dict):
        return int(spec.get("target"))
    spec = str(spec).split("/")[0]
    return int(spec.rsplit(":", 1)[-1])


def check_compose(chk, repo, docs, binaries, images):
    rel = os.path.join("deploy", "compose.yaml")
    if not chk.check(docs.get(rel), rel, "file", "missing or empty"):
        return
    compose = docs[rel][0]
    services = compose.get("services", {}) or {}
    listen_of = {}
    binary_of = {}
    for sname, svc in services.items():
        target = (svc.get("build") or {}).get("target") if isinstance(
            svc.get("build"), dict) else None
        binary = binaries.get(target) if target else None
        if binary is None:
            binary = binary_for_image(svc.get("image", ""), binaries)
        if binary is not None:
            binary_of[sname] = binary
            env = dict(images.get(binary.key, {}).get("env", {}))
            env.update(compose_env(svc))
            listen_of[sname] = effective_settings(
                binary, env, svc.get("command") or [])
    for key in SERVICES:
        mine = [n for n, b in binary_of.items() if b.key == key]
        chk.check(len(mine) == 1, rel, "services",
                  "%d services run %s, want 1" % (len(mine),
                                                   BINARY_NAMES[key]))
    # Each service behind the entry point is routed to: a public service's
    # --<service>_address names it (e.g. the gateway's SGM_QA_ADDRESS).
    for sname, binary in binary_of.items():
        if binary.key in PUBLIC_SERVICES:
            continue
        callers = [c for c, b in binary_of.items()
                   if b.key in PUBLIC_SERVICES and any(
                       f.endswith("_address") and isinstance(v, str) and
                       host_of(v) == sname
                       for f, v in listen_of[c].items())]
        chk.check(callers, "%s services.%s" % (rel, sname), "callers",
                  "no %s calls it: set the %s's %s to %s:PORT" % (
                      "/".join(sorted(PUBLIC_SERVICES)),
                      "/".join(sorted(PUBLIC_SERVICES)),
                      env_name(binary.key + "_address"), sname))

    for sname, svc in services.items():
        where = "%s services.%s" % (rel, sname)
        chk.check(svc.get("read_only") is True, where, "read_only",
                  "must be true")
        chk.check("ALL" in (svc.get("cap_drop") or []), where, "cap_drop",
                  "must contain ALL")
        if sname not in listen_of:
            continue
        binary = binary_of[sname]
        img = images.get(binary.key)
        check_env_names(chk, where + ".environment", binary,
                        compose_env(svc).keys())
        env = dict((img or {}).get("env", {}))
        env.update(compose_env(svc))
        command = svc.get("command") or []
        if isinstance(command, str):
            command = shlex.split(command)
        check_arg_flags(chk, where + ".command", binary, command)
        settings = listen_of[sname]
        check_addresses(chk, where, settings, set(services))

        user = str(svc.get("user", ""))
        chk.check(user.split(":")[0] == str(SERVICE_UID), where, "user",
                  "must be %d, got %r" % (SERVICE_UID, user))
        tmpfs = svc.get("tmpfs") or []
        tmpfs = [tmpfs] if isinstance(tmpfs, str) else tmpfs
        chk.check(any(str(t).split(":")[0] == "/tmp" for t in tmpfs), where,
                  "tmpfs", "/tmp must be a tmpfs: the root is read-only")
        try:
            grace = parse_duration(svc.get("stop_grace_period", "10s"))
            check_grace(chk, where, "stop_grace_period", grace, settings)
        except ValueError as e:
            chk.fail(where, "stop_grace_period", str(e))

        ports = setting_ports(chk, where, settings)
        published = []
        for key in ("ports", "expose"):
            for p in svc.get(key) or []:
                try:
                    cp = compose_container_port(p)
                except (TypeError, ValueError):
                    chk.fail(where, key, "cannot read %r" % (p,))
                    continue
                published.append(cp)
                chk.check(cp in ports.values(), where, key,
                          "container port %d is not a port any --listen, "
                          "--metrics or --http_listen gives (%s)" % (cp, ports))
        chk.check(ports.get("listen") in published, where, "ports/expose",
                  "the gRPC port %r is neither exposed nor published" %
                  ports.get("listen"))

        # Addresses naming another compose service use its port.
        for flag, value in settings.items():
            if flag in LISTEN_FLAGS or not isinstance(value, str):
                continue
            if not re.match(r"^[A-Za-z0-9_.-]+:\d+$", value):
                continue
            host = host_of(value)
            if host not in services:
                continue
            if host in listen_of:
                want = port_of(listen_of[host].get("listen"))
            else:
                # Another image: its declared ports, or its well-known one.
                declared = [compose_container_port(p) for p in
                            (services[host].get("expose") or []) +
                            (services[host].get("ports") or [])]
                image = str(services[host].get("image", "")).rsplit(
                    "/", 1)[-1].split(":")[0]
                declared += WELL_KNOWN_PORTS.get(image, [])
                want = port_of(value) if port_of(value) in declared else \
                    declared
            chk.check(want == port_of(value), where,
                      "environment." + env_name(flag),
                      "%s, but %s listens on %r" % (value, host, want))
            dep = (svc.get("depends_on") or {})
            chk.check(host in dep, where, "depends_on",
                      "%s calls %s but does not depend on it" % (sname, host))
            if isinstance(dep, dict) and host in dep and \
                    dep[host].get("condition") == "service_healthy":
                chk.check("healthcheck" in services[host], where,
                          "depends_on.%s" % host,
                          "condition service_healthy, but %s has no "
                          "healthcheck" % host)

        # The store on a volume; the token table from a secret or a mount.
        mounts = {}
        for v in svc.get("volumes") or []:
            if isinstance(v, str):
                parts = v.split(":")
                mounts[parts[1].rstrip("/")] = parts[0]
            else:
                mounts[str(v.get("target")).rstrip("/")] = v.get("source")
        files = image_file_contents(repo, img, settings.values())
        for s in svc.get("secrets") or []:
            src = s if isinstance(s, str) else s.get("source")
            tgt = "/run/secrets/" + src if isinstance(s, str) else \
                s.get("target", "/run/secrets/" + src)
            if not tgt.startswith("/"):
                tgt = "/run/secrets/" + tgt
            mounts[tgt] = "secret:" + src
            sfile = ((compose.get("secrets") or {}).get(src) or {}).get(
                "file")
            chk.check(sfile is not None, where, "secrets.%s" % src,
                      "top-level secrets.%s.file missing" % src)
            if sfile:
                path = os.path.join(repo, "deploy", interpolate(sfile))
                if os.path.exists(path):
                    files[tgt] = open(path, encoding="utf-8").read()
        check_image_files(
            chk, where, binary.key, binary, settings, img,
            lambda v: any(v == m or v.startswith(m + "/") for m in mounts))
        for flag in ("store_path", "tokens_file"):
            value = settings.get(flag)
            if not value:
                continue
            on = [m for m in mounts if value == m or value.startswith(m + "/")]
            chk.check(on, where, "environment." + env_name(flag),
                      "%s is on no volume or secret" % value)
            if flag == "store_path" and on:
                source = mounts[on[0]]
                chk.check(source in (compose.get("volumes") or {}), where,
                          "volumes", "the store's volume %r is not a named "
                          "volume" % source)
        run_check_config(chk, where, binary, env, command, files)


# --------------------------------------------------------------------------
# Dockerfile.

def dockerfile_instructions(path):
    lines = open(path, encoding="utf-8").read().splitlines()
    out = []
    current = ""
    for line in lines:
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if current and stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        word, _, rest = current.partition(" ")
        out.append((word.upper(), rest.strip()))
        current = ""
    return out


def apt_installs(run):
    pkgs = []
    for m in re.finditer(r"apt-get\s+install\s+([^&;|]*)", run):
        pkgs += [t for t in m.group(1).split() if not t.startswith("-")]
    return pkgs


class Stage:
    def __init__(self, base, name):
        self.base = base
        self.name = name
        self.packages = []
        self.env = {}
        self.expose = []
        self.entrypoint = None
        self.user = None
        self.runs = []
        self.copies_from = []
        self.copied = []  # basenames of files COPY --from another stage
        self.context_files = {}  # image path -> repository path (COPY)


def parse_dockerfile(path):
    stages = []
    for word, rest in dockerfile_instructions(path):
        if word == "FROM":
            parts = rest.split()
            name = parts[2] if len(parts) >= 3 and parts[1].lower() == "as" \
                else None
            stages.append(Stage(parts[0], name))
        elif not stages:
            continue
        elif word == "RUN":
            stages[-1].runs.append(rest)
            stages[-1].packages += apt_installs(rest)
        elif word == "ENV":
            for kv in shlex.split(rest):
                k, _, v = kv.partition("=")
                stages[-1].env[k] = v
        elif word == "EXPOSE":
            stages[-1].expose += [int(p.split("/")[0]) for p in rest.split()]
        elif word == "ENTRYPOINT":
            stages[-1].entrypoint = json.loads(rest)
        elif word == "USER":
            stages[-1].user = rest
        elif word == "COPY":
            m = re.search(r"--from=(\S+)", rest)
            words = [w for w in rest.split() if not w.startswith("--")]
            if m:
                stages[-1].copies_from.append(m.group(1))
                stages[-1].copied += [os.path.basename(w.rstrip("/"))
                                      for w in words[:-1]]
            elif len(words) >= 2:
                dest = words[-1]
                for src in words[:-1]:
                    target = dest + os.path.basename(src.rstrip("/")) \
                        if dest.endswith("/") else dest
                    stages[-1].context_files[target] = src.rstrip("/")
    return stages


def images_of(repo):
    """Dockerfile target -> {"env": image ENV, "files": {image path: repo
    path}} of its stage chain (empty when the Dockerfile is missing)."""
    path = os.path.join(repo, "deploy", "docker", "Dockerfile")
    if not os.path.exists(path):
        return {}
    stages = parse_dockerfile(path)
    out = {}
    for stage in stages:
        if not stage.name:
            continue
        env, files = {}, {}
        for s in reversed(stage_chain(stages, stage)):
            env.update(s.env)
            files.update(s.context_files)
        out[stage.name] = {"env": env, "files": files}
    return out


def image_file_contents(repo, image, flag_values):
    """{image path: text} for the repository files the image ships that
    FLAG_VALUES (settings) name, for --check_config."""
    out = {}
    for value in flag_values:
        src = (image or {}).get("files", {}).get(value)
        if src and os.path.isfile(os.path.join(repo, src)):
            out[value] = open(os.path.join(repo, src),
                              encoding="utf-8").read()
    return out


def check_image_files(chk, where, key, binary, settings, image, mounted):
    """IMAGE_FILES of KEY: set, and in the image (the right file) or under
    a mounted path (MOUNTED(path) -> bool)."""
    for flag, src in IMAGE_FILES.get(key, {}).items():
        value = settings.get(flag, "")
        if not chk.check(value, where, env_name(flag),
                         "empty: %s would run on built-in defaults instead "
                         "of %s" % (binary.key, src)):
            continue
        shipped = (image or {}).get("files", {}).get(value)
        if shipped is not None:
            chk.check(shipped == src, where, env_name(flag),
                      "%s is %s in the image, not %s" % (value, shipped,
                                                         src))
        else:
            chk.check(mounted(value), where, env_name(flag),
                      "%s is neither shipped in the image (%s) nor on a "
                      "mounted volume" % (value, ", ".join(sorted(
                          (image or {}).get("files", {}))) or "nothing"))


def stage_chain(stages, stage):
    by_name = {s.name: s for s in stages if s.name}
    chain = [stage]
    while chain[-1].base in by_name:
        chain.append(by_name[chain[-1].base])
    return chain


def run_tool(cmd):
    """Runs a Debian tool; a missing one reads as a failed run."""
    try:
        return subprocess.run(cmd, capture_output=True, text=True,
                              timeout=120)
    except (FileNotFoundError, subprocess.TimeoutExpired) as e:
        return subprocess.CompletedProcess(cmd, 127, "", str(e))


def dpkg_owner(paths):
    """Library path -> Debian package, trying both sides of the /usr merge."""
    candidates = {}
    for p in paths:
        real = os.path.realpath(p)
        for c in {p, real}:
            alts = {c}
            if c.startswith("/usr/"):
                alts.add(c[4:])
            else:
                alts.add("/usr" + c)
            for a in alts:
                candidates[a] = p
    out = run_tool(["dpkg", "-S"] + sorted(candidates))
    owners = {}
    for line in out.stdout.splitlines():
        pkgs, _, path = line.partition(": ")
        if path in candidates:
            for pkg in pkgs.split(", "):
                owners.setdefault(candidates[path], set()).add(
                    pkg.split(":")[0])
    return owners


def ldd_libraries(binary):
    out = run_tool(["ldd", binary])
    if out.returncode != 0:
        return ["NOT FOUND: ldd %s failed: %s" % (binary, out.stderr.strip())]
    libs = []
    for line in out.stdout.splitlines():
        m = re.match(r"\s*(\S+) => (/\S+)", line)
        if m:
            libs.append(m.group(2))
        elif "not found" in line:
            libs.append("NOT FOUND: " + line.strip())
    return libs


def apt_closure(packages):
    out = run_tool(
        ["apt-cache", "depends", "--recurse", "--no-recommends",
         "--no-suggests", "--no-conflicts", "--no-breaks", "--no-replaces",
         "--no-enhances"] + sorted(packages))
    closure = set()
    for line in out.stdout.splitlines():
        if line and not line.startswith(" "):
            closure.add(line.strip().strip("<>").split(":")[0])
    return closure, out.returncode, out.stderr.strip()


def cmake_requirements(path):
    """(name, gate) of each find_package / pkg_check_modules."""
    reqs = []
    gate = None
    for line in open(path, encoding="utf-8"):
        line = line.split("#", 1)[0]
        m = re.match(r"\s*if\s*\(\s*(\w+)\s*\)", line)
        if m:
            gate = m.group(1)
        if re.match(r"\s*endif\s*\(", line):
            gate = None
        m = re.match(r"\s*find_package\s*\(\s*([\w-]+)", line)
        if m:
            reqs.append((m.group(1), gate))
        m = re.match(r"\s*pkg_check_modules\s*\(([^)]*)\)", line)
        if m:
            words = [w for w in m.group(1).split()[1:]
                     if w not in ("REQUIRED", "QUIET", "IMPORTED_TARGET",
                                  "GLOBAL", "NO_CMAKE_PATH",
                                  "NO_CMAKE_ENVIRONMENT_PATH")]
            reqs += [(re.split(r"[<>=]", w)[0], gate) for w in words]
    return reqs


def check_dockerfile(chk, repo, binaries):
    rel = os.path.join("deploy", "docker", "Dockerfile")
    path = os.path.join(repo, rel)
    if not chk.check(os.path.exists(path), rel, "file", "missing"):
        return
    stages = parse_dockerfile(path)
    dev_packages = read_bash_array(os.path.join(repo, "dev.sh"),
                                   "APT_PACKAGES")
    if not chk.check(dev_packages, "dev.sh", "APT_PACKAGES",
                     "cannot find the array"):
        return

    build_names = {f for s in stages for f in s.copies_from}
    builds = [s for s in stages if s.name in build_names]
    if not chk.check(builds, rel, "COPY --from", "no build stage"):
        return
    for build in builds:
        where = "%s stage %s" % (rel, build.name)
        chk.check(build.base == "debian:bookworm", where, "FROM",
                  "must be debian:bookworm, got %s" % build.base)
        for p in build.packages:
            chk.check(p in dev_packages, where, "apt-get install " + p,
                      "not in dev.sh's APT_PACKAGES")
        needed = list(BUILD_TOOLS)
        runs = " ".join(build.runs)
        for name, gate in cmake_requirements(
                os.path.join(repo, "CMakeLists.txt")):
            if gate in RELEASE_OFF_OPTIONS:
                continue
            if not chk.check(name in CMAKE_PACKAGES, "CMakeLists.txt", name,
                             "unknown to tests/deploy/check_deploy.py: add "
                             "its Debian packages to CMAKE_PACKAGES"):
                continue
            needed += CMAKE_PACKAGES[name]
        for p in dict.fromkeys(needed):
            chk.check(p in dev_packages, "dev.sh", "APT_PACKAGES",
                      "%s (needed by the build) is missing" % p)
            chk.check(p in build.packages, where, "apt-get install",
                      "%s (needed by CMakeLists.txt) is missing" % p)
        for opt in RELEASE_OFF_OPTIONS:
            chk.check(re.search(r"-D%s=OFF\b" % opt, runs), where,
                      "cmake -D" + opt, "must be OFF in the release build")

    targets = {s.name: s for s in stages if s.name}
    for target, bname in BINARY_NAMES.items():
        if not chk.check(target in targets, rel, "target " + target,
                         "missing (FROM ... AS %s)" % target):
            continue
        stage = targets[target]
        where = "%s stage %s" % (rel, target)
        binary = binaries.get(target)
        chain = stage_chain(stages, stage)
        root = chain[-1]
        chk.check(root.base == "debian:bookworm-slim", where, "FROM",
                  "the runtime must be debian:bookworm-slim, got %s" %
                  root.base)
        ep = stage.entrypoint or []
        chk.check(ep and os.path.basename(ep[0]) == bname, where,
                  "ENTRYPOINT", "must run %s, got %r" % (bname, ep))
        user = next((s.user for s in chain if s.user), None)
        chk.check(user is not None and user.split(":")[0] == str(SERVICE_UID),
                  where, "USER", "must be %d, got %r" % (SERVICE_UID, user))
        if binary is None:
            chk.fail(where, "binary", "no %s binary to check against" % bname)
            continue

        packages = []
        env = {}
        for s in reversed(chain):
            packages += s.packages
            env.update(s.env)
        for p in REQUIRED_DATA_PACKAGES:
            chk.check(p in packages, where, "apt-get install",
                      "%s is missing (%s)" % (p, DATA_PACKAGES[p]))
        check_env_names(chk, where + " ENV", binary, env.keys())
        files = {}
        for s in chain:
            files.update(s.context_files)
        for dest, src in files.items():
            chk.check(os.path.isfile(os.path.join(repo, src)), where,
                      "COPY " + src, "no such file in the repository")
        for flag, src in IMAGE_FILES.get(target, {}).items():
            value = env.get(env_name(flag), binary.default(flag))
            if chk.check(src in files.values(), where, "COPY " + src,
                         "missing: %s needs it (--%s)" % (bname, flag)):
                chk.check(files.get(value) == src, where,
                          "ENV " + env_name(flag),
                          "must point at %s (where %s is copied), got %r" % (
                              ", ".join(d for d, s_ in files.items()
                                        if s_ == src), src, value))
        build_runs = " ".join(r for b in builds for r in b.runs)
        for n in dict.fromkeys(n for s in chain for n in s.copied):
            chk.check(re.search(r"--target\b[^&;]*\s%s(\s|$)" %
                                re.escape(n), build_runs), where,
                      "COPY --from " + n, "the build stage does not build "
                      "it (cmake --build ... --target %s)" % n)
        if target != "cli":
            settings = effective_settings(binary, env, [])
            ports = setting_ports(chk, where, settings)
            chk.check(sorted(stage.expose) == sorted(ports.values()), where,
                      "EXPOSE", "%s, but the settings give %s" % (
                          stage.expose, ports))

        # Every sgm binary in the stage (the ENTRYPOINT's and any other one
        # copied from the build stage) with the libraries `ldd` shows.
        by_name = {BINARY_NAMES[k]: b for k, b in binaries.items()}
        stage_binaries = [binary] + [
            by_name[n] for s in chain for n in s.copied
            if n in by_name and by_name[n] is not binary]
        for n in (n for s in chain for n in s.copied):
            chk.check(n in by_name, where, "COPY " + n,
                      "not a binary this check knows (%s)" % ", ".join(
                          sorted(by_name)))
        libs = {}
        for b in stage_binaries:
            for lib in ldd_libraries(b.path):
                if chk.check(not lib.startswith("NOT FOUND"), where,
                             "ldd " + b.key, lib):
                    libs.setdefault(lib, []).append(
                        os.path.basename(b.path))
        names = "/".join(os.path.basename(b.path) for b in stage_binaries)
        owners = dpkg_owner(libs)
        lib_packages = set()
        for lib in libs:
            if chk.check(lib in owners, where, "ldd",
                         "dpkg -S finds no package for %s" % lib):
                lib_packages |= owners[lib]
        closure, rc, err = apt_closure(set(packages) | SLIM_BASE_PACKAGES)
        chk.check(rc == 0, where, "apt-cache depends", err)
        closure |= SLIM_BASE_PACKAGES
        for p in packages:
            chk.check(p in closure, where, "apt-get install " + p,
                      "apt-cache does not know it")
            if p in DATA_PACKAGES:
                continue
            chk.check(p in lib_packages, where, "apt-get install " + p,
                      "provides no library %s needs (ldd needs: %s)" % (
                          names, ", ".join(sorted(lib_packages))))
        for lib, users in libs.items():
            if lib in owners:
                chk.check(owners[lib] & closure, where, "apt-get install",
                          "nothing installs %s (%s) for %s" % (
                              os.path.basename(lib),
                              ", ".join(sorted(owners[lib])),
                              ", ".join(users)))


# --------------------------------------------------------------------------
# docs/operations.md.

def doc_section(text, heading):
    """The text under the Markdown heading whose title starts with HEADING
    (e.g. "sgm-kpi"), up to the next heading; None when there is none."""
    m = re.search(r"^(#+) %s(\s[^\n]*)?$" % re.escape(heading), text, re.M)
    if not m:
        return None
    rest = text[m.end():]
    end = re.search(r"^#+ ", rest, re.M)
    return rest[:end.start()] if end else rest


def check_operations_doc(chk, repo, binaries):
    rel = os.path.join("docs", "operations.md")
    with open(os.path.join(repo, rel), encoding="utf-8") as f:
        operations = f.read()
    # Every setting of every binary, with its variable, in the binary's own
    # section ("### sgm-kpi"; the CLI's is "### sgm (the CLI)").
    for key, b in binaries.items():
        bname = BINARY_NAMES[key]
        section = doc_section(operations, bname)
        if not chk.check(section is not None, rel, "### " + bname,
                         "no section for %s's settings" % bname):
            continue
        for name, flag in sorted(b.flags.items()):
            if flag["abseil"]:
                continue
            documented = ("`--%s`" % name) in section and (
                key == "cli" and name not in (
                    "gateway", "token", "deadline", "tls_ca",
                    "tls_server_name") or env_name(name) in section)
            chk.check(documented, "%s (### %s)" % (rel, bname), "--" + name,
                      "setting of %s not documented with %s" % (
                          bname, env_name(name)))
    # The ports of every service (the "Processes" table).
    for key in SERVICES:
        if key not in binaries:
            continue
        b = binaries[key]
        want = "| `%s` | gRPC `:%s`, metrics `:%s` |" % (
            BINARY_NAMES[key], port_of(b.default("listen")),
            port_of(b.default("metrics")))
        chk.check(want in operations, rel, "Processes",
                  "no row %r" % want)
    # Every Kubernetes manifest in the table of files.
    k8s = os.path.join(repo, "deploy", "k8s")
    for name in sorted(os.listdir(k8s)) if os.path.isdir(k8s) else []:
        if name.endswith((".yaml", ".yml")):
            chk.check(re.search(r"^\| `%s` \|" % re.escape(name), operations,
                                re.M), rel, "Kubernetes",
                      "deploy/k8s/%s is not in the table of files" % name)


# --------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", required=True)
    parser.add_argument("--intake", required=True)
    parser.add_argument("--kpi", required=True)
    parser.add_argument("--workforce", required=True)
    parser.add_argument("--qa", required=True)
    parser.add_argument("--gateway", required=True)
    parser.add_argument("--cli", help="the sgm binary (default: tools/sgm "
                        "in the build directory of --intake)")
    args = parser.parse_args()
    repo = os.path.abspath(args.repo)
    cli = args.cli or os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(args.intake)))), "tools", "sgm")

    chk = Checker()
    binaries = {}
    for key, path in (("intake", args.intake), ("kpi", args.kpi),
                      ("workforce", args.workforce), ("qa", args.qa),
                      ("gateway", args.gateway), ("cli", cli)):
        if not chk.check(os.access(path, os.X_OK), path, "binary",
                         "not an executable file"):
            continue
        b = Binary(key, os.path.abspath(path))
        if key != "cli":
            chk.check("listen" in b.flags and "check_config" in b.flags,
                      path, "--helpfull",
                      "no --listen / --check_config found in its output")
        binaries[key] = b

    check_operations_doc(chk, repo, binaries)

    docs = check_yaml(chk, repo)
    images = images_of(repo)
    if all(k in binaries for k in SERVICES):
        check_k8s(chk, repo, docs, binaries, images)
        check_compose(chk, repo, docs, binaries, images)
    check_dockerfile(chk, repo, binaries)

    if chk.failures:
        print("deploy check: %d of %d checks failed" % (
            len(chk.failures), len(chk.failures) + chk.passed))
        return 1
    print("deploy check: %d checks passed" % chk.passed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
