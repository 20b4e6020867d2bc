"""A WCKG_* setting of the wrong form is a one-line error naming the variable, exit 2, no
traceback (graph.cli.base.main)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize("var, value, says", [("WCKG_NETWORK_NICE", "30", "less than or equal to 19"),
                                              ("WCKG_QUERY_TIMEOUT", "abc", "valid number")])
def test_a_wrong_setting_names_the_variable_without_a_traceback(tmp_path, var, value, says):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WCKG_")}
    env.update({var: value, "WCKG_STORE": str(tmp_path / "store")})
    r = subprocess.run([sys.executable, "-m", "graph.cli", "stats"], env=env, capture_output=True, text=True,
                       cwd=tmp_path, timeout=120)
    assert r.returncode == 2
    assert f"{var}={value}" in r.stderr and says in r.stderr
    assert "Traceback" not in r.stderr
