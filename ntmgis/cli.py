"""The ``ntmgis`` command.

Exit codes: 0 ok; 1 findings that fail a check the user asked for (``validate --strict``, ``map
--strict``); 2 bad input, with a message naming the file, the row and what to do; 3 an internal
error (a bug: a short message asking for a report, the traceback only with ``--debug``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .cli_export import _cmd_export, write_exports
from .cli_outputs import EXIT_INTERRUPTED, Interrupted, command_outputs, interruptible
from .cli_parser import _parser as _parser  # tests and docs build the parser from here
from .cli_parser import parse_arguments
from .cli_plan import _cmd_plan
from .labels import text
from .problems import DataError, Problem, ProblemReport

if TYPE_CHECKING:  # pandas is imported by the commands that need it, not at start-up
    from contextlib import AbstractContextManager
    from datetime import date

    import pandas as pd

    from .assessment import Assessment
    from .cli_outputs import Stage
    from .progress import Progress
    from .scenario import Comparison, Scenario
    from .units_view import UnitsView
    from .workspace import Workspace

__all__ = ["main"]

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


def _progress(args: argparse.Namespace) -> Progress:
    """The command's progress on stderr: silent off a terminal and with ``--quiet``."""
    from .progress import terminal_progress

    return terminal_progress(sys.stderr, quiet=args.quiet, after_s=args.progress_after)


def _step(
    args: argparse.Namespace, progress: Progress, key: str, **fields: object
) -> AbstractContextManager[None]:
    """One named step of ``progress``, in the command's language."""
    return progress.step(_say(args, f"step_{key}", **fields))


def _say(args: argparse.Namespace, key: str, **fields: object) -> str:
    """A message of the command in the language asked for (``--lang``; Vietnamese by default)."""
    return text(f"cli.{key}", getattr(args, "lang", "vi"), **fields)


def _print_report(args: argparse.Namespace, report: ProblemReport, limit: int = 40) -> None:
    """One line per kind of problem on stderr, errors first, at most ``limit`` lines (a screenful)."""
    if len(report):
        lines = report.format(lang=getattr(args, "lang", "vi")).splitlines()
        if len(lines) > limit:
            lines = lines[:limit] + [_say(args, "more_kinds", count=len(lines) - limit)]
        print("\n".join(lines), file=sys.stderr)
    errors = len(report.errors)
    print(_say(args, "problem_counts", errors=errors, others=len(report) - errors), file=sys.stderr)


def _cmd_validate(args: argparse.Namespace) -> int:
    from .io import write_text_atomic
    from .io.outputs import refuse_inputs_as_outputs
    from .io.safe_text import safe_csv_frame
    from .workspace.inputs import file_parts, workspace_inputs

    if args.out is not None:
        inputs = file_parts(args.file) if args.file is not None else workspace_inputs(args.workspace)
        if getattr(args, "scenario", None) is not None:
            inputs = [*inputs, *file_parts(args.scenario)]
        refuse_inputs_as_outputs([args.out], inputs)
    with command_outputs(args, [args.out]) as stage:
        report = _validate_report(args)
        if report is not None:
            _print_report(args, report)
        if args.out is not None and report is not None:
            write_text_atomic(stage(args.out), safe_csv_frame(report.to_frame(args.lang)).to_csv(index=False))
    if report is None:
        return EXIT_BAD_INPUT
    if not report.ok:
        return EXIT_BAD_INPUT
    if args.strict and len(report):
        return EXIT_FINDINGS
    return EXIT_OK


def _validate_report(args: argparse.Namespace) -> ProblemReport | None:
    """The problems ``validate`` finds (None: the contract asked for with ``--as`` is unknown)."""
    from .io import read_layer, read_table
    from .validate import validate_layer, validate_table
    from .vocab import contracts
    from .workspace import inspect_workspace

    if args.file is not None:
        specs = contracts()
        if args.contract not in specs["layers"] and args.contract not in specs["tables"]:
            known = ", ".join([*specs["layers"], *specs["tables"]])
            print(f"ntmgis validate: {_say(args, 'needs_contract', known=known)}", file=sys.stderr)
            return None
        if args.contract in specs["layers"]:
            read = read_layer(
                args.file,
                name=args.contract,
                crs=args.crs,
                id_column=specs["layers"][args.contract].get("id"),
            )
            checked = validate_layer(read.frame, args.contract, file=str(args.file))
        else:
            read = read_table(args.file, name=args.contract)
            checked = validate_table(read.frame, args.contract, file=str(args.file))
        report = ProblemReport(read.problems + checked.problems)
    else:
        workspace, report = inspect_workspace(args.workspace)
        if workspace is not None:
            report = report + _criteria_check(workspace) + _network_check(workspace)
        if getattr(args, "scenario", None) is not None:
            report = report + _scenario_check(args.scenario, workspace)
    return report


