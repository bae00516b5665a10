"""Fuzzing of what users type (issue 15 part 6): workspace.yaml shapes and status tables.

- workspace.yaml: random types at every key and random nesting, through
  :func:`ntmgis.workspace.inspect_workspace` (never raises) and :func:`load_workspace` (only
  :class:`~ntmgis.problems.DataError`);
- the status reader (long and wide forms): random headers, cells, blanks as merged cells leave
  them, codes that lost their zeros: only DataError, and every input row is read or reported.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ntmgis.io.status import status_from_frame
from ntmgis.problems import DataError
from ntmgis.values import is_missing
from ntmgis.workspace import inspect_workspace, load_workspace

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from make_corpus import WORKSPACE_KEYS  # noqa: E402
from workspace_builders import PLAN_CODES, grid_communes, write_workspace  # noqa: E402

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
#: Keys below the top level the readers look into.
NESTED = (
    ("district", "name"),
    ("district", "kind"),
    ("district", "province"),
    ("layers", "communes"),
    ("layers", "roads"),
    ("layers", "markets"),
    ("tables", "commune_status"),
    ("network", "node"),
    ("network", "snap_m"),
    ("values", "roads"),
    ("criteria_overrides", "qd318_2022_xa"),
)
ENTRY_KEYS = ("path", "layer", "crs", "columns", "year", "sheet", "level")
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_workspace(tmp_path_factory.mktemp("fuzz") / "ws", extra={"plan": None})


def _write(base: Path, config: dict, n: list[int]) -> Path:
    n[0] += 1
    path = base.parent / f"fuzz_{n[0]}.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


_COUNTER = [0]


@FUZZ
@given(
    top=st.dictionaries(st.sampled_from(WORKSPACE_KEYS), VALUES, max_size=3),
    nested=st.dictionaries(st.sampled_from(NESTED), VALUES, max_size=2),
    entry=st.dictionaries(st.sampled_from(ENTRY_KEYS), VALUES, max_size=2),
)
def test_workspace_yaml_of_any_shape_is_problems_never_an_exception(base, top, nested, entry):
    config = yaml.safe_load(base.read_text(encoding="utf-8"))
    config.update(top)
    for (key, sub), value in nested.items():
        if isinstance(config.get(key), dict):
            config[key][sub] = value
    if isinstance(config.get("layers"), dict) and isinstance(config["layers"].get("roads"), dict):
        config["layers"]["roads"].update(entry)
    path = _write(base, config, _COUNTER)
    try:
        workspace, report = inspect_workspace(path)
        assert workspace is not None or report.errors
        try:
            load_workspace(path)
        except DataError as exc:
            assert exc.problems
    finally:
        path.unlink()


# --------------------------------------------------------------------------------------------
# The status reader
# --------------------------------------------------------------------------------------------

UNITS = pd.DataFrame(grid_communes().drop(columns="geometry"))
CODES = sorted(PLAN_CODES)
CELLS = st.one_of(
    st.none(),
    st.sampled_from(
        ["Đạt", "đạt", "x", "✓", "Chưa đạt", "", " ", "64 %", "Đạt (2022)", "=A1", "#N/A", "1", "0"]
    ),
    st.sampled_from(CODES),
    st.sampled_from(CODES).map(lambda c: int(c)),  # the zero lost
    st.sampled_from(list(PLAN_CODES.values())),
    st.integers(-5, 30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
)
HEADERS = st.one_of(
    st.sampled_from(
        ["Mã xã", "Tên xã", "commune_code", "criterion", "met", "year", "Năm", "Mức", "Ghi chú", "STT"]
        + ["1", "2", "2.1", "TC 3", "Tiêu chí 4", "5. Trường học", "19", "20", "Unnamed: 3"]
    ),
    st.text(max_size=6),
)


@st.composite
def status_frames(draw: st.DrawFn) -> pd.DataFrame:
    headers = draw(st.lists(HEADERS, min_size=1, max_size=6, unique=True))
    rows = draw(st.lists(st.lists(CELLS, min_size=len(headers), max_size=len(headers)), max_size=8))
    frame = pd.DataFrame(rows, columns=headers, dtype=object)
    if draw(st.booleans()) and len(frame) > 1:  # a merged cell: the rows below read blank
        frame.iloc[1:, 0] = None
    return frame


_ROW = re.compile(r"row (\d+)|\b[A-Z]{1,3}(\d+)\b")


def _rows_named(text: str) -> set[int]:
    return {int(a or b) for a, b in _ROW.findall(text)}


@settings(max_examples=150, deadline=None)
@given(raw=status_frames(), year=st.none() | st.just(2023))
def test_status_reader_reads_or_reports_every_row(raw, year):
    try:
        read = status_from_frame(raw, units=UNITS, unit="commune", file="s.csv", year=year)
    except DataError as exc:
        assert exc.problems
        return
    read_rows = set().union(*(_rows_named(str(c)) for c in read.frame["cell"])) if len(read.frame) else set()
    reported = (
        set().union(*(_rows_named(f"{p.feature} {p.problem}") for p in read.problems))
        if read.problems
        else set()
    )
    # an error refuses the table (its header row is named); a warning naming no row is of the whole table
    whole_table = any(
        p.severity == "error" or (not _rows_named(p.feature) and p.severity == "warning")
        for p in read.problems
    )
    for label, row in raw.iterrows():
        if all(is_missing(v) or (isinstance(v, str) and not v.strip()) for v in row.tolist()):
            continue  # a blank row holds nothing to lose
        sheet_row = int(label) + 2
        assert sheet_row in read_rows or sheet_row in reported or whole_table, (sheet_row, raw, read.problems)
