"""A district writes its own plan: the real neighbour communes of Tân Yên (no packaged plan), a
skeleton from ``ntmgis plan init``, filled in the way an office would edit it, then used by every
command. Skips without ``../shared/data/real``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from test_no_plan import NEIGHBOURS, write_neighbours

from ntmgis.assessment import assess
from ntmgis.cli import main
from ntmgis.workspace import load_workspace

pytestmark = pytest.mark.skipif(not NEIGHBOURS.exists(), reason="shared/data/real not present")


@pytest.fixture(scope="module")
def own_plan(tmp_path_factory) -> tuple[Path, list[dict[str, str]]]:
    root = write_neighbours(tmp_path_factory.mktemp("own_plan") / "ws", status_year=2024)
    plan_path = root / "ke_hoach.yaml"
    assert main(["plan", "init", str(root), "-o", str(plan_path), "--period", "2021-2025"]) == 0
    skeleton = plan_path.read_text(encoding="utf-8")
    # Every commune of the workspace is listed for the office to fill in.
    communes = load_workspace(root).communes
    assert all(str(code) in skeleton for code in communes["commune_code"])

    plan = yaml.safe_load(skeleton)
    chosen = [{"code": str(c), "name": str(n)} for c, n in communes[["commune_code", "name"]].values[:3]]
    plan["communes"]["nang_cao_schedule"]["years"] = {2023: chosen[:2], 2025: chosen[2:]}
    plan["communes"]["nang_cao_total"]["value"] = 3
    plan["communes"]["kieu_mau_schedule"]["years"] = {2025: chosen[:1]}
    plan["communes"]["kieu_mau_total"]["value"] = 1
    plan["villages"]["model_villages_by_year"]["years"] = {2024: 2, 2025: 3}
    plan["villages"]["model_villages_total"]["value"] = 5
    plan["budget"] = {"unit": "million VND", "section": "", "total": 1000, "parts": {"a": 600, "b": 400}}
    plan_path.write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")

    config = yaml.safe_load((root / "workspace.yaml").read_text(encoding="utf-8"))
    config["plan"] = "ke_hoach.yaml"
    (root / "workspace.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return root, chosen


def test_the_edited_plan_is_the_workspace_plan(own_plan):
    root, chosen = own_plan
    workspace = load_workspace(root)
    assert workspace.plan is not None
    schedule = workspace.plan.nang_cao_schedule()
    assert schedule.set_index("commune_code")["year"].to_dict() == {
        chosen[0]["code"]: 2023,
        chosen[1]["code"]: 2023,
        chosen[2]["code"]: 2025,
    }
    assert workspace.plan.model_villages_by_year().to_dict() == {2024: 2, 2025: 3}


def test_the_assessment_follows_the_edited_plan(own_plan):
    root, chosen = own_plan
    a = assess(load_workspace(root))
    assert a.provenance.plan is not None
    scheduled = a.schedule[a.schedule["unit_type"] == "commune"]
    assert set(scheduled["unit_code"]) >= {c["code"] for c in chosen}
    assert not a.progress.empty


def test_validate_map_and_report_use_the_plan(own_plan, tmp_path, capsys):
    root, _ = own_plan
    assert main(["validate", str(root)]) in (0, 1)
    out = capsys.readouterr()
    assert "Traceback" not in out.err and "no plan" not in out.out + out.err
    assert main(["map", str(root), "-o", str(tmp_path / "m.html")]) == 0
    assert main(["report", str(root), "-o", str(tmp_path / "r.xlsx")]) == 0
    html = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert "Chưa có kế hoạch" not in html
    # A set of communes of six districts: named as such, never "Huyện", never "Các xã Các xã".
    assert "<title>Các xã giáp Tân Yên, tỉnh Bắc Giang" in html and "Huyện" not in html


def test_a_mistake_in_the_edited_plan_is_listed_not_raised(own_plan, tmp_path, capsys):
    root, chosen = own_plan
    broken = yaml.safe_load((root / "ke_hoach.yaml").read_text(encoding="utf-8"))
    broken["communes"]["nang_cao_schedule"]["years"][2031] = [{"code": "9999999", "name": "Xã Không Có"}]
    bad = tmp_path / "ws"
    bad.mkdir()
    for path in root.iterdir():
        if path.is_file():
            (bad / path.name).write_bytes(path.read_bytes())
    (bad / "ke_hoach.yaml").write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    assert main(["validate", str(bad)]) == 2
    out = capsys.readouterr()
    text = out.out + out.err
    assert "Traceback" not in text
    assert "2031" in text and "9999999" in text