def _scenario_check(path: Path, workspace: Workspace | None) -> list[Problem]:
    """Every problem ``scenario run`` would refuse in a scenario file: layout, types, then values
    against the workspace (years before the plan, points far outside the district)."""
    from .scenario import load_scenarios

    try:
        scenarios = load_scenarios(path)
    except DataError as exc:
        return list(exc.problems)
    return [] if workspace is None else _scenario_values(scenarios, path, workspace)


def _scenario_values(scenarios: list[Scenario], path: Path, workspace: Workspace) -> list[Problem]:
    """The values of scenarios against the workspace (``ntmgis.scenario.yaml.scenario_value_problems``)."""
    from .scenario.yaml import scenario_value_problems

    first_year = workspace.plan.period()[0] if workspace.plan is not None else None
    communes = workspace.communes
    bounds = tuple(float(v) for v in communes.total_bounds) if len(communes) else None
    return scenario_value_problems(scenarios, source=str(path), first_year=first_year, bounds=bounds)  # type: ignore[arg-type]


def _criteria_check(workspace: Workspace) -> list[Problem]:
    """What ``map`` and ``report`` would refuse about the criteria (set, overrides, region), said now."""
    from .criteria.evaluate import check_workspace_criteria
    from .units_recut import units_groups_problems
    from .units_view import units_crosswalk

    problems = check_workspace_criteria(workspace)
    if workspace.units_groups is not None:  # what --units would refuse (the workspace's crosswalk)
        walk, file = units_crosswalk(workspace), workspace.units_groups_file
        problems += units_groups_problems(
            workspace.units_groups, walk, file=file, period=workspace.unit_period
        )
    return problems


def _network_check(workspace: Workspace) -> list[Problem]:
    """A cut road layer said by ``validate``, before any command computes reach on it.

    Not said when ``network: {node: true}`` asks for the repair: the assessment reports the noding.
    """
    from .analysis import check_road_network
    from .analysis.graph import network_problems

    if not workspace.has_layer("roads") or workspace.network["node"]:
        return []
    check = check_road_network(workspace.layer("roads"), snap_m=float(workspace.network["snap_m"]))
    return network_problems(check, file=str(workspace.sources.get("roads", "")))


def _unit_cost_tables(args: argparse.Namespace) -> dict[str, pd.DataFrame]:
    """``unit_costs``/``canal_unit_costs`` keyword arguments of assess() from the command's files."""
    from .io import read_unit_costs

    tables: dict[str, pd.DataFrame] = {}
    for option, network in (("unit_costs", "roads"), ("canal_unit_costs", "canals")):
        path = getattr(args, option, None)
        if path is not None:
            tables[option] = read_unit_costs(path, network).frame
    return tables


def _closing_dates(args: argparse.Namespace, workspace: Workspace) -> tuple[date, ...] | None:
    """``--closing-date`` / ``--handover-date`` as the closing account's dates (None: the defaults).

    Refused (ValueError, exit 2): a handover not before the closing date, or a closing date before
    the plan's first year; each message names the option and both dates.
    """
    from .criteria.closing import HANDOVER, closing_dates

    closing, handover = getattr(args, "closing_date", None), getattr(args, "handover_date", None)
    if closing is None and handover is None:
        return None
    main_date = closing if closing is not None else closing_dates(workspace.plan)[0]
    if workspace.plan is not None and main_date.year < workspace.plan.period()[0]:
        first, last = workspace.plan.period()
        raise ValueError(
            _say(args, "closing_before_plan", date=main_date.isoformat(), first=first, last=last)
        )
    second = HANDOVER if handover is None else handover
    if handover is not None and handover >= main_date:
        raise ValueError(
            _say(args, "handover_not_before", handover=handover.isoformat(), closing=main_date.isoformat())
        )
    return (main_date, second) if second < main_date else (main_date,)


def _units_view(args: argparse.Namespace, workspace: Workspace, assessment: Assessment) -> UnitsView | None:
    from .units_view import workspace_units_view

    if args.units is None:
        return None
    view = workspace_units_view(
        workspace,
        assessment,
        to=args.units,
        crosswalk=args.crosswalk,
        polygons=args.units_polygons,
        groups=_units_groups(args, workspace),
    )
    if view.problems:
        _print_report(args, ProblemReport(view.problems))
    return view


