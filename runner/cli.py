"""The command line: parse arguments, call the core, turn errors into exit codes.

Everything else is importable; only `main_entry` (and `python -m runner`) calls sys.exit.
"""

from __future__ import annotations

import argparse
import gc
import os
import shlex
import signal
import sys
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from . import __version__
from .api import ApiTarget
from .campaign import Campaign, load_campaign
from .clock import Clock, SystemClock
from .errors import ConfigError, ExitCode, RunnerError
from .lock import held_by
from .prepare import Prepared, look, outlook, prepare
from .report import dry_run, status_text, summary, write_rows
from .report.preview import check_output, make_preview
from .report.progress import progress_for
from .report.summary import lookups_summary
from .session import check_lookup, look_up, run_campaign
from .settings import KEY_VAR, Places, RunOptions, places, resolve_target
from .sheet import check_writable
from .stopping import Stopped, StopRequest, on_signals


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="campaign-runner",
        description="Send LinkedIn messages from a spreadsheet through the ConnectSafely API.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="send the campaign's pending rows")
    run.add_argument("campaign", type=Path, help="the campaign file (.toml)")
    run.add_argument("--dry-run", action="store_true", help="check and render, send nothing")
    run.add_argument(
        "--output",
        type=Path,
        metavar="FILE.csv",
        help="with --dry-run: write every row, what would happen to it and why, to this CSV",
    )
    run.add_argument(
        "--lookup",
        action="store_true",
        help='with --dry-run and route = "auto": look up now the relationship of every row not '
        "looked up yet (lookups only, nothing sent), then show the routes",
    )
    run.add_argument("--limit", type=_positive, metavar="N", help="attempt at most N rows")
    run.add_argument(
        "--wait",
        action="store_true",
        help="do not stop at a pause (quota, send window, daily limit): sleep until sending can "
        "go on, and carry on until the campaign is done",
    )
    run.add_argument("--sandbox", action="store_true", help="send to the built-in simulator")
    run.add_argument("--base-url", metavar="URL", help="API base URL (overrides all else)")
    run.add_argument(
        "--resend-unknown",
        action="store_true",
        help="send again the rows whose earlier send may or may not have been delivered",
    )
    run.add_argument("--state-dir", type=Path, metavar="DIR", help="where the journal lives")
    run.add_argument(
        "--trust-sheet",
        action="store_true",
        help="take statuses in the sheet that the journal cannot vouch for as the record "
        "(after a lost journal: check LinkedIn first)",
    )

    preview = commands.add_parser(
        "preview", help="every row's message and how it will be sent, to read before sending"
    )
    preview.add_argument("campaign", type=Path, help="the campaign file (.toml)")
    preview.add_argument(
        "--output", type=Path, metavar="FILE", help=".xlsx or .csv (default: beside the sheet)"
    )
    preview.add_argument("--state-dir", type=Path, metavar="DIR", help="where the journal lives")
    preview.add_argument("--sandbox", action="store_true", help="as the sandbox runs stand")
    preview.add_argument(
        "--lookup",
        action="store_true",
        help='with route = "auto": look up first the relationship of every row not looked up '
        "yet (lookups only, nothing sent), so that the preview shows every row's route",
    )

    status = commands.add_parser("status", help="counts by status and what is known of quotas")
    status.add_argument("campaign", type=Path, help="the campaign file (.toml)")
    status.add_argument("--state-dir", type=Path, metavar="DIR", help="where the journal lives")
    status.add_argument("--sandbox", action="store_true", help="the sandbox runs' status")

    report = commands.add_parser("report", help="write a workbook of where the campaign stands")
    report.add_argument("campaign", type=Path, help="the campaign file (.toml)")
    report.add_argument(
        "--output",
        type=Path,
        metavar="FILE.xlsx",
        help="where to write it (default: <sheet>.report.xlsx beside the sheet)",
    )
    report.add_argument("--state-dir", type=Path, metavar="DIR", help="where the journal lives")
    report.add_argument("--sandbox", action="store_true", help="the sandbox runs' report")
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return value


# Objects made between two passes of the garbage collector's youngest generation. Reading a
# sheet makes a few objects per cell and keeps them all to the end; at Python's default of 700
# the collector rescanned them over and over: a sixth of a 10,000-row dry run (bench/).
_GC_EVERY = 50_000


