"""``ntmgis plan``: a district writes its own plan (init, from-sheet, to-sheet)."""

from __future__ import annotations

import argparse
from pathlib import Path

from .problems import DataError, ProblemReport


def _add_plan_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    plan = commands.add_parser(
        "plan",
        help="write a district's own plan: a skeleton, or from/to the office's schedule spreadsheet",
        description="Write a plan YAML for the workspace's communes (init), read one from the "
        "office's schedule spreadsheet (from-sheet), or write a plan's schedules as a spreadsheet "
        "(to-sheet). The format: docs/en/reference/plan.md.",
    )
    actions = plan.add_subparsers(dest="plan_command", required=True, metavar="ACTION")
    init = actions.add_parser("init", help="write a skeleton plan listing the workspace's communes")
    init.add_argument("workspace", nargs="?", help="workspace folder or workspace.yaml")
    init.add_argument("--period", metavar="START-END", help="plan years (default: the current 5-year period)")
    from_sheet = actions.add_parser("from-sheet", help="read a plan from a schedule spreadsheet (XLSX/CSV)")
    from_sheet.add_argument("sheet", type=Path, help="biểu 01/02/03: one row per commune or village")
    from_sheet.add_argument("--workspace", help="workspace whose communes the rows name")
    from_sheet.add_argument("--base", help="plan whose schedules the sheet replaces (default: a skeleton)")
    from_sheet.add_argument("--period", metavar="START-END", help="plan years of the skeleton")
    to_sheet = actions.add_parser("to-sheet", help="write a plan's schedules as an XLSX an office can edit")
    to_sheet.add_argument("plan", help="plan YAML, or package:<id>")
    for action, default in ((init, "plan.yaml"), (from_sheet, "plan.yaml"), (to_sheet, "plan.xlsx")):
        action.add_argument(
            "-o", "--out", type=Path, default=Path(default), help="file to write (default: %(default)s)"
        )
        action.add_argument("--force", action="store_true", help="overwrite an existing file")
        action.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of words")


def _plan_period(text_value: str | None, lang: str = "vi") -> tuple[int, int]:
    import datetime
    import re

    from .io.plan_skeleton import plan_period

    if text_value is None:
        return plan_period(datetime.date.today().year)
    found = re.fullmatch(r"\s*(\d{4})\s*[-–/]\s*(\d{4})\s*", text_value)
    if not found or int(found[1]) > int(found[2]):
        from .labels import text

        raise ValueError(text("cli.period_not_range", lang, value=text_value))
    return int(found[1]), int(found[2])


def _cmd_plan(args: argparse.Namespace) -> int:
    import sys

    import yaml

    from .cli import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, _print_report, _refuse_overwrite, _say
    from .io import write_text_atomic
    from .io.plan_sheet import read_plan_sheet, schedules_of, with_schedules, write_plan_sheet
    from .io.plan_skeleton import skeleton_plan
    from .plan import load_plan
    from .workspace import load_workspace

    _refuse_overwrite(
        args,
        [args.out],
        also=[getattr(args, "plan", None), getattr(args, "sheet", None), getattr(args, "base", None)],
    )
    if args.out.exists() and not args.force:
        print(f"ntmgis plan: {_say(args, 'plan_refused', path=args.out)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.plan_command == "to-sheet":
        plan = load_plan(args.plan)
        write_plan_sheet(schedules_of(plan.data), args.out, lang=args.lang)
        print(_say(args, "wrote", path=args.out))
        return EXIT_OK
    if args.plan_command == "from-sheet" and args.workspace is None:
        print(f"ntmgis plan: {_say(args, 'plan_needs_units')}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        workspace = load_workspace(args.workspace)
    except DataError as exc:
        if all(p.layer == "plan" for p in exc.problems if p.severity == "error"):
            print(f"ntmgis plan: {_say(args, 'plan_blocks')}", file=sys.stderr)
        raise
    villages = workspace.layer("villages") if workspace.has_layer("villages") else None
    base = load_plan(args.base) if getattr(args, "base", None) else None
    period = tuple(base.data["period"]) if base is not None else _plan_period(args.period, args.lang)
    if args.plan_command == "init":
        schedules, problems = None, ProblemReport(())
    else:
        found, read_problems = read_plan_sheet(args.sheet, communes=workspace.communes, period=period)
        schedules, problems = found, ProblemReport(read_problems)
        print(
            _say(
                args,
                "plan_rows",
                path=args.sheet,
                rows=len(found.communes),
                villages=sum(found.model_villages.values()),
            ),
            file=sys.stderr,
        )
    if base is not None and schedules is not None:
        body = yaml.safe_dump(with_schedules(base.data, schedules), allow_unicode=True, sort_keys=False)
    else:
        body = skeleton_plan(
            workspace.district,
            workspace.communes,
            period=(int(period[0]), int(period[1])),
            villages=villages,
            schedules=schedules,
            file=args.out.name,
            lang=args.lang,
        )
    write_text_atomic(args.out, body)
    print(_say(args, "wrote", path=args.out))
    if len(problems):
        _print_report(args, problems)
    return EXIT_FINDINGS if problems.errors else EXIT_OK
