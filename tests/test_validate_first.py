"""``ntmgis validate`` finds what ``map`` and ``report`` would refuse about the criteria: an unknown
region or province, a criteria set that does not exist, overrides that do not fit (issue 15, part 3).
"""

from __future__ import annotations

import pytest
import yaml

from ntmgis.cli import main


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"region": "Atlantis"}, "unknown region 'Atlantis'"),
        ({"district": {"name": "Tân Yên", "province": "Atlantis", "kind": "huyen"}}, "Atlantis"),
        ({"criteria_set": "qd999_2030"}, "qd999_2030"),
        ({"criteria_overrides": {"qd318_2022_xa": {"2.2": {"ntm": {"value": "nhiều"}}}}}, "2.2"),
    ],
)
def test_validate_refuses_what_report_would_refuse(tmp_path, capsys, change, said):
    root = tmp_path / "ws"
    assert main(["sample", "-o", str(root)]) == 0
    config = yaml.safe_load((root / "workspace.yaml").read_text(encoding="utf-8"))
    config.update(change)
    (root / "workspace.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", str(root), "--lang", "en"]) == 2
    out = capsys.readouterr()
    assert said in out.out + out.err and "Traceback" not in out.err
    assert main(["report", str(root), "-o", str(tmp_path / "r.xlsx")]) == 2
