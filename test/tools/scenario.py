#!/usr/bin/python3
"""agingos scenario runner (contract.md section 8).

For every scenario file (YAML or JSON) it resets the database
(agingos_reset), loads the scenario's rules config, POSTs every event to
/event, calls GET /deviations/evaluate and matches the answer against
`expect`.  Prints `PASS <id>` or `FAIL <id>: <why>` per file (with --tap:
`ok scenario <id>` / `not ok scenario <id> - <why>`), then a summary line;
exits 1 when any scenario failed, 2 when the runner could not run at all.
When it finishes (also after a failure or an interrupt) it reloads the config
that was active before it started.

Runs with Debian's /usr/bin/python3, PyYAML (python3-yaml) and the standard
library only.  Connection settings:
  HTTP     --url (default http://127.0.0.1:$AGINGOS_HTTP_PORT, port 8000);
           AGINGOS_API_KEY, if set, is sent as X-API-Key.
  psql     --psql (default $PGBIN/psql), connection from the usual PG* variables
           (PGHOST, PGPORT, PGUSER, PGDATABASE).
"""

import argparse
import datetime
import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import yaml

AG_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # test/tools/..
SCENARIO_SUFFIXES = (".yaml", ".yml", ".json")
HTTP_TIMEOUT = 60


# --------------------------------------------------------------------------
# YAML 1.2 core schema on top of PyYAML (which implements YAML 1.1).
# Plain on/off/yes/no/y/n stay strings, no sexagesimal numbers, no implicit
# timestamps, no merge keys, and 010 is the decimal 10.

class Yaml12Loader(yaml.SafeLoader):
    """SafeLoader with the YAML 1.2 core schema's implicit resolvers."""


Yaml12Loader.yaml_implicit_resolvers = {}

_BOOL_RE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_NULL_RE = re.compile(r"^(?:~|null|Null|NULL|)$")
_INT_RE = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT_RE = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                       r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")

Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL_RE, list("tTfF"))
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:null", _NULL_RE, ["~", "n", "N", ""])
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:int", _INT_RE, list("-+0123456789"))
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT_RE, list("-+0123456789."))


def _construct_bool(loader, node):
    value = loader.construct_scalar(node)
    if value in ("true", "True", "TRUE"):
        return True
    if value in ("false", "False", "FALSE"):
        return False
    raise yaml.constructor.ConstructorError(None, None, "not a YAML 1.2 boolean: %r" % value,
                                            node.start_mark)


def _construct_int(loader, node):
    value = loader.construct_scalar(node)
    try:
        if value.startswith("0o"):
            return int(value[2:], 8)
        if value.startswith("0x"):
            return int(value[2:], 16)
        return int(value, 10)
    except ValueError:
        raise yaml.constructor.ConstructorError(None, None, "not a YAML 1.2 integer: %r" % value,
                                                node.start_mark) from None


def _construct_float(loader, node):
    value = loader.construct_scalar(node)
    low = value.lower()
    if low in (".inf", "+.inf"):
        return float("inf")
    if low == "-.inf":
        return float("-inf")
    if low == ".nan":
        return float("nan")
    try:
        return float(value)
    except ValueError:
        raise yaml.constructor.ConstructorError(None, None, "not a YAML 1.2 float: %r" % value,
                                                node.start_mark) from None


def _construct_null(loader, node):
    loader.construct_scalar(node)
    return None


Yaml12Loader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
Yaml12Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
Yaml12Loader.add_constructor("tag:yaml.org,2002:null", _construct_null)


