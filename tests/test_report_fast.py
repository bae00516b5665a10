"""The report's bulk paths (issue 11, ``ntmgis report`` speed) against the per-item formulas they replaced."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from ntmgis.problems import Problem, ProblemReport, feature_words

KEYED = st.one_of(
    st.builds(
        lambda m, f: Problem.of("problems.length_outside", layer="roads", feature=f, metres=m),
        st.sampled_from(["1.5", "12", "1.5e+03"]),
        st.sampled_from(["R1", "R2", "row 3"]),
    ),
    st.builds(
        lambda s, f: Problem.of("problems.market_reach", layer="villages", feature=f, status=s),
        st.sampled_from(["too_far", "no_road"]),
        st.sampled_from(["V1", "feature 2"]),
    ),
    st.builds(
        lambda v, c: Problem.of(
            "problems.code_lost_zero", file="v.gpkg", layer="villages", value=v, column="commune_code", code=c
        ),
        st.sampled_from(["101", "2"]),
        st.sampled_from(["00101", "00002"]),
    ),
    st.builds(
        Problem, st.just("x.csv"), st.just("markets"), st.just("row 2"), st.just("bad"), st.just("left")
    ),
)


def _old_frame(report: ProblemReport, lang: str) -> pd.DataFrame:
    """``ProblemReport.to_frame`` as it was: every problem rendered on its own."""
    rows = [(p.severity, p.file, p.layer, p.feature, *p.text(lang), p.count) for p in report]
    frame = pd.DataFrame(rows, columns=list(ProblemReport.COLUMNS))
    if frame.empty:
        return frame
    frame["_o"] = frame["severity"].map({"error": 0, "warning": 1, "info": 2})
    frame = frame.sort_values(["_o", "file", "layer"], kind="stable").drop(columns="_o")
    frame = frame.reset_index(drop=True)
    words = [feature_words(str(f), lang) for f in frame["feature"]]
    frame["feature"] = pd.Series(words, index=frame.index, dtype=frame["feature"].dtype)
    return frame


@settings(max_examples=60, deadline=None)
@given(st.lists(KEYED, max_size=25), st.sampled_from(["vi", "en"]))
def test_problems_rendered_once_are_each_problem_rendered(found: list[Problem], lang: str) -> None:
    report = ProblemReport(tuple(found))
    pd.testing.assert_frame_equal(report.to_frame(lang), _old_frame(report, lang))


def test_a_repeated_problem_is_rendered_once(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import ntmgis.problems as problems

    report = ProblemReport(
        tuple(
            Problem.of("problems.length_outside", layer="roads", feature=f"R{k}", metres="12")
            for k in range(50)
        )
    )
    calls: list[str] = []
    render = problems.render
    monkeypatch.setattr(problems, "render", lambda key, *rest: calls.append(key) or render(key, *rest))
    kinds = report.kinds("vi")
    assert calls == ["problems.length_outside"]
    assert kinds["count"].tolist() == [50]
    assert kinds["problem"].iloc[0].startswith("12 m nằm ngoài")


def _same(a: object, b: object) -> bool:
    """Equal values of the same type, NaN equal to NaN (NaT is one object)."""
    if type(a) is not type(b):
        return False
    return a is b or a == b or (isinstance(a, float) and a != a and b != b)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([None, "01", "", "Đạt"]), st.booleans(), st.integers(0, 3)), max_size=8
    )
)
def test_records_are_the_frame_records(rows: list[tuple[str | None, bool, int]]) -> None:
    from ntmgis.criteria.records import records

    text, flag, number = zip(*rows, strict=True) if rows else ((), (), ())
    missing = [None if k == 0 else k for k in number]
    frame = pd.DataFrame(
        {
            "str": pd.Series(text, dtype="str"),
            "string": pd.Series(text, dtype="string"),
            "object": pd.Series([t if k % 2 else k for t, k in zip(text, number, strict=True)], dtype=object),
            "bool": pd.Series(flag, dtype=bool),
            "boolean": pd.array(
                [None if k == 1 else f for f, k in zip(flag, number, strict=True)], dtype="boolean"
            ),
            "int": pd.Series(number, dtype="int64"),
            "Int64": pd.array(missing, dtype="Int64"),
            "float": pd.Series(missing, dtype=float),
            "date": pd.to_datetime(
                pd.Series([None if k == 2 else f"2025-0{k + 1}-01" for k in number], dtype=object)
            ),
        }
    )
    got, want = records(frame), frame.to_dict("records")
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert list(g) == list(w)
        assert all(_same(g[c], w[c]) for c in w), (g, w)


def test_str_format_is_the_words_formatter_on_every_catalogue_text() -> None:
    from ntmgis.labels import words
    from ntmgis.problems import _format, _Words, template_fields

    for lang in ("vi", "en"):
        entries = words("problems", lang)
        for name, template in entries.items():
            fields = {f: (3 if k % 2 else "row") for k, f in enumerate(sorted(template_fields(template)))}
            assert _format(template, entries, fields) == _Words(entries).format(template, **fields), name


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["R1", "R2", "R3", "R10"]), st.floats(0, 5000), st.booleans()),
        min_size=1,
        max_size=30,
    )
)
def test_split_problems_are_each_problem_made_alone(pieces: list[tuple[str, float, bool]]) -> None:
    from ntmgis.analysis.clip import PRECISION_M, split_problems

    frame = pd.DataFrame(
        {
            "segment_id": [s for s, _, _ in pieces],
            "length_m": [m for _, m, _ in pieces],
            "commune_code": [None if out else "00001" for _, _, out in pieces],
        }
    )
    lengths = frame[frame["commune_code"].isna()].groupby("segment_id", sort=True)["length_m"].sum()
    old = [
        Problem.of("problems.length_outside", layer="roads", feature=str(f), metres=f"{m:.3g}")
        for f, m in lengths[lengths >= PRECISION_M].items()
    ]
    got = split_problems(frame, "roads")
    assert got[: len(old)] == old
    assert [p.key for p in got[len(old) :]] == ["problems.length_outside_tiny"] * int(
        (lengths < PRECISION_M).any()
    )
