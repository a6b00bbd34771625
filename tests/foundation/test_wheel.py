"""The built wheel installs in a fresh venv; `connector --version` runs and finds mappings/ and selectors/."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_installs_and_finds_its_data(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(dist.glob("portal_connector-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    py = env_dir / "bin" / "python"
    site = Path(
        subprocess.run(
            [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # Install the wheel itself (no network); its dependencies come from the dev venv, appended after it.
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)],
        check=True,
    )
    (site / "zz_dev_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    version = subprocess.run(
        [py, "-m", "connector.cli", "--version"], check=True, capture_output=True, text=True, cwd=tmp_path
    )
    assert version.stdout.startswith("connector ")
    probe = (
        "import connector, connector.resources as r;"
        "print(connector.__file__); print(r.data_dir('mappings')); print(r.data_dir('selectors'))"
    )
    where = subprocess.run([py, "-c", probe], check=True, capture_output=True, text=True, cwd=tmp_path)
    module_file, mappings, selectors = where.stdout.split()
    assert module_file.startswith(str(site)), "imported the source checkout instead of the wheel"
    assert mappings.startswith(str(site)) and Path(mappings).is_dir()
    assert selectors.startswith(str(site)) and Path(selectors).is_dir()
    assert not (Path(selectors) / "__init__.py").exists()