def _units_groups(args: argparse.Namespace, workspace: Workspace) -> Mapping[str, object] | None:
    """The new units' groups of ``--units-groups`` (said in one line when they hide the workspace's
    ``units_groups:``), else None: the polygons' ``commune_group`` column, then the workspace's.

    Raises
    ------
    DataError
        The workspace's ``units_groups:`` names a code that is no later unit of the crosswalk, or a
        group no criteria set has.
    """
    from .units_recut import read_units_groups, units_groups_problems
    from .units_view import units_crosswalk

    if args.units_groups is not None:
        if workspace.units_groups is not None:
            line = _say(args, "units_groups_given", path=args.units_groups)
            print(f"ntmgis {args.command}: {line}", file=sys.stderr)
        return read_units_groups(args.units_groups)
    if workspace.units_groups is not None:
        walk = units_crosswalk(workspace, args.crosswalk)
        file, period = workspace.units_groups_file, workspace.unit_period
        problems = units_groups_problems(workspace.units_groups, walk, file=file, period=period)
        if problems:
            raise DataError(problems)
    return None


def _default_out(out: Path | None, workspace: Workspace, what: str) -> Path:
    """``out`` as given, else ``out/<district>_<what>`` named after the workspace (tan_yen_map.html)."""
    from .district import workspace_slug

    return out if out is not None else Path("out") / f"{workspace_slug(workspace)}_{what}"


def _cmd_map(args: argparse.Namespace) -> int:
    from .workspace import load_workspace

    print_options = ("theme", "paper", "orientation", "dpi")
    if args.png is None and any(getattr(args, k) is not None for k in print_options):
        raise ValueError(_say(args, "print_needs_png"))
    if args.out is not None:  # before any reading, then again for the default name
        _refuse_overwrite(args, [args.out])
    progress = _progress(args)
    with _step(args, progress, "read"):
        workspace = load_workspace(args.workspace)
    args.out = _default_out(args.out, workspace, "map.html")
    _refuse_overwrite(args, [args.out] + ([args.png] if args.png is not None else []))
    with command_outputs(args, [args.out, args.png]) as stage:
        undrawn = _write_map(args, workspace, progress, stage)
    if undrawn:  # never silent: what the page or the print left out, as validate lists problems
        _print_report(args, ProblemReport(undrawn))
    print(_say(args, "wrote", path=args.out))
    if args.png is not None:
        print(_say(args, "wrote", path=args.png))
    return EXIT_FINDINGS if args.strict and undrawn else EXIT_OK


def _write_map(
    args: argparse.Namespace, workspace: Workspace, progress: Progress, stage: Stage
) -> tuple[Problem, ...]:
    """The map's page (and print) into ``stage``: the assessment, the print first, then the page.

    Returns the features the print and the page could not draw (one problem per output, layer
    and reason), each named after the file it is missing from.
    """
    from dataclasses import replace

    from .io import write_bytes_atomic, write_text_atomic
    from .maps import build_planner_print
    from .maps.planner import planner_map

    assessment = _assess(args, workspace, progress, as_of=args.year)
    printed, undrawn = None, []
    if args.png is not None:  # first: an unknown --theme stops before anything is written
        with _step(args, progress, "png"):
            drawn = build_planner_print(
                workspace,
                assessment,
                lang=args.lang,
                theme=args.theme,
                paper=args.paper or "A4",
                orientation=args.orientation,
                dpi=args.dpi or 150,
            )
            printed = drawn.save("pdf" if Path(args.png).suffix.lower() == ".pdf" else "png")
            undrawn += [replace(p, file=str(args.png)) for p in drawn.problems]
    units = _units_view(args, workspace, assessment)
    with _step(args, progress, "map"):
        page = planner_map(workspace, assessment, lang=args.lang, basemap=args.basemap, units=units)
        write_text_atomic(stage(args.out), page.html)
    if args.png is not None and printed is not None:
        write_bytes_atomic(stage(args.png), printed)
    return tuple(replace(p, file=str(args.out)) for p in page.undrawn) + tuple(undrawn)


def _as_of(value: str | None) -> int | str | None:
    """``--as-of``: a year given alone is a year, anything else a date text."""
    return int(value) if value and value.isdigit() else value


