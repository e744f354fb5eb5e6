"""Shared machinery of bench/compare and bench/callgrind: installing the tools, building,
generating tokens, writing the contenders' configurations, starting and stopping processes,
and reading /proc.

Everything runs on loopback. Files go to target/bench/ (keys, configs, logs); nothing outside
the repository is written except the Debian packages and the pinned PyPI packages in a venv.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import http.client
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WORK = ROOT / "target" / "bench"
KEYS = WORK / "keys"
RUN = WORK / "run"
VENV = WORK / "venv"
RELEASE = ROOT / "target" / "release"

PORTS = {
    "backend": 18080,
    "nginx": 18081,
    "haproxy": 18083,
    "haproxy-jwt": 18085,
    "portcullis": 18087,
    "portcullis-nocache": 18088,
    "issuer": 18090,
}
ISSUER = f"http://127.0.0.1:{PORTS['issuer']}/oauth2/default"
APT_PACKAGES = {"wrk": "wrk", "haproxy": "haproxy", "nginx": "nginx", "openssl": "openssl"}
OHA_VERSION = "1.16.0"


def log(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def which(name):
    return shutil.which(name) or (shutil.which(name, path="/usr/sbin:/sbin") if name != "oha" else None)


# --- installing -------------------------------------------------------------------------------

def ensure_debian_tools(packages=None):
    """apt-get install the Debian packages of `packages` ({tool: package}; default wrk, haproxy,
    nginx, openssl) whose tool is missing."""
    missing = [pkg for tool, pkg in (packages or APT_PACKAGES).items() if not which(tool)]
    if not missing:
        return
    log(f"installing {' '.join(missing)} from Debian")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(["apt-get", "update", "-qq"], env=env, stdout=subprocess.DEVNULL)
    run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], env=env,
        stdout=subprocess.DEVNULL)


def ensure_oha():
    """The fixed-rate load generator (latency-corrected): `cargo install oha` at a pinned version."""
    found = shutil.which("oha") or str(Path.home() / ".cargo" / "bin" / "oha")
    if Path(found).exists():
        return found
    log(f"installing oha {OHA_VERSION} (cargo install --locked; once, a few minutes)")
    run(["cargo", "install", "oha", "--version", OHA_VERSION, "--locked", "--quiet"])
    return str(Path.home() / ".cargo" / "bin" / "oha")


def python_with_jwt():
    """A Python that has PyJWT and cryptography at the versions pinned in interop/requirements.txt."""
    pins = {}
    for line in (ROOT / "interop" / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            m = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?==(\S+)", line)
            pins[m.group(1)] = m.group(2)
    check = ("import importlib.metadata as m, sys; pins = %r\n"
             "sys.exit(0 if all(m.version(n) == v for n, v in pins.items()) else 1)") % pins
    for python in [sys.executable, str(VENV / "bin" / "python")]:
        if Path(python).exists() and subprocess.run([python, "-c", check], stderr=subprocess.DEVNULL).returncode == 0:
            return python
    log("installing the pinned PyJWT and cryptography into target/bench/venv")
    run([sys.executable, "-m", "venv", str(VENV)])
    run([str(VENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
         "-r", str(ROOT / "interop" / "requirements.txt")])
    return str(VENV / "bin" / "python")


def build_release():
    """The gateway and the backend in one build. The backend is a workspace package of its own
    (bench/backend), neither an example nor a feature of the gateway: building an example brings
    in the dev-dependencies' features (tokio's `test-util`, whose clock checks for a paused clock
    on every read), and a feature would make the gateway a second build unlike the one
    `cargo build --release` makes (bench/README, "Build")."""
    beyond = backend_features_beyond_gateway(tomllib.loads((ROOT / "Cargo.toml").read_text()),
                                             tomllib.loads((ROOT / "bench" / "backend" / "Cargo.toml").read_text()),
                                             feature_tables())
    if beyond:
        raise SystemExit(f"bench/backend asks for features the gateway does not have: {beyond}; built in one "
                         "command, the gateway would get them too (bench/README, \"Build\")")
    log("cargo build --release -p portcullis -p bench-backend")
    out = run(["cargo", "build", "--release", "--quiet", "--message-format=json",
               "-p", "portcullis", "-p", "bench-backend"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    leaked = dev_only_features([json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")])
    if leaked:
        raise SystemExit(f"the benchmark build is not the shipped one: dev-dependency features {leaked} "
                         "were compiled in (bench/README, \"Build\")")


def feature_tables():
    """Each package's `[features]` table, by name, as `cargo metadata` reads them (no build; the
    tables of a name's versions merged)."""
    out = run(["cargo", "metadata", "--format-version", "1", "--quiet"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    tables = {}
    for package in json.loads(out.stdout)["packages"]:
        for feature, enables in package.get("features", {}).items():
            tables.setdefault(package["name"], {}).setdefault(feature, set()).update(enables)
    return tables


def backend_features_beyond_gateway(gateway, backend, tables):
    """What the backend's manifest asks of a dependency it shares with the gateway's normal
    dependencies beyond what the gateway's asks, as `crate/feature`: each side's request with the
    features it enables in turn (`tables`, from `feature_tables`; `rt-multi-thread` enables
    tokio's `rt`), `default` standing for default features. Cargo unifies a dependency's features
    across the packages of one build, so anything here would make the gateway `bench/compare`
    builds unlike the shipped one."""
    def closure(name, spec):
        asked = set(spec.get("features", [])) if isinstance(spec, dict) else set()
        if not isinstance(spec, dict) or spec.get("default-features", True):
            asked.add("default")
        todo, table = list(asked), tables.get(name, {})
        while todo:
            for enabled in table.get(todo.pop(), ()):
                if "/" not in enabled and not enabled.startswith("dep:") and enabled not in asked:
                    asked.add(enabled)
                    todo.append(enabled)
        return asked

    shipped = gateway.get("dependencies", {})
    return sorted(f"{name}/{feature}" for name, spec in backend.get("dependencies", {}).items()
                  if name in shipped for feature in closure(name, spec) - closure(name, shipped[name]))


def dev_only_features(messages):
    """Features that only Cargo.toml's [dev-dependencies] ask for, found in the compiled units of
    a build (cargo's JSON messages, `compiler-artifact`, fresh units included): empty unless
    something in the build brought in the dev-dependencies."""
    manifest = tomllib.loads((ROOT / "Cargo.toml").read_text())
    normal = manifest.get("dependencies", {})

    def features(spec):
        return set(spec.get("features", [])) if isinstance(spec, dict) else set()

    dev_only = {name: features(spec) - features(normal.get(name))
                for name, spec in manifest.get("dev-dependencies", {}).items()}
    found = set()
    for m in messages:
        if m.get("reason") == "compiler-artifact":
            name = m.get("target", {}).get("name", "").replace("_", "-")
            found |= {f"{name}/{f}" for f in set(m.get("features", [])) & dev_only.get(name, set())}
    return sorted(found)


def generate_tokens():
    """Keys and tokens for the local issuer, made once per checkout (valid 30 days)."""
    marker = KEYS / "rs256_wrong_iss_large.jwt"  # the last one written
    if marker.exists() and time.time() - marker.stat().st_mtime < 20 * 24 * 3600:
        return
    log("generating the RSA key and the tokens (bench/gen_tokens.py)")
    run([python_with_jwt(), str(BENCH / "gen_tokens.py"), str(KEYS), ISSUER], stdout=subprocess.DEVNULL)


def token(name):
    return (KEYS / f"{name}.jwt").read_text().strip()


# --- configurations ---------------------------------------------------------------------------

def write_configs():
    RUN.mkdir(parents=True, exist_ok=True)
    for sub in ["nginx", "nginx/body", "nginx/proxy", "nginx/fcgi", "nginx/uwsgi", "nginx/scgi"]:
        (RUN / sub).mkdir(parents=True, exist_ok=True)
    subst = {"RUN_DIR": str(RUN), "KEYS_DIR": str(KEYS), "CONF_DIR": str(RUN), "ISSUER": ISSUER,
             "BACKEND": f"http://127.0.0.1:{PORTS['backend']}"}
    for name in ["haproxy-plain.cfg", "haproxy-jwt.cfg", "nginx-proxy.conf", "portcullis.yaml"]:
        text = (BENCH / "configs" / name).read_text()
        for key, value in subst.items():
            text = text.replace(key, value)
        (RUN / name).write_text(text)


# --- processes --------------------------------------------------------------------------------

class Proc:
    """A started process, pinned to a core, stopped by its own pid (and its process group)."""

    def __init__(self, name, cmd, core, env=None, port=None):
        self.name, self.cmd, self.core, self.port = name, cmd, core, port
        logf = open(RUN / f"{name}.log", "wb")
        self.popen = subprocess.Popen(["taskset", "-c", str(core), *cmd], stdout=logf, stderr=subprocess.STDOUT,
                                      env=dict(os.environ, **(env or {})), start_new_session=True)
        self.started = time.monotonic()

    @property
    def pid(self):
        return self.popen.pid

    def wait_port(self, timeout=15.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited: see {RUN / (self.name + '.log')}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return time.monotonic() - self.started
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"{self.name} did not listen on {self.port} within {timeout} s")

    def stop(self):
        if self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()


def descendants(pid):
    """pid and every process below it (nginx's workers are children of its master)."""
    children = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(d.name))
            except (OSError, IndexError):
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_split(pid):
    """(user, kernel) CPU of pid and its descendants (and reaped children), in seconds: utime +
    cutime and stime + cstime from /proc/<pid>/stat."""
    user = kernel = 0
    for p in descendants(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        user += int(fields[11]) + int(fields[13])
        kernel += int(fields[12]) + int(fields[14])
    return user / CLK_TCK, kernel / CLK_TCK


def cpu_seconds(pid):
    """utime+stime of pid and its descendants (and reaped children), in seconds."""
    return sum(cpu_split(pid))


def preemptions(pid):
    """Involuntary context switches of pid's threads and its descendants' so far: how often the
    scheduler took the core away while they could still run (on the shared core, mostly to run
    the backend their own write just woke)."""
    total = 0
    for p in descendants(pid):
        try:
            tasks = list((Path(f"/proc/{p}") / "task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                status = (task / "status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("nonvoluntary_ctxt_switches:"):
                    total += int(line.split()[1])
    return total


def memory_kib(pid):
    """(VmRSS, VmHWM) summed over pid and its descendants, KiB."""
    rss = hwm = 0
    for p in descendants(pid):
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss += int(line.split()[1])
            elif line.startswith("VmHWM:"):
                hwm += int(line.split()[1])
    return rss, hwm


def request(port, path, token=None, close=False, timeout=5):
    """One GET; returns the status."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if close:
        headers["Connection"] = "close"
    conn.request("GET", path, headers=headers)
    status = conn.getresponse().status
    conn.close()
    return status


def portcullis_cmd(port, workers=1, access_log=False):
    cmd = [str(RELEASE / "portcullis"), "serve", "--config", str(RUN / "portcullis.yaml"),
           "--listen", f"127.0.0.1:{port}", "--workers", str(workers)]
    return cmd if access_log else [*cmd, "--no-access-log"]


def backend_cmd(port=None, issuer=False):
    cmd = [str(RELEASE / "bench_backend"), "--listen", f"127.0.0.1:{port or PORTS['backend']}"]
    if issuer:
        cmd += ["--issuer", ISSUER, "--jwks", str(KEYS / "jwks.json")]
    return cmd


def wait_until_authorizing(port, timeout=10.0, interval=0.05, request_timeout=5):
    """Until the gateway has its keys (the first request on a cold cache may wait for them).
    `interval` between attempts: bench/compare measures start-to-ready with 5 ms;
    `request_timeout` for each attempt (under valgrind a first answer may take tens of seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if request(port, "/planets", token("rs256_valid"), timeout=request_timeout) == 200:
            return
        time.sleep(interval)
    raise RuntimeError(f"the gateway on {port} never accepted the valid token")


def idle_connections(pid, port, path, token, count=2000):
    """RSS growth of pid (and children) per idle keep-alive connection: `count` connections each
    make one request (one after the other, so nothing is in flight at once) and stay open.
    Returns (KiB per connection, errors)."""
    before = memory_kib(pid)[0]
    head = f"GET {path} HTTP/1.1\r\nHost: bench\r\n"
    if token:
        head += f"Authorization: Bearer {token}\r\n"
    request_bytes = (head + "\r\n").encode()
    socks, errors = [], 0
    try:
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            socks.append(s)
            try:
                s.sendall(request_bytes)
                if not read_response(s):
                    errors += 1
            except OSError:
                errors += 1
        time.sleep(0.5)
        after = memory_kib(pid)[0]
    finally:
        for s in socks:
            s.close()
    return (after - before) / count, errors


def read_response(sock):
    """Reads one HTTP/1.1 response with a content-length; True when it is a 200."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return False
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = re.search(rb"(?i)content-length:\s*(\d+)", head)
    want = int(length.group(1)) if length else 0
    while len(body) < want:
        chunk = sock.recv(65536)
        if not chunk:
            return False
        body += chunk
    return head.split(b" ", 2)[1] == b"200"
