#!/usr/bin/env python3
"""Fails unless a systemd service unit keeps the hardening the package promises.

  check-unit-hardening.py UNIT --user NAME --data-dir DIR [--config TOML]

Checked, on the settings as systemd would apply them (the last assignment of a
setting wins, an empty assignment clears a list, drop-ins in UNIT.d/ come after
the unit in name order):
  - the service runs as NAME (User= and Group=), never root;
  - ProtectSystem=strict, NoNewPrivileges=yes;
  - DIR is the only path it may write: ReadWritePaths= is exactly DIR, and no
    setting that makes another path writable (StateDirectory=, BindPaths=, ...)
    is present; PrivateTmp=yes, so /tmp and /var/tmp are its own, thrown away
    when it stops; ProtectHome=yes;
  - no capabilities: CapabilityBoundingSet= and AmbientCapabilities= set empty;
  - LimitNOFILE= is raised above the default soft limit (1024), and with
    --config holds [limits] max_connections plus 1024 files for the rest.
Where systemd-analyze is installed, `systemd-analyze security --offline=true`
must agree on User=, ProtectSystem= and NoNewPrivileges= (its own reading of the
unit, no running systemd needed). Prints each failure and exits 1 on any.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

# Settings that give a service a writable place besides ReadWritePaths=.
WRITABLE_ELSEWHERE = ("StateDirectory", "CacheDirectory", "LogsDirectory",
                      "RuntimeDirectory", "ConfigurationDirectory", "BindPaths",
                      "TemporaryFileSystem", "RootDirectory", "RootImage")
LIST_SETTINGS = {"ReadWritePaths", "ReadOnlyPaths", "InaccessiblePaths", "CapabilityBoundingSet",
                 "AmbientCapabilities", *WRITABLE_ELSEWHERE}


def read_unit(path):
    """The [Service] settings of the unit and its drop-ins, as systemd combines them."""
    files = [path]
    dropins = path + ".d"
    if os.path.isdir(dropins):
        files += [os.path.join(dropins, f) for f in sorted(os.listdir(dropins)) if f.endswith(".conf")]
    settings = {}
    for name in files:
        section = None
        with open(name, encoding="utf-8") as f:
            lines = f.read().replace("\\\n", " ").splitlines()
        for line in lines:
            line = line.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("[") and line.endswith("]"):
                section = line[1:-1]
                continue
            if section != "Service" or "=" not in line:
                continue
            key, value = (part.strip() for part in line.split("=", 1))
            if key in LIST_SETTINGS:
                values = settings.setdefault(key, [])
                if value:
                    values.extend(value.split())
                else:
                    values.clear()
            else:
                settings[key] = value
    return settings


def yes(value):
    return value is not None and value.lower() in ("1", "yes", "true", "on")


def soft_limit(value):
    """The soft limit of a LimitNOFILE= value (N or SOFT:HARD), None when unreadable."""
    soft = (value or "").split(":")[0].strip()
    if soft == "infinity":
        return float("inf")
    return int(soft) if soft.isdigit() else None


def max_connections(config):
    section = None
    with open(config, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line.startswith("["):
                section = line.strip("[]").strip()
            m = re.fullmatch(r"max_connections\s*=\s*(\d+)", line)
            if section == "limits" and m:
                return int(m.group(1))
    return None


def systemd_analyze_view(unit):
    """systemd-analyze's own verdicts by setting name, or None where it is missing."""
    if not shutil.which("systemd-analyze"):
        return None
    out = subprocess.run(["systemd-analyze", "security", "--offline=true", "--json=short", unit],
                         capture_output=True, text=True, check=False)
    try:
        return {item["name"]: item for item in json.loads(out.stdout)}
    except (ValueError, KeyError, TypeError):
        raise SystemExit(f"check-unit-hardening: systemd-analyze security could not read {unit}: "
                         f"{out.stderr.strip() or out.stdout.strip()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("unit")
    parser.add_argument("--user", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--config")
    args = parser.parse_args()

    s = read_unit(args.unit)
    failures = []

    def need(ok, what):
        if not ok:
            failures.append(what)

    need(s.get("User") == args.user and args.user not in ("root", "0"),
         f"User={s.get('User', '')}: the service must run as its own user {args.user}")
    need(s.get("Group") == args.user, f"Group={s.get('Group', '')}: must be {args.user}")
    need(not yes(s.get("DynamicUser")), "DynamicUser= must not replace the package's user")
    need(s.get("ProtectSystem") == "strict",
         f"ProtectSystem={s.get('ProtectSystem', '')}: must be strict (the whole file system read-only)")
    need(yes(s.get("NoNewPrivileges")), f"NoNewPrivileges={s.get('NoNewPrivileges', '')}: must be yes")
    need(s.get("ReadWritePaths", []) == [args.data_dir],
         f"ReadWritePaths={' '.join(s.get('ReadWritePaths', []))}: must be the data dir {args.data_dir} alone")
    for key in WRITABLE_ELSEWHERE:
        need(not s.get(key), f"{key}={' '.join(s[key]) if s.get(key) else ''}: "
             f"gives a writable path besides {args.data_dir}")
    need(yes(s.get("PrivateTmp")), f"PrivateTmp={s.get('PrivateTmp', '')}: must be yes "
         "(else /tmp and /var/tmp are shared and writable)")
    need(yes(s.get("ProtectHome")), f"ProtectHome={s.get('ProtectHome', '')}: must be yes")
    for key in ("CapabilityBoundingSet", "AmbientCapabilities"):
        need(key in s and not s[key],
             f"{key}={' '.join(s.get(key, []))}: must be set empty (no capabilities)"
             if key in s else f"{key}= is missing: must be set empty (no capabilities)")
    nofile = soft_limit(s.get("LimitNOFILE"))
    need(nofile is not None and nofile > 1024,
         f"LimitNOFILE={s.get('LimitNOFILE', '')}: must be raised above the default 1024")
    if args.config and nofile is not None:
        connections = max_connections(args.config)
        need(connections is not None and connections + 1024 <= nofile,
             f"LimitNOFILE={s.get('LimitNOFILE')} does not hold {args.config}'s "
             f"max_connections = {connections} and 1024 files more")

    # systemd's own reading of the same settings.
    view = systemd_analyze_view(args.unit)
    if view is not None:
        def verdict(name, wanted):
            item = view.get(name)
            need(item is not None and item.get("set") and wanted in item.get("description", ""),
                 f"systemd-analyze security: {name} {item.get('description') if item else 'not reported'}")
        verdict("User=/DynamicUser=", "non-root")
        verdict("ProtectSystem=", "strict")
        verdict("NoNewPrivileges=", "cannot acquire new privileges")

    for failure in failures:
        print(f"check-unit-hardening: {args.unit}: {failure}", file=sys.stderr)
    if failures:
        return 1
    print(f"check-unit-hardening: {args.unit}: runs as {args.user}, ProtectSystem=strict, "
          f"NoNewPrivileges=yes, writes only {args.data_dir}, LimitNOFILE={s['LimitNOFILE']}"
          + ("; systemd-analyze security agrees" if view is not None else
             "; systemd-analyze not installed, its check skipped"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