def load_scenario_file(path):
    with open(path, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8")
    if path.endswith(".json"):
        return json.loads(text)
    return yaml.load(text, Loader=Yaml12Loader)


# --------------------------------------------------------------------------
# Errors and helpers

class ScenarioFail(Exception):
    """The scenario FAILs with this message."""


class RunnerError(Exception):
    """The runner cannot go on at all (database or front unreachable)."""


def one_line(s, limit=400):
    s = " ".join(str(s).split())
    return s if len(s) <= limit else s[:limit - 3] + "..."


def parse_instant(value, what):
    """An ISO 8601 instant with offset (Z or ±HH:MM) as an aware datetime."""
    if not isinstance(value, str):
        raise ScenarioFail("%s: expected an ISO 8601 string, got %s" % (what, json.dumps(value, default=str)))
    s = value.strip()
    if s[-1:] in ("Z", "z"):
        s = s[:-1] + "+00:00"
    try:
        dt = datetime.datetime.fromisoformat(s)
    except ValueError:
        raise ScenarioFail("%s: %r is not an ISO 8601 instant" % (what, value)) from None
    if dt.tzinfo is None:
        raise ScenarioFail("%s: %r has no offset (write Z or ±HH:MM)" % (what, value))
    return dt


_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def canonical_event_id(value):
    """Event ids as ingest stores them: UUIDs in lower case (contract section 5)."""
    if isinstance(value, str) and _UUID_RE.match(value):
        return value.lower()
    return value


# --------------------------------------------------------------------------
# Database (psql) and HTTP

class Db:
    def __init__(self, psql):
        self.psql = psql

    def run(self, sql, **variables):
        """Run SQL (psql variables as :'name'); returns stdout; raises on error."""
        cmd = [self.psql, "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1"]
        for name, value in variables.items():
            cmd += ["-v", "%s=%s" % (name, value)]
        try:
            p = subprocess.run(cmd, input=sql, capture_output=True, text=True, timeout=120)
        except OSError as e:
            raise RunnerError("cannot run %s: %s" % (self.psql, e)) from None
        if p.returncode != 0:
            err = p.stderr.strip() or "psql exited with status %d" % p.returncode
            # keep the ERROR line (and DETAIL/HINT), drop psql's noise
            lines = [ln for ln in err.splitlines() if ln.startswith(("ERROR", "DETAIL", "HINT", "psql", "FATAL"))]
            raise subprocess.CalledProcessError(p.returncode, cmd, p.stdout, "; ".join(lines) or err)
        return p.stdout

    def load_config(self, text):
        self.run("SELECT agingos.agingos_load_config(:'cfg') IS NOT NULL;\n", cfg=text)

    def active_config(self):
        out = self.run("SELECT coalesce((SELECT json_build_object('s', source)::text FROM agingos.config "
                       "ORDER BY version DESC LIMIT 1), '')")
        out = out.rstrip("\n")
        return json.loads(out)["s"] if out else None

    def reset(self):
        self.run("SELECT agingos.agingos_reset();")


class Http:
    def __init__(self, base, api_key=None):
        self.base = base.rstrip("/")
        self.api_key = api_key

    def request(self, method, path, body=None):
        """Returns (status, text); raises RunnerError when the front is unreachable."""
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self.api_key:
            headers["X-API-Key"] = self.api_key
        req = urllib.request.Request(self.base + path, data=body, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=HTTP_TIMEOUT) as r:
                return r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace")
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise RunnerError("cannot reach %s: %s" % (self.base, reason)) from None


def error_message(text):
    """The message of a contract section 6 error body, or the body itself."""
    try:
        body = json.loads(text)
    except ValueError:
        return one_line(text, 200) or "(empty body)"
    if isinstance(body, dict) and body.get("message"):
        msg = str(body["message"])
        if body.get("code"):
            msg += " (%s)" % body["code"]
        return msg
    return one_line(text, 200)


# --------------------------------------------------------------------------
# Matching

DEVIATION_KEYS = {"rule_id", "severity", "title", "explanation_contains", "evidence_contains", "window"}
EXPECT_KEYS = {"pass_condition", "ignore_extra_rule_ids", "deviations"}
EVALUATE_KEYS = {"since", "until", "now"}
TOP_KEYS = {"id", "description", "config", "events", "evaluate", "expect"}


def check_keys(obj, allowed, where):
    if not isinstance(obj, dict):
        raise ScenarioFail("%s: expected a mapping" % where)
    unknown = sorted(str(k) for k in obj if k not in allowed)
    if unknown:
        raise ScenarioFail("%s: unknown key %s (allowed: %s)" % (where, ", ".join(unknown), ", ".join(sorted(allowed))))


def prepare_expected(i, e):
    """Validate one expected deviation; windows parsed once."""
    where = "expect.deviations[%d]" % i
    check_keys(e, DEVIATION_KEYS, where)
    if not isinstance(e.get("rule_id"), str):
        raise ScenarioFail("%s.rule_id: required string" % where)
    for k in ("severity", "title", "explanation_contains"):
        if k in e and not isinstance(e[k], str):
            raise ScenarioFail("%s.%s: expected a string, got %s" % (where, k, json.dumps(e[k], default=str)))
    ev = e.get("evidence_contains")
    if ev is not None and (not isinstance(ev, list) or not all(isinstance(x, str) for x in ev)):
        raise ScenarioFail("%s.evidence_contains: expected a list of event ids" % where)
    win = {}
    if "window" in e:
        check_keys(e["window"], {"since", "until"}, where + ".window")
        for b in ("since", "until"):
            if b in e["window"]:
                win[b] = parse_instant(e["window"][b], "%s.window.%s" % (where, b))
    return dict(e, _window=win)


def describe_expected(e):
    parts = [e["rule_id"]]
    if "severity" in e:
        parts.append(e["severity"])
    return " ".join(parts)


def describe_actual(a):
    return "%s %s" % (a.get("rule_id"), a.get("severity"))


def mismatch(e, a):
    """None if actual deviation a satisfies expected entry e, else the first reason."""
    if a.get("rule_id") != e["rule_id"]:
        return "rule_id %s" % a.get("rule_id")
    if "severity" in e and a.get("severity") != e["severity"]:
        return "severity %s, expected %s" % (a.get("severity"), e["severity"])
    if "title" in e and a.get("title") != e["title"]:
        return "title %r, expected %r" % (a.get("title"), e["title"])
    if "explanation_contains" in e and e["explanation_contains"] not in (a.get("explanation") or ""):
        return "explanation %r does not contain %r" % (a.get("explanation"), e["explanation_contains"])
    if e.get("evidence_contains"):
        evidence = a.get("evidence") if isinstance(a.get("evidence"), dict) else {}
        have = evidence.get("event_ids") if isinstance(evidence.get("event_ids"), list) else []
        have = {canonical_event_id(x) for x in have}
        missing = [x for x in e["evidence_contains"] if canonical_event_id(x) not in have]
        if missing:
            return "evidence.event_ids %s lacks %s" % (json.dumps(evidence.get("event_ids")), ", ".join(missing))
    for b in ("since", "until"):
        if b in e["_window"]:
            got = (a.get("window") or {}).get(b)
            try:
                ok = got is not None and parse_instant(got, "window.%s" % b) == e["_window"][b]
            except ScenarioFail:
                ok = False
            if not ok:
                return "window.%s %s, expected %s" % (b, got, e["window"][b])
    return None


def max_matching(n_expected, n_actual, fits):
    """Maximum bipartite matching (augmenting paths, Kuhn).
    fits[i] lists the actual indexes expected entry i may pair with.
    Returns match_of_actual: actual index → expected index (or -1)."""
    match_of_actual = [-1] * n_actual

    def augment(i, seen):
        for j in fits[i]:
            if seen[j]:
                continue
            seen[j] = True
            if match_of_actual[j] < 0 or augment(match_of_actual[j], seen):
                match_of_actual[j] = i
                return True
        return False

    for i in range(n_expected):
        augment(i, [False] * n_actual)
    return match_of_actual


def match(expect, actual):
    """None when `actual` (list of DeviationV1) satisfies `expect`, else why not."""
    check_keys(expect, EXPECT_KEYS, "expect")
    mode = expect.get("pass_condition")
    if mode not in ("exact", "contains"):
        raise ScenarioFail("expect.pass_condition: must be exact or contains, not %s" % json.dumps(mode, default=str))
    ignore = expect.get("ignore_extra_rule_ids") or []
    if not isinstance(ignore, list) or not all(isinstance(x, str) for x in ignore):
        raise ScenarioFail("expect.ignore_extra_rule_ids: expected a list of rule ids")
    exp_raw = expect.get("deviations")
    if exp_raw is None:
        exp_raw = []
    if not isinstance(exp_raw, list):
        raise ScenarioFail("expect.deviations: expected a list")
    expected = [prepare_expected(i, e) for i, e in enumerate(exp_raw)]
    if not isinstance(actual, list):
        raise ScenarioFail("/deviations/evaluate did not answer a JSON array")
    actual = [a for a in actual if isinstance(a, dict) and a.get("rule_id") not in ignore]

    fits = [[j for j, a in enumerate(actual) if mismatch(e, a) is None] for e in expected]
    match_of_actual = max_matching(len(expected), len(actual), fits)
    matched = set(i for i in match_of_actual if i >= 0)

    got = "got [%s]" % ", ".join(describe_actual(a) for a in actual)
    problems = []
    for i, e in enumerate(expected):
        if i in matched:
            continue
        same_rule = [a for a in actual if a.get("rule_id") == e["rule_id"]]
        if not same_rule:
            why = "no %s deviation" % e["rule_id"]
            if e["rule_id"] in ignore:
                why += " (it is in ignore_extra_rule_ids)"
        elif fits[i]:
            why = "every fitting %s deviation is taken by another expected entry" % e["rule_id"]
        else:
            why = "; ".join(sorted(set(mismatch(e, a) for a in same_rule)))
        problems.append("expected %s not found: %s" % (describe_expected(e), why))
    if mode == "exact":
        extra = [a for j, a in enumerate(actual) if match_of_actual[j] < 0]
        if extra:
            problems.append("unexpected %s" % ", ".join(describe_actual(a) for a in extra))
    if problems:
        return "%s; %s" % ("; ".join(problems), got)
    return None


# --------------------------------------------------------------------------
# One scenario

def run_scenario(path, sc, db, http, default_config, verbose=False):
    check_keys(sc, TOP_KEYS, "scenario")
    # config: relative to the scenario file; absent → the project's scenario config
    if sc.get("config") is not None:
        if not isinstance(sc["config"], str) or not sc["config"]:
            raise ScenarioFail("config: expected a path string")
        cfg_path = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(path)), sc["config"]))
        if not os.path.isfile(cfg_path):
            raise ScenarioFail("config %s does not resolve (looked for %s)" % (sc["config"], cfg_path))
    else:
        cfg_path = default_config
        if not os.path.isfile(cfg_path):
            raise ScenarioFail("default config %s does not resolve" % cfg_path)
    evaluate = sc.get("evaluate")
    check_keys(evaluate, EVALUATE_KEYS, "evaluate")
    for k in ("since", "until"):
        if not isinstance(evaluate.get(k), str):
            raise ScenarioFail("evaluate.%s: required string" % k)
    if evaluate.get("now") is not None and not isinstance(evaluate["now"], str):
        raise ScenarioFail("evaluate.now: expected a string")
    events = sc.get("events")
    if events is None:
        events = []
    if not isinstance(events, list):
        raise ScenarioFail("events: expected a list")
    if sc.get("expect") is None:
        raise ScenarioFail("expect: required")

    try:
        db.reset()
    except subprocess.CalledProcessError as e:
        raise ScenarioFail("reset failed: %s" % one_line(e.stderr)) from None
    with open(cfg_path, encoding="utf-8") as f:
        cfg_text = f.read()
    try:
        db.load_config(cfg_text)
    except subprocess.CalledProcessError as e:
        raise ScenarioFail("config %s was rejected: %s" % (cfg_path, one_line(e.stderr))) from None

    for n, ev in enumerate(events):
        ev_id = ev.get("id") if isinstance(ev, dict) else None
        label = "event %s" % (json.dumps(ev_id, default=str) if ev_id is not None else "#%d" % n)
        try:
            body = json.dumps(ev, ensure_ascii=False, allow_nan=False).encode("utf-8")
        except (TypeError, ValueError) as e:
            raise ScenarioFail("%s cannot be sent as JSON: %s" % (label, e)) from None
        status, text = http.request("POST", "/event", body)
        if status != 200:
            raise ScenarioFail("POST /event of %s: %d %s" % (label, status, error_message(text)))

    q = [("since", evaluate["since"]), ("until", evaluate["until"])]
    if evaluate.get("now") is not None:
        q.append(("now", evaluate["now"]))
    status, text = http.request("GET", "/deviations/evaluate?" + urllib.parse.urlencode(q))
    if status != 200:
        raise ScenarioFail("GET /deviations/evaluate: %d %s" % (status, error_message(text)))
    try:
        actual = json.loads(text)
    except ValueError:
        raise ScenarioFail("GET /deviations/evaluate: answer is not JSON") from None
    if verbose:
        for a in actual if isinstance(actual, list) else []:
            shown = {k: a.get(k) for k in ("rule_id", "severity", "title", "window", "evidence")}
            print("  %s" % json.dumps(shown, ensure_ascii=False, sort_keys=True), file=sys.stderr, flush=True)
    why = match(sc["expect"], actual)
    if why:
        raise ScenarioFail(why)


