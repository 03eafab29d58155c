"""The network guard that the notebook kernels run under refuses the outside world and lets
loopback (the kernel's own channels) through, and the test command really installs it."""
import os
import re
import subprocess
import sys

from .conftest import ROOT

GUARD = ROOT / "tests" / "offline"


def run_guarded(code):
    env = dict(os.environ, PYTHONPATH=str(GUARD))
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=60)


def test_outbound_connection_is_refused():
    # 192.0.2.1 is TEST-NET-1 (RFC 5737): never routed, and refused here before any packet.
    result = run_guarded("import socket; socket.create_connection(('192.0.2.1', 80), timeout=5)")
    assert result.returncode != 0
    assert "network access is disabled" in result.stderr


def test_host_names_are_not_resolved():
    result = run_guarded("import urllib.request; urllib.request.urlopen('https://pypi.org', timeout=5)")
    assert result.returncode != 0
    assert "network access is disabled" in result.stderr


def test_loopback_still_works():
    code = (
        "import socket\n"
        "server = socket.create_server(('127.0.0.1', 0))\n"
        "client = socket.create_connection(server.getsockname(), timeout=5)\n"
        "print('connected')\n"
    )
    result = run_guarded(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "connected"


def test_notebook_commands_run_under_the_guard():
    makefile = (ROOT / "Makefile").read_text()
    env_line = re.search(r"^NB_ENV\s*:=(.*)$", makefile, re.M).group(1)
    assert "PYTHONPATH=$(CURDIR)/tests/offline" in env_line
    for target in ("test-notebooks", "execute"):
        recipe = makefile.split(f"\n{target}:")[1].split("\n\n")[0]
        assert "$(NB_ENV)" in recipe, f"make {target} does not use the guard"
