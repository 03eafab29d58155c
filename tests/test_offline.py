"""The network guard that the notebook kernels run under refuses the outside world and lets
loopback (the kernel's own channels) through, and the test command really installs it."""
import ast
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


def test_every_name_lookup_is_refused():
    for call in ("socket.gethostbyname('pypi.org')", "socket.gethostbyname_ex('pypi.org')",
                 "socket.gethostbyaddr('192.0.2.1')", "socket.getnameinfo(('192.0.2.1', 80), 0)"):
        result = run_guarded(f"import socket; {call}")
        assert result.returncode != 0, call
        assert "network access is disabled" in result.stderr, call


def test_udp_to_the_outside_is_refused():
    # A DNS query by hand: one UDP datagram to a public resolver.
    code = ("import socket\n"
            "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            "s.sendto(b'x', ('192.0.2.1', 53))\n")
    result = run_guarded(code)
    assert result.returncode != 0
    assert "network access is disabled" in result.stderr


# Run inside a real Jupyter kernel, started the way nbval starts one: Python-level calls must be
# refused by the guard; a lookup through the C library must fail too wherever the namespace is on.
KERNEL_PROBE = r'''
import ctypes, socket
results = {}
for name, call in [
    ("resolve", lambda: socket.gethostbyname("pypi.org")),
    ("connect", lambda: socket.create_connection(("192.0.2.1", 80), timeout=3)),
    ("udp", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("192.0.2.1", 53))),
]:
    try:
        call()
        results[name] = "reached"
    except OSError as error:
        results[name] = "refused: " + str(error)[:60]
libc = ctypes.CDLL(None)
libc.gethostbyname.restype = ctypes.c_void_p
results["libc"] = "refused" if not libc.gethostbyname(b"pypi.org") else "reached"
with open("/proc/net/dev") as f:
    results["interfaces"] = sorted(line.split(":")[0].strip() for line in f.readlines()[2:])
print(results)
'''

KERNEL_DRIVER = r'''
import ast, sys
from jupyter_client.manager import start_new_kernel
km, kc = start_new_kernel(kernel_name="python3")
try:
    outputs = []
    kc.execute_interactive(sys.argv[1], timeout=60,
                           output_hook=lambda m: outputs.append(m["content"].get("text", "")))
    print("".join(outputs).strip().splitlines()[-1])
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
'''


def in_namespace_capable_system():
    probe = subprocess.run([str(GUARD / "run-offline"), "sh", "-c", "cat /proc/net/dev"],
                           capture_output=True, text=True, timeout=30)
    interfaces = [ln.split(":")[0].strip() for ln in probe.stdout.splitlines()[2:]]
    return interfaces == ["lo"]


def test_a_real_kernel_is_offline():
    env = dict(os.environ, PYTHONPATH=str(GUARD), OMP_NUM_THREADS="1")
    result = subprocess.run([str(GUARD / "run-offline"), sys.executable, "-c", KERNEL_DRIVER,
                             KERNEL_PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    results = ast.literal_eval(result.stdout.strip().splitlines()[-1])
    for name in ("resolve", "connect", "udp"):
        assert results[name].startswith("refused"), (name, results[name])
        assert "network access is disabled" in results[name], (name, results[name])
    if in_namespace_capable_system():
        # The namespace: only loopback exists, and compiled code cannot resolve a name either.
        assert results["interfaces"] == ["lo"], results["interfaces"]
        assert results["libc"] == "refused"


def test_run_offline_wraps_the_notebook_commands():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("test-notebooks", "execute"):
        recipe = makefile.split(f"\n{target}:")[1].split("\n\n")[0]
        assert "$(OFFLINE)" in recipe, f"make {target} does not run in the offline namespace"
    assert "tests/offline/run-offline" in makefile