def main(
    argv: Sequence[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    clock: Clock | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run one command; returns the process exit code."""
    threshold = gc.get_threshold()
    gc.set_threshold(_GC_EVERY, *threshold[1:])
    try:
        return _main(argv, env=env, clock=clock, stdout=stdout, stderr=stderr)
    finally:
        gc.set_threshold(*threshold)


def _main(
    argv: Sequence[str] | None,
    *,
    env: Mapping[str, str] | None,
    clock: Clock | None,
    stdout: TextIO | None,
    stderr: TextIO | None,
) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # argparse has printed the usage error (or --help)
        return int(exit_.code or 0)
    env = os.environ if env is None else env
    clock = clock or SystemClock()
    try:
        if args.command == "status":
            return _status(args, env, clock, out)
        if args.command == "preview":
            return _preview(args, env, clock, out, err)
        if args.command == "report":
            from .report.workbook import write_report  # pandas loads for this command alone

            written = write_report(
                args.campaign,
                env,
                clock.now(),
                _command(args),
                output=args.output,
                state_dir=args.state_dir,
                sandbox=args.sandbox,
            )
            print(written, file=out)
            return ExitCode.OK
        return _run(args, env, clock, out, err)
    except RunnerError as error:
        print(f"campaign-runner: {error}", file=err)
        return error.exit_code
    except KeyboardInterrupt:
        print("campaign-runner: interrupted", file=err)
        return ExitCode.INTERRUPTED
    except Stopped as stopped:
        print(f"campaign-runner: stopped by {stopped}", file=err)
        return 128 + stopped.signum
    except BrokenPipeError:  # `... | head`: the reader has gone, which is no error of ours
        return ExitCode.OK
    except Exception as error:  # a bug: say so plainly, with the details for a report
        print(
            f"campaign-runner: unexpected error: {type(error).__name__}: {error}\n"
            "Everything sent so far is recorded in the journal. Please report this with the "
            "details below.",
            file=err,
        )
        traceback.print_exc(file=err)
        return ExitCode.FATAL


def main_entry() -> None:
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        # Python would complain again at exit about the closed pipe; point stdout elsewhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(code)


def _run(
    args: argparse.Namespace, env: Mapping[str, str], clock: Clock, out: TextIO, err: TextIO
) -> int:
    stop = StopRequest()
    with on_signals(stop):
        try:
            with stop.waiting():  # reading the campaign: a stop may end it at once
                loaded = _load(args, env)
        except Stopped as stopped:
            print(f"Stopped by {stopped} while reading the campaign; nothing was sent.", file=out)
            return 128 + stopped.signum
        campaign, target, where, prepared = loaded
        command = _command(args)
        api_name = "sandbox" if target.sandbox else target.base_url
        if args.dry_run:
            if args.lookup:
                progress = progress_for(out, err, clock)
                trust = args.trust_sheet
                report = look_up(prepared, target, where, clock, progress, stop, args.wait, trust)
                print(
                    lookups_summary(report, f"{command} --dry-run --lookup", clock.now()), file=out
                )
            code = _dry_run(args, prepared, where, api_name, target.sandbox, clock, out, command)
            code = report.exit_code if args.lookup and report.exit_code else code
            if not target.api_key:
                print(f"Note: {KEY_VAR} is not set; a real run needs it.", file=out)
            return code
        if target.sandbox:
            print(
                "Sandbox: sending to the built-in simulator; no real message leaves. Statuses "
                f"go to {where.target.name}.",
                file=out,
            )
        options = RunOptions(
            places=where,
            api_name=api_name,
            limit=args.limit,
            resend_unknown=args.resend_unknown,
            # A sandbox trial sends nothing real: the sheet's statuses from real runs count.
            trust_sheet=args.trust_sheet or target.sandbox,
            wait=args.wait,
        )
        progress = progress_for(out, err, clock)
        report = run_campaign(prepared, target, options, clock, progress, stop)
    print(summary(report, prepared, command, clock.now()), file=out)
    if report.write_error:
        print(f"campaign-runner: {where.target.name}: {report.write_error}", file=err)
    return report.exit_code


def _load(
    args: argparse.Namespace, env: Mapping[str, str]
) -> tuple[Campaign, ApiTarget, Places, Prepared]:
    """The campaign file, where to send, where its files are, and its sheet planned."""
    campaign = load_campaign(args.campaign)
    if args.lookup and not args.dry_run:
        raise ConfigError(
            "--lookup looks the routes up ahead of sending; add --dry-run (a run looks each "
            "row up itself before its first send)"
        )
    check_lookup(args.lookup, campaign)
    target = resolve_target(
        campaign,
        env,
        sandbox_flag=args.sandbox,
        base_url_flag=args.base_url,
        need_key=not args.dry_run or args.lookup,
    )
    if args.output and not args.dry_run:
        raise ConfigError("--output lists the rows of a dry run; add --dry-run")
    where = places(campaign, sandbox=target.sandbox, state_dir=args.state_dir)
    return campaign, target, where, prepare(campaign, where)


def _dry_run(
    args: argparse.Namespace,
    prepared: Prepared,
    where: Places,
    api_name: str,
    sandbox: bool,
    clock: Clock,
    out: TextIO,
    command: str,
) -> int:
    trust = args.trust_sheet or sandbox
    seen = look(prepared, where, resend_unknown=args.resend_unknown, trust_sheet=trust)
    if seen.refusal:
        raise seen.refusal
    states, queue = seen.start.states, seen.start.queue
    check_writable(prepared.table, states)  # what the run would refuse, refused now
    projection, _ = outlook(prepared, where, queue, seen.pools_of(api_name), clock.now(), api_name)
    listed = args.output is not None
    text = dry_run(
        prepared,
        states,
        queue,
        projection,
        command,
        sandbox=sandbox,
        listed=listed,
        known=seen.known,
        looked_up=args.lookup,
    )
    print(text, file=out)
    if args.output:
        write_rows(args.output, prepared, states, queue)
        print(f"Every row, one by one: {args.output}", file=out)
    return ExitCode.OK


def _status(args: argparse.Namespace, env: Mapping[str, str], clock: Clock, out: TextIO) -> int:
    campaign = load_campaign(args.campaign)
    target = resolve_target(campaign, env, sandbox_flag=args.sandbox, need_key=False)
    where = places(campaign, sandbox=target.sandbox, state_dir=args.state_dir)
    # The status of a campaign whose template is broken is still worth knowing.
    prepared = prepare(campaign, where, need_templates=False)
    seen = look(prepared, where)
    api_name = "sandbox" if target.sandbox else target.base_url
    now = clock.now()
    projection, days = outlook(
        prepared, where, seen.start.queue, seen.pools_of(api_name), now, api_name
    )
    text = status_text(
        prepared,
        seen.start.states,
        seen.pools,
        now,
        projection=projection,
        accounts=days,
        queue=seen.start.queue,
        running=held_by(where.lock),
        command=_command(args),
        known=seen.known,
    )
    print(text, file=out)
    if seen.refusal:
        print(f"Before the next run: {seen.refusal}", file=out)
    return ExitCode.OK


def _command(args: argparse.Namespace) -> str:
    """The command that carries on this run, for the user to copy."""
    words = ["campaign-runner", "run", str(args.campaign)]
    if getattr(args, "sandbox", False):
        words.append("--sandbox")
    if getattr(args, "base_url", None):
        words += ["--base-url", args.base_url]
    if args.state_dir:
        words += ["--state-dir", str(args.state_dir)]
    if getattr(args, "wait", False):
        words.append("--wait")
    return shlex.join(words)


def _preview(
    args: argparse.Namespace, env: Mapping[str, str], clock: Clock, out: TextIO, err: TextIO
) -> int:
    campaign = load_campaign(args.campaign)
    check_lookup(args.lookup, campaign)
    target = resolve_target(campaign, env, sandbox_flag=args.sandbox, need_key=args.lookup)
    where = places(campaign, sandbox=target.sandbox, state_dir=args.state_dir)
    prepared = prepare(campaign, where)
    sheet = campaign.sheet
    output = args.output or sheet.with_name(f"{sheet.stem}.preview.xlsx")
    check_output(output, campaign, where)
    code: int = ExitCode.OK
    stop = StopRequest()
    with on_signals(stop):  # a stop while the preview is written lets it finish (never half)
        if args.lookup:
            report = look_up(prepared, target, where, clock, progress_for(out, err, clock), stop)
            resume = _command(args).replace(" run ", " preview ", 1) + " --lookup"
            print(lookups_summary(report, resume, clock.now()), file=out)
            code = report.exit_code
        # It sends nothing: the sheet as it is, every row that may be sent with its route.
        seen = look(prepared, where, trust_sheet=True, gated=False)
        states, queue = seen.start.states, seen.start.queue
        print(make_preview(prepared, states, queue, output, where.preview_record), file=out)
    if stop.signum is not None and code < 128:  # asked to stop once the lookups were done
        print(f"Stopped by {signal.Signals(stop.signum).name}; the preview is whole.", file=out)
        code = 128 + stop.signum
    return code
