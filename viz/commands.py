"""The ``parksim dashboard`` and ``parksim report`` commands (registered by :mod:`parksim.cli`).

Bad input raises :class:`parksim.simulation.ConfigError` naming the argument, the value and what is
allowed; the CLI turns it into exit status 2 before anything is started or written.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from pathlib import Path

from parksim.extras import require
from parksim.options import check_file
from parksim.simulation import ConfigError


def register(sub, common) -> None:
    """Add the two subcommands to the ``parksim`` parser."""
    d = sub.add_parser("dashboard", parents=[common], help="start the workshop dashboard (Dash, offline)",
                       description="Serve the workshop dashboard: build a scenario from the rule controls, run "
                       "replications in the background, look at fan charts, A versus B, the park map, the "
                       "supplier network and sweeps from RUNS. Everything is served locally.")
    d.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; 0.0.0.0 for a room)")
    d.add_argument("--port", type=int, default=8050, help="TCP port (default 8050)")
    d.add_argument("--workers", type=int, default=None, metavar="N",
                   help="processes per run (default: the machine's CPUs; 1 runs in the server process)")
    d.add_argument("--max-runs", type=int, default=4, metavar="N",
                   help="runs going at once over all participants (default 4); others are asked to wait")
    d.add_argument("--pin", default=None, metavar="PIN",
                   help="a PIN every participant enters once; for a room (--host other than 127.0.0.1)")
    d.add_argument("--scenario", action="append", default=[], metavar="REF",
                   help="offer this scenario (name or TOML path) besides the baseline and the five documents; repeatable")
    d.set_defaults(handler=cmd_dashboard)

    r = sub.add_parser("report", parents=[common], help="self-contained HTML report of a run or a comparison",
                       description="Write one HTML file (plotly.js inlined, readable offline) with the headline "
                       "charts, the comparison table and the scenario parameters. RUN is a store directory or "
                       "the name of a scenario already run into RUNS; give two for a comparison B − A.")
    r.add_argument("run", nargs="+", metavar="RUN", help="store directory or scenario name (one, or A and B)")
    r.add_argument("--point", type=int, default=0, metavar="K", help="design point of each store (default 0)")
    r.add_argument("--out", metavar="PATH", help="report file (default: <store>/report.html, or "
                   "RUNS/report_<A>_vs_<B>.html for a comparison)")
    r.add_argument("--lang", choices=("zh", "en"), default="en", help="language of the verdicts and tables (default en)")
    r.add_argument("--top", type=int, default=10, metavar="N",
                   help="parks with the largest public cost in the per-account table (default 10; every city is shown)")
    r.set_defaults(handler=cmd_report)


def resolve_store(ref: str, runs: str, where: str):
    """A store from a directory or a scenario name under ``runs``."""
    from parksim.experiments.store import Store
    for candidate in (Path(ref), Path(runs) / ref):
        if (candidate / "experiment.json").is_file():
            return Store(candidate)
    raise ConfigError(where, ref, f"a store directory (holding experiment.json) or the name of a scenario "
                      f"already run into {runs}/ (run it first: parksim run {ref})")


def cmd_report(args) -> int:
    require("dashboard", "parksim report")
    from .data import RunData
    from .report import write_report
    if len(args.run) > 2:
        raise ConfigError("RUN", args.run, "one run, or two (A B) for a comparison")
    if args.top < 0:
        raise ConfigError("--top", args.top, "an integer >= 0 (parks in the per-account table)")
    stores = [resolve_store(ref, args.runs, f"RUN {i + 1}") for i, ref in enumerate(args.run)]
    runs = [RunData.from_store(s, args.point) for s in stores]
    if len(runs) == 2 and runs[0].label == runs[1].label:
        runs[1].label += " (B)"
    out = Path(args.out) if args.out else (stores[0].path / "report.html" if len(stores) == 1 else
                                           Path(args.runs) / f"report_{runs[0].scenario}_vs_{runs[1].scenario}.html")
    check_file("--out", str(out))
    path = write_report(runs, out, args.lang, args.top)
    print(f"report: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


def check_listen(host: str, port: int) -> None:
    """Fail early, naming the argument, on a bad address or a port already in use."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if host != "localhost":
            raise ConfigError("--host", host, "an IP address such as 127.0.0.1 or 0.0.0.0, or localhost") from None
    if not 1 <= port <= 65535:
        raise ConfigError("--port", port, "an integer in [1, 65535]")
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError as e:
            raise ConfigError("--port", port, f"a free port on {host} ({e.strerror}); try --port {port + 1}") from None


def is_local(host: str) -> bool:
    """True for a loopback address (only this machine can connect)."""
    return host == "localhost" or ipaddress.ip_address(host).is_loopback


def cmd_dashboard(args) -> int:
    require("dashboard", "parksim dashboard")
    from .app import DOCUMENT_SCENARIOS, create_app
    from .jobs import JobManager
    check_listen(args.host, args.port)
    if args.workers is not None and args.workers < 1:
        raise ConfigError("--workers", args.workers, "an integer >= 1")
    if args.max_runs < 1:
        raise ConfigError("--max-runs", args.max_runs, "an integer >= 1")
    if args.pin is not None and not args.pin.strip():
        raise ConfigError("--pin", args.pin, "a non-empty PIN")
    manager = JobManager("serial" if args.workers == 1 else "pool", args.workers, max_running=args.max_runs)
    app = create_app(args.runs, tuple(dict.fromkeys((*DOCUMENT_SCENARIOS, *args.scenario))), manager, pin=args.pin)
    print(f"ParkSim dashboard on http://{args.host}:{args.port}/ (Ctrl+C to stop)", file=sys.stderr)
    if is_local(args.host):
        app.run(host=args.host, port=args.port, debug=False)
    else:                                  # a room: a production WSGI server, not Flask's development one
        if not args.pin:
            print("warning: serving on a non-local address without --pin: anyone on the network can use it",
                  file=sys.stderr)
        from waitress import serve
        serve(app.server, host=args.host, port=args.port, threads=16)
    return 0