# --------------------------------------------------------------------------
# Main

def scenario_files(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            for name in sorted(os.listdir(p)):
                full = os.path.join(p, name)
                if name.endswith(SCENARIO_SUFFIXES) and os.path.isfile(full):
                    files.append(full)
        elif os.path.isfile(p):
            files.append(p)
        else:
            raise RunnerError("no such scenario file or folder: %s" % p)
    return files


def _terminate(signum, frame):
    raise SystemExit(128 + signum)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Run agingos scenario files (contract.md section 8).")
    ap.add_argument("paths", nargs="*", help="scenario files or folders (default: test/scenarios)")
    ap.add_argument("--url", default=None,
                    help="base URL of agingos-http (default http://127.0.0.1:$AGINGOS_HTTP_PORT, port 8000)")
    ap.add_argument("--psql", default=None, help="psql binary (default $PGBIN/psql); connection from PG* variables")
    ap.add_argument("--default-config", default=os.path.join(AG_ROOT, "config", "rules.scenario.yaml"),
                    help="config for scenarios without `config` (default config/rules.scenario.yaml)")
    ap.add_argument("--fallback-config", default=os.path.join(AG_ROOT, "config", "rules.yaml"),
                    help="config loaded at the end when none was active before (default config/rules.yaml)")
    ap.add_argument("--tap", action="store_true", help="print ok scenario ID / not ok scenario ID - why")
    ap.add_argument("-v", "--verbose", action="store_true", help="show the deviations the server answered (stderr)")
    args = ap.parse_args(argv)

    url = args.url or "http://127.0.0.1:%s" % os.environ.get("AGINGOS_HTTP_PORT", "8000")
    psql = args.psql or os.path.join(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"), "psql")
    db = Db(psql)
    http = Http(url, os.environ.get("AGINGOS_API_KEY") or None)
    default_config = os.path.abspath(args.default_config)

    signal.signal(signal.SIGTERM, _terminate)
    try:
        files = scenario_files(args.paths or [os.path.join(AG_ROOT, "test", "scenarios")])
        status, _ = http.request("GET", "/health")
        if status != 200:
            raise RunnerError("%s/health answered %d" % (url, status))
        try:
            previous = db.active_config()
        except subprocess.CalledProcessError as e:
            raise RunnerError("cannot read the active config: %s" % one_line(e.stderr)) from None
    except RunnerError as e:
        print("scenario: error: %s" % e, file=sys.stderr)
        return 2

    passed = failed = 0
    rc = 0
    try:
        for path in files:
            sid = os.path.splitext(os.path.basename(path))[0]
            try:
                try:
                    sc = load_scenario_file(path)
                except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as e:
                    raise ScenarioFail("cannot read %s: %s" % (path, one_line(e))) from None
                if not isinstance(sc, dict):
                    raise ScenarioFail("%s: the document is not a mapping" % path)
                if isinstance(sc.get("id"), str) and sc["id"]:
                    sid = sc["id"]
                else:
                    raise ScenarioFail("%s: `id` is missing or not a string" % path)
                run_scenario(path, sc, db, http, default_config, args.verbose)
            except ScenarioFail as e:
                failed += 1
                why = one_line(e, 2000)
                print(("not ok scenario %s - %s" if args.tap else "FAIL %s: %s") % (sid, why), flush=True)
            else:
                passed += 1
                print(("ok scenario %s" if args.tap else "PASS %s") % sid, flush=True)
    except RunnerError as e:
        print("scenario: error: %s" % e, file=sys.stderr)
        rc = 2
    finally:
        # reload the config that was active before (or the project's default)
        try:
            if previous is not None:
                db.load_config(previous)
            else:
                with open(args.fallback_config, encoding="utf-8") as f:
                    db.load_config(f.read())
        except (OSError, RunnerError, subprocess.CalledProcessError) as e:
            print("scenario: error: could not reload the previous config: %s"
                  % one_line(getattr(e, "stderr", None) or e), file=sys.stderr)
            rc = rc or 2

    total = passed + failed
    print("%d scenario%s: %d passed, %d failed" % (total, "" if total == 1 else "s", passed, failed), flush=True)
    if rc:
        return rc
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
