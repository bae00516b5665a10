"""Problems are grouped by kind and ranked: errors first, then the kinds that count most features."""

from ntmgis.problems import Problem, ProblemReport


def _p(problem, severity="warning", feature="", count=1, layer="roads"):
    return Problem("roads.gpkg", layer, feature, problem, "fix it", severity, count=count)


def test_kinds_group_numbers_and_details_and_rank_errors_first():
    report = ProblemReport(
        (
            *(_p(f"invalid geometry (Self-intersection[{i} {i}])", feature=f"R{i}") for i in range(5)),
            _p("unknown surface 'sỏi'", feature="R9, R10, R11, …", count=50),
            _p("unknown surface 'đá'", feature="R12"),
            _p("commune_code 7324 lost its leading zero", feature="R1"),
            _p("commune_code 7325 lost its leading zero", feature="R2"),
            _p("duplicate id in features 1, 2", "error"),
            _p("duplicate id in features 3, 4, 5", "error"),
            _p("road_class 'Đường thôn' is a label, not a code", "info", count=7),
        )
    )
    kinds = report.kinds()
    assert kinds["severity"].tolist() == ["error", "warning", "warning", "warning", "warning", "info"]
    assert kinds["count"].tolist() == [2, 50, 5, 2, 1, 7]
    assert kinds["problem"].iloc[0] == "duplicate id in features 1, 2 (and 1 like it)"
    assert kinds["examples"].iloc[2] == "R0; R1; R2; …"
    # each unknown value is a kind of its own: it has its own fix
    assert kinds["problem"].str.startswith("unknown surface").sum() == 2
    assert kinds.columns.tolist() == list(ProblemReport.KIND_COLUMNS)


def test_format_is_one_line_per_kind_and_capped():
    report = ProblemReport(tuple(_p(f"unknown managed_by 'đội {i}'", feature=f"R{i}") for i in range(60)))
    lines = report.format(limit=40).splitlines()
    assert len(lines) == 41 and lines[-1] == "… 20 more kinds of problem"
    assert lines[0] == "[warning] roads (roads.gpkg) ×1: unknown managed_by 'đội 0' (R0) -> fix it"
    assert ProblemReport().format() == "no problems found"


def test_to_frame_keeps_every_row_with_its_count():
    report = ProblemReport((_p("a", count=50), _p("a"), _p("b", "error")))
    frame = report.to_frame()
    assert len(frame) == 3 and frame["count"].tolist() == [1, 50, 1]
    assert str(_p("a", count=50)).endswith("a (50 features) -> fix it")
