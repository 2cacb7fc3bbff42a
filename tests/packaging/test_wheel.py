"""The built wheel works outside the checkout: built with ``python -m build`` (sdist, then the
wheel from the sdist), installed with ``--no-deps`` into a new venv in a temp folder (which sees
the test venv's dependencies through a ``.pth`` line, so nothing is downloaded), then
``mapapp init`` → ``demo`` → ``snapshot`` → ``serve`` run from a folder outside the checkout:
the health endpoint answers 200 and the app serves Leaflet itself."""

from __future__ import annotations

import os
import shutil
import site
import socket
import subprocess
import sys
import time
import urllib.request
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(cmd: list[str], *, cwd: Path, env: dict[str, str], timeout: int = 180) -> str:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{cmd} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    # build from a clean copy of the tracked files (no .venv, var/ or static/vendor)
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                           check=True).stdout.decode().split("\0")
    for rel in filter(None, files):
        if (ROOT / rel).is_file():
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, src / rel)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAPAPP_")}
    dist = tmp / "dist"
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(src)],
         cwd=tmp, env=env)
    wheels = list(dist.glob("mapapp-*.whl"))
    assert len(wheels) == 1, list(dist.iterdir())
    target = tmp / "venv"
    venv.create(target, with_pip=False)
    py = target / "bin" / "python"
    new_site = Path(_run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         cwd=tmp, env=env).strip())
    # the test venv's packages, visible but after the new venv's own (no editable finder runs)
    (new_site / "zz_test_venv.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    _run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-index",
          "--quiet", str(wheels[0])], cwd=tmp, env=env)
    work = tmp / "work"  # a folder outside the checkout
    work.mkdir()
    return {"py": py, "bin": target / "bin", "site": new_site, "work": work, "env": env,
            "wheel": wheels[0]}


def test_wheel_carries_layers_geo_migrations_and_vendored_scripts(installed):
    import zipfile

    names = set(zipfile.ZipFile(installed["wheel"]).namelist())  # type: ignore[arg-type]
    for must in ("mapapp/bundled/geo/zones.geojson", "mapapp/bundled/geo/stadsdelar.geojson",
                 "mapapp/bundled/layers/zones.py", "mapapp/store/migrations/env.py",
                 "mapapp/static/vendor/leaflet/leaflet.js", "mapapp/streamlit_main.py",
                 "mapapp/i18n/sv/ops.toml"):
        assert must in names, must
    out = _run([str(installed["py"]), "-c",
                "import mapapp, mapapp.resources as r; from mapapp.render import layer_specs;"
                "print(mapapp.__file__); print(r.geo_dir()); print(len(layer_specs()))"],
               cwd=installed["work"], env=installed["env"])  # type: ignore[arg-type]
    module_file, geo, n_layers = out.split()
    assert Path(module_file).is_relative_to(installed["site"]), module_file  # type: ignore[arg-type]
    assert Path(geo).is_relative_to(installed["site"]), geo  # type: ignore[arg-type]
    assert not Path(module_file).is_relative_to(ROOT)
    assert int(n_layers) >= 8


def test_init_demo_snapshot_serve_outside_the_checkout(installed):
    b, work = installed["bin"], installed["work"]
    env = dict(installed["env"])  # type: ignore[arg-type]
    mapapp = str(Path(b) / "mapapp")  # type: ignore[arg-type]
    _run([mapapp, "init"], cwd=work, env=env)  # type: ignore[arg-type]
    assert (Path(work) / "var" / "mapapp.db").is_file()  # type: ignore[arg-type]
    _run([mapapp, "demo", "--incidents", "1500", "--observations", "100"], cwd=work, env=env)  # type: ignore[arg-type]
    _run([mapapp, "snapshot", "--zone", "Liljeholmen", "--out", "lj.html"], cwd=work, env=env)  # type: ignore[arg-type]
    html = (Path(work) / "lj.html").read_text("utf-8")  # type: ignore[arg-type]
    assert "Liljeholmen" in html
    port = _free_port()
    log = Path(work) / "serve.log"  # type: ignore[arg-type]
    with open(log, "wb") as out:
        proc = subprocess.Popen([mapapp, "serve", "--port", str(port), "--address", "127.0.0.1"],
                                cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:  # noqa: S310
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None, log.read_text("utf-8")
            assert time.monotonic() < deadline, log.read_text("utf-8")
            time.sleep(0.3)
        with urllib.request.urlopen(f"{base}/app/static/vendor/leaflet/leaflet.js", timeout=10) as r:  # noqa: S310
            assert r.status == 200
            body = r.read()
        assert b"Leaflet" in body[:400] and len(body) > 100_000
        with urllib.request.urlopen(f"{base}/", timeout=10) as r:  # noqa: S310
            assert r.status == 200
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    text = log.read_text("utf-8")
    assert "Starting mapapp" in text or "Startar mapapp" in text