def _assess(
    args: argparse.Namespace, workspace: Workspace, progress: Progress, *, as_of: int | str | None
) -> Assessment:
    """The one assessment of ``map``, ``report`` and ``export``, from their shared options."""
    from .assessment import assess

    with _step(args, progress, "assess"):
        return assess(
            workspace,
            as_of=as_of,
            criteria_set=args.criteria_set,
            prefer=getattr(args, "prefer", "computed"),
            market_radius_m=args.market_radius,
            node_roads=args.node_roads,
            snap_m=args.snap_m,
            closing_dates=_closing_dates(args, workspace),
            **_unit_cost_tables(args),
        )


def _cmd_report(args: argparse.Namespace) -> int:
    from .report import write_report
    from .workspace import load_workspace

    if args.out is not None:  # before any reading, then again for the default name
        _refuse_overwrite(args, [args.out])
    progress = _progress(args)
    with _step(args, progress, "read"):
        workspace = load_workspace(args.workspace)
    args.out = _default_out(args.out, workspace, "report.xlsx")
    outputs = [args.out] + ([args.gpkg] if args.gpkg is not None else [])
    folders = [] if args.no_csv else [_csv_folder(args.out)]
    _refuse_overwrite(args, outputs, folders=folders)
    with command_outputs(args, outputs + folders) as stage:
        assessment = _assess(args, workspace, progress, as_of=_as_of(args.as_of))
        units = _units_view(args, workspace, assessment)
        with _step(args, progress, "report"):
            files = write_report(
                workspace, assessment, stage(args.out), lang=args.lang, csv=not args.no_csv, units=units
            )
        write_exports(args, workspace, assessment, progress, stage=stage)
    print(
        _say(args, "wrote_with_csv", path=args.out, count=len(files.csv_files))
        if files.csv_files
        else _say(args, "wrote", path=args.out)
    )
    return EXIT_OK


def _csv_folder(workbook: Path) -> Path:
    """Where the CSV files of a workbook go (``<stem>_csv/``, see :func:`ntmgis.report.write_tables`)."""
    return workbook.with_name(f"{workbook.stem}_csv")


def _diff_map_path(workbook: Path, name: str) -> Path:
    """The diff map of scenario ``name`` beside the comparison workbook."""
    import re

    slug = re.sub(r"[^\w-]+", "_", name, flags=re.ASCII).strip("_") or "scenario"
    return workbook.with_name(f"{workbook.stem}_{slug}.html")


def _refuse_overwrite(
    args: argparse.Namespace,
    outputs: Sequence[Path],
    *,
    folders: Sequence[Path] = (),
    also: Sequence[Path | str | None] = (),
) -> None:
    """Refuse (DataError, exit 2) an output that is a file the command reads, before any writing."""
    from .io.outputs import refuse_inputs_as_outputs
    from .workspace.inputs import file_parts, workspace_inputs

    # The plan commands write the workspace's plan (init, from-sheet): there it is the output.
    inputs = workspace_inputs(getattr(args, "workspace", None), plan=args.command != "plan")
    for extra in (*also, getattr(args, "unit_costs", None), getattr(args, "canal_unit_costs", None)):
        if extra is not None and not str(extra).startswith("package:"):
            inputs.extend(file_parts(Path(extra)))
    refuse_inputs_as_outputs(outputs, inputs, folders=folders)


def _scenario_in_units(
    args: argparse.Namespace,
    workspace: Workspace,
    comparison: Comparison,
    tables: dict[str, pd.DataFrame],
    titles: dict[str, str],
) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """``scenario run --units``: the comparison's sheets and those of the runs in the new units."""
    from .scenario import compare_in_units, units_comparison_tables, units_comparison_titles

    units = compare_in_units(
        comparison,
        to=args.units,
        crosswalk=args.crosswalk,
        polygons=args.units_polygons,
        groups=_units_groups(args, workspace),
    )
    return (
        tables | units_comparison_tables(units, lang=args.lang),
        titles | units_comparison_titles(units, args.lang),
    )


