"""The command line: parse arguments, call the core, turn errors into exit codes.

Everything else is importable; only `main_entry` (and `python -m runner`) calls sys.exit.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sqlite3
import sys
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tqdm import tqdm

from . import __version__
from .api import ApiClient, ApiTarget, check_api_key, check_base_url, make_http_client
from .campaign import Campaign, load_campaign
from .clock import Clock, SystemClock
from .errors import ConfigError, ExitCode, RunnerError
from .report import dry_run, status_text, summary
from .run import Run, RunOptions, look, prepare, status_target

if TYPE_CHECKING:
    import httpx

    from .sandbox import Sandbox

KEY_VAR = "CONNECTSAFELY_API_KEY"
URL_VAR = "CONNECTSAFELY_BASE_URL"
SANDBOX_KEY = "sandbox-key"
SANDBOX_URL = "http://sandbox.invalid/linkedin"


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
    run.add_argument("--limit", type=_positive, metavar="N", help="attempt at most N rows")
    run.add_argument("--sandbox", action="store_true", help="send to the built-in simulator")
    run.add_argument("--base-url", metavar="URL", help="API base URL (overrides all else)")
    run.add_argument(
        "--resend-unknown",
        action="store_true",
        help="send again the rows whose earlier send may or may not have been delivered",
    )
    run.add_argument("--state-dir", type=Path, metavar="DIR", help="where the journal lives")

    status = commands.add_parser("status", help="counts by status and what is known of quotas")
    status.add_argument("campaign", type=Path, help="the campaign file (.toml)")
    status.add_argument("--state-dir", type=Path, metavar="DIR", help="where the journal lives")
    status.add_argument("--sandbox", action="store_true", help="the sandbox runs' status")
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return value


def main(
    argv: Sequence[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    clock: Clock | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run one command; returns the process exit code."""
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
            return _status(args, clock, out)
        return _run(args, env, clock, out, err)
    except RunnerError as error:
        print(f"campaign-runner: {error}", file=err)
        return error.exit_code
    except KeyboardInterrupt:
        print("campaign-runner: interrupted", file=err)
        return ExitCode.INTERRUPTED
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


def _state_dir(args: argparse.Namespace, campaign: Campaign) -> Path:
    return (args.state_dir or campaign.path.parent / ".campaign-runner").resolve()


def _run(
    args: argparse.Namespace, env: Mapping[str, str], clock: Clock, out: TextIO, err: TextIO
) -> int:
    campaign = load_campaign(args.campaign)
    state_dir = _state_dir(args, campaign)
    target = resolve_target(campaign, args, env, need_key=not args.dry_run)
    prepared = prepare(campaign, target.sandbox)
    command = _command(args)
    if args.dry_run:
        merged, _ = look(prepared, state_dir, target.sandbox, args.resend_unknown)
        print(dry_run(prepared, merged.states, merged.queue, command), file=out)
        if not target.api_key:
            print(f"Note: {KEY_VAR} is not set; a real run needs it.", file=out)
        return ExitCode.OK

    options = RunOptions(
        state_dir=state_dir,
        api_name="sandbox" if target.sandbox else target.base_url,
        sandbox=target.sandbox,
        limit=args.limit,
        resend_unknown=args.resend_unknown,
    )
    sim = in_process = None
    if target.sandbox:
        sim, in_process = _sandbox(target, campaign, clock, state_dir)
        print(
            "Sandbox: sending to the built-in simulator; no real message leaves. Statuses go to "
            f"{status_target(campaign, sandbox=True).name}.",
            file=out,
        )
    try:
        with make_http_client(target, in_process) as http:
            run = Run(
                prepared,
                options,
                ApiClient(http, clock),
                clock,
                progress=lambda total: tqdm(
                    total=total, unit="msg", desc="sending", file=err, disable=None, leave=False
                ),
            )
            report = run.execute()
    finally:
        if sim is not None:
            sim.close()
    print(summary(report, prepared, command, clock.now()), file=out)
    if report.write_error:
        print(f"campaign-runner: {run.target.name}: {report.write_error}", file=err)
    return report.exit_code


def _sandbox(
    target: ApiTarget, campaign: Campaign, clock: Clock, state_dir: Path
) -> tuple[Sandbox, httpx.BaseTransport]:
    """The sandbox for this run, and the transport that sends to it in-process."""
    from .sandbox import Sandbox, transport  # here, not at the top: only a sandbox run needs it

    try:
        sandbox = Sandbox(
            target.api_key,
            clock,
            day_seconds=campaign.api.sandbox_day_seconds,
            store_path=state_dir / "sandbox.sqlite",
        )
    except (OSError, sqlite3.Error) as error:
        raise ConfigError(
            f"{state_dir}: cannot keep the sandbox's state there ({error}); "
            "choose another folder with --state-dir"
        ) from None
    return sandbox, transport(sandbox)


def resolve_target(
    campaign: Campaign, args: argparse.Namespace, env: Mapping[str, str], *, need_key: bool
) -> ApiTarget:
    """Where to send and with which key.

    Flags first (--sandbox, else --base-url), then the campaign file's `sandbox = true`, then
    CONNECTSAFELY_BASE_URL, then the file's base_url.
    """
    if args.sandbox and args.base_url:
        raise ConfigError("--sandbox and --base-url contradict each other; give one of them")
    key = env.get(KEY_VAR, "").strip()
    if key:
        check_api_key(key, KEY_VAR)
    if args.sandbox or (campaign.api.sandbox and not args.base_url):
        return ApiTarget(SANDBOX_URL, key or SANDBOX_KEY, campaign.api.timeout, sandbox=True)
    if args.base_url:
        url = check_base_url(args.base_url, "--base-url")
    elif env.get(URL_VAR):
        url = check_base_url(env[URL_VAR], URL_VAR)
    else:
        url = check_base_url(campaign.api.base_url, f"{campaign.path.name}: [api] base_url")
    if need_key and not key:
        raise ConfigError(
            f"{KEY_VAR} is not set. Export your ConnectSafely API key "
            f"(export {KEY_VAR}=...), or try the campaign with --sandbox"
        )
    return ApiTarget(url, key, campaign.api.timeout)


def _status(args: argparse.Namespace, clock: Clock, out: TextIO) -> int:
    campaign = load_campaign(args.campaign)
    sandbox = args.sandbox or campaign.api.sandbox
    prepared = prepare(campaign, sandbox)
    merged, pools = look(prepared, _state_dir(args, campaign), sandbox)
    print(status_text(prepared, merged.states, pools, clock.now()), file=out)
    return ExitCode.OK


def _command(args: argparse.Namespace) -> str:
    """The command that carries on this run, for the user to copy."""
    words = ["campaign-runner", "run", str(args.campaign)]
    if args.sandbox:
        words.append("--sandbox")
    if args.base_url:
        words += ["--base-url", args.base_url]
    if args.state_dir:
        words += ["--state-dir", str(args.state_dir)]
    return shlex.join(words)