def _cmd_scenario(args: argparse.Namespace) -> int:
    from .scenario import load_scenarios
    from .workspace import load_workspace

    if args.out is not None and args.out.suffix.lower() != ".xlsx":  # before minutes of work, not after
        raise ValueError(_say(args, "comparison_not_xlsx", name=args.out.name))
    scenarios = load_scenarios(args.file)
    if args.out is not None:  # before any reading, then again for the default name
        _refuse_overwrite(args, [args.out], also=[args.file])
    progress = _progress(args)
    with _step(args, progress, "read"):
        workspace = load_workspace(args.workspace)
    value_problems = _scenario_values(scenarios, args.file, workspace)
    if value_problems:
        raise DataError(value_problems)
    args.out = _default_out(args.out, workspace, "scenario.xlsx")
    maps = [] if args.no_map else [_diff_map_path(args.out, s.name) for s in scenarios]
    _refuse_overwrite(args, [args.out, *maps], folders=[_csv_folder(args.out)], also=[args.file])
    with command_outputs(args, [args.out, _csv_folder(args.out), *maps]) as stage:
        count = _write_scenarios(args, workspace, scenarios, progress, stage)
    print(_say(args, "wrote_with_csv", path=args.out, count=count))
    for path in maps:
        print(_say(args, "wrote", path=path))
    return EXIT_OK


def _write_scenarios(
    args: argparse.Namespace,
    workspace: Workspace,
    scenarios: list[Scenario],
    progress: Progress,
    stage: Stage,
) -> int:
    """Run the scenarios, write the comparison workbook (and diff maps) into ``stage``; the CSV count."""
    from .io import write_text_atomic
    from .maps.diff import build_diff_map
    from .report import write_tables
    from .scenario import Scenario, compare, comparison_tables, comparison_titles, run

    with _step(args, progress, "scenario", name="baseline"):
        baseline = run(workspace, Scenario("baseline", as_of=scenarios[0].as_of))
    runs = []
    for scenario in scenarios:
        with _step(args, progress, "scenario", name=scenario.name):
            runs.append(run(workspace, scenario, baseline=baseline.assessment))
    comparison = compare(baseline, *runs)
    tables = comparison_tables(comparison, lang=args.lang)
    titles = comparison_titles(args.lang)
    if args.units is not None:  # the same runs rolled up to the new units (the report's roll-up)
        tables, titles = _scenario_in_units(args, workspace, comparison, tables, titles)
    files = write_tables(
        tables, stage(args.out), titles=titles, lang=args.lang, note=workspace.note(args.lang)
    )
    for name in comparison.names[1:]:
        flips = comparison.flips[comparison.flips["scenario"] == name]
        cost = comparison.works.loc[comparison.works["scenario"] == name, "cost_million_vnd"].sum()
        amount = f"{cost:,.0f}".replace(",", ".") if args.lang == "vi" else f"{cost:,.0f}"
        print(_say(args, "scenario_summary", name=name, flips=len(flips), cost=amount))
        if not args.no_map:
            with _step(args, progress, "diff_map", name=name):
                html = build_diff_map(comparison, name, lang=args.lang)
                write_text_atomic(stage(_diff_map_path(args.out, name)), html)
    return len(files.csv_files)


def _cmd_sample(args: argparse.Namespace) -> int:
    from .datasets import get_path
    from .sample import SampleOverwriteError, write_sample

    out = get_path("tan_yen") if args.out is None else args.out
    try:
        paths = write_sample(out, seed=args.seed, force=args.force)
    except SampleOverwriteError as exc:
        print(f"ntmgis sample: {_say(args, 'sample_refused', reason=exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(_say(args, "wrote_files", count=len(paths), folder=out))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = parse_arguments(argv)
    handlers = {
        "validate": _cmd_validate,
        "map": _cmd_map,
        "report": _cmd_report,
        "scenario": _cmd_scenario,
        "sample": _cmd_sample,
        "plan": _cmd_plan,
        "export": _cmd_export,
    }
    try:
        with interruptible():
            return handlers[args.command](args)
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: the temporary outputs are already removed
        signum = exc.signum if isinstance(exc, Interrupted) else 2
        print(f"ntmgis {args.command}: {_say(args, 'interrupted', signal=exc or 'SIGINT')}", file=sys.stderr)
        return EXIT_INTERRUPTED if signum == 2 else 128 + signum
    except DataError as exc:
        print(f"ntmgis {args.command}: {_say(args, 'bad_input')}", file=sys.stderr)
        _print_report(args, ProblemReport(exc.problems))
        return EXIT_BAD_INPUT
    except ValueError as exc:  # bad option values (dates, set ids) named by the callee
        print(f"ntmgis {args.command}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"ntmgis {args.command}: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # the one guard: a bug is a short message and exit 3, never a traceback
        if args.debug:
            raise
        message = str(exc).splitlines()[0][:200] if str(exc) else ""
        said = _say(args, "internal_error", kind=type(exc).__name__, message=message)
        print(f"ntmgis {args.command}: {said}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
